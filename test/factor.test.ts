/**
 * The blocked factorisations of the generated TypeScript modules (codegen/ts/factor.ts):
 * inv, det and logdet through LU (general matrices) and Cholesky (variables declared spd)
 * against the reference interpreter, in f64 and f32, with the WebAssembly products (f32
 * modules: float32 sums in the f32 kernel) and without them (plain-JS gemmAcc), over tiny and odd sizes and sizes spanning several
 * blocks (FACTOR_NB = 64); and singular or indefinite matrices as before: det 0, logdet
 * −∞ or NaN, an inverse that is not finite.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import { type Mat, mat } from '../src/eval/mat.js';
import { programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { emitModule } from '../codegen/ts/emit.js';
import { rng } from '../src/util/random.js';
import { relDiff } from './codegen-util.js';

type Dtype = 'f64' | 'f32';
type Fn = (inputs: Record<string, Float64Array | Float32Array>) => number | Float64Array | Float32Array;

const SIZES = [1, 2, 3, 7, 17, 65, 130];

/** The program's forward function, as `compile` makes it, with or without the WebAssembly kernel. */
function forward(p: Program, dtype: Dtype, wasm: boolean): Fn {
  const js = emitModule(p, { dtype, lang: 'js', wasm });
  return (new Function(js)() as { forward: Fn }).forward;
}

/** A random matrix: well conditioned general (n·I added), or spd (M·Mᵀ/n + I). */
function matrix(n: number, spd: boolean, seed: number): Float64Array {
  const r = rng(seed);
  const m = Float64Array.from({ length: n * n }, () => 2 * r() - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (!spd) {
        a[i * n + j] = m[i * n + j]! + (i === j ? 0.5 * n : 0);
        continue;
      }
      let s = 0;
      for (let p = 0; p < n; p++) s += m[i * n + p]! * m[j * n + p]!;
      a[i * n + j] = s / n + (i === j ? 1 : 0);
    }
  return a;
}

const model = (spd: boolean, body: string) => parse(`A: [n, n]${spd ? ' spd' : ''}\n${body}\n`, 'factor.mdf');

function reference(p: Program, n: number, a: Float64Array): Mat {
  return evaluate([p.output.node], { vars: new Map([['A', mat(n, n, a)]]), dims: new Map([['n', n]]) })[0]!;
}

const flat = (v: number | Float64Array | Float32Array): ArrayLike<number> => (typeof v === 'number' ? [v] : v);

describe.each([
  ['LU', false],
  ['Cholesky', true],
] as const)('%s', (_name, spd) => {
  const programs = {
    inv: programOf(model(spd, 'Z = inv(A)')),
    det: programOf(model(spd, 'd = det(A)')),
    logdet: programOf(model(spd, 'l = logdet(A)')),
  };
  for (const [what, p] of Object.entries(programs))
    it(`${what}: f64 and f32, with and without WebAssembly, n = ${SIZES.join(', ')}`, () => {
      const fns = {
        'f64 wasm': forward(p, 'f64', true),
        'f64 js': forward(p, 'f64', false),
        'f32 wasm': forward(p, 'f32', true),
        'f32 js': forward(p, 'f32', false),
      };
      for (const n of SIZES) {
        const a = matrix(n, spd, 100 + n);
        const ref = reference(p, n, a).data;
        for (const [variant, fn] of Object.entries(fns)) {
          const f32 = variant.startsWith('f32');
          const got = flat(fn({ A: f32 ? Float32Array.from(a) : a }));
          const err = relDiff(ref, got, 1e-8, f32);
          expect(err, `${what} ${variant} n=${n}`).toBeLessThan(f32 ? 2e-4 : 1e-10);
        }
      }
    });
});

describe('singular and indefinite matrices', () => {
  const lu = { inv: programOf(model(false, 'Z = inv(A)')), det: programOf(model(false, 'd = det(A)')) };
  const ld = programOf(model(false, 'l = logdet(A)'));
  const chol = programOf(model(true, 'l = logdet(A)'));

  it.each([2, 70, 150])('a zero column (n = %i): det 0, logdet −∞, the inverse not finite', (n) => {
    const a = matrix(n, false, 7);
    const z = n >> 1;
    for (let i = 0; i < n; i++) a[i * n + z] = 0;
    for (const wasm of [true, false]) {
      expect(Math.abs(forward(lu.det, 'f64', wasm)({ A: a }) as number)).toBe(0);
      expect(forward(ld, 'f64', wasm)({ A: a })).toBe(-Infinity);
      const inv = flat(forward(lu.inv, 'f64', wasm)({ A: a }));
      expect(Array.from(inv).some((x) => !Number.isFinite(x))).toBe(true);
    }
  });

  it.each([1, 3, 70, 150])('Cholesky of a matrix that is not positive definite (n = %i): NaN', (n) => {
    const a = matrix(n, true, 9);
    for (let i = 0; i < n; i++) a[i * n + i] = -a[i * n + i]!;
    for (const wasm of [true, false]) expect(forward(chol, 'f64', wasm)({ A: a })).toBeNaN();
  });
});
