/**
 * A fused elementwise step: out[i·C + j] = expr(i, j) over an [R, C] iteration space,
 * one invocation per element, 128 per workgroup (the most a compatibility-mode
 * device guarantees), the workgroups counted linearly (the
 * host folds a count above the per-dimension limit into two dimensions).
 */
import type { MapStep } from '../../ir.js';
import { LINEAR_BUILTINS, LINEAR_GROUP, type Kernel, type Shader } from '../shader.js';
import { sz } from '../sizes.js';

export const MAP_WG = 128;

export function mapKernel(sh: Shader, step: MapStep): Kernel {
  const rowsS = sh.sizeOfDim(step.rows);
  const colsS = sh.sizeOfDim(step.cols);
  const totalS = sz('*', rowsS, colsS);
  const total = sh.size('total', totalS);
  const out = sh.write(step.out);
  let ij: string;
  if (colsS === 1) ij = 'let i = e;\n  let j = 0u;';
  else if (rowsS === 1) ij = 'let i = 0u;\n  let j = e;';
  else {
    const cols = sh.dim(step.cols);
    ij = `let i = e / ${cols};\n  let j = e % ${cols};`;
  }
  const value = sh.expr(step.expr, 'i', 'j');
  const body = `
@compute @workgroup_size(${MAP_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  let e = group * ${MAP_WG}u + lid;
  if (e >= ${total}) { return; }
  ${ij}
  ${out}[e] = ${value};
}`;
  return sh.finish(body, [sz('cdiv', totalS, MAP_WG), 1], {
    linear: true,
    comment: `elementwise, ${MAP_WG} per workgroup`,
  });
}
