/**
 * grad, hess and jac as graph builders (LANGUAGE.md §2); hvp, jvp and the flattened forms
 * with respect to matrices are in directional.ts. Gradients come from reverse
 * mode. Hessians and Jacobians are read off a reverse pass that is linear in a direction
 * vector u: ∇ₓ(uᵀF) = Jᵀ·u, so Jᵀ is the coefficient of u (see `coefficient`).
 */
import { type Node, ShapeError } from '../graph/node.js';
import { T, matmul, variable } from '../graph/build.js';
import { isColumn, isScalar, shape, shapeBrief } from '../shape/shape.js';
import { ONE } from '../shape/dim.js';
import { reverseGradients } from './reverse.js';
import { coefficient } from './coefficient.js';
import { hessMatrix, jacMatrix } from './directional.js';
import { simplify } from '../simplify/simplify.js';

export type DerivativeKind = 'grad' | 'hess' | 'jac';
export { hvp, jvp } from './directional.js';

export function derivative(kind: DerivativeKind, f: Node, x: Node): Node {
  if (kind === 'grad') return grad(f, x);
  if (kind === 'hess') return hess(f, x);
  return jac(f, x);
}

export function grad(f: Node, x: Node): Node {
  if (!isScalar(f.shape))
    throw new ShapeError(`grad needs a scalar function, got ${shapeBrief(f.shape)}; use jac for a vector`);
  return simplify(reverseGradients(f, [x])[0]!);
}

/** Several gradients of one scalar from one reverse pass. */
export function grads(f: Node, xs: readonly Node[]): Node[] {
  if (!isScalar(f.shape))
    throw new ShapeError(`grad needs a scalar function, got ${shapeBrief(f.shape)}; use jac for a vector`);
  return reverseGradients(f, xs).map(simplify);
}

function requireVector(what: string, x: Node): void {
  if (!isColumn(x.shape))
    throw new ShapeError(
      `${what} ${shapeBrief(x.shape)} would be a tensor of order above 2; it is defined for a vector or a scalar`,
    );
}

/** Hessian of scalar f in vector x: the Jacobian of ∇f. In a matrix X, the flattened [mn, mn] (directional.ts). */
export function hess(f: Node, x: Node): Node {
  if (!isScalar(f.shape))
    throw new ShapeError(
      isColumn(f.shape)
        ? `hess needs a scalar function, got ${shapeBrief(f.shape)}; use jac for a vector`
        : `hess needs a scalar function, got ${shapeBrief(f.shape)}: the Hessian of a matrix would be a tensor of order above 2 (jac gives its flattened Jacobian)`,
    );
  if (!isColumn(x.shape)) return hessMatrix(f, x);
  return jac(grad(f, x), x);
}

/** Jacobian [m, n] of vector F [m] in vector x [n]. Of a matrix, or in one, the flattened [pq, mn] (directional.ts). */
export function jac(F: Node, x: Node): Node {
  if (!isColumn(F.shape) || !isColumn(x.shape)) return jacMatrix(F, x);
  requireVector('the Jacobian of a matrix', F);
  requireVector('the Jacobian with respect to a matrix', x);
  const u = variable('∂u', shape(F.shape.rows, ONE));
  const linear = simplify(reverseGradients(matmul(T(u), F), [x])[0]!); // Jᵀ·u
  return simplify(T(coefficient(linear, u)));
}
