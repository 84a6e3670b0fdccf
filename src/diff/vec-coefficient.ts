/**
 * The coefficient of a matrix direction V: [m, n] in an expression E: [p, q] linear in V:
 * the M: [pq, mn] with vec(E) = M·vec(V) (vec stacks columns). Each rule is the
 * Kronecker identity that moves vec(V) to the right (Magnus–Neudecker):
 *   V → I(mn);   E₁ + E₂ → M₁ + M₂;   s·E → s·M;   A ⊙ E → diag(vec(A))·M;
 *   A·E → (I(q) ⊗ A)·M;   E·B → (Bᵀ ⊗ I(p))·M;   Eᵀ → commutation(p, q)·M;
 *   e·A (e a scalar in V) → vec(A)·m;   sum(E) → 1ᵀ·M;   tr(E) → vec(I)ᵀ·M;
 *   vec(E), unvec(E) → M;   diag(e) → diag(vec(I))·(1 ⊗ I)·m;   diag(E) → (1ᵀ ⊗ I)·diag(vec(I))·M;
 *   E ⊗ B → (I ⊗ vec(B))·M and A ⊗ E → (vec(A) ⊗ I)·M, behind the rearrangement
 *   I(n) ⊗ commutation(q, m) ⊗ I(p) of vec(A ⊗ B) = (I ⊗ K ⊗ I)·(vec(A) ⊗ vec(B));
 *   a broadcast operand (scalar, column, row) is first spread by its own linear map.
 * The simplifier then multiplies the Kronecker factors together: (Bᵀ ⊗ I)·(I ⊗ A) = Bᵀ ⊗ A.
 */
import { type Node, ShapeError, topoOrder } from '../graph/node.js';
import { T, add, broadcastTo, commutation, diag, eye, kron, matmul, mul, ones, vec, zeros } from '../graph/build.js';
import { type Shape, isColumn, isRow, isScalar, shape, shapeEq } from '../shape/shape.js';
import { dimMul } from '../shape/dim.js';

export function vecCoefficient(e: Node, v: Node): Node {
  const dependent = new Map<Node, boolean>();
  for (const n of topoOrder([e])) dependent.set(n, n === v || n.args.some((a) => dependent.get(a)));
  const mn = dimMul(v.shape.rows, v.shape.cols);

  const fail = (): never => {
    throw new ShapeError(
      'this derivative cannot be written in matrix notation (an intermediate would be a tensor of order above 2)',
    );
  };

  const memo = new Map<Node, Node>();
  /** M with vec(n) = M·vec(V), for n depending on V. */
  const coef = (n: Node): Node => {
    let m = memo.get(n);
    if (!m) memo.set(n, (m = coefBy(n)));
    return m;
  };
  /** The coefficient of n spread to `target` as an elementwise operand is (vec of a broadcast is linear). */
  const spread = (n: Node, target: Shape): Node => {
    const m = coef(n);
    if (shapeEq(n.shape, target)) return m;
    const { rows: p, cols: q } = target;
    if (isScalar(n.shape)) return matmul(ones(dimMul(p, q)), m); // vec(s·ones) = 1·s
    if (isColumn(n.shape)) return matmul(kron(ones(q), eye(p)), m); // vec(x·1ᵀ) = (1 ⊗ I)·x
    if (isRow(n.shape)) return matmul(kron(eye(q), ones(p)), m); // vec(1·y) = (I ⊗ 1)·yᵀ
    return fail();
  };
  const vecOf = (a: Node, target: Shape): Node => vec(broadcastTo(a, target));

  const coefBy = (n: Node): Node => {
    if (n === v) return eye(mn);
    const [a, b] = n.args as [Node, Node];
    const dep = (x: Node | undefined) => x !== undefined && dependent.get(x) === true;
    switch (n.op) {
      case 'add': {
        const parts = [a, b].filter(dep).map((x) => spread(x, n.shape));
        return parts.length === 2 ? add(parts[0]!, parts[1]!) : parts[0]!;
      }
      case 'mul': {
        if (dep(a) && dep(b)) return fail();
        const [k, l] = dep(a) ? [b, a] : [a, b];
        if (isScalar(l.shape) && !isScalar(n.shape)) return matmul(vecOf(k, n.shape), coef(l)); // vec(e·A) = vec(A)·e
        const m = spread(l, n.shape);
        return isScalar(k.shape) ? mul(k, m) : matmul(diag(vecOf(k, n.shape)), m);
      }
      case 'matmul': {
        if (dep(a) && dep(b)) return fail();
        // vec(A·B) = (Bᵀ ⊗ I)·vec(A) = (I ⊗ A)·vec(B)
        return dep(a) ? matmul(kron(T(b), eye(a.shape.rows)), coef(a)) : matmul(kron(eye(b.shape.cols), a), coef(b));
      }
      case 'transpose':
        return matmul(commutation(a.shape.rows, a.shape.cols), coef(a));
      case 'sum':
        return matmul(T(ones(dimMul(a.shape.rows, a.shape.cols))), coef(a));
      case 'tr':
        return matmul(T(vec(eye(a.shape.rows))), coef(a));
      case 'vec':
      case 'unvec':
        return coef(a);
      case 'diag': {
        const r = a.shape.rows;
        return matmul(diag(vec(eye(r))), matmul(kron(ones(r), eye(r)), coef(a)));
      }
      case 'diagvec': {
        const r = a.shape.rows;
        return matmul(kron(T(ones(r)), eye(r)), matmul(diag(vec(eye(r))), coef(a)));
      }
      case 'kron': {
        if (dep(a) && dep(b)) return fail();
        const { rows: m, cols: nn } = a.shape;
        const { rows: p, cols: q } = b.shape;
        const rearrange = kron(kron(eye(nn), commutation(q, m)), eye(p));
        const inner = dep(a)
          ? matmul(kron(eye(dimMul(m, nn)), vec(b)), coef(a))
          : matmul(kron(vec(a), eye(dimMul(p, q))), coef(b));
        return matmul(rearrange, inner);
      }
      default:
        return fail();
    }
  };

  if (!dependent.get(e)) return zeros(shape(dimMul(e.shape.rows, e.shape.cols), mn));
  return coef(e);
}
