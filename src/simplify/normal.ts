/**
 * Normal forms of sums and products, the simplifier's two workhorses.
 *
 * A product (⊙ and scaling) is flattened into a constant, scalar factors and matrix
 * factors, each with an exponent: x ⊙ x = x.^2, y ⊘ p ⊙ p = y, 0 ⊙ A = 0, 1 ⊙ A = A.
 * It is rebuilt as (N / D)·X₁ ⊙ X₂ ⊙ … with the constant first.
 *
 * A sum is flattened into terms c·B; like terms combine (B + 2·B = 3·B), zeros drop,
 * common matrix factors come out (A·X + B·X = (A + B)·X), and so does a common scalar
 * factor ((−Y + Z)/B). Positive terms print first.
 */
import type { Node } from '../graph/node.js';
import { type Shape, broadcast, isColumn, isScalar, shapeEq } from '../shape/shape.js';
import * as b from '../graph/build.js';

interface Factor {
  base: Node;
  exp: number;
}

/**
 * Past this many operands a flattening stops descending: a deeper nested sum or product
 * stays one term (one factor). Each flattening is then bounded work, so simplifying a
 * chain of n additions costs O(n), not O(n²); like terms further apart than this are
 * left uncollected.
 */
export const FLATTEN_LIMIT = 64;

export function flattenProduct(n: Node): { c: number; scalars: Factor[]; matrices: Factor[]; zero: boolean } {
  let c = 1;
  let zero = false;
  const found = new Map<Node, Factor>();
  const scalars: Factor[] = [];
  const matrices: Factor[] = [];
  const push = (base: Node, exp: number) => {
    const f = found.get(base);
    if (f) return void (f.exp += exp);
    const g = { base, exp };
    found.set(base, g);
    (isScalar(base.shape) ? scalars : matrices).push(g);
  };
  let budget = FLATTEN_LIMIT;
  // Depth first, left operand first, with an explicit stack: products may be long chains.
  const work: [Node, number][] = [[n, 1]];
  while (work.length) {
    const [x, exp] = work.pop()!;
    if (x.op === 'mul' && exp === 1 && (x === n || budget-- > 0)) {
      work.push([x.args[1]!, 1], [x.args[0]!, 1]);
      continue;
    }
    if (x.op === 'const') {
      c *= x.num! ** exp;
      continue;
    }
    if (x.op === 'fill') {
      if (x.num === 0) zero = true;
      continue;
    }
    // (x^a)^b = x^(a·b) unless b is fractional and a an integer: (s²)^½ is |s|, not s.
    if (x.op === 'pow' && (Number.isInteger(exp) || !Number.isInteger(x.num!))) {
      work.push([x.args[0]!, exp * x.num!]);
      continue;
    }
    push(x, exp);
  }
  return { c, scalars: scalars.filter((f) => f.exp !== 0), matrices: matrices.filter((f) => f.exp !== 0), zero };
}

const power = (f: Factor): Node => b.pow(f.base, f.exp);
const product = (nodes: Node[]): Node | undefined =>
  nodes.reduce<Node | undefined>((p, x) => (p ? b.mul(p, x) : x), undefined);

/**
 * `nodes` in an order in which every partial result of x₁ ∘ x₂ ∘ … (∘ elementwise)
 * broadcasts: their own order, except that where a row meets a column the next term
 * shaped like the result `s` moves forward to stand between them. Undefined when no term
 * has the result's shape. (Moving as little as possible keeps each partial sum in the
 * order the sum rule gives it, so the rules do not undo each other.)
 */
function broadcastOrder(nodes: readonly Node[], s: Shape): Node[] | undefined {
  const out = [...nodes];
  let acc: Shape | undefined = out[0]?.shape;
  for (let i = 1; i < out.length; i++) {
    const next = broadcast(acc!, out[i]!.shape);
    if (next) {
      acc = next;
      continue;
    }
    const j = out.findIndex((x, k) => k > i && shapeEq(x.shape, s));
    if (j < 0) return undefined;
    out.splice(i, 0, ...out.splice(j, 1));
    acc = s;
  }
  return out;
}

/**
 * x₁ ⊙ x₂ ⊙ … of factors that broadcast together to `s` (see broadcastOrder); with no
 * factor of the result's shape, a column meets a row in their outer product c·r
 * (x ⊙ ones(m, n) ⊙ r, once the ones are dropped, is x·r).
 */
export function hadamard(nodes: Node[], s: Shape): Node | undefined {
  if (nodes.length === 0) return undefined;
  const order = broadcastOrder(nodes, s);
  if (order) return product(order);
  const cols = nodes.filter((x) => isColumn(x.shape));
  const rows = nodes.filter((x) => !isColumn(x.shape));
  return b.matmul(product(cols)!, product(rows)!);
}

/** The scalar coefficient N/D of a product, as `mul(N, pow(D, −1))` (or N, or D⁻¹). */
export function scalarPart(c: number, scalars: Factor[]): Node | undefined {
  const num = product([...(c !== 1 ? [b.constant(c)] : []), ...scalars.filter((f) => f.exp > 0).map(power)]);
  const den = product(scalars.filter((f) => f.exp < 0).map((f) => b.pow(f.base, -f.exp)));
  if (!den) return num;
  return num ? b.mul(num, b.recip(den)) : b.recip(den);
}

export function normalProduct(n: Node): Node {
  const { c, scalars, matrices, zero } = flattenProduct(n);
  if (zero || c === 0) return b.fill(0, n.shape);
  return productOf(c, scalars, matrices, n.shape);
}

function productOf(c: number, scalars: Factor[], matrices: Factor[], shape: Shape): Node {
  // Matrix factors in order, divisors last: A ⊙ B ⊘ C.
  // Factors in order of appearance, a complement like (1 − σ) after the rest (σ ⊙ (1 − σ)),
  // divisors last (A ⊙ B ⊘ C).
  const complement = (f: Factor) => f.base.op === 'add' && f.base.args.some((a) => a.op === 'const' || a.op === 'fill');
  const ordered = [
    ...matrices.filter((f) => f.exp > 0 && !complement(f)),
    ...matrices.filter((f) => f.exp > 0 && complement(f)),
    ...matrices.filter((f) => f.exp < 0),
  ];
  const mats = hadamard(ordered.map(power), shape);
  const s = scalarPart(c, scalars);
  const out = mats ? (s ? b.mul(s, mats) : mats) : (s ?? b.fill(1, shape));
  return fitShape(out, shape);
}

/** `x` broadcast back to `s` when dropping ones or zeros lost a dimension. */
function fitShape(x: Node, s: Shape): Node {
  return shapeEq(x.shape, s) ? x : b.broadcastTo(x, s);
}

interface Term {
  c: number;
  base: Node;
}

function flattenSum(n: Node): Term[] {
  const terms = new Map<Node, Term>();
  const push = (base: Node, c: number) => {
    const t = terms.get(base);
    if (t) t.c += c;
    else terms.set(base, { c, base });
  };
  // A sum that the other operand also uses (two levels down) stays whole: h + tanh(h) (a
  // residual block), δ + δ ⊙ f′ and δ + Wᵀ·(δ ⊙ f′) (its adjoint) keep h and δ, the
  // previous block's, instead of copying their terms into every block after them.
  const factors = new Set<Node>();
  for (const a of n.args)
    for (const f of a.args) {
      if (f.op === 'add') factors.add(f);
      for (const g of f.args) if (g.op === 'add') factors.add(g);
    }
  let budget = FLATTEN_LIMIT;
  // Depth first, left operand first, with an explicit stack: sums may be long chains.
  const work: [Node, number][] = [[n, 1]];
  while (work.length) {
    const [x, c] = work.pop()!;
    if (x.op === 'add' && (x === n || (!factors.has(x) && budget-- > 0))) {
      work.push([x.args[1]!, c], [x.args[0]!, c]);
      continue;
    }
    if (x.op === 'fill' && x.num === 0) continue;
    // A constant, or ones shaped like the sum, is a multiple of the constant 1: 1 + ones(n) = 2.
    if (x.op === 'const' || (x.op === 'fill' && shapeEq(x.shape, n.shape))) {
      push(b.constant(1), c * x.num!);
      continue;
    }
    if (x.op === 'mul') {
      // Take the constant out of a product: (−2/B)·X is −2 times X/B.
      const p = flattenProduct(x);
      // k·(A + B) stays one term: commonScalar factors k out of A + B, so distributing it
      // again would undo that (k·A + k·B − C → (k·A + k·B) − C → k·(A + B) − C → …).
      const rest = p.c !== 1 && !p.zero ? productOf(1, p.scalars, p.matrices, x.shape) : undefined;
      if (rest) {
        if (rest.op === 'add') push(rest, c * p.c);
        else work.push([rest, c * p.c]);
        continue;
      }
    }
    push(x, c);
  }
  return [...terms.values()].filter((t) => t.c !== 0);
}

// c·B in the normal form of products ((−1·x)·y, not −1·(x·y)): else the sum rule and the product rule undo each other.
const term = (t: Term): Node => (t.c === 1 ? t.base : normalProduct(b.mul(b.constant(t.c), t.base)));

/** Σ cᵢ·Bᵢ, positive terms first; a term Xᵀ after X (A + Aᵀ, not Aᵀ + A). */
function sumOf(terms: Term[], s?: Shape): Node | undefined {
  const bases = new Set(terms.map((t) => t.base));
  const late = (t: Term) => t.base.op === 'transpose' && bases.has(t.base.args[0]!);
  const ordered = [
    ...terms.filter((t) => t.c > 0 && !late(t)),
    ...terms.filter((t) => t.c > 0 && late(t)),
    ...terms.filter((t) => t.c < 0),
  ];
  return addAll(ordered.map(term), s);
}

/**
 * x₁ + x₂ + … of terms that broadcast together to `s` (see broadcastOrder); with no term
 * of the result's shape, the first is broadcast to s.
 */
export function addAll(nodes: Node[], s?: Shape): Node | undefined {
  const fold = (xs: Node[]) => xs.reduce<Node | undefined>((acc, x) => (acc ? b.add(acc, x) : x), undefined);
  if (!s || nodes.length === 0) return fold(nodes);
  return fold(broadcastOrder(nodes, s) ?? [b.broadcastTo(nodes[0]!, s), ...nodes.slice(1)]);
}

/** A·X + B·X → (A + B)·X and X·A + X·B → X·(A + B), for the first factor shared by two or more terms. */
function factorMatmul(terms: Term[]): Term[] | undefined {
  for (const side of [1, 0] as const) {
    const groups = new Map<Node, Term[]>();
    for (const t of terms)
      if (t.base.op === 'matmul') {
        const key = t.base.args[side]!;
        groups.set(key, [...(groups.get(key) ?? []), t]);
      }
    for (const [shared, group] of groups) {
      if (group.length < 2) continue;
      const others = group.map((t) => ({ c: t.c, base: t.base.args[1 - side]! }));
      if (!others.every((o) => shapeEq(o.base.shape, others[0]!.base.shape))) continue;
      const inner = sumOf(others)!;
      const merged = side === 1 ? b.matmul(inner, shared) : b.matmul(shared, inner);
      return [...terms.filter((t) => !group.includes(t)), { c: 1, base: merged }];
    }
  }
  return undefined;
}

/** A scalar factor common to every term: Σ (s·cᵢ)·Xᵢ → s·Σ cᵢ·Xᵢ, and Σ ±k·Xᵢ → k·Σ ±Xᵢ. */
function commonScalar(terms: Term[]): { s: Node; terms: Term[] } | undefined {
  if (terms.length < 2) return undefined;
  const k = Math.abs(terms[0]!.c);
  if (k !== 1 && terms.every((t) => Math.abs(t.c) === k)) {
    // −k·(X + Y), not k·(−X − Y): the expansion rule would multiply the latter out again.
    const sign = terms.every((t) => t.c < 0) ? -1 : 1;
    return { s: b.constant(sign * k), terms: terms.map((t) => ({ c: sign * Math.sign(t.c), base: t.base })) };
  }
  const split = terms.map((t) => {
    if (t.base.op !== 'mul' || !isScalar(t.base.args[0]!.shape) || isScalar(t.base.shape)) return undefined;
    return { s: t.base.args[0]!, rest: t.base.args[1]! };
  });
  const first = split[0];
  // Not a constant: those are the terms' coefficients (else 1·(A + B) and A + B undo each other).
  if (!first || first.s.op === 'const' || !split.every((x) => x?.s === first.s)) return undefined;
  return { s: first.s, terms: terms.map((t, i) => ({ c: t.c, base: split[i]!.rest })) };
}

export function normalSum(n: Node): Node {
  let terms = flattenSum(n);
  for (let f = factorMatmul(terms); f; f = factorMatmul(terms)) terms = flattenSum(sumOf(f, n.shape)!);
  const common = commonScalar(terms);
  const out = common ? b.mul(common.s, sumOf(common.terms, n.shape)!) : (sumOf(terms, n.shape) ?? b.fill(0, n.shape));
  return fitShape(out, n.shape);
}
