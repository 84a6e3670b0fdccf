/**
 * The coefficient of a direction u in an expression linear in u: the M with E = M·u.
 * E is a column [r] (or a scalar) and u a column [k], so M is [r, k]. Each rule is the
 * matrix identity that moves u to the right:
 *   u → I;   A·E → A·M;   s·E → s·M;   a ⊙ E → diag(a)·M;   a·e (e scalar) → a·m;
 *   Lᵀ·b (a scalar) → bᵀ·M_L;   sum(E) → 1ᵀ·M;   diag(E)·b → M_{E⊙b}.
 * Matrix-valued intermediates are reassociated until u stands in a column.
 */
import { type Node, ShapeError, topoOrder } from '../graph/node.js';
import { T, add, diag, eye, matmul, mul, ones, zeros } from '../graph/build.js';
import { isColumn, isScalar, shape, shapeEq } from '../shape/shape.js';

export function coefficient(e: Node, u: Node): Node {
  const memo = new Map<Node, boolean>();
  for (const n of topoOrder([e])) memo.set(n, n === u || n.args.some((a) => memo.get(a)));
  // Reassociation builds new nodes: their dependence is computed on demand.
  const dependent = {
    has: (n: Node): boolean => {
      let d = memo.get(n);
      if (d === undefined) memo.set(n, (d = n === u || n.args.some((a) => dependent.has(a))));
      return d;
    },
  };

  const fail = (_n: Node): never => {
    throw new ShapeError(
      'this derivative cannot be written in matrix notation (an intermediate would be a tensor of order above 2)',
    );
  };

  /** M with e = M·u, or undefined when e does not depend on u. */
  const coef = (n: Node): Node | undefined => {
    if (n === u) return eye(u.shape.rows);
    if (!dependent.has(n)) return undefined;
    if (!isColumn(n.shape)) return fail(n);
    switch (n.op) {
      case 'add': {
        const parts = n.args.map((a) => {
          const m = coef(a);
          // A scalar term broadcast down a column contributes 1·m.
          return m && isScalar(a.shape) && !isScalar(n.shape) ? matmul(ones(n.shape.rows), m) : m;
        });
        return parts.reduce<Node | undefined>((s, m) => (m ? (s ? add(s, m) : m) : s), undefined);
      }
      case 'mul': {
        const [a, b] = n.args as [Node, Node];
        const [k, l] = dependent.has(a) ? [b, a] : [a, b];
        if (dependent.has(k)) return fail(n);
        const m = coef(l)!;
        if (isScalar(k.shape)) return mul(k, m);
        if (isScalar(l.shape)) return matmul(k, m);
        return matmul(diag(k), m);
      }
      case 'matmul':
        return product(n.args[0]!, n.args[1]!);
      case 'sum':
        return matmul(T(ones(n.args[0]!.shape.rows)), coefOfColumn(n.args[0]!));
      case 'transpose':
        return coef(n.args[0]!); // a 1×1 transpose
      default:
        return fail(n);
    }
  };

  const coefOfColumn = (n: Node): Node => (isColumn(n.shape) ? (coef(n) ?? fail(n)) : fail(n));

  /** The coefficient of a·b where exactly one factor depends on u. */
  const product = (a: Node, b: Node): Node | undefined => {
    if (dependent.has(a) && dependent.has(b)) return fail(a);
    if (!dependent.has(a)) {
      if (isColumn(b.shape)) return matmul(a, coef(b)!);
      // a·(B1·B2) with B1 carrying u: reassociate left.
      if (b.op === 'matmul') return product(matmul(a, b.args[0]!), b.args[1]!);
      return fail(b);
    }
    // a depends on u, b does not.
    switch (a.op) {
      case 'transpose': {
        const inner = a.args[0]!;
        if (isColumn(inner.shape)) return matmul(T(b), coef(inner)!); // Lᵀ·b = bᵀ·L
        if (inner.op === 'matmul') return product(matmul(T(inner.args[1]!), T(inner.args[0]!)), b);
        if (inner.op === 'add') return product(add(T(inner.args[0]!), T(inner.args[1]!)), b);
        if (inner.op === 'mul' && isScalar(inner.args[0]!.shape))
          return product(mul(inner.args[0]!, T(inner.args[1]!)), b);
        return fail(a);
      }
      case 'matmul':
        return product(a.args[0]!, matmul(a.args[1]!, b));
      case 'add': {
        const [x, y] = a.args as [Node, Node];
        if (!shapeEq(x.shape, y.shape)) return fail(a);
        const parts = [x, y].map((t) => (dependent.has(t) ? product(t, b) : undefined));
        return parts.reduce<Node | undefined>((s, m) => (m ? (s ? add(s, m) : m) : s), undefined);
      }
      case 'mul': {
        const [s, rest] = a.args as [Node, Node];
        if (!isScalar(s.shape)) return fail(a);
        if (!dependent.has(s)) return mul(s, product(rest, b)!);
        // s(u)·(rest·b): a column times a scalar linear in u.
        return matmul(matmul(rest, b), coef(s)!);
      }
      case 'diag':
        return coef(mul(a.args[0]!, b));
      default:
        return fail(a);
    }
  };

  const m = coef(e);
  if (m) return m;
  // Independent of u: the zero matrix [r, k].
  return zeros(shape(e.shape.rows, u.shape.rows));
}
