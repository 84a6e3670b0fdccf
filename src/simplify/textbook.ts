/**
 * Rules that bring derivatives to the forms a textbook prints (issue 16), in two tables
 * that `rules.ts` splices into its own: identities of products, inverses and reshapes,
 * tried before the product-chain rules; identities of elementwise functions, tried
 * before products and sums are put in normal form. Each is an exact identity under what
 * the model states (shapes; sym/spd/pos where named), oriented towards a shorter form,
 * and each looks only at a node and its arguments (or the factors of one flattened
 * product, probed by interned node), so the simplifier stays linear.
 */
import type { Node } from '../graph/node.js';
import { isColumn, isRow, isScalar, isSquare, shapeEq } from '../shape/shape.js';
import * as b from '../graph/build.js';
import { dimMul } from '../shape/dim.js';
import { flattenProduct, normalSum } from './normal.js';

type Rule = (n: Node) => Node | undefined;

const is = (n: Node | undefined, op: string): boolean => n?.op === op;
const a0 = (n: Node) => n.args[0]!;
const a1 = (n: Node) => n.args[1]!;

/** A ones column or row: ones(n), ones(n)ᵀ, ones(1, n). */
const isOnes = (n: Node): boolean => (is(n, 'fill') && n.num === 1) || (is(n, 'transpose') && isOnes(a0(n)));
/** The constant 1, or a ones fill. */
const isOne = (n: Node): boolean => (is(n, 'const') && n.num === 1) || (is(n, 'fill') && n.num === 1);

/** The factors of a matrix-product chain, left to right. */
function chain(n: Node): Node[] {
  const out: Node[] = [];
  const work = [n];
  while (work.length) {
    const x = work.pop()!;
    if (is(x, 'matmul')) work.push(a1(x), a0(x));
    else out.push(x);
  }
  return out;
}
const product = (xs: readonly Node[]): Node | undefined =>
  xs.reduce<Node | undefined>((p, x) => (p ? b.matmul(p, x) : x), undefined);
/** P·Q, either side possibly absent. */
const times = (p: Node | undefined, q: Node): Node => (p ? b.matmul(p, q) : q);
const timesR = (p: Node, q: Node | undefined): Node => (q ? b.matmul(p, q) : p);

/** Is p = qᵀ, as interned nodes: p = transpose(q), or q = transpose(p). */
const transposed = (p: Node, q: Node): boolean =>
  (is(p, 'transpose') && a0(p) === q) || (is(q, 'transpose') && a0(q) === p);

/** The last factor of a chain and the chain without it. */
function popLast(n: Node): [Node | undefined, Node] {
  return is(n, 'matmul') ? [a0(n), a1(n)] : [undefined, n];
}
/** The first factor of a chain and the chain without it. */
function popFirst(n: Node): [Node, Node | undefined] {
  const xs = chain(n);
  return [xs[0]!, product(xs.slice(1))];
}

/**
 * (F₁·…·Fₖ)⁻¹ = Fₖ⁻¹·…·F₁⁻¹ when the factor split off is square (the whole being square
 * and invertible, so is each part) — applied only where the split factor then cancels
 * against its neighbour in the chain, so that the inverse of a product never grows:
 *   (F₁·R)⁻¹·F₁·Q = R⁻¹·Q,   P·Fₖ·(L·Fₖ)⁻¹ = P·L⁻¹,
 *   P·F₁ᵀ·(F₁·R)⁻ᵀ = P·R⁻ᵀ,  (L·Fₖ)⁻ᵀ·Fₖᵀ·Q = L⁻ᵀ·Q.
 */
function inverseOfProductCancels(n: Node): Node | undefined {
  if (!is(n, 'matmul')) return undefined;
  const [l, r] = n.args as [Node, Node];
  const invOf = (x: Node) => (is(x, 'inv') && is(a0(x), 'matmul') ? a0(x) : undefined);
  const invTOf = (x: Node) => (is(x, 'transpose') ? invOf(a0(x)) : undefined);
  // M⁻¹·r: M⁻¹'s rightmost factor is F₁⁻¹.
  const ml = invOf(l);
  if (ml) {
    const [f1, rest] = popFirst(ml);
    const [r1, rRest] = popFirst(r);
    if (isSquare(f1.shape) && r1 === f1) return timesR(b.inv(rest!), rRest);
  }
  // l·M⁻¹: M⁻¹'s leftmost factor is Fₖ⁻¹.
  const mr = invOf(r);
  if (mr) {
    const [lRest, fk] = popLast(mr);
    const [lPrev, lk] = popLast(l);
    if (isSquare(fk.shape) && lk === fk) return times(lPrev, b.inv(lRest!));
  }
  // M⁻ᵀ·r = F₁⁻ᵀ·…·Fₖ⁻ᵀ·r: Fₖ⁻ᵀ cancels a leading Fₖᵀ of r.
  const mlt = invTOf(l);
  if (mlt) {
    const [lRest, fk] = popLast(mlt);
    const [r1, rRest] = popFirst(r);
    if (isSquare(fk.shape) && transposed(r1, fk)) return timesR(b.T(b.inv(lRest!)), rRest);
  }
  // l·M⁻ᵀ: F₁⁻ᵀ cancels a trailing F₁ᵀ of l.
  const mrt = invTOf(r);
  if (mrt) {
    const [f1, rest] = popFirst(mrt);
    const [lPrev, lk] = popLast(l);
    if (isSquare(f1.shape) && transposed(lk, f1)) return times(lPrev, b.T(b.inv(rest!)));
  }
  return undefined;
}

/** s·diag(a) as [s, a] (s undefined for 1), else undefined. */
function scaledDiag(t: Node): [Node | undefined, Node] | undefined {
  if (is(t, 'diag')) return [undefined, a0(t)];
  if (is(t, 'mul') && isScalar(a0(t).shape) && is(a1(t), 'diag')) return [a0(t), a0(a1(t))];
  return undefined;
}

export const TEXTBOOK_LINEAR: [string, Rule][] = [
  [
    'unvec(vec(A), m) = A',
    (n) => (is(n, 'unvec') && is(a0(n), 'vec') && shapeEq(a0(a0(n)).shape, n.shape) ? a0(a0(n)) : undefined),
  ],
  ['vec(unvec(v, m)) = v', (n) => (is(n, 'vec') && is(a0(n), 'unvec') ? a0(a0(n)) : undefined)],
  ['(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels', inverseOfProductCancels],
  [
    'diag(x)·1 = x, 1ᵀ·diag(x) = xᵀ',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'diag') && isOnes(a1(n)) && isColumn(a1(n).shape)
        ? a0(a0(n))
        : is(n, 'matmul') && is(a1(n), 'diag') && isOnes(a0(n)) && isRow(a0(n).shape)
          ? b.T(a0(a1(n)))
          : is(n, 'matmul') && is(a1(n), 'diag') && is(a0(n), 'matmul') && isOnes(a1(a0(n))) && isRow(a1(a0(n)).shape)
            ? b.matmul(a0(a0(n)), b.T(a0(a1(n))))
            : undefined,
  ],
  [
    'diag(a)·x = a ⊙ x for a column x',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'diag') && isColumn(a1(n).shape) && !isOnes(a1(n))
        ? b.mul(a0(a0(n)), a1(n))
        : undefined,
  ],
  [
    's·diag(a) + t·diag(b) = diag(s·a + t·b)',
    (n) => {
      if (!is(n, 'add')) return undefined;
      const [p, q] = [scaledDiag(a0(n)), scaledDiag(a1(n))];
      if (!p || !q) return undefined;
      const term = ([s, x]: [Node | undefined, Node]) => (s ? b.mul(s, x) : x);
      return b.diag(b.add(term(p), term(q)));
    },
  ],
];

// ── elementwise ──

/** −t as the smart constructors build it. */
const negated = (t: Node): Node => b.neg(t);

/** 1 + x (either order) → x. */
function onePlus(n: Node): Node | undefined {
  if (!is(n, 'add')) return undefined;
  if (isOne(a0(n)) && !isOne(a1(n))) return a1(n);
  if (isOne(a1(n)) && !isOne(a0(n))) return a0(n);
  return undefined;
}

/**
 * M = F·R or R·F with F square (so R is too, M being square), F the first or last factor
 * of M's chain for which `wanted(F)` holds: [F, R]; else [].
 */
function splitSquare(m: Node, wanted: (f: Node) => boolean): [Node, Node] | [] {
  if (!is(m, 'matmul') || !isSquare(m.shape)) return [];
  const xs = chain(m);
  const [first, last] = [xs[0]!, xs.at(-1)!];
  if (isSquare(first.shape) && wanted(first)) return [first, product(xs.slice(1))!];
  if (isSquare(last.shape) && wanted(last)) return [last, product(xs.slice(0, -1))!];
  return [];
}

/** logdet(F·R) − logdet(F) = logdet(R), F and R square (log|det| of a product is the sum). */
function logdetCancels(n: Node): Node | undefined {
  // The inner sums are simplified already: a cancelling pair involves one of n's own arguments.
  const logdetTerm = (t: Node) => is(t, 'logdet') || (is(t, 'mul') && is(a1(t), 'logdet'));
  if (!is(n, 'add') || !n.args.some(logdetTerm)) return undefined;
  const terms: Node[] = [];
  const work = [n];
  while (work.length) {
    const x = work.pop()!;
    if (is(x, 'add')) work.push(a1(x), a0(x));
    else terms.push(x);
  }
  const negated = new Set(
    terms
      .filter((t) => is(t, 'mul') && is(a0(t), 'const') && a0(t).num === -1 && is(a1(t), 'logdet'))
      .map((t) => a0(a1(t))),
  );
  if (negated.size === 0) return undefined;
  for (const t of terms) {
    if (!is(t, 'logdet')) continue;
    const [f, rest] = splitSquare(a0(t), (x) => negated.has(x));
    if (!f || !rest) continue;
    const minusF = b.mul(b.constant(-1), b.logdet(f));
    const others = terms.filter((u) => u !== t && u !== minusF);
    return [b.logdet(rest), ...others].reduce((p, q) => b.add(p, q));
  }
  return undefined;
}

/** Positive integer exponents: x.^k for k ≥ 1. */
const posInt = (e: number | undefined): e is number => e !== undefined && Number.isInteger(e) && e > 0;

/**
 * Kin of elementwise functions in one product, each an identity at every point
 * (step(0) = sign(0) = relu(0) = 0):
 *   relu(z) ⊙ step(z) = relu(z),  relu(z) ⊙ sign(z) = relu(z),  sign(z).^j ⊙ step(z) = step(z),
 *   step(z).^k = step(z),  abs(z) ⊙ sign(z) = z,  z ⊙ sign(z) = abs(z),
 *   z ⊙ step(z) = relu(z),  abs(z) ⊙ step(z) = relu(z),  exp(t) ⊙ σ(−t) = σ(t),
 *   det(F·R) ⊘ det(F) = det(R) for square F and R (det(F·R) = det(F)·det(R)).
 * (sign(z) ⊙ sign(z) is not 1: it is 0 where z is.) Each factor is probed against its
 * kin by interned node, so the cost is linear in the number of factors.
 */
const KIN = new Set(['step', 'sign', 'exp', 'det']);

/** Does the product `n` have a factor that has kin (a quick walk, before any flattening)? */
function hasKin(n: Node): boolean {
  const work = [n];
  while (work.length) {
    const x = work.pop()!;
    if (KIN.has(x.op)) return true;
    if (is(x, 'mul')) work.push(a0(x), a1(x));
    else if (is(x, 'pow')) work.push(a0(x));
  }
  return false;
}

function elementwiseKin(n: Node): Node | undefined {
  if (!is(n, 'mul') || !hasKin(n)) return undefined;
  const { c, scalars, matrices, zero } = flattenProduct(n);
  if (zero) return undefined;
  const exps = new Map<Node, number>();
  for (const f of [...scalars, ...matrices]) exps.set(f.base, f.exp);
  const exp = (x: Node) => exps.get(x);
  let changed = false;
  const set = (x: Node, e: number) => {
    changed = true;
    if (e === 0) exps.delete(x);
    else exps.set(x, e);
  };
  const add = (x: Node, e: number) => set(x, (exps.get(x) ?? 0) + e);
  for (const base of [...exps.keys()]) {
    const e = exp(base);
    if (!posInt(e)) continue;
    const z = base.args[0];
    if (!z) continue;
    const k = (op: Parameters<typeof b.fn>[0]): Node => b.fn(op, z);
    switch (base.op) {
      case 'step': {
        if (e > 1) set(base, 1);
        if (posInt(exp(k('relu')))) set(base, 0);
        else if (posInt(exp(k('sign')))) set(k('sign'), 0);
        else if (exp(k('abs')) === 1) (set(base, 0), set(k('abs'), 0), add(k('relu'), 1));
        else if (exp(z) === 1) (set(base, 0), set(z, 0), add(k('relu'), 1));
        break;
      }
      case 'sign': {
        if (posInt(exp(k('relu')))) set(base, 0);
        else if (e === 1 && exp(k('abs')) === 1) (set(base, 0), set(k('abs'), 0), add(z, 1));
        else if (e === 1 && exp(z) === 1) (set(base, 0), set(z, 0), add(k('abs'), 1));
        break;
      }
      case 'det': {
        // det(F·R) = det(F)·det(R) for square F and R: det(F·R) / det(F) = det(R).
        const [f, rest] = splitSquare(z, (x) => (exp(b.det(x)) ?? 0) < 0);
        if (f && rest) (set(base, e - 1), add(b.det(rest), 1), add(b.det(f), 1));
        break;
      }
      case 'exp': {
        const s = b.fn('sigmoid', negated(z));
        if (e === 1 && posInt(exp(s))) (set(base, 0), add(s, -1), add(b.fn('sigmoid', z), 1));
        break;
      }
    }
    if (changed) break;
  }
  if (!changed) return undefined;
  let out: Node = b.constant(c);
  for (const [x, e] of exps) out = b.mul(out, b.pow(x, e));
  return shapeEq(out.shape, n.shape) ? out : b.broadcastTo(out, n.shape);
}

/**
 * A sum with like terms (c·T and d·T) is put in normal form before any expansion is
 * tried, so that −½·k·xc − ½·k·xc becomes −k·xc rather than −k·x + k·mean(x): collecting
 * is what made the expansion look worthwhile.
 */
function likeTermsFirst(n: Node): Node | undefined {
  if (!is(n, 'add')) return undefined;
  const seen = new Set<Node>();
  const work = [n];
  while (work.length) {
    const x = work.pop()!;
    if (is(x, 'add')) {
      work.push(a0(x), a1(x));
      continue;
    }
    const base = is(x, 'mul') && is(a0(x), 'const') ? a1(x) : x;
    if (seen.has(base)) return normalSum(n);
    seen.add(base);
  }
  return undefined;
}

/**
 * Is `c` a centred vector or matrix, x − mean(x): x plus the scalar −sum(x)/N, N the
 * number of x's entries? (Its entries sum to 0.)
 */
function centred(c: Node): boolean {
  if (!is(c, 'add') || isScalar(c.shape)) return false;
  const [x, s] = isScalar(a1(c).shape) ? [a0(c), a1(c)] : [a1(c), a0(c)];
  if (!isScalar(s.shape) || isScalar(x.shape) || !shapeEq(x.shape, c.shape)) return false;
  const p = flattenProduct(s);
  const count = b.dimValue(dimMul(x.shape.rows, x.shape.cols));
  const want = flattenProduct(b.mul(b.sum(x), b.recip(count)));
  if (p.zero || p.matrices.length || p.c !== -want.c || p.scalars.length !== want.scalars.length) return false;
  return want.scalars.every((f) => p.scalars.some((g) => g.base === f.base && g.exp === f.exp));
}

/** sum(Σ tᵢ) with the terms k·xc (k scalar, xc centred) dropped: they sum to 0. */
function centredSum(n: Node): Node | undefined {
  if (!is(n, 'sum') || !is(a0(n), 'add')) return undefined;
  const kept: Node[] = [];
  let dropped = false;
  const work = [a0(n)];
  while (work.length) {
    const t = work.pop()!;
    if (is(t, 'add')) {
      work.push(a1(t), a0(t));
      continue;
    }
    const { matrices, zero } = flattenProduct(t);
    const vanishes = !zero && matrices.length === 1 && matrices[0]!.exp === 1 && centred(matrices[0]!.base);
    if (vanishes) dropped = true;
    else kept.push(t);
  }
  if (!dropped) return undefined;
  return kept.length ? b.sum(kept.reduce((p, q) => b.add(p, q))) : b.constant(0);
}

export const TEXTBOOK_ELEMENTWISE: [string, Rule][] = [
  ['c·T + d·T = (c + d)·T before expanding', likeTermsFirst],
  ['logdet(F·R) − logdet(F) = logdet(R), F, R square', logdetCancels],
  [
    'log(1 + exp(t)) = softplus(t)',
    (n) => {
      const t = is(n, 'log') ? onePlus(a0(n)) : undefined;
      return t && is(t, 'exp') && shapeEq(a0(t).shape, n.shape) ? b.fn('softplus', a0(t)) : undefined;
    },
  ],
  [
    '(1 + exp(t)).^−k = σ(−t).^k',
    (n) => {
      if (!is(n, 'pow') || !Number.isInteger(n.num) || n.num! >= 0) return undefined;
      const t = onePlus(a0(n));
      return t && is(t, 'exp') && shapeEq(a0(t).shape, n.shape)
        ? b.pow(b.fn('sigmoid', negated(a0(t))), -n.num!)
        : undefined;
    },
  ],
  [
    '1 − (1 + x)⁻¹ = x ⊘ (1 + x)',
    (n) => {
      if (!is(n, 'add')) return undefined;
      const [one, r] = isOne(a0(n)) ? [a0(n), a1(n)] : isOne(a1(n)) ? [a1(n), a0(n)] : [];
      if (!one || !r || !is(r, 'mul') || !(is(a0(r), 'const') && a0(r).num === -1)) return undefined;
      const p = a1(r);
      const x = is(p, 'pow') && p.num === -1 ? onePlus(a0(p)) : undefined;
      return x && shapeEq(x.shape, n.shape) ? b.mul(x, p) : undefined;
    },
  ],
  [
    '1 − σ(−u) = σ(u)',
    (n) => {
      if (!is(n, 'add')) return undefined;
      const [one, r] = isOne(a0(n)) ? [a0(n), a1(n)] : isOne(a1(n)) ? [a1(n), a0(n)] : [];
      if (!one || !r || !is(r, 'mul') || !(is(a0(r), 'const') && a0(r).num === -1)) return undefined;
      const s = a1(r);
      if (!is(s, 'sigmoid') || !b.isNegated(a0(s)) || !shapeEq(s.shape, n.shape)) return undefined;
      return b.fn('sigmoid', b.neg(a0(s)));
    },
  ],
  ['sum(A + k·(x − mean(x))) = sum(A): a centred vector sums to 0', centredSum],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    elementwiseKin,
  ],
];
