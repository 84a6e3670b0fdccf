/**
 * The simplifier: bottom-up, each node's arguments first, then the rules of `rules.ts`
 * at the root until none applies. Results are memoised, so shared subexpressions are
 * simplified once and stay shared.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { RULES } from './rules.js';
import { rebuild } from './rebuild.js';
import { printExpr } from '../print/printer.js';

/** Rewrites past this many at one root mean a rule cycle: a matdiff bug. */
const MAX_REWRITES = 200;

const memo = new Map<Node, Node>();

export function simplify(root: Node): Node {
  for (const n of topoOrder([root])) simplifyNode(n);
  return memo.get(root)!;
}

function simplifyNode(n: Node): Node {
  const done = memo.get(n);
  if (done) return done;
  let cur = n;
  for (let count = 0; ; count++) {
    if (count > MAX_REWRITES) throw new Error(`simplifier did not terminate at node ${cur.op}#${cur.id}`);
    // Arguments first: a rule or a smart constructor may have built new, unsimplified ones.
    if (cur.args.some((a) => memo.get(a) !== a)) {
      cur = rebuild(cur, cur.args.map(simplifyNode));
      continue;
    }
    const known = memo.get(cur);
    if (known && known !== n) {
      cur = known;
      break;
    }
    const next = rewriteOnce(cur);
    if (next === undefined) break;
    cur = next;
  }
  memo.set(n, cur);
  memo.set(cur, cur);
  return cur;
}

function rewriteOnce(n: Node): Node | undefined {
  for (const [name, rule] of RULES) {
    const r = rule(n);
    if (r !== undefined && r !== n) {
      if (process.env.MATDIFF_TRACE) console.error(name, printExpr(n, 'unicode'), '→', printExpr(r, 'unicode'));
      return r;
    }
  }
  return undefined;
}
