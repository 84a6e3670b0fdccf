/**
 * Elementwise functions, one row each: value, derivative f′(x) as graph (given x and
 * y = f(x)), the code of one element for every target, the scalar helper function that
 * code calls (if any), and the function's algebraic facts. Everything else reads these
 * rows: the kernels of each backend (codegen/ts, codegen/wgsl, codegen/numpy), the
 * helpers each generated module carries, and the simplifier's rules that depend on a
 * fact (f(0) = 0). A row without a target's code is a compile error (`Record<Target, …>`).
 */
import type { OpDef } from './types.js';
import type { Node } from '../graph/node.js';
import { UNARY_FNS, type UnaryFn } from './names.js';
import { map } from '../eval/mat.js';
import { call, spell, type Spelling } from '../print/context.js';
import { constant, fn, mul, pow, sub, neg, zeros } from '../graph/build.js';

/** The languages kernels are generated in. */
export type Target = 'ts' | 'wgsl' | 'numpy';

/** What is known of f, as data for the rules that need it. */
export interface Facts {
  /** f(0) = 0: f keeps zeros (and so sparsity, and zero blocks). */
  readonly zeroAtZero: boolean;
  /** f(−x) = −f(x). */
  readonly odd: boolean;
  /** Non-decreasing on its domain (ordering of entries is kept). */
  readonly monotone: boolean;
}

interface FnRow {
  f: (x: number) => number;
  /** f′(x), elementwise; y is f(x). */
  d: (x: Node, y: Node) => Node;
  /** One element's code per target, over the operand's code (an atom or parenthesised). */
  code: Record<Target, (a: string) => string>;
  /**
   * The scalar helper function the code calls, per target: named like the function
   * (`sigmoid`), in NumPy with a leading underscore (`_sigmoid`).
   */
  helper?: Record<Target, string>;
  facts: Facts;
  name?: Spelling;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const ZERO = (x: Node) => zeros(x.shape);
const facts = (zeroAtZero: boolean, odd: boolean, monotone: boolean): Facts => ({ zeroAtZero, odd, monotone });

/** The exponent of the erfc fit below (Numerical Recipes §6.2), given a = |x| and
 * t = 1 / (1 + a/2): erfc(a) ≈ t · exp(ERFC_FIT). Shared by every target's helper. */
const ERFC_FIT =
  '-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))';

/**
 * erf in float64: for |x| < 2.5 its Maclaurin series 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n + 1)),
 * 40 terms (absolute error below 3e-14: the largest term is about 200); beyond, 1 − erfc(|x|)
 * with erfc by the Chebyshev fit of Numerical Recipes (§6.2, relative error of erfc below
 * 1.2e-7, so an error of erf below 5e-11 there).
 *
 * The algorithm is written once, as this text (a function body over `x`, valid JavaScript
 * and TypeScript): the generated TypeScript helper is it under a typed signature, and the
 * reference function `erf` (the interpreter's) is evaluated from it. The NumPy helper is
 * its vectorised transcription; the WGSL one (float32) takes the series only for |x| < 0.5.
 */
const ERF_BODY = `  // |x| < 2.5: the Maclaurin series 2/√π · Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n + 1)), error < 3e-14;
  // beyond: 1 − erfc(|x|), erfc by a Chebyshev fit (Numerical Recipes §6.2, relative error < 1.2e-7).
  const a = Math.abs(x);
  if (a < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 40; n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1.1283791670955126 * sum;
  }
  const t = 1 / (1 + 0.5 * a);
  const c = t * Math.exp(${ERFC_FIT});
  return x < 0 ? c - 1 : 1 - c;`;
/** Evaluated from the text on first use (not at import, so that merely loading the registry never evaluates code). */
let erfFromText: ((x: number) => number) | undefined;
const erf = (x: number): number => (erfFromText ??= new Function('x', ERF_BODY) as (x: number) => number)(x);

const FNS: Record<UnaryFn, FnRow> = {
  exp: {
    f: Math.exp,
    d: (_x, y) => y,
    code: { ts: (a) => `Math.exp(${a})`, wgsl: (a) => `exp(${a})`, numpy: (a) => `np.exp(${a})` },
    facts: facts(false, false, true),
    name: spell('exp', 'exp', '\\exp'),
  },
  log: {
    f: Math.log,
    d: (x) => pow(x, -1),
    code: { ts: (a) => `Math.log(${a})`, wgsl: (a) => `log(${a})`, numpy: (a) => `np.log(${a})` },
    facts: facts(false, false, true),
    name: spell('log', 'log', '\\log'),
  },
  abs: {
    f: Math.abs,
    d: (x) => fn('sign', x),
    code: { ts: (a) => `Math.abs(${a})`, wgsl: (a) => `abs(${a})`, numpy: (a) => `np.abs(${a})` },
    facts: facts(true, false, false),
  },
  sin: {
    f: Math.sin,
    d: (x) => fn('cos', x),
    code: { ts: (a) => `Math.sin(${a})`, wgsl: (a) => `sin(${a})`, numpy: (a) => `np.sin(${a})` },
    facts: facts(true, true, false),
    name: spell('sin', 'sin', '\\sin'),
  },
  cos: {
    f: Math.cos,
    d: (x) => neg(fn('sin', x)),
    code: { ts: (a) => `Math.cos(${a})`, wgsl: (a) => `cos(${a})`, numpy: (a) => `np.cos(${a})` },
    facts: facts(false, false, false),
    name: spell('cos', 'cos', '\\cos'),
  },
  // tanh′ = 1 − tanh²
  tanh: {
    f: Math.tanh,
    d: (_x, y) => sub(constant(1), pow(y, 2)),
    code: { ts: (a) => `Math.tanh(${a})`, wgsl: (a) => `tanh(${a})`, numpy: (a) => `np.tanh(${a})` },
    facts: facts(true, true, true),
    name: spell('tanh', 'tanh', '\\tanh'),
  },
  // σ′ = σ ⊙ (1 − σ)
  sigmoid: {
    f: sigmoid,
    d: (_x, y) => mul(y, sub(constant(1), y)),
    code: { ts: (a) => `sigmoid(${a})`, wgsl: (a) => `sigmoid(${a})`, numpy: (a) => `_sigmoid(${a})` },
    helper: {
      ts: 'const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));',
      wgsl: 'fn sigmoid(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }',
      numpy: `def _sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ), written as eˣ / (1 + eˣ) for x < 0 so that nothing overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))`,
    },
    facts: facts(false, false, true),
    name: spell('σ', 'sigmoid', '\\sigma'),
  },
  // relu′ = step
  relu: {
    f: (x) => (x > 0 ? x : 0),
    d: (x) => fn('step', x),
    code: { ts: (a) => `Math.max(${a}, 0)`, wgsl: (a) => `max(${a}, 0.0)`, numpy: (a) => `np.maximum(${a}, 0)` },
    facts: facts(true, false, true),
  },
  // softplus′ = σ
  softplus: {
    f: softplus,
    d: (x) => fn('sigmoid', x),
    code: { ts: (a) => `softplus(${a})`, wgsl: (a) => `softplus(${a})`, numpy: (a) => `_softplus(${a})` },
    helper: {
      ts: 'const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));',
      wgsl: 'fn softplus(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }',
      numpy: `def _softplus(x):
    """log(1 + eˣ) = max(x, 0) + log(1 + e⁻|ˣ|), without overflow."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))`,
    },
    facts: facts(false, false, true),
  },
  step: {
    f: (x) => (x > 0 ? 1 : 0),
    d: ZERO,
    code: {
      ts: (a) => `+(${a} > 0)`,
      wgsl: (a) => `select(0.0, 1.0, ${a} > 0.0)`,
      numpy: (a) => `np.where(${a} > 0, 1.0, 0.0)`,
    },
    facts: facts(true, false, true),
  },
  sign: {
    f: Math.sign,
    d: ZERO,
    code: { ts: (a) => `Math.sign(${a})`, wgsl: (a) => `sign(${a})`, numpy: (a) => `np.sign(${a})` },
    facts: facts(true, true, true),
  },
  // erf′ = 2/√π · exp(−x²)
  erf: {
    f: erf,
    d: (x) => mul(constant(2 / Math.sqrt(Math.PI)), fn('exp', neg(pow(x, 2)))),
    code: { ts: (a) => `erf(${a})`, wgsl: (a) => `erf(${a})`, numpy: (a) => `_erf(${a})` },
    helper: {
      ts: `const erf = (x: number): number => {\n${ERF_BODY}\n};`,
      wgsl: `fn erf(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let s = x * x;
    return x * (1.1283791670955126 + s * (-0.37612638903183754 + s * (0.11283791670955126 + s * (-0.026866170645131252 + s * (0.005223977625442188 + s * (-0.0008548327023450852 + s * 0.00012055332981789664))))));
  }
  let t = 1.0 / (1.0 + 0.5 * a);
  let c = t * exp(${ERFC_FIT});
  return sign(x) * (1.0 - c);
}`,
      numpy: `def _erf(x):
    """erf(x): its Maclaurin series for |x| < 2.5 (error < 3e-14), 1 - erfc(|x|) beyond, erfc by a
    Chebyshev fit (Numerical Recipes 6.2, relative error < 1.2e-7)."""
    x = np.asarray(x, dtype=np.float64)
    a = np.abs(x)
    s = np.where(a < 2.5, x, 0.0)
    term = s
    total = s
    for n in range(1, 40):
        term = term * (-s * s) / n
        total = total + term / (2 * n + 1)
    t = 1 / (1 + 0.5 * a)
    c = t * np.exp(${ERFC_FIT})
    return np.where(a < 2.5, 1.1283791670955126 * total, np.sign(x) * (1 - c))`,
    },
    facts: facts(true, true, true),
    name: spell('erf', 'erf', '\\operatorname{erf}'),
  },
};

/** The row of an elementwise function. */
export const fnRow = (name: UnaryFn): Readonly<FnRow> => FNS[name];

export function unaryDef(name: UnaryFn): OpDef {
  const row = FNS[name];
  const spelling = row.name ?? spell(name);
  return {
    shape: (args) => args[0]!.shape,
    eval: ([a]) => map(a!, row.f),
    vjp: (n, g) => [mul(g, row.d(n.args[0]!, n))],
    print: (n, ctx) => call(ctx, spelling, n.args),
    rebuild: (_n, [x]) => fn(name, x!),
    lower: { kind: 'elementwise', ts: ([a]) => row.code.ts(a!), wgsl: ([a]) => row.code.wgsl(a!) },
  };
}

/** The helper function (name and code) that `op`'s code calls in `target`, if it calls one. */
export function helperOf(op: string, target: Target): { name: string; code: string } | undefined {
  const helper = (FNS as Partial<Record<string, FnRow>>)[op]?.helper;
  return helper && { name: target === 'numpy' ? `_${op}` : op, code: helper[target] };
}

/** The scalar helpers of one target (numerically stable forms), in the registry's order, by the function's name. */
export const elementwiseHelpers = (target: Target): { fn: UnaryFn; code: string }[] =>
  UNARY_FNS.flatMap((f) => (FNS[f].helper ? [{ fn: f, code: FNS[f].helper![target] }] : []));
