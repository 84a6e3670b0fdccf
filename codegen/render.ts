/**
 * The one renderer of fused elementwise expressions (`ElemExpr`) as code, shared by the
 * TypeScript and WGSL backends (and later C-like ones): the structure — indicator
 * matrices, masks, the registry's elementwise lowerings over parenthesised operands — is
 * written once; a target gives only its syntax (loads, sizes, `select`, equality, integer
 * division, when an operand needs parentheses), as tinygrad's WGSL renderer is a page of
 * overrides on a shared C-style one.
 */
import type { Node } from '../src/graph/node.js';
import type { Dim } from '../src/shape/dim.js';
import { OPS } from '../src/ops/registry.js';
import type { ElemExpr, Idx } from './ir.js';
import { type ElemOf, foldElem } from './elem.js';

export interface ElemSyntax {
  /** Which of the registry's elementwise lowerings to use. */
  readonly lang: 'ts' | 'wgsl';
  /** The number one, as an element. */
  readonly one: string;
  /** Whether `cond ? x : 0` with a condition true by construction (index a = index b) is written as `x`. */
  readonly foldsSameIndex: boolean;
  load(e: ElemOf<'load'>): string;
  /** A size as an element's value (`dimval`). */
  value(d: Dim): string;
  /** A size in index arithmetic. */
  size(d: Dim): string;
  /** A kernel index (`i`, `j`, or zero). */
  index(x: Idx): string;
  /** An operand, parenthesised unless atomic. */
  paren(code: string): string;
  eq(a: string, b: string): string;
  /** Integer division of indices, rounding down. */
  quot(a: string, by: string): string;
  /** `then` where `cond`, else zero. */
  select(cond: string, then: string): string;
  /** Called for each operator rendered (children first), e.g. to collect the helpers it calls. */
  onOp?(node: Node): void;
}

/** `e` as one expression of the target. */
export function renderElem(e: ElemExpr, t: ElemSyntax): string {
  const same = (x: { a: Idx; b: Idx }) => t.foldsSameIndex && x.a === x.b;
  const eq = (x: { a: Idx; b: Idx }) => t.eq(t.index(x.a), t.index(x.b));
  return foldElem<string>(e, {
    load: (x) => t.load(x),
    dim: (x) => t.value(x.dim),
    eye: (x) => (same(x) ? t.one : t.select(eq(x), t.one)),
    diag: (x, [arg]) => (same(x) ? arg! : t.select(eq(x), arg!)),
    commutation: (x) => {
      const [a, b, m, n] = [t.index(x.a), t.index(x.b), t.size(x.m), t.size(x.n)];
      return t.select(t.eq(b, `${t.quot(a, n)} + ${m} * (${a} % ${n})`), t.one);
    },
    op: (x, args) => {
      const lower = OPS[x.node.op].lower;
      if (lower.kind !== 'elementwise') throw new Error(`codegen/${t.lang}: ${x.node.op} is not elementwise`);
      t.onOp?.(x.node);
      return lower[t.lang](args.map(t.paren), x.node);
    },
  });
}
