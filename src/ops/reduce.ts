/** Reductions: sum of all entries, trace, and the column-wise softmax and log-sum-exp. */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import type { Node } from '../graph/node.js';
import { mat, scalarMat, sumAll } from '../eval/mat.js';
import { shape } from '../shape/shape.js';
import { ONE } from '../shape/dim.js';
import { call, spell } from '../print/context.js';
import { T, broadcastTo, eye, matmul, mul, ones, softmax, sub } from '../graph/build.js';
import { requireSquare } from './util.js';

export const reduce = {
  sum: {
    rebuild: (_n, [x]) => build.sum(x!),
    shape: () => shape(ONE, ONE),
    eval: ([a]) => scalarMat(sumAll(a!)),
    vjp: (n, g) => [broadcastTo(g, n.args[0]!.shape)],
    print: (n, ctx) => call(ctx, spell('sum', 'sum', '\\operatorname{sum}'), n.args),
    lower: { kind: 'structural', role: 'kernel', inlines: () => true, kernel: (n, k) => k.sumAll(n.args[0]!) },
  },
  tr: {
    rebuild: (_n, [x]) => build.tr(x!),
    shape: ([a]) => {
      requireSquare('tr', a!.shape);
      return shape(ONE, ONE);
    },
    eval: ([a]) => {
      let s = 0;
      for (let i = 0; i < a!.rows; i++) s += a!.data[i * a!.cols + i]!;
      return scalarMat(s);
    },
    // d tr(A) = tr(dA), so Ā = g·I
    vjp: (n, g) => [mul(g, eye(n.args[0]!.shape.rows))],
    print: (n, ctx) => call(ctx, spell('tr'), n.args),
    lower: { kind: 'structural', role: 'kernel', inlines: () => true, kernel: (n, k) => k.trace(n.args[0]!) },
  },
  softmax: {
    rebuild: (_n, [x]) => build.softmax(x!),
    shape: ([a]) => a!.shape,
    eval: ([a]) =>
      columnwise(a!, (col) => {
        const m = col.reduce((p, q) => Math.max(p, q), -Infinity); // not Math.max(...col): a long column overflows the stack
        const e = col.map((x) => Math.exp(x - m));
        const s = e.reduce((p, q) => p + q, 0);
        return e.map((x) => x / s);
      }),
    // P = softmax(Z): Z̄ = P ⊙ (G − 1ᵀ·(G ⊙ P)), the row of column sums broadcast down.
    vjp: (n, g) => [mul(n, sub(g, matmul(T(ones(n.shape.rows)), mul(g, n))))],
    print: (n, ctx) => call(ctx, spell('softmax'), n.args),
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.columnwise('softmax', n.args[0]!),
    },
  },
  logsumexp: {
    rebuild: (_n, [x]) => build.logsumexp(x!),
    shape: ([a]) => shape(ONE, a!.shape.cols),
    eval: ([a]) =>
      columnwise(a!, (col) => {
        const m = col.reduce((p, q) => Math.max(p, q), -Infinity); // not Math.max(...col): a long column overflows the stack
        return [m + Math.log(col.reduce((s, x) => s + Math.exp(x - m), 0))];
      }),
    // ∂ logsumexp(z)/∂z = softmax(z), column by column; G is a row, broadcast down.
    vjp: (n, g) => [mul(g, softmax(n.args[0]! as Node))],
    print: (n, ctx) => call(ctx, spell('logsumexp'), n.args),
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.columnwise('logsumexp', n.args[0]!),
    },
  },
} satisfies Record<string, OpDef>;

/** Applies f to each column of a; f returns the output column. */
function columnwise(a: { rows: number; cols: number; data: Float64Array }, f: (col: number[]) => number[]) {
  let out: ReturnType<typeof mat> | undefined;
  for (let j = 0; j < a.cols; j++) {
    const col = Array.from({ length: a.rows }, (_, i) => a.data[i * a.cols + j]!);
    const r = f(col);
    out ??= mat(r.length, a.cols);
    r.forEach((v, i) => (out!.data[i * a.cols + j] = v));
  }
  return out!;
}
