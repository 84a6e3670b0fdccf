/** Helpers shared by the operator definitions. */
import { type Node, ShapeError } from '../graph/node.js';
import { type Shape, broadcast, isSquare, shapeBrief } from '../shape/shape.js';
import { dimText } from '../shape/dim.js';

export const arg = (args: readonly Node[], i: number): Node => args[i]!;

/** The broadcast shape of an elementwise binary op, or a ShapeError naming both shapes. */
export function elementwiseShape(what: string, a: Shape, b: Shape): Shape {
  const s = broadcast(a, b);
  if (!s)
    throw new ShapeError(`cannot ${what} ${shapeBrief(a)} and ${shapeBrief(b)}: shapes differ and do not broadcast`);
  return s;
}

export function requireSquare(fn: string, s: Shape): void {
  if (!isSquare(s))
    throw new ShapeError(`${fn} needs a square matrix, got ${shapeBrief(s)} (${dimText(s.rows)} ≠ ${dimText(s.cols)})`);
}

/** The `rebuild` of a leaf: it has no arguments to replace. */
export const noRebuild = (n: Node): never => {
  throw new Error(`cannot rebuild leaf ${n.op}`);
};
