/**
 * Naming shared subexpressions for printing: a subexpression that would print more than
 * once across the printed results is given a name (G, G2, …) and printed once, on a
 * `where` line. Definitions of the model print by their own names.
 *
 * Everything here is linear in the printed DAG. A node prints once per reference from a
 * printed parent (a named parent is printed once, on its own line), so a node referenced
 * from two places that prints to 12 characters or more gets a name, decided children
 * first: then every unnamed repeat is short, and the printed size is linear in the graph.
 */
import { type Node, topoOrder } from '../graph/node.js';
import type { Format, PrintCtx } from './context.js';
import { opDef } from '../ops/lookup.js';
import { printExpr, textPrinter } from './printer.js';

export interface NamedResults {
  /** The results, printed with names. */
  texts: string[];
  /** `[name, text]` of each where-binding, each after those it uses. */
  where: [string, string][];
  /** The node each where-binding names, in the order of `where`. */
  shared: Node[];
}

/** Subexpressions shorter than this (in printed characters) are not worth a name. */
const MIN_LENGTH = 12;

export function nameShared(
  results: readonly Node[],
  fmt: Format,
  defined: ReadonlyMap<Node, string>,
  taken: ReadonlySet<string>,
  /** Subexpressions worth a name even where used once (see `stepAdjoints`), if they occur. */
  hints: readonly Node[] = [],
): NamedResults {
  const { uses, printed } = printReferences(results, defined);
  const forced = linkedHints(hints, printed, results);
  const names = new Map(defined);
  const where: Node[] = [];
  const fresh = freshNames(taken);
  // Children first (the printer's own order): a node's length counts its operands' names.
  const ascii = textPrinter('ascii', names, (n, p) => {
    if (names.has(n) || !worthNaming(n)) return;
    if (forced.has(n) || ((uses.get(n) ?? 0) >= 2 && p.text.length >= MIN_LENGTH)) {
      names.set(n, fresh());
      where.push(n);
    }
  });
  for (const r of results) ascii.print(r);
  return {
    texts: results.map((r) => printExpr(r, fmt, names)),
    where: where.map((n) => [names.get(n)!, printExpr(n, fmt, names)]),
    shared: where,
  };
}

const worthNaming = (n: Node): boolean => n.args.length > 0 && !(n.op === 'transpose' && n.args[0]!.args.length === 0);

/**
 * How often each node is referenced by the printers of the nodes that print (inline or on
 * a line of their own) when `results` print, definitions not entered; and those nodes.
 * A printer may reach past its operands (a/b prints b of b⁻¹), so references are read
 * off the printers themselves.
 */
function printReferences(
  results: readonly Node[],
  defined: ReadonlyMap<Node, string>,
): { uses: Map<Node, number>; printed: Set<Node> } {
  const uses = new Map<Node, number>();
  const printed = new Set<Node>();
  const work: Node[] = [];
  const ctx: PrintCtx = {
    fmt: 'ascii',
    sub(n) {
      uses.set(n, (uses.get(n) ?? 0) + 1);
      if (!printed.has(n) && !defined.has(n)) {
        printed.add(n);
        work.push(n);
      }
      return 'x';
    },
  };
  for (const r of results)
    if (!printed.has(r)) {
      printed.add(r);
      work.push(r);
    }
  while (work.length) {
    const n = work.pop()!;
    opDef(n.op).print(n, ctx);
  }
  return { uses, printed };
}

/**
 * Hinted steps that build on one another (a network's layers, δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾) are named
 * link by link, however short, so that each reads as the one before times a little more;
 * a hint that links to no other (contains none, is inside none) is left inline.
 */
function linkedHints(hints: readonly Node[], printed: ReadonlySet<Node>, results: readonly Node[]): Set<Node> {
  const isResult = new Set(results);
  const candidates = new Set(hints.filter((h) => printed.has(h) && !isResult.has(h) && h.args.length > 0));
  if (candidates.size < 2) return new Set();
  const order = topoOrder([...candidates]);
  // Bottom-up: does a node hold a variable, or a candidate below it?
  const hasVar = new Set<Node>();
  const holds = new Set<Node>();
  for (const n of order) {
    if (n.op === 'var' || n.args.some((a) => hasVar.has(a))) hasVar.add(n);
    if (n.args.some((a) => holds.has(a) || candidates.has(a))) holds.add(n);
  }
  // Top-down: is a node inside a candidate?
  const inside = new Set<Node>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (candidates.has(n) || inside.has(n)) for (const a of n.args) inside.add(a);
  }
  return new Set([...candidates].filter((h) => hasVar.has(h) && (holds.has(h) || inside.has(h))));
}

function freshNames(taken: ReadonlySet<string>): () => string {
  let i = 1;
  return () => {
    for (;;) {
      const name = i === 1 ? 'G' : `G${i}`;
      i++;
      if (!taken.has(name)) return name;
    }
  };
}
