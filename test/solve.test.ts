/**
 * Products with an inverse solved, not formed (codegen/schedule.ts `solve` steps,
 * codegen/ts/factor.ts luSolve / cholSolve): op(A)⁻¹·B and B·op(A)⁻¹ whose inverse only
 * products read, against the same program with the inverse formed and against the
 * reference interpreter — LU and Cholesky (spd), f64 and f32, with the WebAssembly
 * products and without, vector and matrix right-hand sides, left and right, transposed,
 * over tiny and odd sizes and sizes crossing the solves' blocks (FACTOR_NB0 = 32);
 * gradients through solves against finite differences; the WGSL solve kernel (one
 * right-hand side per invocation) on the GPU where there is one; and the schedules: a solve step
 * and no inverse where only products read it, the inverse formed (and its factorisation
 * shared) where it is also a value.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import { type Mat, mat } from '../src/eval/mat.js';
import { programOf } from '../codegen/compile.js';
import { type Program, buildProgram } from '../codegen/program.js';
import type { Schedule } from '../codegen/ir.js';
import { emitModule } from '../codegen/ts/emit.js';
import { rng } from '../src/util/random.js';
import { relDiff } from './codegen-util.js';
import { checkParsed, requireGpu } from './wgsl-util.js';

type Dtype = 'f64' | 'f32';
type Arr = Float64Array | Float32Array;
type Inputs = Record<string, Arr>;
interface Module {
  forward: (inputs: Inputs, dims?: Record<string, number>) => number | Arr;
  valueAndGrad?: (
    inputs: Inputs,
    dims?: Record<string, number>,
  ) => { value: number; grad: Record<string, number | Arr> };
}

const SIZES = [1, 2, 3, 7, 33, 65, 130];
const K = 5;

function load(p: Program, dtype: Dtype, wasm: boolean): Module {
  return new Function(emitModule(p, { dtype, lang: 'js', wasm }))() as Module;
}

/** The same program with every inverse formed (and multiplied by). */
const formed = (p: Program, text: string): Program =>
  buildProgram({
    model: parse(text, 'solve.mdf'),
    output: p.output,
    wrt: p.wrt.map(({ name, node }) => ({ name, node })),
    solve: false,
  });

/**
 * A random matrix: well conditioned general (n/2 + 1 added along the anti-diagonal, so
 * that LU must swap rows), or spd (M·Mᵀ/n + I).
 */
function square(n: number, spd: boolean, seed: number): Float64Array {
  const r = rng(seed);
  const m = Float64Array.from({ length: n * n }, () => 2 * r() - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (!spd) {
        a[i * n + j] = m[i * n + j]! + (j === n - 1 - i ? 0.5 * n + 1 : 0);
        continue;
      }
      let s = 0;
      for (let p = 0; p < n; p++) s += m[i * n + p]! * m[j * n + p]!;
      a[i * n + j] = s / n + (i === j ? 1 : 0);
    }
  return a;
}

function uniform(len: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: len }, () => 2 * r() - 1);
}

/** Inputs A [n, n], B [n, K], C [K, n], x [n], y [n], with their shapes. */
function data(
  n: number,
  spd: boolean,
  seed: number,
): Record<string, { rows: number; cols: number; data: Float64Array }> {
  return {
    A: { rows: n, cols: n, data: square(n, spd, seed) },
    B: { rows: n, cols: K, data: uniform(n * K, seed + 1) },
    C: { rows: K, cols: n, data: uniform(K * n, seed + 2) },
    x: { rows: n, cols: 1, data: uniform(n, seed + 3) },
    y: { rows: n, cols: 1, data: uniform(n, seed + 4) },
  };
}

const DECLS = (spd: boolean) => `A: [n, n]${spd ? ' spd' : ''}\nB: [n, k]\nC: [k, n]\nx: [n]\ny: [n]\n`;

function reference(roots: Program['output']['node'][], d: ReturnType<typeof data>, n: number): Mat[] {
  const vars = new Map(Object.entries(d).map(([k, v]) => [k, mat(v.rows, v.cols, v.data)]));
  return evaluate(roots, {
    vars,
    dims: new Map([
      ['n', n],
      ['k', K],
    ]),
  });
}

const flat = (v: number | Arr): ArrayLike<number> => (typeof v === 'number' ? [v] : v);
const kinds = (s: Schedule) => s.steps.map((st) => st.kind);
const inputsOf = (d: ReturnType<typeof data>, dtype: Dtype): Inputs =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, dtype === 'f32' ? Float32Array.from(v.data) : v.data]));

const CASES: readonly { what: string; body: string; side: 'left' | 'right'; trans: boolean }[] = [
  { what: 'A⁻¹·B (matrix, left)', body: 'Z = inv(A)·B', side: 'left', trans: false },
  { what: 'A⁻¹·x (vector, left)', body: 'z = inv(A)·x', side: 'left', trans: false },
  { what: 'A⁻ᵀ·B (transposed, left)', body: 'Z = inv(A)ᵀ·B', side: 'left', trans: true },
  { what: 'C·A⁻¹ (matrix, right)', body: 'Z = C·inv(A)', side: 'right', trans: false },
  { what: 'xᵀ·A⁻¹ (vector, right)', body: 'z = xᵀ·inv(A)', side: 'right', trans: false },
  { what: 'C·A⁻ᵀ (transposed, right)', body: 'Z = C·inv(A)ᵀ', side: 'right', trans: true },
  { what: 'yᵀ·A⁻¹·x (scalar)', body: 's = yᵀ·inv(A)·x', side: 'right', trans: false },
  { what: 'A⁻¹·ones (row sums: one solve, repeated)', body: 'Z = inv(A)·ones(n, k)', side: 'left', trans: false },
  { what: 'ones·A⁻ᵀ (column sums: one solve, repeated)', body: 'Z = ones(k, n)·inv(A)ᵀ', side: 'right', trans: true },
];

describe.each([
  ['LU', false],
  ['Cholesky', true],
] as const)('%s', (_name, spd) => {
  for (const c of CASES)
    it(`${c.what}: solved = formed = reference, f64 and f32, with and without WebAssembly, n = ${SIZES.join(', ')}`, () => {
      const text = `${DECLS(spd)}${c.body}\n`;
      const p = programOf(parse(text, 'solve.mdf'));
      const q = formed(p, text);
      // The solve step (its side and transposition as written), and no inverse.
      const steps = p.forward.schedule.steps;
      expect(kinds(p.forward.schedule)).not.toContain('inverse');
      const solves = steps.filter((s) => s.kind === 'solve');
      expect(solves.length).toBe(1);
      const s = solves[0]!;
      if (s.kind !== 'solve') throw new Error('unreachable');
      expect([s.side, s.method]).toEqual([c.side, spd ? 'cholesky' : 'lu']);
      if (!spd) expect(s.trans).toBe(c.trans);
      // Sums of the inverse's rows or columns: one right-hand side.
      if (c.body.includes('ones')) expect(s.m.k).toBe(1);
      expect(kinds(q.forward.schedule)).toContain('inverse');
      expect(kinds(q.forward.schedule)).not.toContain('solve');

      const mods = {
        'f64 wasm': load(p, 'f64', true),
        'f64 js': load(p, 'f64', false),
        'f32 wasm': load(p, 'f32', true),
        'f32 js': load(p, 'f32', false),
        'f64 formed': load(q, 'f64', true),
      };
      for (const n of SIZES) {
        const d = data(n, spd, 10 * n + (spd ? 1 : 0));
        const ref = reference([p.output.node], d, n)[0]!.data;
        for (const [variant, m] of Object.entries(mods)) {
          const f32 = variant.startsWith('f32');
          const got = flat(m.forward(inputsOf(d, f32 ? 'f32' : 'f64'), { k: K }));
          const err = relDiff(ref, got, 1e-8, f32);
          expect(err, `${c.what} ${variant} n=${n}`).toBeLessThan(f32 ? 2e-4 : 1e-10);
        }
      }
    });
});

describe('gradients through solves', () => {
  const cases = [
    { spd: false, body: 'E = yᵀ·inv(A)·B·C·x' },
    { spd: true, body: 'E = xᵀ·inv(A)·x' },
    { spd: false, body: 'E = sum(exp(C·inv(A)ᵀ·B / n))' },
    { spd: false, body: 'E = sum(inv(A)·B) + sum(sin(C·inv(A)))' },
  ];
  for (const { spd, body } of cases)
    it(`${body}${spd ? ' (A spd)' : ''}: no inverse formed; gradients = reference = finite differences`, () => {
      const text = `${DECLS(spd)}${body}\n`;
      const p = programOf(parse(text, 'solve.mdf'));
      const vg = p.valueAndGrad!.schedule;
      expect(kinds(vg)).toContain('solve');
      expect(kinds(vg)).not.toContain('inverse');
      // One factorisation of A, shared by every solve.
      expect(kinds(vg).filter((k) => k === 'factor').length).toBe(1);
      const mod = load(p, 'f64', true);
      for (const n of [3, 40]) {
        const d = data(n, spd, 7 + n);
        const inputs = inputsOf(d, 'f64');
        const { value, grad } = mod.valueAndGrad!(inputs, { k: K });
        const ref = reference([p.output.node, ...p.wrt.map((w) => w.grad)], d, n);
        expect(relDiff(ref[0]!.data, [value], 1e-8)).toBeLessThan(1e-10);
        p.wrt.forEach((w, i) => {
          const g = flat(grad[w.name]!);
          expect(relDiff(ref[i + 1]!.data, g, 1e-8), `∂E/∂${w.name} n=${n}`).toBeLessThan(1e-9);
          // Central differences along a few coordinates (A kept symmetric where it is spd).
          const x = inputs[w.name]!;
          const r = rng(n + i);
          for (let t = 0; t < 4; t++) {
            const e = Math.floor(r() * x.length);
            const rows = d[w.name]!.cols;
            const mirror = spd && w.name === 'A' ? (e % rows) * rows + Math.floor(e / rows) : e;
            const h = 1e-6;
            const at = (delta: number): number => {
              const xs = Float64Array.from(x);
              xs[e] = xs[e]! + delta;
              if (mirror !== e) xs[mirror] = xs[mirror]! + delta;
              return mod.forward({ ...inputs, [w.name]: xs }, { k: K }) as number;
            };
            const fd = (at(h) - at(-h)) / (2 * h);
            const exact = mirror === e ? g[e]! : g[e]! + g[mirror]!;
            expect(Math.abs(fd - exact), `∂E/∂${w.name}[${e}] n=${n}`).toBeLessThan(
              1e-5 * Math.max(1, Math.abs(exact)),
            );
          }
        });
      }
    });
});

describe('schedules', () => {
  it('an inverse that is also a value is formed once, its factorisation shared with the solves, det and logdet', () => {
    const p = programOf(parse('A: [n, n]\nx: [n]\nE = xᵀ·inv(A)·x + logdet(A) + det(A)\n', 'solve.mdf'));
    // Forward: solve, logdet and det from one LU; no inverse.
    expect(kinds(p.forward.schedule).filter((k) => k === 'factor').length).toBe(1);
    expect(kinds(p.forward.schedule)).toContain('solve');
    expect(kinds(p.forward.schedule)).not.toContain('inverse');
    // The gradient reads A⁻ᵀ as a value (∂logdet/∂A): formed, from the same factorisation.
    const vg = kinds(p.valueAndGrad!.schedule);
    expect(vg.filter((k) => k === 'factor').length).toBe(1);
    expect(vg.filter((k) => k === 'inverse').length).toBe(1);
  });

  it('an inverse that is an output, or read by a sum, is formed', () => {
    for (const body of ['Z = inv(A)', 'Z = inv(A)ᵀ', 's = sum(inv(A))', 'Z = inv(A) + inv(A)·B·C']) {
      const p = programOf(parse(`${DECLS(false)}${body}\n`, 'solve.mdf'));
      expect(kinds(p.forward.schedule), body).toContain('inverse');
    }
  });

  it('a linear regression solves the normal equations without forming (XᵀX)⁻¹', () => {
    const text = 'X: [m, n]\ny: [m]\nw = inv(Xᵀ·X)·(Xᵀ·y)\n';
    const p = programOf(parse(text, 'solve.mdf'));
    expect(kinds(p.forward.schedule)).toEqual(['matmul', 'matmul', 'factor', 'solve']);
    const [m, n] = [50, 7];
    const X = uniform(m * n, 3);
    const y = uniform(m, 4);
    const got = flat(load(p, 'f64', true).forward({ X, y }));
    const ref = evaluate([p.output.node], {
      vars: new Map([
        ['X', mat(m, n, X)],
        ['y', mat(m, 1, y)],
      ]),
      dims: new Map([
        ['m', m],
        ['n', n],
      ]),
    })[0]!.data;
    expect(relDiff(ref, got, 1e-8)).toBeLessThan(1e-10);
  });
});

describe('WGSL: the solve kernel', () => {
  for (const spd of [false, true])
    for (const n of [3, 37])
      it(`${spd ? 'Cholesky' : 'LU'}: every case, n = ${n}`, async (ctx) => {
        requireGpu(ctx);
        for (const c of CASES) {
          const model = parse(`${DECLS(spd)}${c.body}\n`, 'solve.mdf');
          const d = data(n, spd, n + (spd ? 1 : 0));
          const env = {
            vars: new Map(Object.entries(d).map(([k, v]) => [k, mat(v.rows, v.cols, v.data)])),
            dims: new Map([
              ['n', n],
              ['k', K],
            ]),
          };
          const r = await checkParsed(model, { n, k: K }, { env, tol: 1e-3 });
          expect(kinds(r.program.forward.schedule), c.what).toContain('solve');
          expect(r.failures, c.what).toEqual([]);
        }
      });
});
