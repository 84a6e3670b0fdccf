/**
 * `check`: deciding the asserts of a model.
 *
 * An assert L = R holds symbolically when the simplifier brings both sides to one node
 * (nodes are hash-consed, so that is `===`), or brings L − R to zero. Otherwise it is
 * tested on random draws: sizes for the symbolic dimensions (1..5, each independently;
 * the first draw sets every size to 1) and values for the variables (respecting sym,
 * spd, pos), evaluated in float64 by the reference interpreter. The sides agree when
 *
 *     max |L − R| ≤ tol · max(1, max |L|, max |R|)        (tol = 1e-8)
 *
 * that is, relatively to the larger side, and absolutely below magnitude 1, where
 * rounding in cancelling sums is of the order of the inputs (which are O(1)).
 *
 * A draw where a side is NaN or infinite (log of a negative number, …) or where a
 * matrix to invert is singular or nearly so (condition number above 1e8) is outside
 * the identity's domain and is drawn again, a bounded number of times.
 *
 * When a draw fails, the counterexample is shrunk: each size in turn is lowered
 * towards 1 for as long as some draw at the smaller sizes still fails, and small
 * integer values are preferred to decimals. A symbolic verdict is confirmed on a few
 * draws too; a disagreement would be a simplifier bug, and the numbers win.
 */
import { type Node, topoOrder } from '../graph/node.js';
import * as b from '../graph/build.js';
import { evaluate } from '../eval/interpret.js';
import type { Mat } from '../eval/mat.js';
import type { Assertion, Model } from '../model/model.js';
import { simplify } from '../simplify/simplify.js';
import { lineAt } from '../errors.js';
import { type Shape, isColumn, isScalar } from '../shape/shape.js';
import { type Rng, type ValueKind, drawDims, drawVar, rng } from './draw.js';

export interface CheckOptions {
  /** Random draws per assert that is not decided symbolically (default 20). */
  trials?: number;
  /** Seed of the random draws (default 1): the same seed gives the same report. */
  seed?: number;
  /** Largest size drawn for a symbolic dimension (default 5). */
  maxDim?: number;
  /** Relative tolerance (default 1e-8). */
  tolerance?: number;
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
  | { status: 'holds'; how: 'numeric'; trials: number }
  | { status: 'fails'; counterexample: Counterexample; note?: string }
  /** No draw was inside the domain of both sides. */
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

const DEFAULTS = { trials: 20, seed: 1, maxDim: 5, tolerance: 1e-8 };
/** Attempts at a draw inside the domain, per trial. */
const REDRAWS = 20;
/** Draws tried at each candidate size while shrinking (integers first, then decimals). */
const SHRINK_DRAWS = 12;
/** Random draws that confirm a symbolic verdict. */
const CONFIRM = 3;
/** A matrix to invert with a larger condition number (∞-norm) is treated as singular. */
const MAX_CONDITION = 1e8;

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

function decide(model: Model, a: Assertion, o: typeof DEFAULTS): Verdict {
  const trial = new Trial(model, a, o);
  if (symbolicallyEqual(a.left, a.right)) {
    const bad = trial.search(CONFIRM);
    if (bad.status === 'fails')
      return {
        ...bad,
        note: 'the simplifier calls the two sides equal, but the numbers differ: this is a matdiff bug',
      };
    return { status: 'holds', how: 'symbolic' };
  }
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

interface Draw {
  dims: Map<string, number>;
  inputs: Map<string, Mat>;
  left: Mat;
  right: Mat;
}

/** Random trials of one assert. */
class Trial {
  private readonly vars: Node[];
  private readonly dimNames: string[];
  private readonly inverted: Node[];
  private readonly r: Rng;

  constructor(
    model: Model,
    private readonly a: Assertion,
    private readonly o: typeof DEFAULTS,
  ) {
    const nodes = topoOrder([a.left, a.right]);
    const order = [...model.vars.keys()];
    this.vars = nodes.filter((n) => n.op === 'var').sort((x, y) => order.indexOf(x.name!) - order.indexOf(y.name!));
    const used = new Set<string>();
    for (const n of nodes)
      for (const d of [n.shape.rows, n.shape.cols, n.dim]) for (const s of d?.syms ?? []) used.add(s);
    this.dimNames = [...model.dims.filter((d) => used.has(d)), ...[...used].filter((d) => !model.dims.includes(d))];
    this.inverted = nodes.filter((n) => n.op === 'inv').map((n) => n.args[0]!);
    this.r = rng(o.seed);
  }

  /** Up to `trials` draws inside the domain; the first failing one is shrunk. */
  search(trials: number): Verdict {
    let valid = 0;
    for (let t = 0; t < trials; t++) {
      for (let attempt = 0; attempt < REDRAWS; attempt++) {
        const dims =
          t === 0 ? new Map(this.dimNames.map((d) => [d, 1])) : drawDims(this.dimNames, this.r, this.o.maxDim);
        const d = this.draw(dims, 'real');
        if (!d) continue;
        valid++;
        if (!this.agree(d)) return { status: 'fails', counterexample: this.shrink(d) };
        break;
      }
    }
    if (valid > 0) return { status: 'holds', how: 'numeric', trials: valid };
    return {
      status: 'unchecked',
      reason:
        `no random draw was inside the domain of both sides (${trials * REDRAWS} tried): each made a side NaN or ` +
        'infinite, or a matrix to invert singular. Declaring properties (pos, spd) restricts the draws.',
    };
  }

  /** Values for every variable at sizes `dims`, and both sides; undefined outside the domain. */
  private draw(dims: Map<string, number>, kind: ValueKind): Draw | undefined {
    const inputs = new Map(this.vars.map((v) => [v.name!, drawVar(v, dims, this.r, kind)]));
    const [left, right, ...rest] = evaluate(
      [this.a.left, this.a.right, ...this.inverted, ...this.inverted.map(b.inv)],
      {
        vars: inputs,
        dims,
      },
    );
    if (!finite(left!) || !finite(right!)) return undefined;
    const k = this.inverted.length;
    for (let i = 0; i < k; i++) {
      const cond = normInf(rest[i]!) * normInf(rest[k + i]!);
      if (!(cond < MAX_CONDITION)) return undefined;
    }
    return { dims, inputs, left: left!, right: right! };
  }

  private agree(d: Draw): boolean {
    let diff = 0;
    let scale = 1;
    for (let i = 0; i < d.left.data.length; i++) {
      const [x, y] = [d.left.data[i]!, d.right.data[i]!];
      diff = Math.max(diff, Math.abs(x - y));
      scale = Math.max(scale, Math.abs(x), Math.abs(y));
    }
    return diff <= this.o.tolerance * scale;
  }

  /** A failing draw at sizes `dims`, integers preferred, if one is found. */
  private failingAt(dims: Map<string, number>): Draw | undefined {
    for (let i = 0; i < 2 * SHRINK_DRAWS; i++) {
      const d = this.draw(dims, i < SHRINK_DRAWS ? 'int' : 'real');
      if (d && !this.agree(d)) return d;
    }
    return undefined;
  }

  /** Lowers each size towards 1 while the assert still fails there. */
  private shrink(found: Draw): Counterexample {
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
        const d = this.draw(best.dims, 'int');
        if (d && !this.agree(d)) {
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

function normInf(m: Mat): number {
  let best = 0;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += Math.abs(m.data[i * m.cols + j]!);
    best = Math.max(best, s);
  }
  return best;
}

const isIntegral = (d: Draw): boolean => [...d.inputs.values()].every((m) => m.data.every(Number.isInteger));
