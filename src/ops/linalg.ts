/** Inverse, determinant and log-determinant of square matrices. */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import { det as detValue, inverse, logAbsDet, scalarMat } from '../eval/mat.js';
import { SCALAR } from '../shape/shape.js';
import { PREC, call, spell } from '../print/context.js';
import { T, inv, matmul, mul, neg } from '../graph/build.js';
import { requireSquare } from './util.js';

export const linalg = {
  inv: {
    rebuild: (_n, [x]) => build.inv(x!),
    shape: ([a]) => {
      requireSquare('inverse', a!.shape);
      return a!.shape;
    },
    eval: ([a]) => inverse(a!),
    // d(A⁻¹) = −A⁻¹·dA·A⁻¹, so Ā = −A⁻ᵀ·G·A⁻ᵀ
    vjp: (n, g) => [neg(matmul(matmul(T(n), g), T(n)))],
    print: (n, ctx) => {
      const base = ctx.sub(n.args[0]!, PREC.POST);
      const mark = ctx.fmt === 'unicode' ? '⁻¹' : ctx.fmt === 'ascii' ? '^-1' : '^{-1}';
      return { text: base + mark, prec: PREC.POST };
    },
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.factored('inverse', n.args[0]!),
    },
  },
  det: {
    rebuild: (_n, [x]) => build.det(x!),
    shape: ([a]) => {
      requireSquare('det', a!.shape);
      return SCALAR;
    },
    eval: ([a]) => scalarMat(detValue(a!)),
    // ∂det(A)/∂A = det(A)·A⁻ᵀ
    vjp: (n, g) => [mul(mul(g, n), T(inv(n.args[0]!)))],
    print: (n, ctx) => call(ctx, spell('det', 'det', '\\det'), n.args),
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.factored('det', n.args[0]!),
    },
  },
  logdet: {
    rebuild: (_n, [x]) => build.logdet(x!),
    shape: ([a]) => {
      requireSquare('logdet', a!.shape);
      return SCALAR;
    },
    eval: ([a]) => scalarMat(logAbsDet(a!)),
    // ∂ log|det A|/∂A = A⁻ᵀ
    vjp: (n, g) => [mul(g, T(inv(n.args[0]!)))],
    print: (n, ctx) => call(ctx, spell('logdet'), n.args),
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.factored('logdet', n.args[0]!),
    },
  },
} satisfies Record<string, OpDef>;
