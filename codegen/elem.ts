/**
 * One typed fold over `ElemExpr` (ir.ts), for every pass that walks fused expressions:
 * an algebra has one case per kind, so adding a kind to `ElemExpr` is a compile error in
 * each algebra (and in `childrenOf`'s `switch`, checked with `never`) until it is handled.
 */
import type { ElemExpr } from './ir.js';

export type ElemKind = ElemExpr['kind'];
export type ElemOf<K extends ElemKind> = Extract<ElemExpr, { kind: K }>;

/** What a fold computes at each kind, from the node and its children's results (left to right). */
export type ElemAlgebra<T> = { readonly [K in ElemKind]: (e: ElemOf<K>, kids: T[]) => T };

/** The direct sub-expressions of `e`, in order. */
export function childrenOf(e: ElemExpr): readonly ElemExpr[] {
  switch (e.kind) {
    case 'op':
      return e.args;
    case 'diag':
      return [e.arg];
    case 'load':
    case 'dim':
    case 'eye':
    case 'commutation':
      return [];
    default:
      return unreachable(e);
  }
}

/** `e` with its direct sub-expressions replaced by `kids` (in `childrenOf`'s order); `e` itself when none changed. */
export function withChildren(e: ElemExpr, kids: readonly ElemExpr[]): ElemExpr {
  if (childrenOf(e).every((c, k) => c === kids[k])) return e;
  switch (e.kind) {
    case 'op':
      return { ...e, args: kids };
    case 'diag':
      return { ...e, arg: kids[0]! };
    case 'load':
    case 'dim':
    case 'eye':
    case 'commutation':
      return e;
    default:
      return unreachable(e);
  }
}

/** Bottom-up: the children are folded first, left to right, then `e` itself. */
export function foldElem<T>(e: ElemExpr, alg: ElemAlgebra<T>): T {
  const kids = childrenOf(e).map((c) => foldElem(c, alg));
  return (alg[e.kind] as (e: ElemExpr, kids: T[]) => T)(e, kids);
}

/** Every node of `e`, parents before children (pre-order), each passed to `visit`. */
export function eachElem(e: ElemExpr, visit: (x: ElemExpr) => void): void {
  visit(e);
  for (const c of childrenOf(e)) eachElem(c, visit);
}

/** The loads of `e`, in order (a buffer read twice appears twice). */
export function loadsOf(e: ElemExpr, out: ElemOf<'load'>[] = []): ElemOf<'load'>[] {
  eachElem(e, (x) => x.kind === 'load' && out.push(x));
  return out;
}

function unreachable(e: never): never {
  throw new Error(`codegen: unknown expression ${JSON.stringify(e)}`);
}
