/**
 * The model's own words in printed derivatives (issue 16). After simplification, and
 * only for printing, a derivative is rewritten so that it reuses what the model wrote:
 *   - a product that contains every factor of a product the model defined is regrouped
 *     around it, so that it prints by the model's name (Xc ⊙ G2 ⊙ Y → Xh ⊙ Y where the
 *     model defines Xh = Xc ⊘ sqrt(v + ε));
 *   - a power the simplifier merged is spelled as the model spelled it, when that is no
 *     longer: ‖w‖² rather than sum(w.^2), and powers of a base whose square root the
 *     model took as powers of that root, sqrt(v + ε).^-3 rather than (v + ε).^-1.5.
 * Both look up interned nodes in maps built once from the model's definitions, and
 * rewrite each node of the results once, so the cost is linear.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { mk } from '../graph/build.js';
import { isScalar, shapeEq } from '../shape/shape.js';
import * as b from '../graph/build.js';
import { printExpr } from '../print/printer.js';
import { flattenProduct } from './normal.js';
import { simplify } from './simplify.js';

/**
 * `n` over new arguments, as it stands: not through the smart constructors, which would
 * reassociate s·X ⊙ Y and so dissolve a named product again.
 */
function remake(n: Node, args: readonly Node[]): Node {
  if (args.every((a, i) => a === n.args[i])) return n;
  return mk(n.op, args, { num: n.num, dim: n.dim });
}

/** Named products looked up per factor. */
const MAX_CANDIDATES = 8;

interface NamedProduct {
  node: Node;
  c: number;
  factors: Map<Node, number>;
}

type Flat = { c: number; factors: Map<Node, number> };

function flat(n: Node): Flat | undefined {
  const p = flattenProduct(n);
  if (p.zero) return undefined;
  const factors = new Map<Node, number>();
  for (const f of [...p.scalars, ...p.matrices]) factors.set(f.base, f.exp);
  return { c: p.c, factors };
}

/** `results` with the model's definitions (`defs`, as written) reused where they fit. */
export function preferModelForms(results: readonly Node[], defs: Iterable<{ node: Node }>): Node[] {
  const written = [...defs].map((d) => d.node).filter((n) => n.args.length > 0);
  if (written.length === 0) return [...results];
  return respell(regroup(results, written), written);
}

/** Products regrouped around the model's defined products. */
function regroup(results: readonly Node[], written: readonly Node[]): Node[] {
  const index = new Map<Node, NamedProduct[]>();
  const defined = new Set(written.map((w) => simplify(w)));
  for (const w of written) {
    const s = simplify(w);
    if (s.op !== 'mul') continue;
    const f = flat(s);
    if (!f || f.factors.size < 2) continue;
    const named = { node: s, ...f };
    // A few named products per factor suffice, and keep the lookups of each product bounded.
    for (const base of f.factors.keys()) {
      const list = index.get(base) ?? [];
      if (list.length < MAX_CANDIDATES) index.set(base, [...list, named]);
    }
  }
  if (index.size === 0) return [...results];
  const out = new Map<Node, Node>();
  for (const n of topoOrder([...results])) {
    // A definition's own node stays whole: it prints by the definition's name.
    let m = defined.has(n)
      ? n
      : remake(
          n,
          n.args.map((a) => out.get(a) ?? a),
        );
    if (n.op === 'mul' && !defined.has(n)) m = regrouped(n, index, out) ?? m;
    out.set(n, m);
  }
  return results.map((r) => out.get(r)!);
}

function regrouped(n: Node, index: Map<Node, NamedProduct[]>, out: Map<Node, Node>): Node | undefined {
  const p = flat(n);
  if (!p) return undefined;
  let best: NamedProduct | undefined;
  for (const base of p.factors.keys())
    for (const named of index.get(base) ?? []) {
      if (named.node === n || (best && best.factors.size >= named.factors.size)) continue;
      const fits = [...named.factors].every(([x, e]) => {
        const have = p.factors.get(x);
        return have !== undefined && Math.sign(have) === Math.sign(e) && Math.abs(have) >= Math.abs(e);
      });
      if (fits) best = named;
    }
  if (!best) return undefined;
  // Built with `mk`, not the smart constructors, which would reassociate s·X ⊙ Y and
  // so dissolve the named product again.
  const scalars: Node[] = [];
  const matrices: Node[] = [];
  const c = p.c / best.c;
  if (c !== 1) scalars.push(b.constant(c));
  for (const [x, e] of p.factors) {
    const left = e - (best.factors.get(x) ?? 0);
    if (left !== 0) (isScalar(x.shape) ? scalars : matrices).push(b.pow(out.get(x) ?? x, left));
  }
  const prod = (xs: Node[]) => xs.reduce<Node | undefined>((q, x) => (q ? b.mul(q, x) : x), undefined);
  const [s, m] = [prod(scalars), prod(matrices)];
  let acc: Node;
  if (isScalar(best.node.shape)) {
    const k = s ? mk('mul', [best.node, s]) : best.node;
    acc = m ? mk('mul', [k, m]) : k;
  } else {
    const core = m ? mk('mul', [best.node, m]) : best.node;
    acc = s ? mk('mul', [s, core]) : core;
  }
  return shapeEq(acc.shape, n.shape) ? acc : undefined;
}

/** Powers spelled as the model spelled them. */
function respell(results: readonly Node[], written: readonly Node[]): Node[] {
  // Definitions print as short names here, so that comparing two spellings costs little.
  const names = new Map<Node, string>();
  written.forEach((w, i) => (names.set(w, `d${i}`), names.set(simplify(w), `d${i}`)));
  const spelled = new Map<Node, Node>();
  const roots = new Set<Node>();
  // A definition of the model stands for its simplified form (and prints by its name).
  for (const w of written) {
    const s = simplify(w);
    // (Not a variable or a constant: an alias Y = X must not rename every X.)
    if (s.args.length && !spelled.has(s)) spelled.set(s, w);
  }
  for (const r of topoOrder(written)) {
    if (r.op !== 'pow') continue;
    if (r.num === 0.5) roots.add(simplify(r.args[0]!));
    const s = simplify(r);
    if (s === r || spelled.has(s)) continue;
    if (printExpr(r, 'ascii', names).length <= printExpr(s, 'ascii', names).length) spelled.set(s, r);
  }
  const out = new Map<Node, Node>();
  for (const n of topoOrder([...results])) {
    const known = spelled.get(n);
    let m =
      known ??
      remake(
        n,
        n.args.map((a) => out.get(a) ?? a),
      );
    // x.^(k/2), k odd, as sqrt(x).^k where the model took sqrt(x).
    if (!known && m.op === 'pow' && m.num !== 0.5 && Number.isInteger(2 * m.num!) && !Number.isInteger(m.num!)) {
      const x = n.args[0]!;
      if (roots.has(x) && !isScalar(x.shape) === !isScalar(m.shape)) m = b.pow(b.sqrt(m.args[0]!), 2 * m.num!);
    }
    out.set(n, m);
  }
  return results.map((r) => out.get(r)!);
}
