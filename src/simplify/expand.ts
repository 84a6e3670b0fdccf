/**
 * Expansion of elementwise polynomials, kept when it is shorter. Elementwise products
 * commute, so a sum of products is a polynomial in its atoms (anything that is not a
 * sum, product, power or constant) with rational exponents. Expanding, cancelling and
 * collecting turns, for example,
 *     ((1 − y) / (1 − a) − y / a) ⊙ a ⊙ (1 − a)   into   a − y,
 * the derivative of binary cross-entropy through a sigmoid. Sums that divide are first
 * cancelled as whole factors, and only then multiplied out.
 */
import type { Node } from '../graph/node.js';
import { type Shape, isScalar, shapeEq } from '../shape/shape.js';
import { addAll, hadamard } from './normal.js';
import * as b from '../graph/build.js';

interface Monomial {
  c: number;
  /** Base → exponent, in order of first appearance. */
  f: Map<Node, number>;
}

/** Past this many terms an expansion is abandoned: it would not be shorter. */
const MAX_TERMS = 24;

/** Thrown to abandon an expansion (a plain object: no stack trace to capture). */
class TooBig {}

function times(x: Monomial[], y: Monomial[]): Monomial[] {
  const out: Monomial[] = [];
  for (const p of x)
    for (const q of y) {
      const f = new Map(p.f);
      for (const [base, e] of q.f) {
        const sum = (f.get(base) ?? 0) + e;
        if (sum === 0) f.delete(base);
        else f.set(base, sum);
      }
      out.push({ c: p.c * q.c, f });
    }
  if (out.length > MAX_TERMS) throw new TooBig();
  return out;
}

/** Nodes visited by one expansion before it is abandoned: bounded work on any input. */
const MAX_VISITS = 64;
let visits = 0;

/** Monomials of n (appended to `out`), with sums left whole as factors (deferred). */
function monomials(n: Node, out: Monomial[] = []): Monomial[] {
  if (++visits > MAX_VISITS) throw new TooBig();
  switch (n.op) {
    case 'const':
      out.push({ c: n.num!, f: new Map() });
      break;
    case 'add':
      monomials(n.args[0]!, out);
      monomials(n.args[1]!, out);
      break;
    case 'mul':
      for (const m of times(factor(n.args[0]!), factor(n.args[1]!))) out.push(m);
      break;
    case 'pow':
      out.push(...atom(n.args[0]!, n.num!));
      break;
    default:
      out.push(...atom(n, 1));
  }
  return out;
}

/** Would `monomials(n)` stay within MAX_VISITS? The same walk, without building anything. */
function withinVisits(n: Node): boolean {
  let count = 0;
  const stack = [n];
  while (stack.length) {
    const x = stack.pop()!;
    if (++count > MAX_VISITS) return false;
    if (x.op === 'add') stack.push(x.args[0]!, x.args[1]!);
    else if (x.op === 'mul') for (const a of x.args) if (a.op !== 'add') stack.push(a);
  }
  return true;
}

const atom = (base: Node, e: number): Monomial[] => [{ c: 1, f: new Map([[base, e]]) }];

/** A factor of a product: a sum stays whole, to cancel against its reciprocal first. */
const factor = (n: Node): Monomial[] => (n.op === 'add' ? atom(n, 1) : monomials(n));

/** Multiplies out the sums left as factors with small positive integer exponents. */
function expandFactors(ms: Monomial[]): Monomial[] {
  const out: Monomial[] = [];
  for (const m of ms) {
    // The largest sum first: it is the one most likely to hold reciprocals that cancel.
    const sumBase = [...m.f]
      .filter(([base, e]) => base.op === 'add' && Number.isInteger(e) && e > 0 && e <= 3)
      .sort(([x], [y]) => size(y) - size(x))[0];
    if (!sumBase) {
      out.push(m);
      continue;
    }
    const [base, e] = sumBase;
    const rest = { c: m.c, f: new Map(m.f) };
    rest.f.delete(base);
    let acc: Monomial[] = [rest];
    const inner = expandFactors(monomials(base));
    for (let i = 0; i < e; i++) acc = times(acc, inner);
    out.push(...expandFactors(acc));
    if (out.length > MAX_TERMS) throw new TooBig();
  }
  return out;
}

/** Like monomials combined, through a key of their factors (bases are interned: their ids name them). */
function collect(ms: Monomial[]): Monomial[] {
  const out = new Map<string, Monomial>();
  for (const m of ms) {
    const key = [...m.f]
      .map(([base, e]) => `${base.id}^${e}`)
      .sort()
      .join(' ');
    const same = out.get(key);
    if (same) same.c += m.c;
    else out.set(key, { c: m.c, f: m.f });
  }
  return [...out.values()].filter((m) => m.c !== 0);
}

function rebuildMonomial(m: Monomial, s: Shape): Node {
  const factors = [...m.f].map(([base, e]) => b.pow(base, e));
  const scalars = factors.filter((x) => isScalar(x.shape));
  const mats = factors.filter((x) => !isScalar(x.shape));
  // Matrix factors in an order whose partial products broadcast (a row and a column do not).
  const ordered = [...scalars, ...(mats.length ? [hadamard(mats, s)!] : [])];
  const body = ordered.reduce<Node | undefined>((p, x) => (p ? b.mul(p, x) : x), undefined);
  if (!body) return b.constant(m.c);
  return m.c === 1 ? body : b.mul(b.constant(m.c), body);
}

/**
 * Tree size, counting shared subtrees each time they occur (what the reader reads); a
 * power counts double, so that σ⊙(1 − σ) is not traded for σ − σ²; constants count nothing.
 */
const SIZE_CAP = 400;

function size(n: Node, cap = SIZE_CAP): number {
  let count = 0;
  const stack = [n];
  while (stack.length && count < cap) {
    const x = stack.pop()!;
    // Constants and scaling by a constant are free: k·(1 − x) is no longer than k − k·x,
    // and the sum rule writes the latter as the former (they must not undo each other).
    count += x.op === 'pow' ? 2 : x.op === 'const' || (x.op === 'mul' && x.args[0]!.op === 'const') ? 0 : 1;
    stack.push(...x.args);
  }
  return count;
}

/** The expanded, collected form of an elementwise polynomial, if it is smaller than `n`. */
export function expandIfShorter(n: Node): Node | undefined {
  if (n.op !== 'mul' && n.op !== 'add') return undefined;
  if (n.op === 'mul' && !n.args.some((a) => a.op === 'add')) return undefined;
  if (!withinVisits(n)) return undefined;
  let ms: Monomial[];
  visits = 0;
  try {
    const raw = monomials(n);
    const first = collect(raw);
    const expanded = expandFactors(first);
    ms = collect(expanded);
    // Worth it only when something cancels: terms that collect away, or a divisor that
    // is a sum dividing out. Otherwise the factored form (σ ⊙ (1 − σ)) reads better.
    const divisors = (xs: Monomial[]) =>
      xs.reduce((k, m) => k + [...m.f].filter(([f, e]) => f.op === 'add' && e < 0).length, 0);
    if (first.length === raw.length && ms.length === expanded.length && divisors(ms) >= divisors(first))
      return undefined;
  } catch (e) {
    if (e instanceof TooBig) return undefined;
    throw e;
  }
  const terms = ms.map((m) => rebuildMonomial(m, n.shape));
  let out = addAll(terms, n.shape) ?? b.fill(0, n.shape);
  if (!shapeEq(out.shape, n.shape)) out = b.broadcastTo(out, n.shape);
  // Sizes are counted up to a cap: past it two expressions cannot be compared, and an
  // expansion that large is no simplification (nor stable against the sum rule).
  const grown = size(out);
  return grown < SIZE_CAP && grown < size(n) ? out : undefined;
}
