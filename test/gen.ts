/**
 * Shared random generators for the property tests: well-shaped expressions built
 * through the smart constructors over a fixed set of declared variables, the source text
 * of those declarations (so that a printed expression re-parses in context), and random
 * data that respects the declared properties.
 *
 * Expressions are drawn from a seeded PRNG rather than composed from fast-check
 * arbitraries: shapes are dependent (a product picks an inner dimension, `unvec` needs
 * a product dimension), which is easy to write as a recursive function and awkward as
 * arbitraries. fast-check drives the seed and the depth; a counterexample prints as
 * `seed …, depth …: <expression>`, and `exprFromSeed` rebuilds it.
 *
 * Domains: `log`, `sqrt`, negative and fractional powers, `⊘` and `/` are applied only
 * to expressions that are positive by construction (exp, softplus, σ, x ⊙ x + 1, pos
 * variables, …). With `safe`, inverses, determinants and log-determinants are taken only
 * of symmetric positive definite expressions (K, Gᵀ·G + I, diag(pos), …); without it,
 * of any square expression.
 */
import fc from 'fast-check';
import { parse, printExpr, evaluate } from '../src/index.js';
import * as b from '../src/graph/build.js';
import { type Node, topoOrder } from '../src/graph/node.js';
import { type Dim, ONE, dimEq, dimMul, dimNum, dimSym, dimValue, isOne } from '../src/shape/dim.js';
import { type Shape, SCALAR, isColumn, isRow, isScalar, isSquare, shape, shapeEq } from '../src/shape/shape.js';
import type { Mat } from '../src/eval/mat.js';
import { mat } from '../src/eval/mat.js';
import type { UnaryFn } from '../src/ops/names.js';
import { rng as prng } from '../src/util/random.js';

/** The declarations every generated expression lives under. */
export const DECLS = [
  'A: [m, n]; B: [n, p]; C: [n, n]; D: [m, m]; F: [2, m]',
  'S: [n, n] sym; K: [n, n] spd',
  'x: [m]; y: [n]; z: [n]; q: [n] pos; r: [1, n]; w: [p]',
  's: []; t: [] pos',
].join('\n');

/** Sizes of the symbolic dimensions in random data: all different, so a mix-up shows. */
export const DIM_SIZES: ReadonlyMap<string, number> = new Map([
  ['m', 2],
  ['n', 3],
  ['p', 4],
]);

export const [m, n, p] = [dimSym('m'), dimSym('n'), dimSym('p')];
const TWO = dimNum(2);
const DIMS: Dim[] = [m, n, p, TWO, ONE];

const declModel = parse(DECLS, 'decls.mdf');
/** The declared variables, by name. */
export const VARS: ReadonlyMap<string, Node> = new Map([...declModel.vars].map(([k, v]) => [k, v.node]));
export const v = (name: string): Node => VARS.get(name)!;

/** Parses `text` as the definition `E` under DECLS (plus `extra` lines) and returns E's node. */
export function reparse(text: string, extra = ''): Node {
  const model = parse(`${DECLS}\n${extra}${extra ? '\n' : ''}E = ${text}`, 'reparse.mdf');
  return model.defs.get('E')!.node;
}

/** The project's seeded PRNG (mulberry32). */
export { prng };

type Dom = 'any' | 'pos';
type Rule = () => Node | undefined;

const NONSMOOTH: UnaryFn[] = ['abs', 'relu', 'step', 'sign'];
const SMOOTH: UnaryFn[] = ['exp', 'sin', 'cos', 'tanh', 'erf', 'sigmoid', 'softplus'];

export interface GenOptions {
  /** Inverses and determinants only of SPD expressions (for numeric tests). */
  safe?: boolean;
  /** Leave out abs, relu, step and sign. */
  smooth?: boolean;
}

class Gen {
  constructor(
    private readonly rnd: () => number,
    private readonly opts: GenOptions,
  ) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.rnd() < p;
  }
  randShape(): Shape {
    return shape(this.pick(DIMS), this.pick(DIMS));
  }

  expr(s: Shape, depth: number, dom: Dom = 'any'): Node {
    if (depth <= 0 || this.chance(0.12)) return this.leaf(s, dom);
    const rules = dom === 'pos' ? this.posRules(s, depth - 1) : this.rules(s, depth - 1);
    for (let tries = 0; tries < 8; tries++) {
      const out = this.pick(rules)();
      if (out) return check(out, s);
    }
    return this.leaf(s, dom);
  }

  leaf(s: Shape, dom: Dom): Node {
    const cands: Node[] = [];
    for (const x of VARS.values()) {
      const pos = x.props?.includes('pos') ?? false;
      if (shapeEq(x.shape, s) && (dom === 'any' || pos)) cands.push(x, x, x);
      if (dom === 'any' && !isScalar(s) && shapeEq(x.shape, shape(s.cols, s.rows))) cands.push(b.T(x));
    }
    if (isScalar(s)) {
      if (dom === 'any') cands.push(...[-2, -1, 0, 0.5, 1, 2, 3].map(b.constant));
      cands.push(...[0.5, 1, 2, 3, 0.25].map(b.constant), b.dimValue(m), b.dimValue(n), b.dimValue(p));
    } else {
      cands.push(b.fill(1, s));
      if (dom === 'any') cands.push(b.fill(0, s));
      if (dom === 'any' && isSquare(s)) cands.push(b.eye(s.rows), b.eye(s.rows));
    }
    if (dom === 'pos' && cands.length < 3) {
      const inner = this.leaf(s, 'any');
      cands.push(b.fn('exp', inner), b.fn('softplus', inner), b.fn('sigmoid', inner));
    }
    return this.pick(cands);
  }

  /** One of: the two operands in either order, `other` shaped like s, a column, a row or a scalar. */
  private broadcast(s: Shape, e: (s: Shape) => Node, op: (a: Node, c: Node) => Node): Node {
    const shapes = [SCALAR];
    if (!isOne(s.cols)) shapes.push(shape(s.rows, ONE));
    if (!isOne(s.rows)) shapes.push(shape(ONE, s.cols));
    const small = e(this.pick(shapes));
    const big = e(s);
    return this.chance(0.5) ? op(big, small) : op(small, big);
  }

  private rules(s: Shape, d: number): Rule[] {
    const e = (t: Shape, dom: Dom = 'any') => this.expr(t, d, dom);
    const { rows: r, cols: c } = s;
    const fns: UnaryFn[] = this.opts.smooth ? SMOOTH : [...SMOOTH, ...NONSMOOTH];
    const rules: Rule[] = [
      () => b.add(e(s), e(s)),
      () => b.sub(e(s), e(s)),
      () => this.broadcast(s, e, b.add),
      () => this.broadcast(s, e, b.sub),
      () => b.neg(e(s)),
      () => b.mul(e(s), e(s)),
      () => this.broadcast(s, e, b.mul),
      () => b.div(e(s), e(s, 'pos')),
      () => b.div(e(s), e(this.pick([SCALAR, shape(r, ONE), shape(ONE, c)]), 'pos')),
      () => b.mul(e(SCALAR), e(s)),
      () => {
        const k = this.pick(DIMS);
        return b.matmul(e(shape(r, k)), e(shape(k, c)));
      },
      () => {
        const k = this.pick(DIMS);
        return b.matmul(e(shape(r, k)), e(shape(k, c)));
      },
      () => b.T(e(shape(c, r))),
      () => b.pow(e(s), this.pick([2, 3])),
      () => b.pow(e(s, 'pos'), this.pick([-1, 0.5, -0.5, 1.5, -2])),
      () => b.fn(this.pick(fns), e(s)),
      () => b.fn(this.pick(fns), e(s)),
      () => b.fn('log', e(s, 'pos')),
      () => b.sqrt(e(s, 'pos')),
      () => b.softmax(e(s)),
    ];
    if (isSquare(s) && !isScalar(s))
      rules.push(
        () => b.inv(this.square(r, d)),
        () => b.diag(e(shape(r, ONE))),
        () => b.eye(r),
      );
    if (isColumn(s) && !isScalar(s)) {
      rules.push(() => b.diag(e(shape(r, r))));
      const parts = factors(r);
      if (parts.length) rules.push(() => b.vec(e(this.pick(parts))));
    }
    if (!isOne(c)) rules.push(() => b.unvec(e(shape(dimMul(r, c), ONE)), r));
    // Kronecker products and commutation matrices where the sizes are products (m·n).
    const rowParts = factors(r);
    if (rowParts.length) {
      const colParts = isOne(c) ? [shape(ONE, ONE)] : factors(c);
      if (colParts.length)
        rules.push(() => {
          const [rp, cp] = [this.pick(rowParts), this.pick(colParts)];
          return b.kron(e(shape(rp.rows, cp.rows)), e(shape(rp.cols, cp.cols)));
        });
      rules.push(() => {
        const rp = this.pick(rowParts);
        return b.matmul(b.commutation(rp.rows, rp.cols), e(s));
      });
    }
    if (isRow(s) && !isScalar(s)) rules.push(() => b.logsumexp(e(shape(this.pick(DIMS), c))));
    if (isScalar(s)) {
      const sq = this.pick([m, n, p, TWO]);
      rules.push(
        () => b.sum(e(this.randShape())),
        () => b.sum(e(this.randShape())),
        () => b.mean(e(this.randShape())),
        () => b.norm(e(this.randShape())),
        () => b.tr(e(shape(sq, sq))),
        () => b.det(this.square(sq, d)),
        () => b.logdet(this.square(sq, d)),
        () => b.sum(b.vec(e(this.randShape()))),
        () => b.logsumexp(e(shape(this.pick(DIMS), ONE))),
      );
    }
    return rules;
  }

  private posRules(s: Shape, d: number): Rule[] {
    const e = (t: Shape, dom: Dom = 'any') => this.expr(t, d, dom);
    const { rows: r, cols: c } = s;
    const rules: Rule[] = [
      () => b.fn('exp', e(s)),
      () => b.fn('softplus', e(s)),
      () => b.fn('sigmoid', e(s)),
      () => b.add(e(s, 'pos'), e(s, 'pos')),
      () => this.broadcast(s, (t) => e(t, 'pos'), b.add),
      () => b.mul(e(s, 'pos'), e(s, 'pos')),
      () => this.broadcast(s, (t) => e(t, 'pos'), b.mul),
      () => b.div(e(s, 'pos'), e(s, 'pos')),
      () => b.pow(e(s, 'pos'), this.pick([-1, 0.5, 2, -0.5])),
      () => {
        const g = e(s);
        return b.add(b.mul(g, g), b.constant(1));
      },
      () => b.softmax(e(s)),
      () => b.mul(e(SCALAR, 'pos'), e(s, 'pos')),
      () => b.T(e(shape(c, r), 'pos')),
      () => {
        const k = this.pick(DIMS);
        return b.matmul(e(shape(r, k), 'pos'), e(shape(k, c), 'pos'));
      },
    ];
    if (isColumn(s) && !isScalar(s)) rules.push(() => b.diag(this.spd(r, d)));
    if (isScalar(s))
      rules.push(
        () => b.sum(e(this.randShape(), 'pos')),
        () => b.mean(e(this.randShape(), 'pos')),
        () => b.add(b.norm(e(this.randShape())), b.constant(1)),
        () => b.det(this.spd(this.pick([m, n, TWO]), d)),
      );
    return rules;
  }

  /** A square [k, k] expression to invert or take the determinant of. */
  private square(k: Dim, d: number): Node {
    return this.opts.safe || this.chance(0.3) ? this.spd(k, d) : this.expr(shape(k, k), d);
  }

  /** A symmetric positive definite [k, k] expression (eigenvalues bounded away from 0). */
  spd(k: Dim, d: number): Node {
    const rules: Rule[] = [
      () => (dimEq(k, n) ? v('K') : undefined),
      () => b.eye(k),
      () => {
        const g = this.expr(shape(this.pick(DIMS), k), d - 1);
        return b.add(b.matmul(b.T(g), g), b.eye(k));
      },
    ];
    if (d > 0)
      rules.push(
        () => b.add(this.spd(k, d - 1), this.spd(k, d - 1)),
        () => b.mul(this.expr(SCALAR, d - 1, 'pos'), this.spd(k, d - 1)),
        () => b.diag(b.add(this.expr(shape(k, ONE), d - 1, 'pos'), b.constant(0.5))),
        () => b.inv(this.spd(k, d - 1)),
      );
    for (;;) {
      const out = this.pick(rules)();
      if (out) return out;
    }
  }
}

/** The ways to write a product dimension as rows × cols (for `vec`). */
function factors(d: Dim): Shape[] {
  if (d.syms.length === 2 && d.k === 1) {
    const [a, c] = d.syms.map(dimSym) as [Dim, Dim];
    return [shape(a, c), shape(c, a)];
  }
  if (d.syms.length === 1 && d.k > 1) {
    const [a, c] = [dimSym(d.syms[0]!), dimNum(d.k)];
    return [shape(a, c), shape(c, a)];
  }
  return [];
}

function check(node: Node, s: Shape): Node {
  if (!shapeEq(node.shape, s))
    throw new Error(`generator bug: built ${JSON.stringify(node.shape)} for ${JSON.stringify(s)}`);
  return node;
}

export interface Sample {
  seed: number;
  depth: number;
  node: Node;
}

/** The expression of `seed` at `depth`; `target` 'any' draws a shape too. */
export function exprFromSeed(seed: number, depth: number, target: Shape | 'any' = 'any', opts: GenOptions = {}): Node {
  const g = new Gen(prng(seed), opts);
  return g.expr(target === 'any' ? g.randShape() : target, depth);
}

/** fast-check arbitrary of random well-shaped expressions. */
export function arbExpr(opts: GenOptions & { target?: Shape | 'any'; maxDepth?: number } = {}): fc.Arbitrary<Sample> {
  const { target = 'any', maxDepth = 4 } = opts;
  return fc
    .record({ seed: fc.integer({ min: 0, max: 0x7fffffff }), depth: fc.integer({ min: 1, max: maxDepth }) })
    .map(({ seed, depth }) => {
      const node = exprFromSeed(seed, depth, target, opts);
      return {
        seed,
        depth,
        node,
        [fc.toStringMethod]: () => `seed ${seed}, depth ${depth}: ${printExpr(node, 'unicode')}`,
      } as Sample;
    });
}

// ── data ──

export interface Env {
  vars: Map<string, Mat>;
  dims: Map<string, number>;
}

export const normal = (rnd: () => number): number => {
  const u = Math.max(rnd(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
};

/** A random value for each variable of `vars`: sym → symmetric, spd → G·Gᵀ + k·I, pos → in [0.5, 2]. */
export function randomEnv(
  seed: number,
  vars: Iterable<Node> = VARS.values(),
  dims: ReadonlyMap<string, number> = DIM_SIZES,
): Env {
  const rnd = prng(seed ^ 0x5bd1e995);
  const out = new Map<string, Mat>();
  for (const x of vars) {
    const [rows, cols] = [dimValue(x.shape.rows, dims), dimValue(x.shape.cols, dims)];
    out.set(x.name!, randomMat(rows, cols, x.props ?? [], rnd));
  }
  return { vars: out, dims: new Map(dims) };
}

export function randomMat(rows: number, cols: number, props: readonly string[], rnd: () => number): Mat {
  const a = mat(rows, cols);
  if (props.includes('pos')) {
    for (let i = 0; i < a.data.length; i++) a.data[i] = 0.5 + 1.5 * rnd();
    return a;
  }
  for (let i = 0; i < a.data.length; i++) a.data[i] = normal(rnd);
  if (props.includes('spd')) {
    const out = mat(rows, rows);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < rows; j++) {
        let s = i === j ? rows : 0;
        for (let k = 0; k < cols; k++) s += a.data[i * cols + k]! * a.data[j * cols + k]!;
        out.data[i * rows + j] = s;
      }
    return out;
  }
  if (props.includes('sym'))
    for (let i = 0; i < rows; i++) for (let j = 0; j < i; j++) a.data[i * cols + j] = a.data[j * cols + i]!;
  return a;
}

/** The value of one node. */
export const value = (node: Node, env: Env): Mat => evaluate([node], env)[0]!;

export const maxAbs = (a: Mat): number => a.data.reduce((s, x) => Math.max(s, Math.abs(x)), 0);

/** Largest entrywise difference, relative to the larger magnitude of the two (floor `abs`). */
export function relErr(a: Mat, c: Mat, abs = 1e-9): number {
  if (a.rows !== c.rows || a.cols !== c.cols) return Infinity;
  const scale = Math.max(maxAbs(a), maxAbs(c), abs);
  let e = 0;
  for (let i = 0; i < a.data.length; i++) e = Math.max(e, Math.abs(a.data[i]! - c.data[i]!));
  return e / scale;
}

/** Every operator that occurs in `roots`. */
export const opsOf = (roots: readonly Node[]): Set<string> => new Set(topoOrder(roots).map((x) => x.op));

export { shape, SCALAR, ONE, dimSym, dimNum };

// ── numeric helpers for gradient checks ──

/** A copy of `env` with `name`'s entry `i` moved by `h`. */
export function perturbed(env: Env, name: string, i: number, h: number): Env {
  const vars = new Map(env.vars);
  const x = vars.get(name)!;
  const data = Float64Array.from(x.data);
  data[i]! += h;
  vars.set(name, mat(x.rows, x.cols, data));
  return { vars, dims: env.dims };
}

/** Central finite differences of the scalar `f` in every entry of variable `name`. */
export function fdGradient(f: Node, name: string, env: Env, h = 1e-5): Mat {
  const x = env.vars.get(name)!;
  const out = mat(x.rows, x.cols);
  for (let i = 0; i < x.data.length; i++) {
    const step = h * Math.max(1, Math.abs(x.data[i]!));
    const up = value(f, perturbed(env, name, i, step)).data[0]!;
    const down = value(f, perturbed(env, name, i, -step)).data[0]!;
    out.data[i] = (up - down) / (2 * step);
  }
  return out;
}

/** ‖A‖_F·‖A⁻¹‖_F, Infinity when singular. */
export function condition(a: Mat): number {
  const inv = evaluate([b.inv(b.variable('▢', shape(dimNum(a.rows), dimNum(a.cols))))], {
    vars: new Map([['▢', a]]),
    dims: new Map(),
  })[0]!;
  const fro = (m: Mat) => Math.sqrt(m.data.reduce((s, x) => s + x * x, 0));
  const c = fro(a) * fro(inv);
  return Number.isFinite(c) ? c : Infinity;
}

/**
 * Why finite differences cannot be trusted at this point, or undefined: a kink (abs,
 * relu, step, sign) or a singularity (log, negative or fractional powers) within reach,
 * an ill-conditioned inverse or determinant, or values that overflow.
 */
export function unsafePoint(roots: readonly Node[], env: Env): string | undefined {
  const order = topoOrder(roots);
  let values: Mat[];
  try {
    values = evaluate(order, env);
  } catch (e) {
    return `evaluation failed: ${String(e)}`;
  }
  const val = new Map(order.map((n, i) => [n, values[i]!]));
  const minAbs = (m: Mat) => m.data.reduce((s, x) => Math.min(s, Math.abs(x)), Infinity);
  for (const n of order) {
    const v = val.get(n)!;
    if (v.data.some((x) => !Number.isFinite(x) || Math.abs(x) > 1e8)) return `${n.op} overflows`;
    const arg = n.args[0] && val.get(n.args[0]);
    if (!arg) continue;
    if (['abs', 'relu', 'step', 'sign'].includes(n.op) && minAbs(arg) < 1e-3) return `${n.op} near its kink`;
    if ((n.op === 'log' || (n.op === 'pow' && !(Number.isInteger(n.num) && n.num! >= 0))) && minAbs(arg) < 1e-3)
      return `${n.op} near its singularity`;
    if (n.op === 'pow' && !Number.isInteger(n.num) && arg.data.some((x) => x < 0))
      return 'fractional power of a negative';
    if ((n.op === 'inv' || n.op === 'det' || n.op === 'logdet') && condition(arg) > 1e5)
      return `${n.op} ill-conditioned`;
    if (n.op === 'logdet' && Math.abs(v.data[0]!) > 30) return 'logdet of a near-singular matrix';
  }
  return undefined;
}

/** The declared variables `node` depends on, in declaration order. */
export const varsOf = (node: Node): Node[] => {
  const used = new Set(topoOrder([node]).filter((x) => x.op === 'var'));
  return [...VARS.values()].filter((x) => used.has(x));
};

/**
 * fast-check parameters: `numRuns` (≤ 100 keeps the suite fast) from a fixed seed when
 * given; MATDIFF_FUZZ_RUNS=5000 runs every property that long, from random seeds.
 */
export const FUZZ_RUNS = Number(process.env.MATDIFF_FUZZ_RUNS ?? 0);
export const runs = (numRuns: number, seed?: number): { numRuns: number; seed?: number } =>
  FUZZ_RUNS ? { numRuns: FUZZ_RUNS } : seed === undefined ? { numRuns } : { numRuns, seed };
