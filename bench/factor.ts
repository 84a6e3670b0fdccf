/**
 * Factorisations (issue 15): `inv` and `logdet` of one n × n matrix — the value and
 * gradient of logdet(A), whose gradient is A⁻ᵀ — through matdiff's generated module
 * (float64: blocked Cholesky for a variable declared spd, blocked LU otherwise), against
 * OpenBLAS's dpotrf + dpotri (dgetrf + dgetri) and log-determinant on 1 and 2 threads.
 *
 * The matrix: symmetric with entries uniform in [−1, 1] and n added on the diagonal
 * (diagonally dominant, so positive definite); OpenBLAS's harness makes its own of the same
 * size (M·Mᵀ/n + I). Each result is checked: rows of A·A⁻¹ against the identity.
 * And `inv(A)·B` solved (no inverse formed) against the same with A⁻¹ formed.
 */
import { parse } from '../src/index.js';
import { compile, instantiate, programOf } from '../codegen/compile.js';
import { buildProgram } from '../codegen/program.js';
import { median } from './harness.js';
import { rng } from './data.js';

export interface FactorTiming {
  medianMs: number;
  minMs: number;
  samples: number;
  /** Median process CPU time of a call (user + system): what a shared machine's wait does not inflate. */
  cpuMs: number;
  /** max |A·A⁻¹ − I| over a few rows. */
  residual: number;
}

export function spdMatrix(n: number, seed = 5): Float64Array {
  const r = rng(seed);
  const m = Float64Array.from({ length: n * n }, () => 2 * r() - 1);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = (m[i * n + j]! + m[j * n + i]!) / 2 + (i === j ? n : 0);
  return a;
}

/** matdiff's logdet + inverse of an n × n matrix: `samples` timed calls after one warm-up. */
export function matdiffInvLogdet(n: number, spd: boolean, samples: number): FactorTiming {
  const model = parse(`A: [n, n]${spd ? ' spd' : ''}\nf = logdet(A)\n`, 'factor.mdf', { dims: new Map([['n', n]]) });
  const k = compile(model, { wrt: ['A'], dtype: 'f64' });
  const a = spdMatrix(n);
  const inputs = { A: a };
  k.valueAndGrad(inputs);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < samples; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    k.valueAndGrad(inputs);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const g = k.valueAndGrad(inputs).grad['A'] as Float64Array; // A⁻ᵀ = A⁻¹ (A symmetric)
  let residual = 0;
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 5)))
    for (let j = 0; j < n; j++) {
      let t = 0;
      for (let p = 0; p < n; p++) t += a[i * n + p]! * g[p * n + j]!;
      residual = Math.max(residual, Math.abs(t - (i === j ? 1 : 0)));
    }
  return { medianMs: median(times), minMs: Math.min(...times), samples, cpuMs: median(cpu), residual };
}

export interface SolveTiming extends Omit<FactorTiming, 'residual'> {
  /** max |A·X − B| / max |B| over a few rows. */
  residual: number;
}

/**
 * matdiff's X = A⁻¹·B for A n × n, B n × k: solved (the factorisation, then blocked
 * triangular solves on B — what the schedule emits when only the product reads A⁻¹), or
 * with the inverse formed and multiplied (`solve: false`). `samples` timed calls of
 * `forward` after one warm-up.
 */
export function matdiffSolve(
  n: number,
  k: number,
  opts: { spd: boolean; dtype: 'f64' | 'f32'; solve: boolean; samples: number },
): SolveTiming {
  const text = `A: [n, n]${opts.spd ? ' spd' : ''}\nB: [n, k]\nX = inv(A)·B\n`;
  const model = parse(text, 'solve.mdf');
  const p = programOf(model);
  const program = opts.solve ? p : buildProgram({ model, output: p.output, wrt: [], solve: false });
  const f = instantiate(program, opts.dtype);
  const r = rng(9);
  const as = (x: Float64Array) => (opts.dtype === 'f32' ? Float32Array.from(x) : x);
  const a = as(spdMatrix(n));
  const b = as(Float64Array.from({ length: n * k }, () => 2 * r() - 1));
  const inputs = { A: a, B: b };
  const dims = { n, k };
  f.forward(inputs, dims);
  const times: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < opts.samples; s++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f.forward(inputs, dims);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const x = f.forward(inputs, dims) as Float64Array | Float32Array;
  let residual = 0;
  let bmax = 0;
  for (const v of b) bmax = Math.max(bmax, Math.abs(v));
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 5)))
    for (let j = 0; j < k; j++) {
      let t = 0;
      for (let q = 0; q < n; q++) t += a[i * n + q]! * x[q * k + j]!;
      residual = Math.max(residual, Math.abs(t - b[i * k + j]!) / bmax);
    }
  return { medianMs: median(times), minMs: Math.min(...times), samples: opts.samples, cpuMs: median(cpu), residual };
}
