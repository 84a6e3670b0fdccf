/**
 * The functions of the language (LANGUAGE.md §2): name, how many arguments, and the
 * builder each call becomes. Dimension arguments (`ones(n)`, `unvec(v, m)`) and
 * variable arguments (`grad(f, X)`) are resolved by the elaborator and passed as such.
 */
import type { Node } from '../graph/node.js';
import type { Dim } from '../shape/dim.js';
import { ONE } from '../shape/dim.js';
import { UNARY_FNS } from '../ops/names.js';
import * as b from '../graph/build.js';
import { shape } from '../shape/shape.js';

export type ArgKind = 'expr' | 'dim' | 'var';

export interface FnSig {
  /** Argument kinds per accepted arity. */
  arities: ArgKind[][];
  build(args: (Node | Dim)[]): Node;
}

const expr1 = (f: (a: Node) => Node): FnSig => ({ arities: [['expr']], build: ([a]) => f(a as Node) });
const dims = (f: (d: Dim[]) => Node, ...counts: number[]): FnSig => ({
  arities: counts.map((k) => Array<ArgKind>(k).fill('dim')),
  build: (args) => f(args as Dim[]),
});

export const FUNCTIONS: Record<string, FnSig> = {
  ...Object.fromEntries(UNARY_FNS.map((name) => [name, expr1((a) => b.fn(name, a))])),
  σ: expr1((a) => b.fn('sigmoid', a)),
  sqrt: expr1(b.sqrt),
  tr: expr1(b.tr),
  sum: expr1(b.sum),
  mean: expr1(b.mean),
  norm: expr1(b.norm),
  softmax: expr1(b.softmax),
  logsumexp: expr1(b.logsumexp),
  det: expr1(b.det),
  logdet: expr1(b.logdet),
  inv: expr1(b.inv),
  diag: expr1(b.diag),
  vec: expr1(b.vec),
  unvec: { arities: [['expr', 'dim']], build: ([v, m]) => b.unvec(v as Node, m as Dim) },
  ones: dims(([m, n]) => b.fill(1, shape(m!, n ?? ONE)), 1, 2),
  zeros: dims(([m, n]) => b.fill(0, shape(m!, n ?? ONE)), 1, 2),
  I: dims(([n]) => b.eye(n!), 1),
  kron: { arities: [['expr', 'expr']], build: ([x, y]) => b.kron(x as Node, y as Node) },
  commutation: dims(([m, n]) => b.commutation(m!, n!), 2),
  // grad, hess, jac, hvp and jvp are resolved by the elaborator (they need the differentiator).
  grad: { arities: [['expr', 'var']], build: () => unreachable() },
  hess: { arities: [['expr', 'var']], build: () => unreachable() },
  jac: { arities: [['expr', 'var']], build: () => unreachable() },
  hvp: { arities: [['expr', 'var', 'expr']], build: () => unreachable() },
  jvp: { arities: [['expr', 'var', 'expr']], build: () => unreachable() },
};

function unreachable(): never {
  throw new Error('derivatives are built by the elaborator');
}

export const RESERVED = new Set([...Object.keys(FUNCTIONS), 'T', 'I', 'assert', 'where', 'sym', 'spd', 'pos']);
