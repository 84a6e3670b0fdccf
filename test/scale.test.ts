/**
 * The symbolic engine at the size of real models (issue 9), checked on numbers and on
 * printed size — never on time (that is bench/symbolic.ts's job):
 *  - each family of the benchmark at a small size: the gradients equal central finite
 *    differences, the compiled f64 `run` gives the same numbers, and the printed ASCII
 *    gradients (`where` lines as definitions) re-parse and evaluate to the same numbers;
 *  - the residual chain prints its δ recursion one `where` line per block, each block's
 *    adjoint in terms of the next, with nothing unused and no `ones(n) + 1`;
 *  - random DAG-heavy models (definitions that reuse earlier ones at random): the printed
 *    size stays within a constant factor of the gradient graph's node count;
 *  - 10,000 prefix or postfix operators parse, differentiate and print.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, grads, evaluate } from '../src/index.js';
import { type Node, topoOrder } from '../src/graph/node.js';
import type { Model } from '../src/model/model.js';
import { derivativeLines } from '../src/print/gradients.js';
import { isScalar } from '../src/shape/shape.js';
import { main } from '../src/cli/main.js';
import { buildProgram } from '../codegen/program.js';
import { instantiate } from '../codegen/compile.js';
import { mat } from '../src/eval/mat.js';
import {
  definitionChain,
  quadraticForm,
  residualChain,
  residualNetwork,
  transformer,
} from '../bench/symbolic/families.js';
import { type Env, fdGradient, randomEnv, relErr, runs } from './gen.js';

const DIMS = new Map([
  ['n', 3],
  ['B', 2],
  ['d', 3],
  ['h', 4],
]);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'matdiff-scale-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function outputAndWrt(model: Model) {
  const out = model.defs.get(model.output!)!;
  const reach = new Set(topoOrder([out.node]));
  const wrt = [...model.vars.values()].filter((v) => reach.has(v.node)).map((v) => ({ name: v.name, node: v.node }));
  return { output: { name: out.name, node: out.node }, wrt };
}

/** Model text plus the ASCII gradient lines as definitions: `where` lines first, `dL/dW = e` as `dL_dW = e`. */
function withGradients(source: string, lines: readonly string[]): string {
  const where = lines.filter((l) => l.startsWith('  where ')).map((l) => l.trim());
  const results = lines
    .filter((l) => !l.startsWith('  where '))
    .map((l) => l.replace(/^d(\w+)\/d(\S+) = /, 'd$1_d$2 = '));
  return [source, ...where, ...results].join('\n');
}

const printedChars = (lines: readonly string[]): number => lines.reduce((s, l) => s + l.length, 0);

const FAMILIES: [string, string][] = [
  ['residual vector chain, depth 3', residualChain(3)],
  ['residual network, depth 3', residualNetwork(3)],
  ['transformer, 1 block', transformer(1)],
  ['quadratic form, 30 terms', quadraticForm(30)],
  ['definition chain, 20 lines', definitionChain(20)],
  // Past FLATTEN_LIMIT (64): sums then nest, and like terms further apart stay apart.
  ['quadratic form, 300 terms', quadraticForm(300)],
  ['definition chain, 150 lines', definitionChain(150)],
];

describe('each family at a small size', () => {
  for (const [what, source] of FAMILIES)
    it(`${what}: finite differences, the compiled run and the printed ASCII agree`, () => {
      const model = parse(source, 'family.mdf');
      const { output, wrt } = outputAndWrt(model);
      const gs = grads(
        output.node,
        wrt.map((w) => w.node),
      );
      const env: Env = randomEnv(
        7,
        [...model.vars.values()].map((v) => v.node),
        DIMS,
      );
      // Scale the data down so that tanh, relu and the layer norm stay in their smooth parts.
      for (const m of env.vars.values()) for (let i = 0; i < m.data.length; i++) m.data[i]! *= 0.5;
      const exact = evaluate(gs, env);

      // Central finite differences of the interpreted output.
      wrt.forEach((w, i) =>
        expect(relErr(fdGradient(output.node, w.name, env), exact[i]!, 1e-6), `∂/∂${w.name}`).toBeLessThan(1e-5),
      );

      // The compiled module (f64), as `matdiff run` runs it.
      const program = buildProgram({ model, output, wrt });
      const inputs = Object.fromEntries(
        program.inputs.map((v) => {
          const m = env.vars.get(v.name)!;
          return [v.name, isScalar(v.node.shape) ? m.data[0]! : Float64Array.from(m.data)];
        }),
      );
      const ran = instantiate(program, 'f64').valueAndGrad(inputs, Object.fromEntries(DIMS));
      wrt.forEach((w, i) => {
        const g = ran.grad[w.name]!;
        const got =
          typeof g === 'number'
            ? mat(1, 1, Float64Array.of(g))
            : mat(exact[i]!.rows, exact[i]!.cols, Float64Array.from(g));
        expect(relErr(got, exact[i]!), `run ∂/∂${w.name}`).toBeLessThan(1e-10);
      });

      // The printed ASCII, pasted back under the model.
      const lines = derivativeLines(model, 'grad', output, wrt, gs, 'ascii');
      const again = parse(withGradients(source, lines), 'again.mdf');
      const printed = wrt.map((w) => again.defs.get(`d${output.name}_d${w.name}`)!.node);
      const values = evaluate(printed, env);
      wrt.forEach((w, i) => expect(relErr(values[i]!, exact[i]!), `printed ∂/∂${w.name}`).toBeLessThan(1e-10));
    });
});

async function cli(source: string, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const path = join(dir, `m${Math.random().toString(36).slice(2)}.mdf`);
  writeFileSync(path, source);
  return main([argv[0]!, path, ...argv.slice(1)]);
}

describe('the residual chain h{i} = tanh(h{i-1}) + h{i-1}', () => {
  it('depth 27: grad prints one where line per block, each block’s adjoint in terms of the next', async () => {
    const r = await cli(residualChain(27), 'grad');
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('∂L/∂x = G26 + G26 ⊙ (1 − tanh(x).^2)');
    expect(lines[1]).toBe('  where G = 2 − tanh(h26).^2');
    for (let k = 2; k <= 26; k++)
      expect(lines[k]).toBe(
        `  where G${k} = G${k === 2 ? '' : k - 1} + G${k === 2 ? '' : k - 1} ⊙ (1 − tanh(h${27 - k}).^2)`,
      );
    expect(lines).toHaveLength(27);
  });

  it('depth 27: run and emit succeed, and run agrees with the interpreted gradient', async () => {
    const data = join(dir, 'chain.json');
    writeFileSync(data, JSON.stringify({ x: [0.1, -0.2, 0.3] }));
    const ran = await cli(residualChain(27), 'run', '--inputs', data);
    expect(ran.err).toBe('');
    const { grad } = JSON.parse(ran.out) as { grad: { x: number[] } };
    const model = parse(residualChain(27), 'chain.mdf');
    const [g] = grads(model.defs.get('L')!.node, [model.vars.get('x')!.node]);
    const env: Env = { vars: new Map([['x', mat(3, 1, Float64Array.of(0.1, -0.2, 0.3))]]), dims: new Map([['n', 3]]) };
    expect(relErr(mat(3, 1, Float64Array.from(grad.x)), evaluate([g!], env)[0]!)).toBeLessThan(1e-10);
    const emitted = await cli(residualChain(27), 'emit', '--target', 'ts');
    expect(emitted.code).toBe(0);
    expect(emitted.out).toContain('where G26 = G25 + G25 ⊙ (1 − tanh(h1).^2)');
  });

  it('depth 2,000: the printed size grows linearly (a where line per block)', async () => {
    const r = await cli(residualChain(2000), 'grad');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(2000);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(60);
  });
});

describe('no unused where line, no odd forms', () => {
  it('log(xᵀ·A·x) prints no where line', async () => {
    const r = await cli("x: [n]; A: [n, n]\nL = log(x'*A*x)", 'grad');
    expect(r.out).toBe('∂L/∂x = (A + Aᵀ)·x / (xᵀ·(A·x))\n∂L/∂A = x·xᵀ / (xᵀ·(A·x))');
  });

  it('every where name is used by a result or by a later where line, on the families', () => {
    for (const [what, source] of FAMILIES) {
      const model = parse(source, 'family.mdf');
      const { output, wrt } = outputAndWrt(model);
      const gs = grads(
        output.node,
        wrt.map((w) => w.node),
      );
      const lines = derivativeLines(model, 'grad', output, wrt, gs, 'unicode');
      const names = lines.filter((l) => l.startsWith('  where ')).map((l) => /^ {2}where (\S+) =/.exec(l)![1]!);
      for (const name of names) {
        const uses = lines.filter((l) =>
          new RegExp(`(?<![\\w])${name}(?![\\w])`).test(l.replace(/^ {2}where \S+ =/, '')),
        );
        expect(uses.length, `${what}: ${name}`).toBeGreaterThan(0);
      }
      expect(lines.join('\n'), what).not.toMatch(/ones\(\w+\) \+ 1/);
    }
  });

  it('ones(n) + ones(n) is 2·ones(n)', async () => {
    const r = await cli('x: [n]\nL = sum(x + x) + sum(x)', 'grad');
    expect(r.out).toBe('∂L/∂x = 3·ones(n)');
  });
});

describe('printed size is linear in the gradient graph', () => {
  /** Random models over vectors: each definition combines one or two earlier names at random. */
  const arbModel = fc
    .record({
      vars: fc.integer({ min: 1, max: 3 }),
      defs: fc.array(fc.record({ op: fc.integer({ min: 0, max: 6 }), a: fc.nat(), b: fc.nat() }), {
        minLength: 4,
        maxLength: 40,
      }),
    })
    .map(({ vars, defs }) => {
      const names = Array.from({ length: vars }, (_, i) => `x${i}`);
      const lines = [names.map((x) => `${x}: [n]`).join('; ')];
      defs.forEach((d, i) => {
        // Mostly the last two names: chains that reuse each step twice (their unfolding is exponential).
        const pick = (k: number) =>
          names[names.length - 1 - (k % Math.min(names.length, k % 3 === 0 ? names.length : 2))]!;
        const [a, b] = [pick(d.a), pick(d.b)];
        const rhs = [
          `${a} + ${b}`,
          `${a} ⊙ ${b}`,
          `tanh(${a}) + ${b}`,
          `${a} − 0.5·${b}`,
          `σ(${a}) ⊙ ${b}`,
          `sin(${a})`,
          `${a} + tanh(${a})`,
        ][d.op]!;
        lines.push(`v${i} = ${rhs}`);
        names.push(`v${i}`);
      });
      lines.push(`L = sum(${names[names.length - 1]})`);
      return lines.join('\n');
    });

  it('characters ≤ 40 per gradient node (fast-check)', () => {
    fc.assert(
      fc.property(arbModel, (source) => {
        const model = parse(source, 'random.mdf');
        const { output, wrt } = outputAndWrt(model);
        const gs = grads(
          output.node,
          wrt.map((w) => w.node),
        );
        const nodes = topoOrder(gs).length;
        for (const fmt of ['unicode', 'ascii', 'latex'] as const) {
          const chars = printedChars(derivativeLines(model, 'grad', output, wrt, gs, fmt));
          if (chars > 40 * nodes + 100) throw new Error(`${fmt}: ${chars} characters for ${nodes} nodes\n${source}`);
        }
      }),
      runs(40, 9),
    );
  });
});

describe('long runs of prefix and postfix operators', () => {
  it('10,000 prefix minus signs parse, differentiate and print', async () => {
    const src = `x: []\nL = ${'-'.repeat(10000)}x`;
    expect((await cli(src, 'print')).out).toBe('x: []\nL: [] = x');
    expect((await cli(src, 'grad')).out).toBe('∂L/∂x = 1');
    const odd = `x: []\nL = ${'−'.repeat(9999)}x`;
    expect((await cli(odd, 'grad')).out).toBe('∂L/∂x = −1');
  });

  it("10,000 postfix ' and ᵀ parse, differentiate and print", async () => {
    for (const mark of ["'", 'ᵀ']) {
      const src = `x: [n]; A: [n, n]\nL = x'·A${mark.repeat(10000)}·x`;
      const r = await cli(src, 'grad', '--wrt', 'A');
      expect(r.err).toBe('');
      expect(r.out).toBe('∂L/∂A = x·xᵀ');
      const odd = await cli(`x: [n]; A: [n, n]\nL = x'·A${mark.repeat(10001)}·x`, 'grad', '--wrt', 'A');
      expect(odd.out).toBe('∂L/∂A = x·xᵀ');
    }
  });

  it('10,000 prefix minus signs inside 150 brackets', async () => {
    const src = `x: []\nL = ${'('.repeat(150)}${'-'.repeat(10000)}x${')'.repeat(150)} + ${'-'.repeat(10001)}x`;
    expect((await cli(src, 'grad')).out).toBe('∂L/∂x = 0');
  });
});
