/** Matrix product and transpose: the bilinear and the linear op of matrix calculus. */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import type { Node } from '../graph/node.js';
import { ShapeError } from '../graph/node.js';
import { matmul as mm, transpose as tp } from '../eval/mat.js';
import { dimEq, dimText } from '../shape/dim.js';
import { isColumn, shape, shapeBrief, shapeEq, transposed } from '../shape/shape.js';
import { PREC } from '../print/context.js';
import { T, matmul } from '../graph/build.js';

const isOnes = (x: Node): boolean =>
  (x.op === 'fill' && x.num === 1) || (x.op === 'transpose' && x.args[0]!.op === 'fill' && x.args[0]!.num === 1);

/**
 * A product with a matrix of ones is a reduction: A·ones(k, n) sums A's rows (each row
 * sum repeated across n columns), ones(m, k)·B (or ones(k)ᵀ·B) sums B's columns.
 */
export function onesReduction(n: Node): { axis: 'rows' | 'cols'; body: Node } | undefined {
  if (n.op !== 'matmul') return undefined;
  const [a, b] = n.args as [Node, Node];
  if (isOnes(b)) return { axis: 'rows', body: a };
  if (isOnes(a)) return { axis: 'cols', body: b };
  return undefined;
}

/** A⁻¹ or A⁻ᵀ: the inverse node, read transposed or not. */
function inverseIn(x: Node): { inverse: Node; trans: boolean } | undefined {
  if (x.op === 'inv') return { inverse: x, trans: false };
  if (x.op === 'transpose' && x.args[0]!.op === 'inv') return { inverse: x.args[0]!, trans: true };
  return undefined;
}

/**
 * A product that applies an inverse, op(A)⁻¹·B ('left', the left factor an inverse) or
 * else B·op(A)⁻¹ ('right'): a solve with A's factorisation. `slot` is the inverse's;
 * `repeated` when B is a matrix of ones (the row or column sums of op(A)⁻¹), whose
 * columns (rows) are all the same: one is solved for, and repeated.
 */
export function solvedProduct(
  n: Node,
): { side: 'left' | 'right'; inverse: Node; trans: boolean; other: Node; slot: number; repeated: boolean } | undefined {
  if (n.op !== 'matmul') return undefined;
  const [a, b] = n.args as [Node, Node];
  const red = onesReduction(n);
  if (red) {
    const body = inverseIn(red.body);
    if (!body) return undefined;
    return red.axis === 'rows'
      ? { side: 'left', ...body, other: b, slot: 0, repeated: true }
      : { side: 'right', ...body, other: a, slot: 1, repeated: true };
  }
  const left = inverseIn(a);
  if (left) return { side: 'left', ...left, other: b, slot: 0, repeated: false };
  const right = inverseIn(b);
  if (right) return { side: 'right', ...right, other: a, slot: 1, repeated: false };
  return undefined;
}

export const linear = {
  matmul: {
    rebuild: (_n, [x, y]) => build.matmul(x!, y!),
    shape: ([a, b]) => {
      const [sa, sb] = [a!.shape, b!.shape];
      if (!dimEq(sa.cols, sb.rows))
        throw new ShapeError(
          `cannot multiply ${shapeBrief(sa)} by ${shapeBrief(sb)}: inner dimensions ${dimText(sa.cols)} and ${dimText(sb.rows)} differ` +
            (isColumn(sa) && shapeEq(sa, sb)
              ? '; for an inner product transpose the left vector (uᵀ·v), for an elementwise one use ⊙'
              : ''),
        );
      return shape(sa.rows, sb.cols);
    },
    eval: ([a, b]) => mm(a!, b!),
    // d(A·B) = dA·B + A·dB, so Ā = G·Bᵀ and B̄ = Aᵀ·G.
    vjp: (n, g) => {
      const [a, b] = n.args as [Node, Node];
      return [matmul(g, T(b)), matmul(T(a), g)];
    },
    print: (n, ctx) => {
      const [a, b] = n.args as [Node, Node];
      // A Hadamard factor on the left reads better in parentheses; they do not change the parse.
      // So does a Kronecker factor (A ⊗ B)·C, which would re-parse the same without them.
      const left = a.op === 'mul' || a.op === 'kron' ? ctx.sub(a, PREC.NEG) : ctx.sub(a, PREC.MUL);
      const op = ctx.fmt === 'unicode' ? '·' : ctx.fmt === 'ascii' ? '*' : ' ';
      return { text: left + op + ctx.sub(b, PREC.NEG + 1), prec: PREC.MUL };
    },
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: (user, slot) => onesReduction(user)?.body === user.args[slot],
      solves: (user, slot) => solvedProduct(user)?.slot === slot,
      kernel: (n, k) => {
        const s = solvedProduct(n);
        if (s && k.unformed(s.inverse)) return k.solve(s.side, s.inverse, s.trans, s.other, s.repeated);
        const red = onesReduction(n);
        return red ? k.sums(red.axis, red.body) : k.product(n.args[0]!, n.args[1]!);
      },
    },
  },
  transpose: {
    rebuild: (_n, [x]) => build.transpose(x!),
    shape: ([a]) => transposed(a!.shape),
    eval: ([a]) => tp(a!),
    vjp: (_n, g) => [T(g)],
    print: (n, ctx) => {
      // (A⁻¹)ᵀ prints as A⁻ᵀ (LaTeX A^{-\top}), as the Matrix Cookbook writes it.
      const a = n.args[0]!;
      if (a.op === 'inv' && ctx.fmt !== 'ascii') {
        const inner = ctx.sub(a.args[0]!, PREC.POST);
        return { text: inner + (ctx.fmt === 'unicode' ? '⁻ᵀ' : '^{-\\top}'), prec: PREC.POST };
      }
      const base = ctx.sub(n.args[0]!, PREC.POST);
      const mark = ctx.fmt === 'unicode' ? 'ᵀ' : ctx.fmt === 'ascii' ? "'" : '^\\top';
      // LaTeX cannot stack two superscripts: brace the base when it already has one.
      const text = ctx.fmt === 'latex' && /\^(\{[^{}]*\}|\\top)$/.test(base) ? `{${base}}${mark}` : base + mark;
      return { text, prec: PREC.POST };
    },
    lower: { kind: 'structural', role: 'index', inlines: () => false, at: (n, r, c, x) => x.arg(n.args[0]!, c, r) },
  },
} satisfies Record<string, OpDef>;
