/** A model: the declarations, definitions and asserts of one file, elaborated into graph nodes. */
import type { Node } from '../graph/node.js';
import type { Property, Span } from '../parse/ast.js';
import type { Place } from '../errors.js';

export interface Declaration {
  name: string;
  node: Node;
  props: readonly Property[];
  span: Span;
}

export interface Definition {
  name: string;
  node: Node;
  span: Span;
}

export interface Assertion {
  left: Node;
  right: Node;
  /** The assert line's text, for reports. */
  text: string;
  span: Span;
}

export interface Model {
  file: string;
  source: string;
  /** Symbolic dimension names, in order of first use. */
  dims: string[];
  vars: Map<string, Declaration>;
  defs: Map<string, Definition>;
  asserts: Assertion[];
  /** The last definition's name, if any. */
  output?: string;
}

export const placeOf = (m: Pick<Model, 'file' | 'source'>, span: Span): Place => ({
  file: m.file,
  source: m.source,
  span,
});

/**
 * Each defined (non-leaf) node, as written, to the first name that defines it, for printing
 * by name (print/gradients.ts's `nodeNamesWithSimplified` adds their simplified forms).
 */
export function nodeNamesAsWritten(model: Model, except?: string): Map<Node, string> {
  const names = new Map<Node, string>();
  for (const d of model.defs.values()) {
    if (d.name === except) continue;
    if (d.node.args.length > 0 && !names.has(d.node)) names.set(d.node, d.name);
  }
  return names;
}
