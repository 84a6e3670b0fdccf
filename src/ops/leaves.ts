/** Leaves: variables, constants, dimension sizes, ones/zeros and the identity. */
import type { OpDef } from './types.js';
import { noRebuild } from './util.js';
import { type Mat, mat, scalarMat } from '../eval/mat.js';
import { dimValue } from '../shape/dim.js';
import { isScalar, isColumn } from '../shape/shape.js';
import { PREC, call, latexName, numberText, spell } from '../print/context.js';
import { dimText } from '../shape/dim.js';
import { tsLiteral, wgslLiteral } from './literal.js';

const leaf = (): never => {
  throw new Error('leaves take their shape from their declaration');
};

export const leaves = {
  var: {
    rebuild: noRebuild,
    shape: leaf,
    eval: (_a, n, env) => {
      const v: Mat | undefined = env.vars.get(n.name!);
      if (!v) throw new Error(`no value for ${n.name}`);
      return v;
    },
    vjp: () => [],
    print: (n, ctx) => ({
      text: ctx.fmt === 'latex' ? latexName(n.name!, !isScalar(n.shape)) : n.name!,
      prec: PREC.ATOM,
    }),
    lower: { kind: 'input' },
  },
  const: {
    rebuild: noRebuild,
    shape: leaf,
    eval: (_a, n) => scalarMat(n.num!),
    vjp: () => [],
    print: (n, ctx) => ({ text: numberText(n.num!, ctx.fmt), prec: n.num! < 0 ? PREC.NEG : PREC.ATOM }),
    lower: {
      kind: 'elementwise',
      role: 'leaf',
      ts: (_a, n) => tsLiteral(n.num!),
      wgsl: (_a, n) => wgslLiteral(n.num!),
    },
  },
  dimval: {
    rebuild: noRebuild,
    shape: leaf,
    eval: (_a, n, env) => scalarMat(dimValue(n.dim!, env.dims)),
    vjp: () => [],
    print: (n, ctx) => ({
      text: ctx.fmt === 'latex' ? latexName(dimText(n.dim!), false) : dimText(n.dim!),
      prec: PREC.ATOM,
    }),
    lower: { kind: 'input', role: 'leaf' },
  },
  fill: {
    rebuild: noRebuild,
    shape: leaf,
    eval: (_a, n, env) => {
      const out = mat(dimValue(n.shape.rows, env.dims), dimValue(n.shape.cols, env.dims));
      out.data.fill(n.num!);
      return out;
    },
    vjp: () => [],
    print: (n, ctx) => {
      const name = n.num === 1 ? spell('ones', 'ones', '\\mathbf{1}') : spell('zeros', 'zeros', '\\mathbf{0}');
      const dims = n.num === 1 && isColumn(n.shape) ? [n.shape.rows] : [n.shape.rows, n.shape.cols];
      if (ctx.fmt === 'latex')
        return { text: `${name.latex}_{${dims.map((d) => dimText(d)).join('\\times ')}}`, prec: PREC.ATOM };
      return call(
        ctx,
        name,
        dims.map((d) => dimArg(d, ctx.fmt === 'ascii')),
      );
    },
    lower: {
      kind: 'elementwise',
      role: 'leaf',
      ts: (_a, n) => tsLiteral(n.num!),
      wgsl: (_a, n) => wgslLiteral(n.num!),
    },
  },
  eye: {
    rebuild: noRebuild,
    shape: leaf,
    eval: (_a, n, env) => {
      const k = dimValue(n.dim!, env.dims);
      const out = mat(k, k);
      for (let i = 0; i < k; i++) out.data[i * k + i] = 1;
      return out;
    },
    vjp: () => [],
    print: (n, ctx) =>
      ctx.fmt === 'latex'
        ? { text: `\\mathbf{I}_{${dimText(n.dim!).replace(/·/g, ' \\cdot ')}}`, prec: PREC.ATOM }
        : call(ctx, spell('I'), [dimArg(n.dim!, ctx.fmt === 'ascii')]),
    lower: { kind: 'structural', role: 'leaf', inlines: () => false, at: (_n, r, c, x) => x.eye(r, c) },
  },
} satisfies Record<string, OpDef>;

/** A dimension as a function argument: `n`, `3`, `m·n`. */
function dimArg(d: Parameters<typeof dimText>[0], ascii: boolean): string {
  return dimText(d, ascii);
}
