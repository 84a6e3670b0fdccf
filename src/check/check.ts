/**
 * `check`: deciding the asserts of a model.
 *
 * An assert L = R holds symbolically when the simplifier brings both sides to one node
 * (nodes are hash-consed, so that is `===`), or brings L − R to zero. Otherwise it is
 * tested on random samples (sample.ts): sizes for the symbolic dimensions (the second trial
 * sets every size to 1; every other trial draws them in 2..5, the rest in 1..5) and
 * values for the variables (respecting sym, spd, pos), evaluated in float64 by the
 * reference interpreter. A quarter of the trials draw special values (0, the kink of
 * step, sign, relu and abs; ±1; the assert's constants; repeated entries) and a quarter
 * matrices of rank one, where continuous draws never go.
 *
 * The sides agree when they differ by no more than the round-off of computing them:
 *
 *     max |L − R| ≤ 64·ε·(N + d)·M·κ
 *
 * with ε = 2⁻⁵², N the number of operations of both sides, d the largest size, M the
 * largest magnitude of any value computed on the way (a cancelling sum leaves an error
 * of the order of its terms, not of its result; for a product, of the inner terms) and
 * κ the largest condition number (∞-norm) of a matrix inverted. For O(1) inputs that is
 * about 1e-12: `x + 1e-9 = x` fails.
 *
 * A draw where a side is NaN or infinite (log of a negative number, …) or where a
 * matrix to invert (or whose logdet is taken) is singular or nearly so (condition number above 1e8) is outside
 * the identity's domain and is drawn again, a bounded number of times. An assert holds
 * numerically only when enough trials were valid at sizes ≥ 2 (size 1 makes every
 * matrix a scalar, where A·B = B·A); otherwise it could not be decided, and the report
 * says why (`inv(x·xᵀ)`: singular at every n ≥ 2).
 *
 * When a draw fails, the counterexample is shrunk: each size in turn is lowered
 * towards 1 for as long as some draw at the smaller sizes still fails, and small
 * integer values are preferred to decimals. A symbolic verdict is confirmed on a few
 * draws too; a disagreement would be a simplifier bug, and the numbers win.
 *
 * Before any draw, the memory the interpreter needs at the largest sizes (it holds
 * every node's value) is compared with `maxMemory`: an assert that cannot fit is not
 * decided, and the report names its largest value.
 */
import { type Node, topoOrder } from '../graph/node.js';
import * as b from '../graph/build.js';
import { evaluateAll } from '../eval/interpret.js';
import { type Mat, inverse } from '../eval/mat.js';
import type { Assertion, Model } from '../model/model.js';
import { simplify } from '../simplify/simplify.js';
import { lineAt } from '../errors.js';
import { printExpr } from '../print/printer.js';
import { dimValue } from '../shape/dim.js';
import { type Shape, isColumn, isScalar } from '../shape/shape.js';
import { DEFAULT_MAX_MEMORY, type MemoryNeed, tooLargeText } from '../util/memory.js';
import { type Rng, type ValueKind, sampleDims, sampleVar, rng } from './sample.js';

export interface CheckOptions {
  /** Random draws per assert that is not decided symbolically (default 20). */
  trials?: number;
  /** Seed of the random draws (default 1): the same seed gives the same report. */
  seed?: number;
  /** Largest size drawn for a symbolic dimension (default 5). */
  maxDim?: number;
  /** Multiple of the estimated round-off that the sides may differ by (default 64). */
  roundoff?: number;
  /** Bytes the interpreter may hold for one draw (default 4 GiB). */
  maxMemory?: number;
}

export interface Counterexample {
  /** Sizes of the symbolic dimensions the assert uses, in the model's order. */
  dims: Map<string, number>;
  /** Values of the variables the assert uses, in declaration order. */
  inputs: Map<string, Mat>;
  left: Mat;
  right: Mat;
  /** How each input and the sides are written: as declared (a vector of size 1 is still a vector). */
  layouts: Map<string, Layout>;
  sideLayout: Layout;
}

export type Layout = 'scalar' | 'vector' | 'matrix';

export const layoutOf = (s: Shape): Layout => (isScalar(s) ? 'scalar' : isColumn(s) ? 'vector' : 'matrix');

export type Verdict =
  | { status: 'holds'; how: 'symbolic' }
  | {
      status: 'holds';
      how: 'numeric';
      /** Trials inside the domain, of `requested`. */
      trials: number;
      requested: number;
      /** The smallest and largest size of each symbolic dimension over the valid trials. */
      sizes: Map<string, [number, number]>;
    }
  | { status: 'fails'; counterexample: Counterexample; note?: string }
  /** Too few draws were inside the domain of both sides at sizes ≥ 2, or it cannot fit in memory. */
  | { status: 'unchecked'; reason: string };

export interface AssertResult {
  /** 1-based line of the assert in the file. */
  line: number;
  /** The assert as written, `assert L = R`. */
  text: string;
  /** Each side as written. */
  leftText: string;
  rightText: string;
  verdict: Verdict;
}

const DEFAULTS = { trials: 20, seed: 1, maxDim: 5, roundoff: 64, maxMemory: DEFAULT_MAX_MEMORY };
type Options = typeof DEFAULTS;
/** Attempts at a draw inside the domain, per trial; the first few of the trial's kind, then plain draws. */
const REDRAWS = 20;
const KIND_ATTEMPTS = 4;
/** Draws tried at each candidate size while shrinking (integers, special values, decimals). */
const SHRINK_DRAWS = 12;
/** Random draws that confirm a symbolic verdict. */
const CONFIRM = 3;
/** A matrix to invert with a larger condition number (∞-norm) is treated as singular. */
const MAX_CONDITION = 1e8;
const EPS = 2 ** -52;

/** Valid trials at sizes ≥ 2 needed to call an assert true: a quarter of those asked for, at least 1. */
export const enoughTrials = (trials: number): number => Math.max(1, Math.ceil(trials / 4));

export function check(model: Model, opts: CheckOptions = {}): AssertResult[] {
  const o = { ...DEFAULTS, ...opts };
  return model.asserts.map((a, i) => {
    const [leftText, rightText] = sides(a.text);
    const verdict = decide(model, a, { ...o, seed: o.seed + 7919 * i });
    return { line: lineAt(model.source, a.span.start).line, text: a.text, leftText, rightText, verdict };
  });
}

/** `assert L = R` → [L, R]: the language has no other `=`. */
function sides(text: string): [string, string] {
  const body = text.replace(/^assert\b\s*/, '');
  const k = body.indexOf('=');
  return k < 0 ? [body, ''] : [body.slice(0, k).trim(), body.slice(k + 1).trim()];
}

function decide(model: Model, a: Assertion, o: Options): Verdict {
  const trial = new Trial(model, a, o);
  const tooBig = trial.tooBig();
  if (symbolicallyEqual(a.left, a.right)) {
    const bad = tooBig ? undefined : trial.search(CONFIRM);
    if (bad?.status === 'fails')
      return {
        ...bad,
        note: 'the simplifier calls the two sides equal, but the numbers differ: this is a matdiff bug',
      };
    return { status: 'holds', how: 'symbolic' };
  }
  if (tooBig) return { status: 'unchecked', reason: tooBig };
  return trial.search(o.trials);
}

export function symbolicallyEqual(left: Node, right: Node): boolean {
  try {
    const l = simplify(left);
    const r = simplify(right);
    if (l === r) return true;
    const d = simplify(b.sub(l, r));
    return (d.op === 'const' || d.op === 'fill') && d.num === 0;
  } catch {
    // A simplifier failure leaves the question to the numbers.
    return false;
  }
}

interface Sample {
  dims: Map<string, number>;
  inputs: Map<string, Mat>;
  left: Mat;
  right: Mat;
  /** How far the sides may differ: the round-off of computing them. */
  tolerance: number;
}

/** Why a draw is outside the domain. */
type Outside = { why: 'nonfinite' } | { why: 'singular'; matrix: Node; op: string };

/** Random trials of one assert. */
class Trial {
  private readonly nodes: Node[];
  private readonly vars: Node[];
  private readonly dimNames: string[];
  /** Nodes inv(A) and logdet(A): A must be well conditioned (log|det| of a singular A is −∞, whatever rounding says). */
  private readonly inverted: Node[];
  /** The assert's constants, where kinks of step(x − c) lie: special draws hit them. */
  private readonly special: number[];
  private readonly r: Rng;

  constructor(
    model: Model,
    private readonly a: Assertion,
    private readonly o: Options,
  ) {
    this.nodes = topoOrder([a.left, a.right]);
    const order = [...model.vars.keys()];
    this.vars = this.nodes
      .filter((n) => n.op === 'var')
      .sort((x, y) => order.indexOf(x.name!) - order.indexOf(y.name!));
    const used = new Set<string>();
    for (const n of this.nodes)
      for (const d of [n.shape.rows, n.shape.cols, n.dim]) for (const s of d?.syms ?? []) used.add(s);
    this.dimNames = [...model.dims.filter((d) => used.has(d)), ...[...used].filter((d) => !model.dims.includes(d))];
    this.inverted = this.nodes.filter((n) => n.op === 'inv' || n.op === 'logdet');
    const consts = this.nodes.filter((n) => n.op === 'const' && Math.abs(n.num!) <= 1e6).map((n) => n.num!);
    this.special = [...new Set(consts.flatMap((c) => [c, -c]))].filter((c) => c !== 0 && Math.abs(c) !== 1);
    this.r = rng(o.seed);
  }

  /** A reason not to draw at all: the values at the largest sizes would not fit in `maxMemory`. */
  tooBig(): string | undefined {
    const dims = new Map(this.dimNames.map((d) => [d, this.o.maxDim]));
    const need: MemoryNeed = { bytes: 0 };
    for (const n of this.nodes) {
      const [rows, cols] = [dimValue(n.shape.rows, dims), dimValue(n.shape.cols, dims)];
      need.bytes += 8 * rows * cols;
      if (!need.largest || 8 * rows * cols > need.largest.bytes) {
        const small = topoOrder([n]).length <= 12;
        need.largest = {
          what: small ? printExpr(n, 'unicode') : 'an intermediate',
          rows,
          cols,
          bytes: 8 * rows * cols,
        };
      }
    }
    // Factorising an inverse copies its matrix a few times more.
    if (need.bytes <= this.o.maxMemory / 2) return undefined;
    return tooLargeText(need, this.o.maxMemory, 'checking this assert', 'value');
  }

  /**
   * `trials` trials, each up to REDRAWS draws until one is inside the domain; the first
   * failing draw is shrunk. Holds when enough trials were valid at sizes ≥ 2.
   */
  search(trials: number): Verdict {
    let valid = 0;
    let big = 0;
    const sizes = new Map<string, [number, number]>();
    // Why draws at sizes ≥ 2 were outside the domain: each cause (a side, or the matrix) and how often.
    const outside = new Map<Node | 'nonfinite', { o: Outside; count: number }>();
    for (let t = 0; t < trials; t++) {
      // Trial 1 at size 1 (a failure only there is found), even trials at sizes ≥ 2, odd ones anywhere.
      const kind: ValueKind = t % 4 === 1 ? 'special' : t % 4 === 2 ? 'lowrank' : 'real';
      for (let attempt = 0; attempt < REDRAWS; attempt++) {
        const dims =
          t === 1
            ? new Map(this.dimNames.map((d) => [d, 1]))
            : sampleDims(this.dimNames, this.r, this.o.maxDim, t % 2 === 0 ? 2 : 1);
        const d = this.sample(dims, attempt < KIND_ATTEMPTS ? kind : 'real');
        if ('why' in d) {
          const key = d.why === 'nonfinite' ? 'nonfinite' : d.matrix;
          if (this.atLeast2(dims)) outside.set(key, { o: d, count: (outside.get(key)?.count ?? 0) + 1 });
          continue;
        }
        if (!this.agree(d)) return { status: 'fails', counterexample: this.shrink(d) };
        valid++;
        if (this.atLeast2(dims)) big++;
        for (const [name, k] of dims) {
          const [lo, hi] = sizes.get(name) ?? [k, k];
          sizes.set(name, [Math.min(lo, k), Math.max(hi, k)]);
        }
        break;
      }
    }
    const need = enoughTrials(trials);
    if (big >= need) return { status: 'holds', how: 'numeric', trials: valid, requested: trials, sizes };
    const top = [...outside.values()].sort((x, y) => y.count - x.count)[0];
    const common = top && this.explain(top.o, big === 0 && outside.size === 1 ? 'every' : 'most');
    const why = common ? `; ${common}` : '';
    if (valid === 0)
      return {
        status: 'unchecked',
        reason:
          `no random draw was inside the domain of both sides (${trials * REDRAWS} tried)${why}. ` +
          'Declaring properties (pos, spd) restricts the draws.',
      };
    const where = this.dimNames.length ? ' at sizes ≥ 2 (size 1 proves little: a 1×1 matrix is a scalar)' : '';
    return {
      status: 'unchecked',
      reason: `only ${big} of ${trials} trials were valid${where}, and ${need} are needed${common ? `: ${common}` : ''}`,
    };
  }

  private atLeast2(dims: ReadonlyMap<string, number>): boolean {
    for (const k of dims.values()) if (k < 2) return false;
    return true;
  }

  private explain(o: Outside, every: 'every' | 'most'): string {
    const draws = every === 'every' ? 'every draw' : 'most draws';
    if (o.why === 'nonfinite') return `${draws} made a side NaN or infinite`;
    const role = o.op === 'inv' ? 'a matrix to invert' : 'a matrix whose logdet is taken';
    const small = topoOrder([o.matrix]).length <= 12;
    return `${draws} made ${small ? `${printExpr(o.matrix, 'unicode')}, ${role},` : role} singular (or nearly)`;
  }

  /** Values for every variable at sizes `dims`, and both sides; why not, outside the domain. */
  private sample(dims: Map<string, number>, kind: ValueKind): Sample | Outside {
    const inputs = new Map(this.vars.map((v) => [v.name!, sampleVar(v, dims, this.r, kind, this.special)]));
    const values = evaluateAll([this.a.left, this.a.right], { vars: inputs, dims });
    const [left, right] = [values.get(this.a.left)!, values.get(this.a.right)!];
    let kappa = 1;
    for (const n of this.inverted) {
      const matrix = n.args[0]!;
      const cond =
        normInf(values.get(matrix)!) * normInf(n.op === 'inv' ? values.get(n)! : inverse(values.get(matrix)!));
      if (!(cond < MAX_CONDITION)) return { why: 'singular', matrix, op: n.op };
      kappa = Math.max(kappa, cond);
    }
    if (!finite(left) || !finite(right)) return { why: 'nonfinite' };
    let size = 1;
    for (const v of values.values()) size = Math.max(size, v.rows, v.cols);
    const tolerance = this.o.roundoff * EPS * (this.nodes.length + size) * magnitude(values) * kappa;
    return { dims, inputs, left, right, tolerance };
  }

  private agree(d: Sample): boolean {
    let diff = 0;
    for (let i = 0; i < d.left.data.length; i++) diff = Math.max(diff, Math.abs(d.left.data[i]! - d.right.data[i]!));
    return diff <= d.tolerance;
  }

  /** A failing draw at sizes `dims`, integers preferred, then special values, if one is found. */
  private failingAt(dims: Map<string, number>): Sample | undefined {
    for (let i = 0; i < 3 * SHRINK_DRAWS; i++) {
      const kind = i < SHRINK_DRAWS ? 'int' : i < 2 * SHRINK_DRAWS ? 'special' : 'real';
      const d = this.sample(dims, kind);
      if (!('why' in d) && !this.agree(d)) return d;
    }
    return undefined;
  }

  /** Lowers each size towards 1 while the assert still fails there. */
  private shrink(found: Sample): Counterexample {
    let best = found;
    for (let improved = true; improved;) {
      improved = false;
      for (const name of this.dimNames) {
        for (let v = 1; v < best.dims.get(name)!; v++) {
          const d = this.failingAt(new Map(best.dims).set(name, v));
          if (d) {
            best = d;
            improved = true;
            break;
          }
        }
      }
    }
    // Integer values read better than decimals: try them at the final sizes.
    if (!isIntegral(best)) {
      for (let i = 0; i < SHRINK_DRAWS; i++) {
        const d = this.sample(best.dims, 'int');
        if (!('why' in d) && !this.agree(d)) {
          best = d;
          break;
        }
      }
    }
    return {
      dims: best.dims,
      inputs: best.inputs,
      left: best.left,
      right: best.right,
      layouts: new Map(this.vars.map((v) => [v.name!, layoutOf(v.shape)])),
      sideLayout: layoutOf(this.a.left.shape),
    };
  }
}

const finite = (m: Mat): boolean => m.data.every(Number.isFinite);

/**
 * The largest magnitude met on the way: of every value, and of the terms inside each
 * product (|A|·|B| summed over the inner dimension), where cancellation hides them.
 */
function magnitude(values: ReadonlyMap<Node, Mat>): number {
  let m = 0;
  const max = (x: Mat) => x.data.reduce((s, v) => (Number.isFinite(v) ? Math.max(s, Math.abs(v)) : s), 0);
  for (const [n, v] of values) {
    m = Math.max(m, max(v));
    if (n.op === 'matmul') {
      const [x, y] = [values.get(n.args[0]!)!, values.get(n.args[1]!)!];
      m = Math.max(m, max(x) * max(y) * x.cols);
    }
  }
  return m;
}

function normInf(m: Mat): number {
  let best = 0;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += Math.abs(m.data[i * m.cols + j]!);
    best = Math.max(best, s);
  }
  return best;
}

const isIntegral = (d: Sample): boolean => [...d.inputs.values()].every((m) => m.data.every(Number.isInteger));
