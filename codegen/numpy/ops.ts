/**
 * Each primitive as a NumPy expression, over its arguments already rendered. Values are
 * 2-D arrays shaped as the formula says (a vector is a column (n, 1)) or NumPy scalars,
 * so that NumPy's broadcasting is the language's: a scalar with anything, a column
 * [m] with [m, B] column by column, a row [1, n] with [m, n] row by row.
 *
 * The matrix product is not here: emit.ts renders it, as `solve` where an operand is an
 * inverse, as `*` where an operand is a scalar.
 */
import type { Node } from '../../src/graph/node.js';
import { UNARY_FNS, type OpName, type UnaryFn } from '../../src/ops/names.js';
import { fnRow, helperOf } from '../../src/ops/elementwise.js';
import { isScalar } from '../../src/shape/shape.js';
import type { Dim } from '../../src/shape/dim.js';
import type { Helper } from './runtime.js';
import { commutationSizes } from '../../src/ops/kronecker.js';

/** Python's precedence levels, loosest first (`**` binds tighter than unary minus). */
export const PY = { ADD: 1, MUL: 2, UNARY: 3, POW: 4, ATOM: 5 } as const;

export interface Py {
  readonly text: string;
  readonly prec: number;
  /** For a negation (`-x`, `-2 * x`, `-0.5`): the positive form, so that `a + -x` prints `a - x`. */
  readonly neg?: Py;
  /** For a reciprocal (`1 / x`): the divisor, so that `a * (1 / x)` prints `a / x`. */
  readonly recip?: Py;
  /** For a transpose (`x.T`): x, so that a transpose of it is x again. */
  readonly tp?: Py;
}

export interface Arg extends Py {
  readonly node: Node;
}

export interface PyCtx {
  /** A dimension's size as Python: `n`, `3`, `2 * m * n`. */
  dim(d: Dim): Py;
  /** Records that the module calls `helper`. */
  use(helper: Helper): string;
}

type Render = (args: readonly Arg[], node: Node, ctx: PyCtx) => Py;

/** `p` as an operand needing at least `prec`: parenthesised otherwise. */
export const at = (p: Py, prec: number): string => (p.prec >= prec ? p.text : `(${p.text})`);
const atom = (text: string): Py => ({ text, prec: PY.ATOM });
const call = (f: string, ...args: string[]): Py => atom(`${f}(${args.join(', ')})`);

/** An elementwise function: its registry row's NumPy code, and the helper that calls, if any. */
const unary =
  (f: UnaryFn): Render =>
  ([a], _n, ctx) => {
    const helper = helperOf(f, 'numpy');
    if (helper) ctx.use(helper.name as Helper);
    return atom(fnRow(f).code.numpy(a!.text));
  };

/** A Python number: shortest round-trip form (JavaScript's), `np.inf`/`np.nan` where not finite. */
export function literal(v: number): Py {
  if (Number.isNaN(v)) return atom('np.nan');
  if (v < 0) {
    const neg = literal(-v);
    return { text: `-${neg.text}`, prec: PY.UNARY, neg };
  }
  return atom(Number.isFinite(v) ? String(v) : 'np.inf');
}

/** a·b, as a quotient where a factor is a reciprocal, without a factor 1. */
function times(a: Py, b: Py): Py {
  if (a.text === '1') return b;
  if (b.text === '1') return a;
  if (b.recip) return a.text === '1' ? b : product(a, b.recip, '/');
  if (a.recip) return product(b, a.recip, '/');
  return product(a, b, '*');
}

/**
 * −p, remembering p. Before a product or quotient the sign needs no parentheses: −x / B
 * is (−x) / B, the same number, and stays at the product's precedence.
 */
function negate(p: Py): Py {
  if (p.prec === PY.MUL) return { text: `-${p.text}`, prec: PY.MUL, neg: p };
  return { text: `-${at(p, PY.POW)}`, prec: PY.UNARY, neg: p };
}

export function product(a: Py, b: Py, op: '*' | '/' | '@'): Py {
  return { text: `${at(a, PY.MUL)} ${op} ${at(b, PY.MUL + 1)}`, prec: PY.MUL };
}

/** Declared sym or spd, or the inverse of such a matrix. */
const symmetric = (n: Node): boolean =>
  n.props?.includes('sym') || n.props?.includes('spd') || (n.op === 'inv' && symmetric(n.args[0]!));

/** Transpose as an attribute; symmetric declarations need none, a transpose of a transpose is its argument. */
export function transposeOf(a: Arg): Py {
  if (a.tp) return a.tp;
  if (isScalar(a.node.shape) || symmetric(a.node)) return a;
  return { text: `${at(a, PY.ATOM)}.T`, prec: PY.ATOM, tp: a };
}

export const PY_OPS: Record<Exclude<OpName, 'matmul'>, Render> = {
  var: () => {
    throw new Error('variables are bound by name');
  },
  const: (_a, n) => literal(n.num!),
  dimval: (_a, n, ctx) => ctx.dim(n.dim!),
  fill: (_a, n, ctx) => {
    const shape = `(${ctx.dim(n.shape.rows).text}, ${ctx.dim(n.shape.cols).text})`;
    if (n.num === 0) return call('np.zeros', shape);
    if (n.num === 1) return call('np.ones', shape);
    return call('np.full', shape, literal(n.num!).text);
  },
  eye: (_a, n, ctx) => call('np.eye', ctx.dim(n.dim!).text),
  // a + (−b) prints a − b; a leading negation stays.
  add: ([a, b]) =>
    b!.neg
      ? { text: `${at(a!, PY.ADD)} - ${at(b!.neg, PY.ADD + 1)}`, prec: PY.ADD }
      : { text: `${at(a!, PY.ADD)} + ${at(b!, PY.ADD + 1)}`, prec: PY.ADD },
  // A sign comes out in front ((−c)·x prints −c * x, (−1)·x prints −x, (−a)·b prints −(a·b)),
  // a·b⁻¹ prints a / b, 1·x prints x.
  mul: ([a, b]) => {
    const inner = times(a!.neg ?? a!, b!.neg ?? b!);
    return !a!.neg !== !b!.neg ? negate(inner) : inner;
  },
  pow: ([a], n) => {
    const p = n.num!;
    if (p === 0.5) return call('np.sqrt', a!.text);
    if (p === -1) return { ...product(atom('1'), a!, '/'), recip: a! };
    return { text: `${at(a!, PY.ATOM)} ** ${literal(p).text}`, prec: PY.POW };
  },
  ...(Object.fromEntries(UNARY_FNS.map((f) => [f, unary(f)])) as Record<UnaryFn, Render>),
  transpose: ([a]) => transposeOf(a!),
  sum: ([a]) => (isScalar(a!.node.shape) ? a! : call('np.sum', a!.text)),
  tr: ([a]) => (isScalar(a!.node.shape) ? a! : call('np.trace', a!.text)),
  softmax: ([a], _n, ctx) => call(ctx.use('_softmax'), a!.text),
  logsumexp: ([a], _n, ctx) => call(ctx.use('_logsumexp'), a!.text),
  inv: ([a]) =>
    isScalar(a!.node.shape) ? { ...product(atom('1'), a!, '/'), recip: a! } : call('np.linalg.inv', a!.text),
  det: ([a]) => (isScalar(a!.node.shape) ? a! : call('np.linalg.det', a!.text)),
  // log |det A| from the LU factors' log-magnitudes: no overflow where det itself would.
  logdet: ([a]) =>
    isScalar(a!.node.shape) ? call('np.log', call('np.abs', a!.text).text) : atom(`np.linalg.slogdet(${a!.text})[1]`),
  diag: ([a]) => call('np.diagflat', a!.text),
  diagvec: ([a]) =>
    isScalar(a!.node.shape) ? call('np.reshape', a!.text, '(1, 1)') : atom(`np.diag(${a!.text}).reshape(-1, 1)`),
  vec: ([a]) => call('np.reshape', a!.text, '(-1, 1)', 'order="F"'),
  kron: ([a, b]) => call('np.kron', a!.text, b!.text),
  commutation: (_a, n, ctx) => {
    const [m, k] = commutationSizes(n);
    return call(ctx.use('_commutation'), ctx.dim(m).text, ctx.dim(k).text);
  },
  unvec: ([a], n, ctx) => call('np.reshape', a!.text, `(${ctx.dim(n.dim!).text}, -1)`, 'order="F"'),
};
