/**
 * Smart constructors: the only way the parser, the differentiator and the simplifier
 * build nodes. They rewrite sugar into primitives (`a − b = a + (−1)·b`,
 * `a ⊘ b = a ⊙ b.^−1`) and keep a few exact canonical forms, so that what prints
 * also parses back to the identical node:
 *   - a scalar factor of a product stands first:  A·s → s·A;
 *   - between scalars, a reciprocal stands last:  d⁻¹·n → n·d⁻¹ (printed n / d);
 *   - scalar factors gather in front:  s·(t·A) → (s·t)·A,  (s·A)·B → s·(A·B);
 *   - products of constants fold:  2·3 → 6,  −(2) → −2.
 */
import { type Dim, dimMul, isNumeric, ONE, isOne } from '../shape/dim.js';
import { type Shape, SCALAR, broadcast, isScalar, isColumn, isRow, shape, shapeEq } from '../shape/shape.js';
import type { Property } from '../parse/ast.js';
import type { UnaryFn } from '../ops/names.js';
import { type Node, type NodeExtras, ShapeError, intern } from './node.js';
import type { OpName } from '../ops/names.js';
import { opDef } from '../ops/lookup.js';

/**
 * The unique node for `op(args)` with `extras`, its shape from the operator's shape rule
 * (the registry, bound late: the operators build their derivatives with these
 * constructors). Throws ShapeError when shapes do not fit.
 */
export function mk(op: OpName, args: readonly Node[], extras: NodeExtras = {}): Node {
  return intern(op, args, extras.shape ?? opDef(op).shape(args, extras), extras);
}

export const variable = (name: string, s: Shape, props: readonly Property[] = []): Node =>
  mk('var', [], { name, shape: s, props });

export const constant = (v: number): Node => {
  // Folding finite literals can overflow (1e200·1e200): no node holds ±Infinity or NaN,
  // which would print as text that does not parse.
  if (!Number.isFinite(v))
    throw new ShapeError(
      'this constant expression has no finite value: it divides by zero, or goes beyond float64 (about 1.8e308)',
      'E018',
    );
  return mk('const', [], { num: v === 0 ? 0 : v, shape: SCALAR });
};

export const isConst = (n: Node, v?: number): boolean => n.op === 'const' && (v === undefined || n.num === v);

/** The size of a dimension as a scalar value: a constant when numeric, else a product of `dimval`s. */
export function dimValue(d: Dim): Node {
  if (isNumeric(d)) return constant(d.k);
  let out: Node | undefined = d.k === 1 ? undefined : constant(d.k);
  for (const s of d.syms) {
    const v = mk('dimval', [], { dim: { k: 1, syms: [s] }, shape: SCALAR });
    out = out ? mul(out, v) : v;
  }
  return out!;
}

/** ones(rows, cols) or zeros(rows, cols); a 1×1 fill is the constant itself. */
export function fill(value: 0 | 1, s: Shape): Node {
  return isScalar(s) ? constant(value) : mk('fill', [], { num: value, shape: s });
}
export const ones = (rows: Dim, cols: Dim = ONE): Node => fill(1, shape(rows, cols));
export const zeros = (s: Shape): Node => fill(0, s);
const isZeros = (n: Node): boolean => n.op === 'fill' && n.num === 0;
export const eye = (n: Dim): Node => (isOne(n) ? constant(1) : mk('eye', [], { dim: n, shape: shape(n, n) }));

export function add(a: Node, b: Node): Node {
  if (isConst(a) && isConst(b)) return constant(a.num! + b.num!);
  return mk('add', [a, b]);
}

/**
 * −a, with the sign on the leftmost factor of a product: −(2·x) = (−2)·x and
 * −(y / d) = (−y) / d — the nodes that parsing `−2·x` and `−y / d` builds.
 */
export function neg(a: Node): Node {
  if (isConst(a)) return constant(-a.num!);
  if (a.op === 'mul') {
    const [l, r] = a.args as [Node, Node];
    if (isConst(l)) return isConst(l, -1) ? r : mul(constant(-l.num!), r);
    if (isScalar(l.shape)) return mul(neg(l), r);
  }
  return mul(constant(-1), a);
}

/** Does `a` print with a leading minus — a negative constant, or a product whose first factor has one? */
export function isNegated(a: Node): boolean {
  if (isConst(a)) return a.num! < 0;
  return a.op === 'mul' && isScalar(a.args[0]!.shape) && isNegated(a.args[0]!);
}

export const sub = (a: Node, b: Node): Node => add(a, neg(b));

/** Is `n` a product `s·A` with a scalar factor `s` in front of a non-scalar `A`? */
const scaled = (n: Node): boolean => n.op === 'mul' && isScalar(n.args[0]!.shape) && !isScalar(n.shape);

const isRecip = (n: Node): boolean => n.op === 'pow' && n.num === -1;

/** Hadamard product, or scaling when one side is a scalar. */
export function mul(a: Node, b: Node): Node {
  if (isConst(a) && isConst(b)) return constant(a.num! * b.num!);
  // 0·X = zeros: also where X has no finite value (the norm's adjoint u/‖u‖ at u = 0).
  if (isConst(a, 0) || isConst(b, 0)) {
    const s = isScalar(a.shape) ? b.shape : isScalar(b.shape) ? a.shape : broadcast(a.shape, b.shape);
    if (s) return zeros(s);
  }
  const sa = isScalar(a.shape);
  const sb = isScalar(b.shape);
  if (sb && !sa) return mul(b, a);
  // Between scalars a constant goes first, and constants fold: c·(d·X) → (c·d)·X.
  if (sa && sb && isConst(b)) return mul(b, a);
  if (isConst(a) && b.op === 'mul' && isConst(b.args[0]!)) {
    const c = a.num! * b.args[0]!.num!;
    return c === 1 ? b.args[1]! : mul(constant(c), b.args[1]!);
  }
  // Between scalars a constant joins the numerator, as normal products build it: c·(n / d) → (c·n) / d.
  if (sa && sb && isConst(a) && b.op === 'mul' && isRecip(b.args[1]!) && !isRecip(b.args[0]!))
    return mul(mul(a, b.args[0]!), b.args[1]!);
  // … and with the leftmost factor of any product of scalars: c·(x·y) → (c·x)·y, as −(x·y) builds it.
  if (sa && sb && isConst(a) && b.op === 'mul') return mul(mul(a, b.args[0]!), b.args[1]!);
  // Between scalars a reciprocal goes last, so that n·X / d and (n / d)·X are one node.
  if (sa && sb && isRecip(a) && !isRecip(b)) return mul(b, a);
  // … also after a product: (n / d)·x → (n·x) / d, as parsing −x / d builds it.
  if (sa && sb && a.op === 'mul' && isRecip(a.args[1]!) && !isRecip(b)) return mul(mul(a.args[0]!, b), a.args[1]!);
  if (sa && !sb && scaled(b)) return mul(mul(a, b.args[0]!), b.args[1]!);
  if (!sa && !sb) {
    if (scaled(a)) return mul(a.args[0]!, mul(a.args[1]!, b));
    if (scaled(b)) return mul(b.args[0]!, mul(a, b.args[1]!));
  }
  return mk('mul', [a, b]);
}

/** Elementwise power by a constant exponent (also the power of a scalar). */
export function pow(a: Node, p: number): Node {
  if (p === 1) return a;
  if (isConst(a) && Number.isInteger(p) && p >= 0) return constant(a.num! ** p);
  if (isConst(a, 1)) return a; // 1^p = 1 (else 1⁻¹ prints `/ 1`, which parses to nothing)
  return mk('pow', [a], { num: p });
}

export const recip = (a: Node): Node => pow(a, -1);
/** a ⊘ b, and a / s. */
export const div = (a: Node, b: Node): Node => (isConst(b, 1) ? a : mul(a, recip(b)));

/** Matrix product; a 1×1 side scales instead, and scalar factors move out in front. */
export function matmul(a: Node, b: Node): Node {
  if (isScalar(a.shape) || isScalar(b.shape)) return mul(a, b);
  // A·0 = 0·B = zeros, as 0·X is (so that no adjoint divides by a norm of it: ‖xᵀ·zeros(m, 1)‖).
  if (isZeros(a) || isZeros(b)) return zeros(shape(a.shape.rows, b.shape.cols));
  if (scaled(a)) return mul(a.args[0]!, matmul(a.args[1]!, b));
  if (scaled(b)) return mul(b.args[0]!, matmul(a, b.args[1]!));
  return mk('matmul', [a, b]);
}

export const transpose = (a: Node): Node => (isScalar(a.shape) ? a : mk('transpose', [a]));
export const T = transpose;

/** A⁻¹; the inverse of a 1×1 is its reciprocal. */
export const inv = (a: Node): Node => (isScalar(a.shape) ? recip(a) : mk('inv', [a]));

export const fn = (name: UnaryFn, a: Node): Node => mk(name, [a]);
export const sqrt = (a: Node): Node => pow(a, 0.5);

export const sum = (a: Node): Node => (isScalar(a.shape) ? a : mk('sum', [a]));
export const tr = (a: Node): Node => (isScalar(a.shape) ? a : mk('tr', [a]));
export const mean = (a: Node): Node => div(sum(a), dimValue(dimMul(a.shape.rows, a.shape.cols)));
/** ‖A‖ = (Σ A.^2)^½ — with the square as the simplifier writes it, so that a simplified norm still prints as ‖A‖. */
export const norm = (a: Node): Node => sqrt(sum(pow(a, 2)));

export const softmax = (a: Node): Node => mk('softmax', [a]);
export const logsumexp = (a: Node): Node => mk('logsumexp', [a]);
export const det = (a: Node): Node => (isScalar(a.shape) ? a : mk('det', [a]));
export const logdet = (a: Node): Node => (isScalar(a.shape) ? fn('log', fn('abs', a)) : mk('logdet', [a]));

/** diag(x) for a vector, diag(A) for a square matrix; a 1×1 is its own diagonal. */
export function diag(a: Node): Node {
  if (isScalar(a.shape)) return a;
  return isColumn(a.shape) ? mk('diag', [a]) : mk('diagvec', [a]);
}
export const vec = (a: Node): Node => (isColumn(a.shape) ? a : mk('vec', [a]));
export const unvec = (v: Node, rows: Dim): Node =>
  isOne(rows) && isRow(v.shape) ? v : mk('unvec', [v], { dim: rows });

/** A ⊗ B. A 1×1 side scales, and scalar factors move out in front: (s·A) ⊗ B = s·(A ⊗ B). */
export function kron(a: Node, b: Node): Node {
  if (isScalar(a.shape) || isScalar(b.shape)) return mul(a, b);
  if (scaled(a)) return mul(a.args[0]!, kron(a.args[1]!, b));
  if (scaled(b)) return mul(b.args[0]!, kron(a, b.args[1]!));
  return mk('kron', [a, b]);
}

/** commutation(m, n), [mn, mn], with commutation(m, n)·vec(A) = vec(Aᵀ) for A: [m, n]; I(n) when m or n is 1. */
export function commutation(m: Dim, n: Dim): Node {
  const mn = dimMul(m, n);
  if (isOne(m) || isOne(n)) return eye(mn);
  return mk('commutation', [], { dim: m, shape: shape(mn, mn) });
}

/**
 * The adjoint of a broadcast: `g`, shaped like the broadcast result, summed back to
 * `target` — over everything for a scalar (`sum(G)`), over columns for a column
 * vector (`G·1`), over rows for a row (`1ᵀ·G`).
 */
export function unbroadcast(g: Node, target: Shape): Node {
  if (shapeEq(g.shape, target)) return g;
  if (isScalar(target)) return sum(g);
  if (isColumn(target)) return matmul(g, ones(g.shape.cols));
  return matmul(T(ones(g.shape.rows)), g);
}

/** `a` broadcast to shape `s` (for adjoints of reductions): s·ones for a scalar. */
export function broadcastTo(a: Node, s: Shape): Node {
  if (shapeEq(a.shape, s)) return a;
  return mul(a, fill(1, s));
}
