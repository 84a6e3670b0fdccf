/**
 * Second derivatives with respect to matrices (LANGUAGE.md §2), in both forms.
 *
 * Operator forms, without any Hessian or Jacobian formed — two reverse passes:
 *   hvp(f, X, V) = ∇ₓ⟨∇ₓf, V⟩                      (the Hessian applied to V)
 *   jvp(F, X, V) = ∇_U⟨∇ₓ⟨U, F⟩, V⟩ = J·V         (⟨U, F⟩ = sum(U ⊙ F); ∇ₓ⟨U, F⟩ = Jᵀ(U)
 *                                                  is linear in U, so its gradient in U is J(V))
 * Each costs a small constant times a gradient, and the result is an ordinary graph:
 * it prints, simplifies and compiles.
 *
 * Flattened forms (Magnus–Neudecker, vec = column stacking): the coefficient of vec(V)
 * in vec of the operator form, read off by `vecCoefficient`:
 *   hess(f, X) = ∂vec(hvp(f, X, V))/∂vec(V)ᵀ,   jac(F, X) = ∂vec(jvp(F, X, V))/∂vec(V)ᵀ.
 */
import { type Node, ShapeError } from '../graph/node.js';
import { mul, sum, variable } from '../graph/build.js';
import { isScalar, shapeBrief, shapeEq } from '../shape/shape.js';
import { reverseGradients } from './reverse.js';
import { vecCoefficient } from './vec-coefficient.js';
import { simplify } from '../simplify/simplify.js';

/** ⟨A, B⟩ = sum(A ⊙ B), the Frobenius inner product. */
const inner = (a: Node, b: Node): Node => sum(mul(a, b));

const gradient = (f: Node, x: Node): Node => simplify(reverseGradients(f, [x])[0]!);

function requireDirection(what: string, x: Node, v: Node): void {
  if (!shapeEq(x.shape, v.shape))
    throw new ShapeError(
      `${what} needs a direction shaped like the variable: ${shapeBrief(x.shape)}, got ${shapeBrief(v.shape)}`,
    );
}

/** The Hessian of scalar f in X applied to V (shaped like X), by reverse over reverse. */
export function hvp(f: Node, x: Node, v: Node): Node {
  if (!isScalar(f.shape))
    throw new ShapeError(`hvp needs a scalar function, got ${shapeBrief(f.shape)}; use jvp for a matrix`);
  requireDirection('hvp', x, v);
  return gradient(inner(gradient(f, x), v), x);
}

/** The directional derivative dF[V] of F in X (shaped like F). */
export function jvp(F: Node, x: Node, v: Node): Node {
  requireDirection('jvp', x, v);
  if (isScalar(F.shape)) return simplify(inner(gradient(F, x), v));
  const u = variable('∂U', F.shape);
  return gradient(inner(gradient(inner(u, F), x), v), u);
}

export function directional(kind: 'hvp' | 'jvp', f: Node, x: Node, v: Node): Node {
  return kind === 'hvp' ? hvp(f, x, v) : jvp(f, x, v);
}

/** The flattened Hessian [mn, mn] of scalar f in X: [m, n]. */
export function hessMatrix(f: Node, x: Node): Node {
  const v = variable('∂V', x.shape);
  return simplify(vecCoefficient(hvp(f, x, v), v));
}

/** The flattened Jacobian [pq, mn] of F: [p, q] in X: [m, n]. */
export function jacMatrix(F: Node, x: Node): Node {
  const v = variable('∂V', x.shape);
  return simplify(vecCoefficient(jvp(F, x, v), v));
}
