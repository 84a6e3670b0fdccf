/** Ops that only rearrange entries: diag in both directions, vec and unvec. */
import type { OpDef } from './types.js';
import * as build from '../graph/build.js';
import { ShapeError } from '../graph/node.js';
import { mat } from '../eval/mat.js';
import { dimDiv, dimMul, dimText, dimValue, ONE } from '../shape/dim.js';
import { shape, shapeBrief } from '../shape/shape.js';
import { call, spell } from '../print/context.js';
import { diag, unvec, vec } from '../graph/build.js';
import { requireSquare } from './util.js';

export const layout = {
  diag: {
    rebuild: (_n, [x]) => build.diag(x!),
    shape: ([x]) => shape(x!.shape.rows, x!.shape.rows),
    eval: ([x]) => {
      const n = x!.rows;
      const out = mat(n, n);
      for (let i = 0; i < n; i++) out.data[i * n + i] = x!.data[i]!;
      return out;
    },
    vjp: (_n, g) => [diag(g)],
    print: (n, ctx) => call(ctx, spell('diag'), n.args),
    lower: {
      kind: 'structural',
      role: 'elementwise',
      inlines: () => true,
      at: (n, r, c, x) => x.diag(r, c, x.arg(n.args[0]!, r, '0')),
    },
  },
  diagvec: {
    rebuild: (_n, [x]) => build.diag(x!),
    shape: ([a]) => {
      requireSquare('diag', a!.shape);
      return shape(a!.shape.rows, ONE);
    },
    eval: ([a]) => {
      const n = a!.rows;
      const out = mat(n, 1);
      for (let i = 0; i < n; i++) out.data[i] = a!.data[i * n + i]!;
      return out;
    },
    vjp: (_n, g) => [diag(g)],
    print: (n, ctx) => call(ctx, spell('diag'), n.args),
    lower: { kind: 'structural', role: 'index', inlines: () => false, at: (n, r, _c, x) => x.arg(n.args[0]!, r, r) },
  },
  vec: {
    rebuild: (_n, [x]) => build.vec(x!),
    shape: ([a]) => shape(dimMul(a!.shape.rows, a!.shape.cols), ONE),
    eval: ([a]) => {
      const { rows: m, cols: n } = a!;
      const out = mat(m * n, 1);
      for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) out.data[j * m + i] = a!.data[i * n + j]!;
      return out;
    },
    vjp: (n, g) => [unvec(g, n.args[0]!.shape.rows)],
    print: (n, ctx) => call(ctx, spell('vec'), n.args),
    lower: { kind: 'structural', role: 'kernel', inlines: () => true, kernel: (n, k) => k.columnMajor(n.args[0]!) },
  },
  unvec: {
    rebuild: (n, [x]) => build.unvec(x!, n.dim!),
    shape: ([v], { dim }) => {
      const cols = dimDiv(v!.shape.rows, dim!);
      if (v!.shape.cols.k !== 1 || v!.shape.cols.syms.length || !cols)
        throw new ShapeError(
          `cannot unvec ${shapeBrief(v!.shape)} into ${dimText(dim!)} rows: ${dimText(dim!)} does not divide ${dimText(v!.shape.rows)}`,
        );
      return shape(dim!, cols);
    },
    eval: ([v], node, env) => {
      const m = dimValue(node.dim!, env.dims);
      const n = v!.rows / m;
      const out = mat(m, n);
      for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) out.data[i * n + j] = v!.data[j * m + i]!;
      return out;
    },
    vjp: (_n, g) => [vec(g)],
    print: (n, ctx) => call(ctx, spell('unvec'), [n.args[0]!, dimText(n.dim!, ctx.fmt === 'ascii')]),
    lower: {
      kind: 'structural',
      role: 'kernel',
      inlines: () => false,
      kernel: (n, k) => k.strided(n.args[0]!, n.dim!),
    },
  },
} satisfies Record<string, OpDef>;
