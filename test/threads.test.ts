/**
 * The `threads` option (codegen/wasm/pool.ts): large products split by rows of C among
 * worker threads on one shared WebAssembly memory. Every product here is split (threadMin
 * 1) once the workers are ready; results are compared with the same module on one thread
 * and with the reference interpreter, in f64 and f32. No timings.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, parse } from '../src/index.js';
import { compile, programOf } from '../codegen/compile.js';
import { emitModule, emitTs } from '../codegen/ts/emit.js';
import type { Program } from '../codegen/program.js';
import { main } from '../src/cli/main.js';
import { randomEnv } from './gen.js';
import { relDiff, typeCheck } from './codegen-util.js';

type Dtype = 'f32' | 'f64';
interface Module {
  forward(inputs: object, dims?: object): number | Float64Array | Float32Array;
  valueAndGrad?(inputs: object, dims?: object): { value: number; grad: Record<string, number | ArrayLike<number>> };
  threadsReady?(): Promise<number>;
}

const dir = mkdtempSync(join(tmpdir(), 'matdiff-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The generated module, in process; with threads, every product of ≥ 64 rows split (32 a part). */
function load(p: Program, dtype: Dtype, threads = 1): Module {
  return new Function(emitModule(p, { dtype, lang: 'js', threads, threadMin: 1 }))() as Module;
}

const flat = (v: number | ArrayLike<number>): number[] => (typeof v === 'number' ? [v] : Array.from(v));

/** Value and gradients, copied (the module reuses its arrays). */
function results(m: Module, p: Program, inputs: object, dims: object): number[][] {
  if (!p.valueAndGrad) return [flat(m.forward(inputs, dims))];
  const r = m.valueAndGrad!(inputs, dims);
  return [[r.value], ...p.wrt.map((w) => flat(r.grad[w.name]!))];
}

/**
 * The model on random data at `sizes`: 2 threads against 1 thread (the same kernel on
 * the same rows: equal to round-off) and against the interpreter. Returns the errors.
 */
function compare(
  p: Program,
  sizes: Record<string, number>,
  single: Module,
  threaded: Module,
  dtype: Dtype,
  seed = 1,
  scale = 1,
) {
  const env = randomEnv(
    seed,
    p.inputs.map((i) => i.node),
    new Map(Object.entries(sizes)),
  );
  // Data scaled down where large sums would overflow float32's exp (softmax of logits ≫ 87).
  for (const m of env.vars.values()) for (let i = 0; i < m.data.length; i++) m.data[i]! *= scale;
  const roots = [p.output.node, ...(p.valueAndGrad ? p.wrt.map((w) => w.grad) : [])];
  const ref = evaluate(roots, env).map((m) => Array.from(m.data));
  const inputs = Object.fromEntries(
    [...env.vars].map(([k, m]) => [k, dtype === 'f32' ? Float32Array.from(m.data) : m.data]),
  );
  const one = results(single, p, inputs, sizes);
  const two = results(threaded, p, inputs, sizes);
  const floor = dtype === 'f32' ? 1e-3 : 1e-5;
  return {
    vsOne: Math.max(...one.map((r, i) => relDiff(r, two[i]!, floor, dtype === 'f32'))),
    vsRef: Math.max(...ref.map((r, i) => relDiff(r, two[i]!, floor, dtype === 'f32'))),
  };
}

const TOL = { f64: { one: 1e-13, ref: 1e-10 }, f32: { one: 1e-6, ref: 1e-4 } };

const PRODUCTS = [
  ['A·B', 'A: [m, k]; B: [k, n]\nC = A·B\n'],
  ['Aᵀ·B', 'A: [k, m]; B: [k, n]\nC = Aᵀ·B\n'],
  ['A·Bᵀ', 'A: [m, k]; B: [n, k]\nC = A·Bᵀ\n'],
  ['Aᵀ·Bᵀ', 'A: [k, m]; B: [n, k]\nC = Aᵀ·Bᵀ\n'],
] as const;

/** m × k × n: tiny, odd, below and above the 64 rows a split needs, and beyond one cache block. */
const SHAPES = [
  [1, 1, 1],
  [3, 5, 2],
  [15, 40, 33],
  [63, 9, 33],
  [64, 3, 5],
  [65, 9, 33],
  [97, 1, 7],
  [130, 300, 70],
  [8, 100, 100],
] as const;

describe.each(['f64', 'f32'] as const)('%s: products on 2 threads', (dtype) => {
  it.each(PRODUCTS)(
    '%s agrees with one thread and with the interpreter, tiny to large, odd shapes',
    async (_, text) => {
      const p = programOf(parse(text, 'product.mdf'));
      const [single, threaded] = [load(p, dtype), load(p, dtype, 2)];
      expect(await threaded.threadsReady!()).toBe(2);
      for (const [m, k, n] of SHAPES) {
        const e = compare(p, { m, k, n }, single, threaded, dtype, m * 7 + n);
        expect(e.vsOne, `${m}×${k}×${n}`).toBeLessThanOrEqual(TOL[dtype].one);
        expect(e.vsRef, `${m}×${k}×${n}`).toBeLessThanOrEqual(TOL[dtype].ref);
      }
    },
    60_000,
  );

  it('the MLP (value and gradients, products with transposes) and memory growing between calls', async () => {
    const p = programOf(
      parse(
        'X: [n, B]; Y: [k, B]\nW1: [h, n]; b1: [h]; W2: [k, h]; b2: [k]\nH = relu(W1·X + b1)\nP = softmax(W2·H + b2)\nL = -sum(Y ⊙ log(P)) / B\n',
        'mlp.mdf',
      ),
    );
    const [single, threaded] = [load(p, dtype), load(p, dtype, 2)];
    expect(await threaded.threadsReady!()).toBe(2);
    // Small, then large (the shared memory grows under the waiting workers), then small again.
    for (const [i, sizes] of [
      { n: 20, B: 17, h: 24, k: 3 },
      { n: 300, B: 260, h: 200, k: 10 },
      { n: 19, B: 33, h: 40, k: 5 },
    ].entries()) {
      const e = compare(p, sizes, single, threaded, dtype, 10 + i, 0.1);
      expect(e.vsOne, JSON.stringify(sizes)).toBeLessThanOrEqual(TOL[dtype].one * 10);
      expect(e.vsRef, JSON.stringify(sizes)).toBeLessThanOrEqual(TOL[dtype].ref * 10);
    }
  }, 60_000);
});

describe('other products on threads', () => {
  it('3 threads: uneven parts (130 rows as 48 + 48 + 34), and 2 parts where m has rows for only 2', async () => {
    const p = programOf(parse(PRODUCTS[3][1], 'product.mdf'));
    const [single, threaded] = [load(p, 'f64'), load(p, 'f64', 3)];
    expect(await threaded.threadsReady!()).toBe(3);
    for (const [m, k, n] of [
      [130, 70, 90],
      [70, 33, 65],
      [255, 17, 3],
    ] as const) {
      const e = compare(p, { m, k, n }, single, threaded, 'f64', m);
      expect(e.vsOne, `${m}×${k}×${n}`).toBeLessThanOrEqual(TOL.f64.one);
      expect(e.vsRef, `${m}×${k}×${n}`).toBeLessThanOrEqual(TOL.f64.ref);
    }
  }, 60_000);

  it('the factorisations’ products (f64 gemmAcc): inv and logdet of a 150 × 150 spd matrix', async () => {
    const p = programOf(parse('A: [n, n] spd; B: [n, 3]\nf = logdet(A) + sum(inv(A)·B)\n', 'inv.mdf'));
    const [single, threaded] = [load(p, 'f64'), load(p, 'f64', 2)];
    expect(await threaded.threadsReady!()).toBe(2);
    const e = compare(p, { n: 150 }, single, threaded, 'f64', 3);
    expect(e.vsOne).toBeLessThanOrEqual(1e-10);
    expect(e.vsRef).toBeLessThanOrEqual(1e-8);
  }, 60_000);

  it('compile({ threads }) runs the same functions; threadsReady is 1 without the option', async () => {
    const model = parse('A: [n, n]; B: [n, n]\nL = sum((A·B) ⊙ (A·B))\n', 'sq.mdf');
    const [one, two] = [compile(model, { dtype: 'f32' }), compile(model, { dtype: 'f32', threads: 2 })];
    expect(await one.threadsReady()).toBe(1);
    expect(await two.threadsReady()).toBe(2);
    const n = 200;
    const A = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
    const B = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7));
    const [r1, r2] = [one.valueAndGrad({ A, B }), two.valueAndGrad({ A, B })];
    expect(Math.abs(r2.value - r1.value) / Math.abs(r1.value)).toBeLessThan(1e-6);
    expect(relDiff(r1.grad.A as Float32Array, r2.grad.A as Float32Array, 1e-3, true)).toBeLessThan(1e-6);
    expect(two.source).toContain('const THREADS = 2;');
  }, 60_000);
});

describe('fallback and the host', () => {
  it('without SharedArrayBuffer: one thread, silently, and the same results', async () => {
    const p = programOf(parse(PRODUCTS[0][1], 'product.mdf'));
    const saved = globalThis.SharedArrayBuffer;
    let threaded: Module;
    try {
      delete (globalThis as { SharedArrayBuffer?: unknown }).SharedArrayBuffer;
      threaded = load(p, 'f64', 2);
      expect(await threaded.threadsReady!()).toBe(1);
      const e = compare(p, { m: 70, k: 40, n: 50 }, load(p, 'f64'), threaded, 'f64');
      expect(e.vsOne).toBe(0);
    } finally {
      globalThis.SharedArrayBuffer = saved;
    }
  }, 60_000);

  it('without workers (no worker_threads, not a cross-origin isolated page): one thread', async () => {
    const p = programOf(parse(PRODUCTS[2][1], 'product.mdf'));
    const proc = process as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    try {
      proc.getBuiltinModule = undefined;
      const threaded = load(p, 'f32', 2);
      expect(await threaded.threadsReady!()).toBe(1);
      const e = compare(p, { m: 64, k: 33, n: 50 }, load(p, 'f32'), threaded, 'f32');
      expect(e.vsOne).toBe(0);
    } finally {
      proc.getBuiltinModule = saved;
    }
  });

  it('a module whose products are all small carries no threads: threadsReady() is 1', async () => {
    const k = compile(parse('A: [3, 3]; B: [3, 3]\nC = A·B\n', 'small.mdf'), { threads: 2 });
    expect(k.source).not.toContain('THREADS');
    expect(await k.threadsReady()).toBe(1);
  });

  it('a Node process exits with worker threads started (they are unref’d)', () => {
    const script = join(dir, 'exits.mts');
    const compileUrl = new URL('../codegen/compile.ts', import.meta.url).href;
    const indexUrl = new URL('../src/index.ts', import.meta.url).href;
    writeFileSync(
      script,
      [
        `import { compile } from '${compileUrl}';`,
        `import { parse } from '${indexUrl}';`,
        "const k = compile(parse('A: [n, n]; B: [n, n]\\nC = A·B\\n', 'm.mdf'), { threads: 2 });",
        'const n = 100, A = new Float64Array(n * n).fill(1);',
        'k.forward({ A, B: A });',
        'const threads = await k.threadsReady();',
        'console.log(threads, (k.forward({ A, B: A }) as Float64Array)[0]);',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('2 100');
    expect(r.status).toBe(0);
  }, 70_000);
});

describe('the emitted module', () => {
  const p = programOf(parse(PRODUCTS[1][1], 'product.mdf'));

  it('is byte-identical to today without the option or with threads: 1', () => {
    expect(emitModule(p, { dtype: 'f32', threads: 1 })).toBe(emitModule(p, { dtype: 'f32' }));
    expect(emitModule(p, { dtype: 'f32', threads: 2, wasm: false })).toBe(emitModule(p, { dtype: 'f32', wasm: false }));
  });

  it('with threads type-checks on its own (ES2022, no DOM or Node types) and exports threadsReady', async () => {
    const text = await emitTs(p, { dtype: 'f32', threads: 4 });
    expect(text).toMatch(/export function threadsReady\(\): Promise<number>/);
    expect(text).toContain('const THREADS = 4;');
    const use = "import { threadsReady } from './threaded.js';\nexport const n: Promise<number> = threadsReady();\n";
    expect(typeCheck(dir, { 'threaded.ts': text, 'use.ts': use })).toEqual([]);
  }, 60_000);

  it('rejects a bad thread count', () => {
    expect(() => emitModule(p, { threads: 0 })).toThrow(/threads must be an integer from 1 to 256, got 0/);
    expect(() => emitModule(p, { threads: 1.5 })).toThrow(/threads must be an integer/);
  });
});

describe('the CLI', () => {
  const model = join(dir, 'sq.mdf');
  const data = join(dir, 'sq.json');
  writeFileSync(model, 'A: [n, n]; B: [n, n]\nL = sum((A·B) ⊙ A)\n');
  const n = 40;
  const rows = (f: (i: number, j: number) => number) =>
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => f(i, j)));
  writeFileSync(data, JSON.stringify({ A: rows((i, j) => Math.sin(i + 2 * j)), B: rows((i, j) => Math.cos(i * j)) }));

  it('run --threads 2 prints what run prints', async () => {
    const one = await main(['run', model, '--inputs', data]);
    const two = await main(['run', model, '--inputs', data, '--threads', '2']);
    expect(one.code).toBe(0);
    expect(two).toEqual(one);
  });

  it('emit --target ts --threads 2 writes the threaded module', async () => {
    const r = await main(['emit', model, '--threads', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('const THREADS = 2;');
  });

  it('refuses a bad --threads, or one for another backend or target (usage errors)', async () => {
    for (const [argv, message] of [
      [['run', model, '--inputs', data, '--threads', '0'], "--threads takes an integer from 1 to 256; got '0'"],
      [['run', model, '--inputs', data, '--threads', 'two'], "--threads takes an integer from 1 to 256; got 'two'"],
      [
        ['run', model, '--inputs', data, '--backend', 'wgsl', '--threads', '2'],
        '--threads applies only to --backend ts',
      ],
      [['emit', model, '--target', 'numpy', '--threads', '2'], '--threads applies only to --target ts'],
    ] as const) {
      const r = await main(argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain(message);
    }
  });
});
