/**
 * Reverse mode on the graph: adjoints are graph nodes, built by each operator's VJP
 * rule from the output back to the inputs. The result is a graph like any other — it
 * prints, simplifies, compiles and can be differentiated again.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { opDef } from '../ops/registry.js';
import { add, constant, zeros } from '../graph/build.js';

/** ∂f/∂x for each x of `wrt` (f a 1×1 node), shaped like x. */
export function reverseGradients(f: Node, wrt: readonly Node[]): Node[] {
  const order = topoOrder([f]);
  // Only nodes on a path to some x carry adjoints anywhere useful.
  const targets = new Set(wrt);
  const live = new Set<Node>();
  for (const n of order) if (targets.has(n) || n.args.some((a) => live.has(a))) live.add(n);

  const adjoint = new Map<Node, Node>([[f, constant(1)]]);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const g = adjoint.get(n);
    if (!g || n.args.length === 0 || !live.has(n)) continue;
    const parts = opDef(n.op).vjp(n, g);
    n.args.forEach((a, k) => {
      const part = parts[k];
      if (!part || !live.has(a)) return;
      const prev = adjoint.get(a);
      adjoint.set(a, prev ? add(prev, part) : part);
    });
  }
  return wrt.map((x) => adjoint.get(x) ?? zeros(x.shape));
}
