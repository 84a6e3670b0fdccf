/**
 * The Kronecker product and the commutation matrix: the two operators that make every
 * second derivative with respect to a matrix a matrix again (LANGUAGE.md §2, vec =
 * column stacking, Magnus–Neudecker):
 *   vec(A·X·B) = (Bᵀ ⊗ A)·vec(X),   commutation(m, n)·vec(X) = vec(Xᵀ) for X: [m, n].
 */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import { noRebuild } from './util.js';
import type { Node } from '../graph/node.js';
import { ShapeError } from '../graph/node.js';
import { mat } from '../eval/mat.js';
import { type Dim, dimDiv, dimMul, dimText, dimValue } from '../shape/dim.js';
import { shape } from '../shape/shape.js';
import { PREC, call, spell } from '../print/context.js';
import { T, eye, fill, kron, matmul, mul, ones } from '../graph/build.js';

export const kronecker = {
  kron: {
    rebuild: (_n, [x, y]) => build.kron(x!, y!),
    // [m, n] ⊗ [p, q] → [mp, nq]: every shape fits.
    shape: ([a, b]) => shape(dimMul(a!.shape.rows, b!.shape.rows), dimMul(a!.shape.cols, b!.shape.cols)),
    eval: ([a, b]) => {
      const [m, n, p, q] = [a!.rows, a!.cols, b!.rows, b!.cols];
      const out = mat(m * p, n * q);
      const C = n * q;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const x = a!.data[i * n + j]!;
          for (let r = 0; r < p; r++)
            for (let s = 0; s < q; s++) out.data[(i * p + r) * C + j * q + s] = x * b!.data[r * q + s]!;
        }
      return out;
    },
    // d(A ⊗ B) = dA ⊗ B + A ⊗ dB. Block (i, j) of G, G_ij [p, q], meets B in Ā(i, j) = Σ G_ij ⊙ B,
    // and B̄ = Σᵢⱼ A(i, j)·G_ij: block sums, written with Kronecker factors of ones:
    //   Ā = (I(m) ⊗ 1ₚᵀ)·(G ⊙ (ones(m, n) ⊗ B))·(I(n) ⊗ 1_q),
    //   B̄ = (1ₘᵀ ⊗ I(p))·(G ⊙ (A ⊗ ones(p, q)))·(1ₙ ⊗ I(q)).
    vjp: (node, g) => {
      const [a, b] = node.args as [Node, Node];
      const { rows: m, cols: n } = a.shape;
      const { rows: p, cols: q } = b.shape;
      const abar = matmul(
        matmul(kron(eye(m), T(ones(p))), mul(g, kron(fill(1, shape(m, n)), b))),
        kron(eye(n), ones(q)),
      );
      const bbar = matmul(
        matmul(kron(T(ones(m)), eye(p)), mul(g, kron(a, fill(1, shape(p, q))))),
        kron(ones(n), eye(q)),
      );
      return [abar, bbar];
    },
    print: (node, ctx) => {
      const [a, b] = node.args as [Node, Node];
      if (ctx.fmt === 'ascii') return call(ctx, spell('kron'), [a, b]);
      // One level with `·`, left-associative; a product operand is bracketed for the reader.
      const left = ctx.sub(a, a.op === 'matmul' ? PREC.NEG : PREC.MUL);
      const op = ctx.fmt === 'unicode' ? ' ⊗ ' : ' \\otimes ';
      return { text: left + op + ctx.sub(b, PREC.NEG), prec: PREC.MUL };
    },
    // Entry (I, J) is A(I div p, J div q)·B(I mod p, J mod q): the scheduler reads both
    // operands with those index maps (codegen/schedule.ts); the entry is their product.
    lower: {
      kind: 'elementwise',
      role: 'kernel', // its operands are read at block and in-block indices (codegen/schedule.ts)
      kernel: (n, k) => k.blocks(n.args[0]!, n.args[1]!),
      ts: ([a, b]) => `${a} * ${b}`,
      wgsl: ([a, b]) => `${a} * ${b}`,
    },
  },
  commutation: {
    rebuild: noRebuild,
    shape: () => {
      throw new Error('commutation takes its shape from its sizes');
    },
    // K(m, n)[r + n·c, c + m·r] = 1 for r < n, c < m.
    eval: (_a, node, env) => {
      const m = dimValue(node.dim!, env.dims);
      const mn = dimValue(node.shape.rows, env.dims);
      const n = mn / m;
      const out = mat(mn, mn);
      for (let r = 0; r < n; r++) for (let c = 0; c < m; c++) out.data[(r + n * c) * mn + c + m * r] = 1;
      return out;
    },
    vjp: () => [],
    print: (node, ctx) => {
      const [m, n] = commutationSizes(node);
      const tex = (d: Dim) => dimText(d).replace(/·/g, ' \\cdot ');
      if (ctx.fmt === 'latex') return { text: `\\mathbf{K}_{${tex(m)},${tex(n)}}`, prec: PREC.ATOM };
      const ascii = ctx.fmt === 'ascii';
      return call(ctx, spell('commutation'), [dimText(m, ascii), dimText(n, ascii)]);
    },
    lower: {
      kind: 'structural',
      role: 'leaf',
      inlines: () => false,
      at: (n, r, c, x) => x.commutation(r, c, ...commutationSizes(n)),
    },
  },
} satisfies Record<string, OpDef>;

/** The (m, n) of a commutation node: m is carried, n = mn / m. */
export function commutationSizes(node: Node): [Dim, Dim] {
  const n = dimDiv(node.shape.rows, node.dim!);
  if (!n) throw new ShapeError('commutation: malformed sizes');
  return [node.dim!, n];
}
