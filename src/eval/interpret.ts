/** The float64 reference interpreter: the oracle that the kernels and the tests compare against. */
import { type Node, topoOrder } from '../graph/node.js';
import { opDef } from '../ops/registry.js';
import type { EvalEnv } from '../ops/types.js';
import type { Mat } from './mat.js';

/** The values of `roots` under `env`, each node computed once. */
export function evaluate(roots: readonly Node[], env: EvalEnv): Mat[] {
  const values = evaluateAll(roots, env);
  return roots.map((r) => values.get(r)!);
}

/** The value of every node that `roots` reach, under `env`. */
export function evaluateAll(roots: readonly Node[], env: EvalEnv): Map<Node, Mat> {
  const values = new Map<Node, Mat>();
  for (const n of topoOrder(roots))
    values.set(
      n,
      opDef(n.op).eval(
        n.args.map((a) => values.get(a)!),
        n,
        env,
      ),
    );
  return values;
}
