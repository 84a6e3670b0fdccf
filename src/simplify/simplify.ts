/**
 * The simplifier: bottom-up, each node's arguments first, then the rules of `rules.ts`
 * at the root until none applies. Results are memoised, so shared subexpressions are
 * simplified once and stay shared.
 */
import type { Node } from '../graph/node.js';
import { RULES } from './rules.js';
import { rebuild } from './rebuild.js';
import { printExpr } from '../print/printer.js';

/** Rewrites past this many at one root mean a rule cycle: a matdiff bug. */
const MAX_REWRITES = 200;

const memo = new Map<Node, Node>();

export function simplify(root: Node): Node {
  const done = memo.get(root);
  if (done) return done;
  for (const n of unsimplified(root)) simplifyNode(n);
  return memo.get(root)!;
}

/** `n` simplified, if it has been already (say, as part of a gradient); undefined otherwise. */
export function simplifiedSoFar(n: Node): Node | undefined {
  return memo.get(n);
}

/** The nodes below `root` not simplified yet, each after its arguments: what is done is not walked again. */
function unsimplified(root: Node): Node[] {
  const out: Node[] = [];
  const seen = new Set<Node>([root]);
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.args.length) {
      const child = top.node.args[top.next++]!;
      if (!seen.has(child) && !memo.has(child)) {
        seen.add(child);
        stack.push({ node: child, next: 0 });
      }
    } else {
      out.push(top.node);
      stack.pop();
    }
  }
  return out;
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
