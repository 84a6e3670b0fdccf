/**
 * The adjoints of the steps that consume a variable — in a network, ∂L/∂z for each
 * layer's z = W·x (backpropagation's δ). A gradient is such a δ times the layer's input
 * (∂L/∂W = δ·xᵀ), and each δ is built from the next layer's: δ⁽ˡ⁾ = (W⁽ˡ⁺¹⁾ᵀ·δ⁽ˡ⁺¹⁾) ⊙ σ′(z⁽ˡ⁾).
 * Printing names these on `where` lines so that the recursion shows.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { isScalar } from '../shape/shape.js';
import { reverseGradients } from './reverse.js';
import { simplify } from '../simplify/simplify.js';

/** The simplified ∂f/∂z of each product z (·, ⊙ or scaling) that takes a variable of `xs` as a factor, output first. */
export function stepAdjoints(f: Node, xs: readonly Node[]): Node[] {
  if (!isScalar(f.shape)) return [];
  const vars = new Set(xs);
  const steps = topoOrder([f])
    .reverse()
    .filter((n) => (n.op === 'matmul' || n.op === 'mul') && n.args.some((a) => vars.has(a)));
  if (steps.length === 0) return [];
  try {
    return reverseGradients(f, steps).map(simplify);
  } catch {
    return []; // names are a nicety: never fail a derivative over them
  }
}
