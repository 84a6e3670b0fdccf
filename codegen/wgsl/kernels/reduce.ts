/**
 * Sums: out[o] = Σₜ body(i(o, t), j(o, t)) for o < nOut, t < len, where by axis
 *   'all'  nOut = 1, len = R·C, (i, j) = (t / C, t % C)
 *   'rows' nOut = R, len = C,   (i, j) = (o, t)
 *   'cols' nOut = C, len = R,   (i, j) = (t, o)
 *   'diag' nOut = 1, len = R,   (i, j) = (t, t)
 *
 * Three variants, the host picking one by the sizes bound at run time:
 *  - serial (len ≤ 64): one invocation per output, a loop over t;
 *  - tree: one workgroup of 128 per output; each invocation sums a strided share, then
 *    a tree in workgroup memory (log₂ 128 halvings);
 *  - two-pass, for long sums with few outputs: `splits` workgroups per output write
 *    partial sums to the shared scratch, and a second kernel sums them (again a tree).
 *    splits = min(⌈len / 4096⌉, ⌈1024 / nOut⌉, 256): about a thousand workgroups in
 *    all, at most 32 terms per invocation before the tree when that many are possible.
 */
import type { ReduceStep } from '../../ir.js';
import { LINEAR_BUILTINS, LINEAR_GROUP, type Kernel, type Shader } from '../shader.js';
import { type Size, sz } from '../sizes.js';
import type { Epilogue } from '../epilogue.js';

export const REDUCE_WG = 128;
const SERIAL_WG = 64;
const SERIAL_MAX_LEN = 64;

export interface ReduceShape {
  nOut: Size;
  len: Size;
}

export function reduceShape(sh: Shader, step: ReduceStep): ReduceShape {
  const R = sh.sizeOfDim(step.rows);
  const C = sh.sizeOfDim(step.cols);
  switch (step.axis) {
    case 'all':
      return { nOut: 1, len: sz('*', R, C) };
    case 'rows':
      return { nOut: R, len: C };
    case 'cols':
      return { nOut: C, len: R };
    case 'diag':
      return { nOut: 1, len: R };
  }
}

/** The number of workgroups per output of the two-pass variant. */
export function splitsOf({ nOut, len }: ReduceShape): Size {
  return sz('min', sz('min', sz('cdiv', len, 4096), sz('cdiv', 1024, nOut)), 256);
}

export type ReduceVariant = 'serial' | 'tree' | 'split' | 'combine';

/** When each variant applies (the first that holds is used). */
export function reduceChoice(shape: ReduceShape): { serial: Size; tree: Size } {
  return {
    serial: sz('||', sz('<=', shape.len, SERIAL_MAX_LEN), sz('<=', shape.len, shape.nOut)),
    tree: sz('<=', splitsOf(shape), 1),
  };
}

/** body(i, j) of term t of output o, as WGSL statements defining `i` and `j`. */
function indices(sh: Shader, step: ReduceStep, o: string, t: string): string {
  switch (step.axis) {
    case 'all': {
      const C = sh.sizeOfDim(step.cols);
      if (C === 1) return `let i = ${t};\n    let j = 0u;`;
      if (sh.sizeOfDim(step.rows) === 1) return `let i = 0u;\n    let j = ${t};`;
      const c = sh.dim(step.cols);
      return `let i = ${t} / ${c};\n    let j = ${t} % ${c};`;
    }
    case 'rows':
      return `let i = ${o};\n    let j = ${t};`;
    case 'cols':
      return `let i = ${t};\n    let j = ${o};`;
    case 'diag':
      return `let i = ${t};\n    let j = ${t};`;
  }
}

/** Output o's entry (i, j) of the result, for an epilogue. */
function resultEntry(step: ReduceStep, o: string): [string, string] {
  return step.axis === 'rows' ? [o, '0u'] : step.axis === 'cols' ? ['0u', o] : ['0u', '0u'];
}

/** The value stored for output o: v, or the epilogue of it. */
function stored(step: ReduceStep, ep: Epilogue | undefined, o: string, v: string): string {
  if (!ep) return v;
  const [i, j] = resultEntry(step, o);
  return `epilogue(${i}, ${j}, ${v})`;
}

/** `ep`: an elementwise epilogue applied to each sum before it is stored (epilogue.ts; not by 'split', which stores partial sums). */
export function reduceKernel(sh: Shader, step: ReduceStep, variant: ReduceVariant, ep?: Epilogue): Kernel {
  const shape = reduceShape(sh, step);
  const comment = `sum over ${step.axis === 'all' ? 'all entries' : step.axis === 'diag' ? 'the diagonal' : step.axis}, ${variant}`;
  if (variant === 'split') ep = undefined;
  const epi = ep ? '\n' + sh.epilogue(ep) : '';
  if (variant === 'combine') return combineKernel(sh, step, shape, comment, ep);
  const nOut = sh.size('nout', shape.nOut);
  const len = sh.size('len', shape.len);
  const body = (o: string, t: string) => `${indices(sh, step, o, t)}\n    acc = acc + ${sh.expr(step.body, 'i', 'j')};`;

  if (variant === 'serial') {
    const out = sh.write(step.out);
    const code = `${epi}
@compute @workgroup_size(${SERIAL_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  let o = group * ${SERIAL_WG}u + lid;
  if (o >= ${nOut}) { return; }
  var acc = 0.0;
  for (var t = 0u; t < ${len}; t++) {
    ${body('o', 't')}
  }
  ${out}[o] = ${stored(step, ep, 'o', 'acc')};
}`;
    return sh.finish(code, [sz('cdiv', shape.nOut, SERIAL_WG), 1], { linear: true, comment });
  }

  const split = variant === 'split';
  const splitsS = split ? splitsOf(shape) : 1;
  const splits = sh.size('splits', splitsS);
  const dest = split ? sh.partials('read_write') : sh.write(step.out);
  const groups = sz('*', shape.nOut, splitsS);
  const code = `${epi}
var<workgroup> part: array<f32, ${REDUCE_WG}>;
@compute @workgroup_size(${REDUCE_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  if (group >= ${sh.size('groups', groups)}) { return; }
  let o = group / ${splits};
  let s = group % ${splits};
  var acc = 0.0;
  for (var t = s * ${REDUCE_WG}u + lid; t < ${len}; t += ${splits} * ${REDUCE_WG}u) {
    ${body('o', 't')}
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var w = ${REDUCE_WG / 2}u; w > 0u; w = w >> 1u) {
    if (lid < w) { part[lid] = part[lid] + part[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { ${dest}[${split ? 'group' : 'o'}] = ${split ? 'part[0]' : stored(step, ep, 'o', 'part[0]')}; }
}`;
  return sh.finish(code, [groups, 1], { linear: true, comment, ...(split && { partials: groups }) });
}

/** Second pass: out[o] = Σₛ partials[o·splits + s]. */
function combineKernel(sh: Shader, step: ReduceStep, shape: ReduceShape, comment: string, ep?: Epilogue): Kernel {
  const WG = 64;
  const nOut = sh.size('nout', shape.nOut);
  const splits = sh.size('splits', splitsOf(shape));
  const src = sh.partials('read');
  const out = sh.write(step.out);
  const code = `${ep ? '\n' + sh.epilogue(ep) : ''}
var<workgroup> part: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  if (group >= ${nOut}) { return; }
  var acc = 0.0;
  for (var s = lid; s < ${splits}; s += ${WG}u) { acc = acc + ${src}[group * ${splits} + s]; }
  part[lid] = acc;
  workgroupBarrier();
  for (var w = ${WG / 2}u; w > 0u; w = w >> 1u) {
    if (lid < w) { part[lid] = part[lid] + part[lid + w]; }
    workgroupBarrier();
  }
  if (lid == 0u) { ${out}[group] = ${stored(step, ep, 'group', 'part[0]')}; }
}`;
  return sh.finish(code, [shape.nOut, 1], { linear: true, comment });
}
