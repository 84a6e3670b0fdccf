/**
 * Random inputs for numeric checks: sizes for the symbolic dimensions and values for
 * the variables, respecting declared properties. Draws come from a seeded generator so
 * that a check is reproducible.
 *
 *   sym  → a symmetric matrix (the upper triangle mirrored);
 *   spd  → M·Mᵀ + n·I, symmetric with eigenvalues ≥ n;
 *   pos  → entries in (0, 2].
 *
 * Continuous draws never land where identities of step, sign, relu and abs break (at
 * their kink, 0) or where a matrix loses rank, so some draws aim there on purpose:
 *
 *   real    — two-decimal values in [−2, 2] (in (0, 2] for pos);
 *   int     — integers in [−3, 3] (in [1, 3] for pos), for counterexamples that read well;
 *   special — each entry one of 0, ±1, the constants of the assert (the kinks of
 *             step(x − c)), or one of two values repeated across the variable;
 *   lowrank — a matrix of rank one, u·vᵀ (u·uᵀ when sym), unless it is declared spd;
 *             vectors and scalars as `special`.
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

export type ValueKind = 'real' | 'int' | 'special' | 'lowrank';

/** Sizes for `names`, each independently in [min, max]. */
export function sampleDims(names: readonly string[], r: Rng, max: number, min = 1): Map<string, number> {
  return new Map(names.map((n) => [n, int(r, Math.min(min, max), max)]));
}

/**
 * A value for the variable `v` under the sizes `dims`. `special`: the values `special`
 * draws hit besides 0, ±1 and repeats (the assert's constants).
 */
export function sampleVar(
  v: Node,
  dims: ReadonlyMap<string, number>,
  r: Rng,
  kind: ValueKind,
  special: readonly number[] = [],
): Mat {
  const rows = dimValue(v.shape.rows, dims);
  const cols = dimValue(v.shape.cols, dims);
  const props = v.props ?? [];
  const pos = props.includes('pos');
  const real = (): number => Number((0.01 * (pos ? int(r, 1, 200) : int(r, -200, 200))).toFixed(2));
  const pool = [...(pos ? [1, 0.5, 2] : [0, 0, 1, -1]), real(), real(), ...special.filter((c) => !pos || c > 0)];
  const entry = (): number => {
    if (kind === 'int') return pos ? int(r, 1, 3) : int(r, -3, 3);
    if (kind === 'special') return pool[int(r, 0, pool.length - 1)]!;
    return real();
  };
  if (kind === 'lowrank' && rows > 1 && cols > 1 && !props.includes('spd')) {
    const u = mat(rows, 1, Float64Array.from({ length: rows }, real));
    const w = props.includes('sym') ? u : mat(cols, 1, Float64Array.from({ length: cols }, real));
    return matmul(u, transpose(w));
  }
  const m = mat(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = kind === 'lowrank' ? pool[int(r, 0, pool.length - 1)]! : entry();
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
