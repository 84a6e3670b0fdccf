/**
 * The conventions a command-line tool keeps (issue 13): --version, `help COMMAND`, one
 * line for a file that cannot be read, --json (its schema: docs/cli-json.md), check's
 * summary line, the model and the data not both from standard input, colour only on a
 * terminal (NO_COLOR, FORCE_COLOR), a closed pipe ending quietly, and the message when
 * the optional 'webgpu' package is missing. Each with its exit status.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { HELP } from '../src/cli/help.js';
import { colourErrors, wantColour } from '../src/cli/colour.js';
import { parseArgs } from '../src/cli/args.js';
import { parse, derivatives, evaluate } from '../src/index.js';
import { mat } from '../src/eval/mat.js';
import { rng } from '../src/util/random.js';

const dir = mkdtempSync(join(tmpdir(), 'matdiff-conventions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** The real executable, through tsx, as a user's shell runs it. */
function bin(
  args: string[],
  opts: { env?: Record<string, string | undefined>; input?: string; imports?: string[] } = {},
) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', ...(opts.imports ?? []).flatMap((i) => ['--import', i]), 'src/cli/bin.ts', ...args],
    { env, input: opts.input, encoding: 'utf8', shell: false },
  );
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .*:\d+:\d+\)?$/m);

describe('--version and help', () => {
  it('--version prints the package version, exit 0', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    for (const argv of [['--version'], ['-v'], ['version']]) {
      const r = await main(argv);
      expect(r).toEqual({ code: 0, out: `matdiff ${version}`, err: '' });
    }
  });

  it('matdiff help COMMAND is matdiff COMMAND --help, exit 0', async () => {
    for (const command of Object.keys(HELP)) {
      const a = await main(['help', command]);
      const b = await main([command, '--help']);
      expect(a).toEqual(b);
      expect(a.code).toBe(0);
      expect(a.out).toMatch(new RegExp(`^Usage: matdiff ${command} `));
    }
  });

  it('help of an unknown command: exit 2', async () => {
    const r = await main(['help', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^matdiff: unknown command 'frobnicate'/);
  });
});

describe('arguments (util.parseArgs)', () => {
  it('--name value, --name=value, -o OUT, - as a positional, -- before a dashed positional', () => {
    const a = parseArgs(['-', '--wrt', 'W,b', '--format=latex', '-o', 'out.ts', '--json', '--', '-x.mdf']);
    expect(a.positionals).toEqual(['-', '-x.mdf']);
    expect(Object.fromEntries(a.flags)).toEqual({ wrt: 'W,b', format: 'latex', o: 'out.ts', json: true });
  });

  it('a value may start with a dash; a value-taking flag at the end has none', () => {
    const a = parseArgs(['f.mdf', '--trials', '-3', '--seed']);
    expect(Object.fromEntries(a.flags)).toEqual({ trials: '-3', seed: true });
  });

  it('--json takes no value: exit 2', async () => {
    const r = await main(['print', file('ok.mdf', 'x: [n]\nL = sum(x)\n'), '--json=yes']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^matdiff print: --json takes no value; got 'yes'/);
  });

  it('an unknown flag is reported before a missing value, exit 2', async () => {
    const r = await main(['grad', file('ok.mdf', 'x: [n]\nL = sum(x)\n'), '--wrt', '--bogus']);
    // --wrt takes '--bogus' as its value, as any value may start with a dash
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--wrt: '--bogus' is not a declared variable/);
    const r2 = await main(['grad', file('ok.mdf', 'x: [n]\nL = sum(x)\n'), '--bogus', '--wrt']);
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/^matdiff grad: unknown flag --bogus/);
  });
});

describe('files that cannot be read or written: one line, exit 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    [
      'a missing model',
      () => ['print', join(dir, 'nope.mdf')],
      /^matdiff print: cannot read .*nope\.mdf: no such file$/,
    ],
    ['a directory', () => ['grad', dir], /^matdiff grad: cannot read .*: it is a directory$/],
    [
      'missing data',
      () => ['run', 'examples/sigmoid-chain.mdf', '--inputs', join(dir, 'nope.json')],
      /^matdiff run: cannot read .*nope\.json: no such file$/,
    ],
    [
      'an output file in a missing folder',
      () => ['emit', 'examples/dense.mdf', '-o', join(dir, 'no', 'such', 'x.ts')],
      /^matdiff emit: cannot write .*x\.ts: no such directory$/,
    ],
  ];
  for (const [what, argv, message] of cases)
    it(what, async () => {
      const r = await main(argv());
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err.trim()).toMatch(message);
    });
});

describe('the model and the data cannot both be standard input', () => {
  it('run - --inputs -: exit 2, a clear message', async () => {
    const r = await main(['run', '-', '--inputs', '-']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^matdiff run: the model and the data cannot both come from standard input/);
  });
});

describe('check closes with a summary line', () => {
  it('N hold, 0 fail and exit 0; N hold, M fail and exit 1', async () => {
    const ok = await main([
      'check',
      file('ok-ids.mdf', 'A: [n, n]; B: [n, n]\nassert tr(A·B) = tr(B·A)\nassert (A + B)ᵀ = Aᵀ + Bᵀ\n'),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.out.split('\n').at(-1)).toBe('2 hold, 0 fail');
    const bad = await main([
      'check',
      file('bad-ids.mdf', 'A: [n, n]; B: [n, n]\nassert tr(A·B) = tr(B·A)\nassert A·B = B·A\n'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.out.split('\n').at(-1)).toBe('1 hold, 1 fail');
  });

  it('the examples: as many hold as the file has asserts', async () => {
    const asserts = readFileSync('examples/identities.mdf', 'utf8').match(/^assert /gm)!.length;
    const r = await main(['check', 'examples/identities.mdf']);
    expect(r.out.split('\n').at(-1)).toBe(`${asserts} hold, 0 fail`);
    const falses = readFileSync('examples/false-identities.mdf', 'utf8').match(/^assert /gm)!.length;
    const f = await main(['check', 'examples/false-identities.mdf']);
    expect(f.code).toBe(1);
    expect(f.out.split('\n').at(-1)).toBe(`0 hold, ${falses} fail`);
  });
});

describe('--json', () => {
  const model = 'x: [n]; A: [n, n] sym; b: [n]\nr = A·x − b\nL = rᵀ·r + sum(exp(r))\n';

  it('print --json: declarations, definitions, asserts (schema matdiff/print@1)', async () => {
    const path = file('p.mdf', model + 'assert tr(A) = tr(Aᵀ)\n');
    const r = await main(['print', path, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual([
      'schema',
      'file',
      'format',
      'output',
      'dims',
      'declarations',
      'definitions',
      'asserts',
    ]);
    expect(j.schema).toBe('matdiff/print@1');
    expect(j.output).toBe('L');
    expect(j.dims).toEqual(['n']);
    expect(j.declarations[1]).toEqual({ name: 'A', shape: '[n, n]', properties: ['sym'], text: 'A: [n, n] sym' });
    expect(j.definitions.map((d: { name: string; line: number }) => [d.name, d.line])).toEqual([
      ['r', 2],
      ['L', 3],
    ]);
    expect(j.asserts).toEqual([{ line: 4, left: 'tr(A)', right: 'tr(Aᵀ)', text: 'assert tr(A) = tr(Aᵀ)' }]);
    // Each text is a line of the plain print-out.
    const plain = (await main(['print', path])).out.split('\n');
    expect([...j.declarations, ...j.definitions, ...j.asserts].map((p: { text: string }) => p.text)).toEqual(plain);
  });

  for (const kind of ['grad', 'hess', 'jac'] as const)
    it(`${kind} --json: each result and where-binding in --format (schema matdiff/${kind}@1)`, async () => {
      const path = file(`${kind}.mdf`, model + (kind === 'jac' ? 'F = exp(r)\n' : ''));
      for (const format of ['unicode', 'ascii', 'latex']) {
        const argv = [kind, path, '--wrt', 'x', '--format', format];
        const plain = await main(argv);
        const r = await main([...argv, '--json']);
        expect(r.code).toBe(0);
        const j = JSON.parse(r.out);
        expect(Object.keys(j)).toEqual(['schema', 'file', 'format', 'output', 'results', 'where', 'lines']);
        expect(j).toMatchObject({
          schema: `matdiff/${kind}@1`,
          file: path,
          format,
          output: kind === 'jac' ? 'F' : 'L',
        });
        expect(j.lines).toEqual(plain.out.split('\n'));
        expect(j.results).toHaveLength(1);
        expect(Object.keys(j.results[0])).toEqual(['wrt', 'shape', 'lhs', 'text']);
        expect(j.results[0].wrt).toBe('x');
        expect(j.results[0].shape).toBe(kind === 'grad' ? '[n]' : '[n, n]');
        expect(j.lines[0]).toBe(`${j.results[0].lhs} = ${j.results[0].text}`);
        for (const w of j.where) expect(Object.keys(w)).toEqual(['name', 'shape', 'printedName', 'text']);
      }
    });

  it('grad --json in ASCII re-parses: each text evaluates as the derivative (finite differences)', async () => {
    const path = file('g.mdf', model);
    const j = JSON.parse((await main(['grad', path, '--format', 'ascii', '--json'])).out);
    expect(j.results.map((r: { wrt: string }) => r.wrt)).toEqual(['x', 'A', 'b']);
    // The where-bindings and results pasted back into the model as definitions.
    const defs = [
      ...j.where.map((w: { name: string; text: string }) => `${w.name} = ${w.text}`),
      ...j.results.map((r: { wrt: string; text: string }) => `D_${r.wrt} = ${r.text}`),
    ];
    const m = parse(model + defs.join('\n') + '\n', 'pasted.mdf');
    const rand = rng(7);
    const n = 3;
    const draw = (rows: number, cols: number) =>
      mat(
        rows,
        cols,
        Float64Array.from({ length: rows * cols }, () => rand() - 0.5),
      );
    const symmetric = (a: ReturnType<typeof draw>) =>
      mat(
        n,
        n,
        Float64Array.from(a.data, (x, k) => x + a.data[(k % n) * n + Math.floor(k / n)]!),
      );
    const env = new Map([
      ['x', draw(n, 1)],
      ['A', symmetric(draw(n, n))],
      ['b', draw(n, 1)],
    ]);
    const dims = new Map([['n', n]]);
    const L = (e: typeof env) => evaluate([m.defs.get('L')!.node], { vars: e, dims })[0]!.data[0]!;
    for (const v of ['x', 'b']) {
      const got = evaluate([m.defs.get(`D_${v}`)!.node], { vars: env, dims })[0]!;
      for (let i = 0; i < n; i++) {
        const h = 1e-6;
        const [up, down] = [new Map(env), new Map(env)];
        const base = env.get(v)!;
        const shift = (s: number) =>
          mat(
            n,
            1,
            Float64Array.from(base.data, (x, k) => (k === i ? x + s : x)),
          );
        up.set(v, shift(h));
        down.set(v, shift(-h));
        expect(got.data[i]!).toBeCloseTo((L(up) - L(down)) / (2 * h), 5);
      }
    }
  });

  it('check --json: each result, counterexamples in the data layout, the summary (schema matdiff/check@1)', async () => {
    const path = file(
      'c.mdf',
      'A: [n, n]; B: [n, n]; s: []\nassert tr(A·B) = tr(B·A)\nassert A·B = B·A\nassert s + s = 2·s\n',
    );
    const r = await main(['check', path, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['schema', 'file', 'results', 'summary']);
    expect(j.schema).toBe('matdiff/check@1');
    expect(j.summary).toEqual({ hold: 2, fail: 1, unchecked: 0, text: '2 hold, 1 fail' });
    expect(j.results.map((x: { line: number; status: string }) => [x.line, x.status])).toEqual([
      [2, 'holds'],
      [3, 'fails'],
      [4, 'holds'],
    ]);
    const c = j.results[1].counterexample;
    const k = c.dims.n as number;
    expect(c.inputs.A).toHaveLength(k);
    expect(c.inputs.A[0]).toHaveLength(k);
    // The counterexample is one: A·B ≠ B·A at the values printed.
    const [A, B] = [c.inputs.A as number[][], c.inputs.B as number[][]];
    const prod = (X: number[][], Y: number[][]) =>
      X.map((row) => Y[0]!.map((_, q) => row.reduce((s, x, p) => s + x * Y[p]![q]!, 0)));
    expect(prod(A, B)).toEqual(c.left);
    expect(prod(B, A)).toEqual(c.right);
    expect(c.left).not.toEqual(c.right);
  });

  it('the library gives the same derivatives as grad --json', async () => {
    const path = file('lib.mdf', model);
    const j = JSON.parse((await main(['grad', path, '--json'])).out);
    const d = derivatives(parse(model, path), 'grad');
    expect(d.results.map((r) => r.text.unicode)).toEqual(j.results.map((r: { text: string }) => r.text));
    expect(d.where.map((w) => w.text.unicode)).toEqual(j.where.map((w: { text: string }) => w.text));
  });
});

describe('colour: on a terminal only, NO_COLOR and FORCE_COLOR', () => {
  it('wantColour', () => {
    expect(wantColour({ isTTY: true }, {})).toBe(true);
    expect(wantColour({ isTTY: false }, {})).toBe(false);
    expect(wantColour({}, {})).toBe(false);
    expect(wantColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(wantColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantColour({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantColour({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(wantColour({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(wantColour({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
  });

  it('colourErrors marks the label, the place and the caret, and nothing else', () => {
    const text = 'f.mdf:2:5: error[E010]: cannot multiply\n  |\n2 | y = A·x   # error: not this one\n  |     ^^^';
    const c = colourErrors(text);
    expect(c).toContain('\x1b[1mf.mdf:2:5: \x1b[0m\x1b[1m\x1b[31merror[E010]:\x1b[0m cannot multiply');
    expect(c).toContain('2 | y = A·x   # error: not this one');
    expect(c).toContain('  |     \x1b[31m^^^\x1b[0m');
    expect(c.replace(/\x1b\[\d+m/g, '')).toBe(text);
  });

  it('the executable: plain text to a pipe, colour with FORCE_COLOR, none with FORCE_COLOR=0; exit 1', () => {
    const bad = file('bad.mdf', 'A: [m, n]; x: [m]\ny = A·x\n');
    const plain = bin(['print', bad]);
    expect(plain.code).toBe(1);
    expect(plain.err).not.toContain('\x1b[');
    expect(plain.err).toMatch(/bad\.mdf:2:5: error\[E010\]: cannot multiply/);
    const forced = bin(['print', bad], { env: { FORCE_COLOR: '1' } });
    expect(forced.code).toBe(1);
    expect(forced.err).toContain('\x1b[31merror[E010]:\x1b[0m');
    expect(bin(['print', bad], { env: { FORCE_COLOR: '0' } }).err).not.toContain('\x1b[');
  });
});

describe('a closed pipe', () => {
  it('matdiff emit … | head -c 150 ends quietly with status 0', () => {
    // A reader that stops after 150 bytes: a shell pipeline, as a user writes it.
    const r = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" --import tsx src/cli/bin.ts emit examples/mlp.mdf --target wgsl 2>"${join(dir, 'epipe.err')}" | head -c 150 >/dev/null; echo "\${PIPESTATUS[0]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(join(dir, 'epipe.err'), 'utf8')).toBe('');
  });
});

describe("the optional peer dependency 'webgpu'", () => {
  it('missing: --backend wgsl names the package and how to install it; exit 1, no stack', () => {
    // A module hook that answers for 'webgpu' as Node does when it is not installed.
    const hooks = file(
      'no-webgpu-hooks.mjs',
      `export async function resolve(spec, ctx, next) {
  if (spec === 'webgpu') {
    const e = new Error(\`Cannot find package 'webgpu' imported from \${ctx.parentURL}\`);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(spec, ctx);
}\n`,
    );
    const register = file(
      'no-webgpu.mjs',
      `import { register } from 'node:module';\nregister(${JSON.stringify('file://' + hooks)});\n`,
    );
    const r = bin(
      ['run', 'examples/sigmoid-chain.mdf', '--inputs', 'examples/sigmoid-chain.json', '--backend', 'wgsl'],
      {
        imports: [register],
      },
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trim()).toBe(
      "error[E021]: the WGSL backend needs WebGPU: the optional package 'webgpu' (Dawn for Node) is not installed; install it beside matdiff with `npm install webgpu`",
    );
    noStack(r.err);
  });
});
