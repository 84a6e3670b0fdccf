/** Rebuilds a node over new arguments through the smart constructors, so rewritten graphs keep their canonical forms. */
import type { Node } from '../graph/node.js';
import { UNARY_FNS, type UnaryFn } from '../ops/names.js';
import * as b from '../graph/build.js';

const UNARY = new Set<string>(UNARY_FNS);

export function rebuild(n: Node, args: readonly Node[]): Node {
  if (args.every((a, i) => a === n.args[i])) return n;
  const [x, y] = args as [Node, Node];
  if (UNARY.has(n.op)) return b.fn(n.op as UnaryFn, x);
  switch (n.op) {
    case 'add':
      return b.add(x, y);
    case 'mul':
      return b.mul(x, y);
    case 'pow':
      return b.pow(x, n.num!);
    case 'matmul':
      return b.matmul(x, y);
    case 'transpose':
      return b.transpose(x);
    case 'sum':
      return b.sum(x);
    case 'tr':
      return b.tr(x);
    case 'softmax':
      return b.softmax(x);
    case 'logsumexp':
      return b.logsumexp(x);
    case 'inv':
      return b.inv(x);
    case 'det':
      return b.det(x);
    case 'logdet':
      return b.logdet(x);
    case 'diag':
    case 'diagvec':
      return b.diag(x);
    case 'vec':
      return b.vec(x);
    case 'unvec':
      return b.unvec(x, n.dim!);
    case 'kron':
      return b.kron(x, y);
    default:
      throw new Error(`cannot rebuild leaf ${n.op}`);
  }
}
