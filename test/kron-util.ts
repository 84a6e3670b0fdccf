/**
 * Helpers of the Kronecker and operator-form tests: the vec convention (column stacking)
 * on interpreter values, and central finite differences of a matrix function of a
 * matrix variable, flattened as LANGUAGE.md §2 says: J[vec index of F, vec index of X].
 */
import type { Node } from '../src/graph/node.js';
import type { Mat } from '../src/eval/mat.js';
import { mat } from '../src/eval/mat.js';
import { type Env, perturbed, value } from './gen.js';

/** The row-major position of vec index k of an [rows, cols] matrix. */
export const vecPos = (k: number, rows: number, cols: number): number => (k % rows) * cols + Math.floor(k / rows);

/** vec(M), column-stacked. */
export function vecOf(M: Mat): Float64Array {
  const out = new Float64Array(M.rows * M.cols);
  for (let k = 0; k < out.length; k++) out[k] = M.data[vecPos(k, M.rows, M.cols)]!;
  return out;
}

/** ∂vec(F)/∂vec(X)ᵀ by central differences, [len F, len X]. */
export function fdVecJacobian(F: Node, x: string, env: Env, h = 1e-5): Mat {
  const X = env.vars.get(x)!;
  const f0 = value(F, env);
  const J = mat(f0.data.length, X.data.length);
  for (let c = 0; c < X.data.length; c++) {
    const pos = vecPos(c, X.rows, X.cols);
    const step = h * Math.max(1, Math.abs(X.data[pos]!));
    const up = vecOf(value(F, perturbed(env, x, pos, step)));
    const down = vecOf(value(F, perturbed(env, x, pos, -step)));
    for (let r = 0; r < up.length; r++) J.data[r * X.data.length + c] = (up[r]! - down[r]!) / (2 * step);
  }
  return J;
}

/** Largest entrywise difference relative to the larger of the two largest magnitudes (at least 1). */
export function relDiffMat(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let scale = 1;
  let err = 0;
  for (let k = 0; k < a.length; k++) {
    scale = Math.max(scale, Math.abs(a[k]!), Math.abs(b[k]!));
    err = Math.max(err, Math.abs(a[k]! - b[k]!));
  }
  return err / scale;
}
