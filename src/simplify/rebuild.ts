/** Rebuilds a node over new arguments through the smart constructors, so rewritten graphs keep their canonical forms. */
import type { Node } from '../graph/node.js';
import { opDef } from '../ops/lookup.js';

/** `n` over `args`: `n` itself when they are its arguments, else its registry entry's `rebuild`. */
export function rebuild(n: Node, args: readonly Node[]): Node {
  if (args.every((a, i) => a === n.args[i])) return n;
  return opDef(n.op).rebuild(n, args);
}
