/**
 * Naming shared subexpressions for printing: a subexpression that appears more than
 * once across the printed results is given a name (G, G2, …) and printed once, on a
 * `where` line. Definitions of the model print by their own names.
 */
import { type Node, topoOrder } from '../graph/node.js';
import type { Format } from './context.js';
import { printExpr } from './printer.js';

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
  const names = new Map(defined);
  const where: Node[] = [];
  const fresh = freshNames(taken);
  for (;;) {
    const counts = occurrences([...results, ...where], names);
    let best: Node | undefined;
    let bestLen = MIN_LENGTH - 1;
    for (const [n, c] of counts) {
      if (c < 2 || n.args.length === 0 || (n.op === 'transpose' && n.args[0]!.args.length === 0)) continue;
      const len = printExpr(n, 'ascii', names).length;
      if (len > bestLen) [best, bestLen] = [n, len];
    }
    if (!best) break;
    names.set(best, fresh());
    where.push(best);
  }
  // Hinted steps that build on one another (a network's layers, δ⁽ˡ⁾ from δ⁽ˡ⁺¹⁾) are
  // named link by link, however short, so that each reads as the one before times a
  // little more; a hint that links to no other is left inline.
  const counts = occurrences([...results, ...where], names);
  const candidates = [...new Set(hints)].filter(
    (h) => where.includes(h) || (!names.has(h) && !results.includes(h) && counts.has(h) && involvesVariable(h)),
  );
  const inside = new Map(candidates.map((h) => [h, new Set(topoOrder([h]))]));
  const linked = candidates.filter((h) =>
    candidates.some((o) => o !== h && (inside.get(o)!.has(h) || inside.get(h)!.has(o))),
  );
  for (const h of linked) {
    if (where.includes(h)) continue;
    names.set(h, fresh());
    where.push(h);
  }
  // Each binding after the bindings it uses: later-named ones are mostly smaller, so
  // reverse, keep that order where it allows, then number the names as printed.
  const order = usesFirst([...where].reverse(), names);
  const fresh2 = freshNames(taken);
  for (const n of order) names.set(n, fresh2());
  return {
    texts: results.map((r) => printExpr(r, fmt, names)),
    where: order.map((n) => [names.get(n)!, printExpr(n, fmt, names)]),
    shared: order,
  };
}

const involvesVariable = (n: Node): boolean => n.args.length > 0 && topoOrder([n]).some((m) => m.op === 'var');

/** `bindings` reordered so that each comes after the bindings its expression uses, otherwise in the given order. */
function usesFirst(bindings: readonly Node[], names: ReadonlyMap<Node, string>): Node[] {
  const uses = new Map(bindings.map((n) => [n, namedInside(n, names).filter((m) => bindings.includes(m))]));
  const placed: Node[] = [];
  const left = [...bindings];
  while (left.length) {
    const i = left.findIndex((n) => uses.get(n)!.every((m) => placed.includes(m)));
    placed.push(...left.splice(i < 0 ? 0 : i, 1));
  }
  return placed;
}

/** The named nodes that the printed tree of `root` refers to by name. */
function namedInside(root: Node, names: ReadonlyMap<Node, string>): Node[] {
  const found = new Set<Node>();
  const seen = new Set<Node>();
  const work = [...root.args];
  while (work.length) {
    const n = work.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (names.has(n)) found.add(n);
    else work.push(...n.args);
  }
  return [...found];
}

/** How often each node occurs in the printed trees of `roots`, named nodes not entered (except at their own root). */
function occurrences(roots: readonly Node[], names: ReadonlyMap<Node, string>): Map<Node, number> {
  const counts = new Map<Node, number>();
  const expanded = new Set<Node>();
  // Each root contributes its subtrees; a node that appears under several parents counts each time.
  for (const r of roots) {
    const work = [...r.args];
    while (work.length) {
      const n = work.pop()!;
      if (names.has(n)) continue;
      counts.set(n, (counts.get(n) ?? 0) + 1);
      // Count a node's inside once: repeats of a repeated node are repeats of it, not of its parts.
      if (!expanded.has(n)) {
        expanded.add(n);
        work.push(...n.args);
      }
    }
  }
  return counts;
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
