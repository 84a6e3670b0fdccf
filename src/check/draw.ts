/**
 * Random inputs for numeric checks: sizes for the symbolic dimensions and values for
 * the variables, respecting declared properties. Draws come from a seeded generator so
 * that a check is reproducible.
 *
 *   sym  → a symmetric matrix (the upper triangle mirrored);
 *   spd  → M·Mᵀ + n·I, symmetric with eigenvalues ≥ n;
 *   pos  → entries in (0, 2].
 *
 * Values are short decimals (two places) or, when shrinking a counterexample, small
 * integers, so that a counterexample reads well.
 */
import type { Node } from '../graph/node.js';
import { type Mat, mat, matmul, transpose } from '../eval/mat.js';
import { dimValue } from '../shape/dim.js';

/** A seeded generator of floats in [0, 1) (mulberry32). */
export type Rng = () => number;

import { rng } from '../util/random.js';
export { rng };

/** An integer in [lo, hi]. */
export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** 'real': two-decimal values in [−2, 2]; 'int': integers in [−3, 3]. */
export type ValueKind = 'real' | 'int';

/** Sizes for `names`, each independently in [1, max]. */
export function drawDims(names: readonly string[], r: Rng, max: number): Map<string, number> {
  return new Map(names.map((n) => [n, int(r, 1, max)]));
}

/** A value for the variable `v` under the sizes `dims`. */
export function drawVar(v: Node, dims: ReadonlyMap<string, number>, r: Rng, kind: ValueKind): Mat {
  const rows = dimValue(v.shape.rows, dims);
  const cols = dimValue(v.shape.cols, dims);
  const props = v.props ?? [];
  const pos = props.includes('pos');
  const entry = (): number => {
    if (kind === 'int') return pos ? int(r, 1, 3) : int(r, -3, 3);
    const x = pos ? 0.01 * int(r, 1, 200) : 0.01 * int(r, -200, 200);
    return Number(x.toFixed(2));
  };
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = entry();
  if (props.includes('spd')) {
    // M·Mᵀ is symmetric positive semidefinite; adding n·I makes it definite and well conditioned.
    const s = matmul(m, transpose(m));
    for (let i = 0; i < rows; i++) s.data[i * rows + i]! += rows;
    return s;
  }
  if (props.includes('sym'))
    for (let i = 0; i < rows; i++) for (let j = 0; j < i; j++) m.data[i * cols + j] = m.data[j * cols + i]!;
  return m;
}
