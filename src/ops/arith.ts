/** Elementwise arithmetic: sum, Hadamard product (and scaling), power by a constant. */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import type { Node } from '../graph/node.js';
import { zip, map } from '../eval/mat.js';
import { isScalar } from '../shape/shape.js';
import { type PrintCtx, type Printed, PREC, call, numberText, spell } from '../print/context.js';
import { constant, isConst, isNegated, mul, neg, pow, unbroadcast } from '../graph/build.js';
import { arg, elementwiseShape } from './util.js';

const MINUS = { unicode: ' − ', ascii: ' - ', latex: ' - ' } as const;
const PLUS = ' + ';

function printAdd(n: Node, ctx: PrintCtx): Printed {
  const [a, b] = n.args as [Node, Node];
  const left = ctx.sub(a, PREC.ADD);
  // a + (−x) prints as a − x: parsing `a − x` builds a + neg(x), and neg(neg(b)) is b.
  if (isNegated(b)) return { text: left + MINUS[ctx.fmt] + ctx.sub(neg(b), PREC.MUL), prec: PREC.ADD };
  return { text: left + PLUS + ctx.sub(b, PREC.MUL), prec: PREC.ADD };
}

const scaleOp = (ctx: PrintCtx): string => (ctx.fmt === 'unicode' ? '·' : ctx.fmt === 'ascii' ? '*' : ' ');

/**
 * The operand X of a scaling `s·X` or a negation `−X`. A matrix product, or any
 * non-scalar product, re-parses to the same node at product level because the builder
 * moves scalar factors to the front; a product of scalars needs parentheses.
 */
function scaledOperand(x: Node, ctx: PrintCtx): string {
  const flat = x.op === 'matmul' || !isScalar(x.shape);
  return ctx.sub(x, flat ? PREC.MUL : PREC.NEG + 1);
}

function printMul(n: Node, ctx: PrintCtx): Printed {
  const [a, b] = n.args as [Node, Node];
  const out = (text: string, prec: number = PREC.MUL): Printed => ({ text, prec });
  const reciprocal = (x: Node): Node | undefined => (x.op === 'pow' && x.num === -1 ? x.args[0] : undefined);
  const frac = (num: string, den: Node): Printed =>
    ctx.fmt === 'latex'
      ? out(`\\frac{${num}}{${ctx.sub(den, PREC.ADD)}}`, PREC.ATOM)
      : out(`${num} / ${ctx.sub(den, PREC.POST)}`);

  // a ⊘ b and s / t: a product with a reciprocal on the right.
  const rb = reciprocal(b);
  if (rb) {
    if (isScalar(rb.shape)) return frac(ctx.sub(a, ctx.fmt === 'latex' ? PREC.ADD : PREC.MUL), rb);
    const op = ctx.fmt === 'latex' ? ' \\oslash ' : ctx.fmt === 'ascii' ? ' ./ ' : ' ⊘ ';
    return out(ctx.sub(a, PREC.MUL) + op + ctx.sub(rb, PREC.POST));
  }
  if (isScalar(a.shape)) {
    // Scaling s·X (X scalar too when both are).
    const ra = reciprocal(a);
    if (ra && !isScalar(b.shape)) return frac(scaledOperand(b, ctx), ra);
    if (a.op === 'mul' && !isScalar(b.shape)) {
      // (n / d)·X prints as n·X / d: both parse to this node.
      // Not when n is a reciprocal too: n·X / d would re-parse as (d⁻¹·n⁻¹)·X.
      const rden = reciprocal(a.args[1]!);
      if (rden && !reciprocal(a.args[0]!)) {
        const n = a.args[0]!;
        const num = isConst(n, -1)
          ? (ctx.fmt === 'unicode' ? '−' : '-') + scaledOperand(b, ctx)
          : ctx.sub(n, PREC.MUL) + scaleOp(ctx) + scaledOperand(b, ctx);
        return frac(num, rden);
      }
    }
    if (isConst(a, -1)) {
      const minus = ctx.fmt === 'unicode' ? '−' : '-';
      const flat = b.op === 'matmul' || !isScalar(b.shape);
      return out(minus + ctx.sub(b, flat ? PREC.MUL : PREC.POST), flat ? PREC.MUL : PREC.NEG);
    }
    return out(ctx.sub(a, PREC.MUL) + scaleOp(ctx) + scaledOperand(b, ctx));
  }
  const op = ctx.fmt === 'latex' ? ' \\odot ' : ctx.fmt === 'ascii' ? ' .* ' : ' ⊙ ';
  return out(ctx.sub(a, PREC.MUL) + op + ctx.sub(b, PREC.POST));
}

/** ‖X‖ is (Σ X.^2)^½: recognise it to print it back. */
export function normOf(n: Node): Node | undefined {
  if (n.op !== 'pow' || n.num !== 0.5) return undefined;
  let inner = n.args[0]!;
  if (inner.op === 'sum') inner = inner.args[0]!;
  else if (!isScalar(inner.shape)) return undefined;
  return inner.op === 'pow' && inner.num === 2 ? inner.args[0] : undefined;
}

const SUPERSCRIPT: Record<string, string> = { '2': '²', '3': '³' };

function printPow(n: Node, ctx: PrintCtx): Printed {
  const x = n.args[0]!;
  const p = n.num!;
  const normed = normOf(n);
  if (normed) {
    if (ctx.fmt === 'ascii') return call(ctx, spell('norm'), [normed]);
    const body = ctx.sub(normed, PREC.ADD);
    return { text: ctx.fmt === 'latex' ? `\\left\\| ${body} \\right\\|` : `‖${body}‖`, prec: PREC.ATOM };
  }
  if (p === 0.5)
    return ctx.fmt === 'latex'
      ? { text: `\\sqrt{${ctx.sub(x, PREC.ADD)}}`, prec: PREC.ATOM }
      : call(ctx, spell('sqrt'), [x]);
  const base = ctx.sub(x, PREC.POST);
  const ps = numberText(p, 'ascii');
  if (ctx.fmt === 'latex') {
    return { text: `${base}^{${isScalar(x.shape) ? '' : '\\circ '}${ps}}`, prec: PREC.POST };
  }
  if (!isScalar(x.shape)) return { text: `${base}.^${ps}`, prec: PREC.POST };
  if (ctx.fmt === 'unicode' && SUPERSCRIPT[ps]) return { text: base + SUPERSCRIPT[ps], prec: PREC.POST };
  if (ctx.fmt === 'unicode' && p === -1) return { text: base + '⁻¹', prec: PREC.POST };
  return { text: `${base}^${ps}`, prec: PREC.POST };
}

export const arith = {
  add: {
    rebuild: (_n, [x, y]) => build.add(x!, y!),
    shape: (args) => elementwiseShape('add', arg(args, 0).shape, arg(args, 1).shape),
    eval: ([a, b]) => zip(a!, b!, (x, y) => x + y),
    vjp: (n, g) => [unbroadcast(g, n.args[0]!.shape), unbroadcast(g, n.args[1]!.shape)],
    print: printAdd,
    lower: { kind: 'elementwise', ts: ([a, b]) => `${a} + ${b}`, wgsl: ([a, b]) => `${a} + ${b}` },
  },
  mul: {
    rebuild: (_n, [x, y]) => build.mul(x!, y!),
    shape: (args) => elementwiseShape('multiply elementwise', arg(args, 0).shape, arg(args, 1).shape),
    eval: ([a, b]) => zip(a!, b!, (x, y) => x * y),
    vjp: (n, g) => {
      const [a, b] = n.args as [Node, Node];
      return [unbroadcast(mul(g, b), a.shape), unbroadcast(mul(g, a), b.shape)];
    },
    print: printMul,
    lower: { kind: 'elementwise', ts: ([a, b]) => `${a} * ${b}`, wgsl: ([a, b]) => `${a} * ${b}` },
  },
  pow: {
    rebuild: (n, [x]) => build.pow(x!, n.num!),
    shape: (args) => arg(args, 0).shape,
    eval: ([a], n) => map(a!, (x) => powValue(x, n.num!)),
    // d(x^p) = p·x^(p−1) dx
    vjp: (n, g) => {
      const p = n.num!;
      const x = n.args[0]!;
      return [mul(g, p - 1 === 0 ? constant(p) : mul(constant(p), pow(x, p - 1)))];
    },
    print: printPow,
    lower: {
      kind: 'elementwise',
      ts: ([a], n) => powCode(a!, n.num!, 'ts'),
      wgsl: ([a], n) => powCode(a!, n.num!, 'wgsl'),
    },
  },
} satisfies Record<string, OpDef>;

export const powValue = (x: number, p: number): number =>
  p === 2 ? x * x : p === -1 ? 1 / x : p === 0.5 ? Math.sqrt(x) : x ** p;

/** x^p as code: small integer powers as products, ½ as sqrt, the rest through pow. */
function powCode(a: string, p: number, target: 'ts' | 'wgsl'): string {
  const lit = (v: number) => (target === 'wgsl' && Number.isInteger(v) ? `${v}.0` : `${v}`);
  if (p === 2) return `(${a}) * (${a})`;
  if (p === -1) return `${lit(1)} / (${a})`;
  if (p === 0.5) return target === 'ts' ? `Math.sqrt(${a})` : `sqrt(${a})`;
  if (p === -0.5) return target === 'ts' ? `1 / Math.sqrt(${a})` : `inverseSqrt(${a})`;
  if (target === 'ts') return `(${a}) ** ${p}`;
  // WGSL pow is undefined for negative bases; integer exponents keep their sign.
  if (Number.isInteger(p))
    return `select(1.0, -1.0, (${a}) < 0.0 && ${Math.abs(p) % 2 === 1}) * pow(abs(${a}), ${lit(p)})`;
  return `pow(${a}, ${lit(p)})`;
}
