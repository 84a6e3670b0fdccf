/**
 * Sizes the host computes at run time: a tiny expression language over the symbolic
 * dimensions (u32 arithmetic), for kernel parameters, workgroup counts, buffer sizes
 * and the conditions that pick a kernel variant. Expressions are plain JSON (numbers
 * and tuples), so the same data drives the in-process runtime and the emitted browser
 * module; builders fold constants, so a model whose dimensions are all numbers gets
 * plain numbers everywhere and its shaders get literals.
 *
 *   n                 a constant
 *   ['d', k]          the k-th symbolic dimension of the program (Program.dims)
 *   ['+', a, b]  ['*', a, b]  ['/', a, b] (floor)  ['cdiv', a, b] (ceiling)
 *   ['min', a, b]  ['max', a, b]  ['%', a, b]
 *   ['==', a, b]  ['<=', a, b]  ['&&', a, b]  ['||', a, b]   (1 or 0)
 */
import type { Extent } from '../extent.js';

export type SizeOp = '+' | '*' | '/' | 'cdiv' | 'min' | 'max' | '%' | '==' | '<=' | '&&' | '||';
export type Size = number | readonly ['d', number] | readonly [SizeOp, Size, Size];

const FOLD: Record<SizeOp, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '*': (a, b) => a * b,
  '/': (a, b) => Math.floor(a / b),
  cdiv: (a, b) => Math.ceil(a / b),
  min: Math.min,
  max: Math.max,
  '%': (a, b) => a % b,
  '==': (a, b) => (a === b ? 1 : 0),
  '<=': (a, b) => (a <= b ? 1 : 0),
  '&&': (a, b) => (a && b ? 1 : 0),
  '||': (a, b) => (a || b ? 1 : 0),
};

/** op(a, b), folded when both are numbers and simplified around 0 and 1. */
export function sz(op: SizeOp, a: Size, b: Size): Size {
  if (typeof a === 'number' && typeof b === 'number') return FOLD[op](a, b);
  switch (op) {
    case '+':
      if (a === 0) return b;
      if (b === 0) return a;
      break;
    case '*':
      if (a === 0 || b === 0) return 0;
      if (a === 1) return b;
      if (b === 1) return a;
      break;
    case '/':
    case 'cdiv':
      if (b === 1) return a;
      break;
    case '%':
      if (b === 1) return 0;
      break;
    case '&&':
      if (a === 0 || b === 0) return 0;
      if (a === 1) return b;
      if (b === 1) return a;
      break;
    case '||':
      if (a === 1 || b === 1) return 1;
      if (a === 0) return b;
      if (b === 0) return a;
      break;
  }
  return [op, a, b];
}

export const isConstSize = (s: Size): s is number => typeof s === 'number';

/** An extent (Σ k·Π syms) as a size, the symbols looked up in `dims`. */
export function extentSize(e: Extent, dims: readonly string[]): Size {
  let out: Size = 0;
  for (const t of e) {
    let term: Size = t.k;
    for (const s of t.syms) {
      const k = dims.indexOf(s);
      if (k < 0) throw new Error(`codegen/wgsl: dimension ${s} is not among the program's dimensions`);
      term = sz('*', term, ['d', k]);
    }
    out = sz('+', out, term);
  }
  return out;
}

/** Its value, given the dimensions' values (the host's evaluator is the same, in runtime.ts). */
export function evalSize(s: Size, dims: ArrayLike<number>): number {
  if (typeof s === 'number') return s;
  if (s[0] === 'd') return dims[s[1]]!;
  return FOLD[s[0]](evalSize(s[1], dims), evalSize(s[2] as Size, dims));
}

/** The dimension indices a size mentions. */
export function sizeDims(s: Size, out = new Set<number>()): Set<number> {
  if (typeof s === 'number') return out;
  if (s[0] === 'd') out.add(s[1]);
  else (sizeDims(s[1], out), sizeDims(s[2] as Size, out));
  return out;
}
