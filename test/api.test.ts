/**
 * The library API (src/api.ts): everything the CLI prints, available by name and
 * structured; and the package used as a user would, from a fresh project through the
 * packed tarball, its types resolving under `tsc --strict` (slow).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { main } from '../src/cli/main.js';
import {
  MatdiffError,
  OptionError,
  checkModel,
  compile,
  derivatives,
  emit,
  evaluate,
  gradients,
  grads,
  hessian,
  jacobian,
  parse,
  printModel,
  print,
  type Model,
  type Node,
} from '../src/index.js';
import { mat, type Mat } from '../src/eval/mat.js';
import { rng } from '../src/util/random.js';
import { dimValue } from '../src/shape/dim.js';
import { builtCopy, exec, type BuiltCopy } from './pack-util.js';

const load = (path: string): Model => parse(readFileSync(path, 'utf8'), path);

/** Random values for a model's variables (symmetric positive definite where declared spd) and sizes 2..4. */
function randomEnv(model: Model, seed: number) {
  const r = rng(seed);
  const dims = new Map(model.dims.map((d, i) => [d, 2 + ((i + seed) % 3)]));
  const size = (d: Node['shape']['rows']) => dimValue(d, dims);
  const vars = new Map<string, Mat>();
  for (const v of model.vars.values()) {
    const [rows, cols] = [size(v.node.shape.rows), size(v.node.shape.cols)];
    const m = mat(
      rows,
      cols,
      Float64Array.from({ length: rows * cols }, () => r() * 1.6 - 0.8),
    );
    if (v.props.includes('spd') || v.props.includes('sym')) {
      const s = mat(rows, rows);
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < rows; j++) {
          let x = 0;
          for (let k = 0; k < rows; k++) x += m.data[i * rows + k]! * m.data[j * rows + k]!;
          s.data[i * rows + j] = x + (i === j ? rows : 0);
        }
      vars.set(v.name, s);
    } else if (v.props.includes('pos'))
      vars.set(
        v.name,
        mat(
          rows,
          cols,
          m.data.map((x) => Math.abs(x) + 0.2),
        ),
      );
    else vars.set(v.name, m);
  }
  return { vars, dims };
}

const EXAMPLES: [string, 'grad' | 'hess' | 'jac', string[] | undefined][] = [
  ['examples/mlp.mdf', 'grad', undefined],
  ['examples/dense.mdf', 'grad', ['W', 'b']],
  ['examples/sigmoid-chain.mdf', 'grad', ['w1', 'w2', 'w3']],
  ['examples/gaussian-nll.mdf', 'grad', ['μ', 'Σ']],
  ['examples/logistic.mdf', 'hess', ['w']],
];

describe('derivatives by name: what the CLI prints, structured', () => {
  for (const [path, kind, wrt] of EXAMPLES)
    it(`${kind} ${path}: lines() is the CLI's output in every format`, async () => {
      const d = derivatives(load(path), kind, { wrt });
      for (const format of ['unicode', 'ascii', 'latex'] as const) {
        const cli = await main([kind, path, ...(wrt ? ['--wrt', wrt.join(',')] : []), '--format', format]);
        expect(cli.code).toBe(0);
        expect(d.lines(format)).toEqual(cli.out.split('\n'));
        // Each part of each line is in the structure.
        d.results.forEach((r, i) => expect(d.lines(format)[i]).toBe(`${r.lhs[format]} = ${r.text[format]}`));
        const word = format === 'latex' ? '\\text{where } ' : 'where ';
        d.where.forEach((w, i) =>
          expect(d.lines(format)[d.results.length + i]).toBe(`  ${word}${w.printedName[format]} = ${w.text[format]}`),
        );
      }
    });

  for (const [path, kind, wrt] of EXAMPLES.filter(([, k]) => k === 'grad'))
    it(`grad ${path}: the ASCII texts, pasted back with their where-bindings, evaluate as the result nodes`, () => {
      const model = load(path);
      const d = gradients(model, { wrt });
      const pasted =
        model.source +
        '\n' +
        [
          ...d.where.map((w) => `${w.name} = ${w.text.ascii}`),
          ...d.results.map((r, i) => `D${i}_ = ${r.text.ascii}`),
        ].join('\n') +
        '\n';
      const again = parse(pasted, path);
      const env = randomEnv(model, 3);
      const want = evaluate(
        d.results.map((r) => r.node),
        env,
      );
      const got = evaluate(
        d.results.map((_, i) => again.defs.get(`D${i}_`)!.node),
        env,
      );
      got.forEach((g, i) => g.data.forEach((x, k) => expect(x).toBeCloseTo(want[i]!.data[k]!, 9)));
    });

  it('the result nodes are the gradients grads() builds', () => {
    const model = load('examples/dense.mdf');
    const d = gradients(model, { wrt: ['W', 'b'] });
    const L = model.defs.get('L')!.node;
    const direct = grads(L, [model.vars.get('W')!.node, model.vars.get('b')!.node]);
    expect(d.results.map((r) => r.node)).toEqual(direct);
    expect(d.results.map((r) => [r.wrt, r.shape])).toEqual([
      ['W', '[k, n]'],
      ['b', '[k]'],
    ]);
  });

  it('LaTeX where-bindings print their names as the expressions do: \\mathbf{G}', () => {
    const d = gradients(load('examples/mlp.mdf'));
    expect(d.where.map((w) => w.name)).toEqual(['G', 'G2']);
    expect(d.where.map((w) => w.printedName.latex)).toEqual(['\\mathbf{G}', '\\mathbf{G}_{2}']);
    expect(d.results.some((r) => r.text.latex.includes('\\mathbf{G}_{2}'))).toBe(true);
    for (const line of d.lines('latex')) expect(line).not.toMatch(/where [A-Z]/);
  });

  it('hessian and jacobian by name', () => {
    const h = hessian(load('examples/logistic.mdf'), { wrt: ['w'] });
    expect(h.results[0]!.text.unicode).toBe('Xᵀ·diag(σ(z) ⊙ (1 − σ(z)))·X');
    expect(h.results[0]!.shape).toBe('[d, d]');
    const j = jacobian(parse('x: [n]; A: [m, n]\nF = exp(A·x)\n'), { wrt: ['x'] });
    expect(j.output).toBe('F');
    expect(j.results[0]!.shape).toBe('[m, n]');
  });

  it('bad names are OptionErrors naming the option; a shape with no derivative is located', () => {
    const model = load('examples/dense.mdf');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    const e1 = err(() => gradients(model, { wrt: ['WW'] })) as OptionError;
    expect(e1).toBeInstanceOf(OptionError);
    expect([e1.option, e1.detail]).toEqual(['wrt', "'WW' is not a declared variable; did you mean 'W'?"]);
    const e2 = err(() => gradients(model, { of: 'M' })) as OptionError;
    expect(e2.option).toBe('of');
    const e3 = err(() => hessian(model)) as OptionError;
    expect(e3.detail).toBe('required for hess: L depends on X, Y, W, b');
    const e4 = err(() => gradients(model, { of: 'Z' })) as MatdiffError;
    expect(e4).toBeInstanceOf(MatdiffError);
    expect(e4.format()).toMatch(/^examples\/dense\.mdf:9:1: error\[E013\]: grad needs a scalar function/);
  });
});

describe('print, check, emit, compile', () => {
  it('printModel: the parts print() joins', () => {
    const model = load('examples/mlp.mdf');
    const p = printModel(model, 'latex');
    expect(p.lines.join('\n')).toBe(print(model, 'latex'));
    expect(p.definitions.map((d) => d.name)).toEqual(['H', 'P', 'L']);
    expect(p.definitions[0]!.text).toBe(`\\mathbf{H} = ${p.definitions[0]!.expression}`);
  });

  it('checkModel: results, counts and the summary line', () => {
    const r = checkModel(parse('A: [n, n]; B: [n, n]\nassert tr(A·B) = tr(B·A)\nassert A·B = B·A\n'));
    expect(r.counts).toEqual({ hold: 1, fail: 1, unchecked: 0 });
    expect(r.ok).toBe(false);
    expect(r.summary).toBe('1 hold, 1 fail');
    expect(r.text.split('\n').at(-1)).toBe(r.summary);
  });

  it('emit returns the module matdiff emit writes', async () => {
    for (const target of ['ts', 'wgsl'] as const) {
      const text = await emit(load('examples/dense.mdf'), { target, wrt: ['W', 'b'] });
      const cli = await main(['emit', 'examples/dense.mdf', '--target', target, '--wrt', 'W,b']);
      expect(text).toBe(cli.out);
    }
  });

  it('compile by name: values and gradients equal the interpreter on the result nodes', () => {
    const model = load('examples/dense.mdf');
    const env = randomEnv(model, 5);
    const k = compile(model, { wrt: ['W', 'b'] });
    const { value, grad } = k.valueAndGrad(
      Object.fromEntries([...env.vars].map(([n, m]) => [n, m.data])),
      Object.fromEntries(env.dims),
    );
    const d = gradients(model, { wrt: ['W', 'b'] });
    const [L, gW, gb] = evaluate([model.defs.get('L')!.node, ...d.results.map((r) => r.node)], env);
    expect(value).toBeCloseTo(L!.data[0]!, 10);
    Array.from(grad.W as Float64Array).forEach((x, i) => expect(x).toBeCloseTo(gW!.data[i]!, 10));
    Array.from(grad.b as Float64Array).forEach((x, i) => expect(x).toBeCloseTo(gb!.data[i]!, 10));
  });
});

/** Bytes of every file under `dir`. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += sizeOf(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

describe('the packed tarball in a fresh project (slow)', { timeout: 300_000 }, () => {
  let copy: BuiltCopy;
  let project: string;
  let installedBytes: number;
  let noRegistry: string | undefined;
  const onCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
  /** Skips a test, saying why, when the dependencies could not be installed. */
  const installed = (ctx: { skip(note?: string): void }) => {
    if (noRegistry) ctx.skip(noRegistry);
  };
  const tsc = join(process.cwd(), 'node_modules', 'typescript', 'bin', 'tsc');

  beforeAll(async () => {
    copy = await builtCopy('matdiff-tarball-');
    const packed = JSON.parse(await copy.npm(['pack', '--json', '--ignore-scripts'])) as { filename: string }[];
    // Outside the copy, whose node_modules (with webgpu) Node would otherwise find by walking up.
    project = mkdtempSync(join(tmpdir(), 'matdiff-consumer-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }),
    );
    // The optional peer 'webgpu' is not installed: npm does not install optional peers.
    // The dependencies come from npm's cache, else the registry; with neither (offline, cold
    // cache) the tests below report themselves skipped and say why, except in CI.
    const tgz = join(copy.dir, packed[0]!.filename);
    const install = (mode: string) =>
      copy.npm(['install', '--no-audit', '--no-fund', mode, '--ignore-scripts', tgz], project);
    try {
      await install('--offline').catch(() => install('--prefer-offline'));
    } catch (e) {
      const why = String((e as { stderr?: string }).stderr ?? e);
      if (onCi || !/ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET/.test(why)) throw e;
      noRegistry = `npm could not fetch the dependencies (offline, and not in npm's cache): ${why.split('\n')[0]}`;
      return;
    }
    installedBytes = sizeOf(join(project, 'node_modules'));
  }, 600_000);
  afterAll(() => {
    copy?.remove();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('installs under 20 MB, without webgpu', (ctx) => {
    installed(ctx);
    expect(readdirSync(join(project, 'node_modules'))).not.toContain('webgpu');
    expect(installedBytes).toBeLessThan(20_000_000);
  });

  it('a TypeScript program using the API type-checks under tsc --strict and runs', async (ctx) => {
    installed(ctx);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'out',
          types: [],
        },
        files: ['main.ts'],
      }),
    );
    writeFileSync(
      join(project, 'main.ts'),
      `import { parse, derivatives, checkModel, emit, compile, printModel, OptionError } from 'matdiff';
import type { Derivatives, Format, Model, Node, CheckReport, Compiled } from 'matdiff';

const model: Model = parse('X: [n, B]; Y: [k, B]; W: [k, n]; b: [k]\\nZ = W·X + b\\nA = σ(Z)\\nL = sum((A − Y).^2) / B\\n', 'dense.mdf');
const d: Derivatives = derivatives(model, 'grad', { wrt: ['W', 'b'] });
const format: Format = 'latex';
const node: Node = d.results[0]!.node;
const report: CheckReport = checkModel(parse('A: [n, n]; B: [n, n]\\nassert tr(A·B) = tr(B·A)\\n'));
const k: Compiled = compile(model, { wrt: ['W', 'b'] });
const r = k.valueAndGrad({ X: [[1, 2], [3, 4]], Y: [[0.5, 0.5]], W: [[0.1, -0.2]], b: [0.3] });
let option = '';
try {
  derivatives(model, 'grad', { wrt: ['WW'] });
} catch (e) {
  if (e instanceof OptionError) option = e.option;
}
const module = await emit(model, { target: 'ts', wrt: ['W'] });
console.log(JSON.stringify({
  lines: d.lines(),
  latex: d.results.map((x) => x.text[format]),
  where: d.where.map((w) => [w.name, w.printedName.latex]),
  shape: node.shape ? d.results[0]!.shape : '',
  summary: report.summary,
  value: r.value,
  option,
  moduleStart: module.slice(0, 3),
  definitions: printModel(model).definitions.map((x) => x.name),
}));
`,
    );
    await exec(process.execPath, [tsc, '-p', '.'], project);
    const out = JSON.parse(await exec(process.execPath, ['out/main.js'], project));
    const model = parse(readFileSync('examples/dense.mdf', 'utf8'));
    const here = derivatives(model, 'grad', { wrt: ['W', 'b'] });
    expect(out.lines).toEqual(here.lines());
    expect(out.latex).toEqual(here.results.map((x) => x.text.latex));
    expect(out.where).toEqual([['G', '\\mathbf{G}']]);
    expect(out.shape).toBe('[k, n]');
    expect(out.summary).toBe('1 hold, 0 fail');
    expect(out.option).toBe('wrt');
    expect(out.moduleStart).toBe('/**');
    expect(out.definitions).toEqual(['Z', 'A', 'L']);
    // L = ((σ(0.1·1 − 0.2·3 + 0.3) − 0.5)² + (σ(0.1·2 − 0.2·4 + 0.3) − 0.5)²) / 2
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    expect(out.value).toBeCloseTo(((s(-0.2) - 0.5) ** 2 + (s(-0.3) - 0.5) ** 2) / 2, 12);
  });

  it('the types are real: a wrong call is a type error', async (ctx) => {
    installed(ctx);
    writeFileSync(
      join(project, 'wrong.ts'),
      `import { parse, derivatives } from 'matdiff';\nderivatives(parse(''), 'grad', { wrt: 'W' });\nconst t: number = derivatives(parse(''), 'gradient').output;\n`,
    );
    writeFileSync(
      join(project, 'tsconfig.wrong.json'),
      JSON.stringify({
        compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: [] },
        files: ['wrong.ts'],
      }),
    );
    const r = await exec(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], project).then(
      () => ({ code: 0, stdout: '' }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/wrong\.ts\(2,\d+\): error TS2322/);
    expect(r.stdout).toMatch(/wrong\.ts\(3,\d+\): error TS2345/);
  });

  it('the installed executable: --version, grad, and the missing optional webgpu', (ctx) => {
    installed(ctx);
    const bin = join(project, 'node_modules', '.bin', 'matdiff');
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim()).toBe(`matdiff ${version}`);
    const model = join(process.cwd(), 'examples/sigmoid-chain.mdf');
    const data = join(process.cwd(), 'examples/sigmoid-chain.json');
    expect(execFileSync(bin, ['grad', model, '--wrt', 'w3'], { encoding: 'utf8' })).toBe(
      execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'grad', model, '--wrt', 'w3'], {
        encoding: 'utf8',
      }),
    );
    const r = spawnSync(bin, ['run', model, '--inputs', data, '--backend', 'wgsl'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "the optional package 'webgpu' (Dawn for Node) is not installed; install it beside matdiff with `npm install webgpu`",
    );
  });
});
