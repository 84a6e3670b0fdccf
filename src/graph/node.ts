/**
 * The computation graph: immutable operator nodes, hash-consed so that building a node
 * that already exists returns the existing object. Equal subexpressions are therefore one
 * node, and `a === b` means "the same expression".
 */
import type { Dim } from '../shape/dim.js';
import { dimKey } from '../shape/dim.js';
import { type Shape, shapeKey } from '../shape/shape.js';
import type { Property } from '../parse/ast.js';
import type { OpName } from '../ops/names.js';
import type { ErrorCode } from '../errors.js';

export interface Node {
  readonly id: number;
  readonly op: OpName;
  readonly args: readonly Node[];
  /** A number carried by the op: a constant's value, a power's exponent, a fill value. */
  readonly num?: number;
  /** A variable's name. */
  readonly name?: string;
  /** A dimension carried by the op: `dimval`'s size, `unvec`'s row count. */
  readonly dim?: Dim;
  /** A variable's declared properties. */
  readonly props?: readonly Property[];
  readonly shape: Shape;
}

export interface NodeExtras {
  num?: number;
  name?: string;
  dim?: Dim;
  props?: readonly Property[];
  /** Leaves give their shape; every other op computes it from its arguments. */
  shape?: Shape;
}

/**
 * Raised by an op's shape rule; the elaborator turns it into a located error of kind
 * `code` (a shape mismatch unless the rule says otherwise).
 */
export class ShapeError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = 'E010',
  ) {
    super(message);
  }
}

const table = new Map<string, Node>();
let nextId = 0;

/**
 * The unique node for `op(args)` of shape `shape`, with `extras`. The shape is the
 * caller's: `mk` in graph/build.ts computes it from the operator's shape rule.
 */
export function intern(op: OpName, args: readonly Node[], shape: Shape, extras: NodeExtras = {}): Node {
  const key = [
    op,
    extras.num ?? '',
    extras.name ?? '',
    extras.dim ? dimKey(extras.dim) : '',
    extras.props?.join('+') ?? '',
    shapeKey(shape),
    ...args.map((a) => a.id),
  ].join('|');
  let node = table.get(key);
  if (!node) {
    node = Object.freeze({
      id: nextId++,
      op,
      args: Object.freeze([...args]),
      shape,
      ...(extras.num !== undefined && { num: extras.num }),
      ...(extras.name !== undefined && { name: extras.name }),
      ...(extras.dim !== undefined && { dim: extras.dim }),
      ...(extras.props !== undefined && { props: extras.props }),
    });
    table.set(key, node);
  }
  return node;
}

/** Every node reachable from `roots`, each after its arguments (a topological order). */
export function topoOrder(roots: readonly Node[]): Node[] {
  const seen = new Set<number>();
  const out: Node[] = [];
  // Iterative post-order: deep graphs (long chains) must not overflow the stack.
  const stack: { node: Node; next: number }[] = [];
  for (const root of roots) {
    if (seen.has(root.id)) continue;
    seen.add(root.id);
    stack.push({ node: root, next: 0 });
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.args.length) {
        const child = top.node.args[top.next++]!;
        if (!seen.has(child.id)) {
          seen.add(child.id);
          stack.push({ node: child, next: 0 });
        }
      } else {
        out.push(top.node);
        stack.pop();
      }
    }
  }
  return out;
}

/** Does `node` depend on `leaf`? */
export function dependsOn(node: Node, leaf: Node): boolean {
  return topoOrder([node]).includes(leaf);
}
