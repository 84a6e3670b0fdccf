/**
 * Elementwise functions, one row each: value, derivative f′(x) as graph (given x and
 * y = f(x)), and the TypeScript and WGSL expression of one element.
 */
import type { OpDef } from './types.js';
import type { Node } from '../graph/node.js';
import type { UnaryFn } from './names.js';
import { map } from '../eval/mat.js';
import { call, spell, type Spelling } from '../print/context.js';
import { constant, fn, mul, pow, sub, neg, zeros } from '../graph/build.js';

interface FnRow {
  f: (x: number) => number;
  /** f′(x), elementwise; y is f(x). */
  d: (x: Node, y: Node) => Node;
  ts: (a: string) => string;
  wgsl: (a: string) => string;
  name?: Spelling;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const ZERO = (x: Node) => zeros(x.shape);

const FNS: Record<UnaryFn, FnRow> = {
  exp: {
    f: Math.exp,
    d: (_x, y) => y,
    ts: (a) => `Math.exp(${a})`,
    wgsl: (a) => `exp(${a})`,
    name: spell('exp', 'exp', '\\exp'),
  },
  log: {
    f: Math.log,
    d: (x) => pow(x, -1),
    ts: (a) => `Math.log(${a})`,
    wgsl: (a) => `log(${a})`,
    name: spell('log', 'log', '\\log'),
  },
  abs: { f: Math.abs, d: (x) => fn('sign', x), ts: (a) => `Math.abs(${a})`, wgsl: (a) => `abs(${a})` },
  sin: {
    f: Math.sin,
    d: (x) => fn('cos', x),
    ts: (a) => `Math.sin(${a})`,
    wgsl: (a) => `sin(${a})`,
    name: spell('sin', 'sin', '\\sin'),
  },
  cos: {
    f: Math.cos,
    d: (x) => neg(fn('sin', x)),
    ts: (a) => `Math.cos(${a})`,
    wgsl: (a) => `cos(${a})`,
    name: spell('cos', 'cos', '\\cos'),
  },
  // tanh′ = 1 − tanh²
  tanh: {
    f: Math.tanh,
    d: (_x, y) => sub(constant(1), pow(y, 2)),
    ts: (a) => `Math.tanh(${a})`,
    wgsl: (a) => `tanh(${a})`,
    name: spell('tanh', 'tanh', '\\tanh'),
  },
  // σ′ = σ ⊙ (1 − σ)
  sigmoid: {
    f: sigmoid,
    d: (_x, y) => mul(y, sub(constant(1), y)),
    ts: (a) => `sigmoid(${a})`,
    wgsl: (a) => `sigmoid(${a})`,
    name: spell('σ', 'sigmoid', '\\sigma'),
  },
  // relu′ = step
  relu: {
    f: (x) => (x > 0 ? x : 0),
    d: (x) => fn('step', x),
    ts: (a) => `Math.max(${a}, 0)`,
    wgsl: (a) => `max(${a}, 0.0)`,
  },
  // softplus′ = σ
  softplus: { f: softplus, d: (x) => fn('sigmoid', x), ts: (a) => `softplus(${a})`, wgsl: (a) => `softplus(${a})` },
  step: { f: (x) => (x > 0 ? 1 : 0), d: ZERO, ts: (a) => `+(${a} > 0)`, wgsl: (a) => `select(0.0, 1.0, ${a} > 0.0)` },
  sign: { f: Math.sign, d: ZERO, ts: (a) => `Math.sign(${a})`, wgsl: (a) => `sign(${a})` },
};

export function unaryDef(name: UnaryFn): OpDef {
  const row = FNS[name];
  const spelling = row.name ?? spell(name);
  return {
    shape: (args) => args[0]!.shape,
    eval: ([a]) => map(a!, row.f),
    vjp: (n, g) => [mul(g, row.d(n.args[0]!, n))],
    print: (n, ctx) => call(ctx, spelling, n.args),
    lower: { kind: 'elementwise', ts: ([a]) => row.ts(a!), wgsl: ([a]) => row.wgsl(a!) },
  };
}

/** Scalar helper functions the generated code relies on (numerically stable forms). */
export const ELEMENTWISE_HELPERS = {
  ts: [
    'const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));',
    'const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));',
  ],
  wgsl: [
    'fn sigmoid(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }',
    'fn softplus(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }',
  ],
};
