/**
 * Column-wise softmax and log-sum-exp of X(i, j) = x[i·rs + j·cs], [R, C], stable: the
 * column maximum m is subtracted before exponentiating (a NaN in a column propagates).
 *   softmax:   out[i·C + j] = exp(X(i, j) − m_j) / Σᵢ exp(X(i, j) − m_j)
 *   logsumexp: out[j] = m_j + log Σᵢ exp(X(i, j) − m_j)
 * Two variants: one invocation per column (R ≤ 128), or one workgroup of 128 per column
 * with tree reductions for the maximum and the sum. The IR's f64 scratch (max, sum) is
 * not needed: the column statistics live in registers or workgroup memory.
 */
import type { ColumnStep } from '../../ir.js';
import { LINEAR_BUILTINS, LINEAR_GROUP, type Kernel, type Shader } from '../shader.js';
import { sz, type Size } from '../sizes.js';

const SERIAL_WG = 64;
const TREE_WG = 128;
export const COLUMN_SERIAL_MAX_ROWS = 128;

export type ColumnVariant = 'serial' | 'tree';

export function columnChoice(sh: Shader, step: ColumnStep): Size {
  return sz('<=', sh.sizeOfDim(step.rows), COLUMN_SERIAL_MAX_ROWS);
}

export function columnKernel(sh: Shader, step: ColumnStep, variant: ColumnVariant): Kernel {
  const R = sh.dim(step.rows);
  const colsS = sh.sizeOfDim(step.cols);
  const C = sh.size('cols', colsS);
  const x = sh.read(step.input.buffer);
  const at = (i: string, j: string) => `${x}[${sh.index(i, step.input.rs, j, step.input.cs)}]`;
  const out = sh.write(step.out);
  const soft = step.kind === 'softmax';
  const comment = `column-wise ${step.kind}, ${variant === 'serial' ? 'one invocation' : 'one workgroup'} per column`;

  if (variant === 'serial') {
    const finish = soft
      ? `let inv = 1.0 / s;
  for (var i = 0u; i < ${R}; i++) { ${out}[i * ${C} + j] = exp(${at('i', 'j')} - m) * inv; }`
      : `${out}[j] = m + log(s);`;
    const code = `
@compute @workgroup_size(${SERIAL_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  let j = group * ${SERIAL_WG}u + lid;
  if (j >= ${C}) { return; }
  var m = ${at('0u', 'j')};
  for (var i = 1u; i < ${R}; i++) {
    let v = ${at('i', 'j')};
    if (v > m || v != v) { m = v; }
  }
  var s = 0.0;
  for (var i = 0u; i < ${R}; i++) { s = s + exp(${at('i', 'j')} - m); }
  ${finish}
}`;
    return sh.finish(code, [sz('cdiv', colsS, SERIAL_WG), 1], { linear: true, comment });
  }

  const finish = soft
    ? `let inv = 1.0 / s;
  for (var i = lid; i < ${R}; i += ${TREE_WG}u) { ${out}[i * ${C} + j] = exp(${at('i', 'j')} - m) * inv; }`
    : `if (lid == 0u) { ${out}[j] = m + log(s); }`;
  const code = `
var<workgroup> part: array<f32, ${TREE_WG}>;
@compute @workgroup_size(${TREE_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  if (group >= ${C}) { return; }
  let j = group;
  var m = ${at('0u', 'j')};
  for (var i = lid; i < ${R}; i += ${TREE_WG}u) {
    let v = ${at('i', 'j')};
    if (v > m || v != v) { m = v; }
  }
  part[lid] = m;
  workgroupBarrier();
  for (var w = ${TREE_WG / 2}u; w > 0u; w = w >> 1u) {
    if (lid < w) {
      let v = part[lid + w];
      if (v > part[lid] || v != v) { part[lid] = v; }
    }
    workgroupBarrier();
  }
  m = part[0];
  workgroupBarrier();
  var s = 0.0;
  for (var i = lid; i < ${R}; i += ${TREE_WG}u) { s = s + exp(${at('i', 'j')} - m); }
  part[lid] = s;
  workgroupBarrier();
  for (var w = ${TREE_WG / 2}u; w > 0u; w = w >> 1u) {
    if (lid < w) { part[lid] = part[lid] + part[lid + w]; }
    workgroupBarrier();
  }
  s = part[0];
  ${finish}
}`;
  return sh.finish(code, [colsS, 1], { linear: true, comment });
}
