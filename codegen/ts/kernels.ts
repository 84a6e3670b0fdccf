/**
 * Steps of a schedule as TypeScript statements. Fused elementwise maps and reductions
 * become loop nests written for the step; products, softmax/logsumexp and
 * factorisations call the runtime (runtime.ts).
 *
 * Loop nests: the iteration space is [R, C], row-major. Loads that do not depend on j
 * (a column broadcast) are read once per row, loads that depend on neither once per
 * kernel, and when every load walks the same layout as the output the two loops
 * collapse into one over R·C.
 */
import { type Dim, isOne } from '../../src/shape/dim.js';
import type { ElemExpr, Idx, IdxMap, MatOperand, Step, View } from '../ir.js';
import { renderElem } from '../render.js';
import { foldElem } from '../elem.js';
import { type Extent, ext, extCode, extEq, extKey, isOneExt, isZeroExt } from '../extent.js';
import { type ProductEpilogue, epFlags, epNames } from './epilogue.js';

export interface RenderCtx {
  /** The run-time size of a symbolic dimension (a local constant). */
  dim(sym: string): string;
  /** The local name of a logical buffer. */
  buf(id: number): string;
  /** Whether a product's buffer is taken where the product is computed (emit.ts: productsReadInPlace). */
  inPlace?(id: number): boolean;
}

const size = (e: Extent, ctx: RenderCtx): string => {
  const code = extCode(e, (s) => ctx.dim(s));
  return e.length > 1 ? `(${code})` : code;
};
const dimCode = (d: Dim, ctx: RenderCtx): string => size(ext(d), ctx);

/** `i * s` (or `i`, or nothing for a zero stride). */
function term(index: string, stride: Extent, ctx: RenderCtx): string | undefined {
  if (isZeroExt(stride)) return undefined;
  return isOneExt(stride) ? index : `${index} * ${size(stride, ctx)}`;
}

/** A kernel index through an index map: `Math.floor(i / p)` or `i % p`. */
function mapped(index: string, m: IdxMap | undefined, ctx: RenderCtx): string {
  if (!m) return index;
  const by = dimCode(m.by, ctx);
  return m.op === 'div' ? `Math.floor(${index} / ${by})` : `(${index} % ${by})`;
}

/** A rendered operand is wrapped in parentheses unless it is atomic. */
const paren = (code: string): string => (isAtomic(code) ? code : `(${code})`);

/**
 * A number (`-1`, `2.5e-7`), a name, or a name followed by one bracketed group that
 * closes at the end (`f(…)`, `x[…]`, `x[…]«!»`). Rendered expressions hold no strings,
 * so counting brackets is exact.
 */
function isAtomic(code: string): boolean {
  if (/^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(code)) return true;
  const head = /^[\p{L}\p{N}_$.]+/u.exec(code);
  if (!head) return false;
  const rest = code.slice(head[0].length).replace(/«!»$/, '');
  if (rest === '') return true;
  if (rest[0] !== '(' && rest[0] !== '[') return false;
  let depth = 0;
  for (let k = 0; k < rest.length; k++) {
    const ch = rest[k]!;
    if (ch === '(' || ch === '[') depth++;
    else if (ch === ')' || ch === ']') depth--;
    if (depth === 0) return k === rest.length - 1;
  }
  return false;
}

interface Loads {
  /** Statements before the loops. */
  pre: string[];
  /** Statements at the start of each row. */
  row: string[];
  /** The expression. */
  code: string;
}

/**
 * Renders `e` for an [rows, cols] iteration space. `flat`: one loop, index `p` (or the
 * literal 0 for a single element). `diag`: one loop over i, every load depends on i only.
 * `scalar`: one expression, every load constant and written in place (no statements).
 */
function renderExpr(
  e: ElemExpr,
  mode: 'grid' | 'flat' | 'diag' | 'scalar',
  flatIndex: string,
  ctx: RenderCtx,
  rowOffset?: { stride: Extent; name: string },
): Loads {
  const pre: string[] = [];
  const row: string[] = [];
  const named = new Map<string, string>();
  const rowOffsets = new Map<string, string>(rowOffset ? [[extKey(rowOffset.stride), rowOffset.name]] : []);
  const idx = (k: Idx) => (k === '0' ? '0' : k);

  const loadCode = (l: Extract<ElemExpr, { kind: 'load' }>): string => {
    const mapKey = (m?: IdxMap) => (m ? `${m.op}${extKey(ext(m.by))}` : '');
    const key = `${l.buffer}|${extKey(l.si)}|${extKey(l.sj)}|${mapKey(l.mi)}|${mapKey(l.mj)}`;
    const known = named.get(key);
    if (known) return known;
    const b = ctx.buf(l.buffer);
    const iTerm = term(mapped('i', l.mi, ctx), l.si, ctx);
    const jTerm = term(mapped('j', l.mj, ctx), l.sj, ctx);
    if (mode === 'flat' && (iTerm || jTerm)) return `${b}[${flatIndex}]«!»`;
    if (mode === 'scalar') {
      if (iTerm || jTerm) throw new Error('renderExpr: a load that moves, in a scalar expression');
      return `${b}[0]«!»`;
    }
    if (!jTerm) {
      // Constant along the row (or everywhere): read once.
      const name = `k${named.size}`;
      named.set(key, name);
      (iTerm ? row : pre).push(`const ${name} = ${b}[${iTerm ?? '0'}]«!»;`);
      return name;
    }
    if (!iTerm) return `${b}[${jTerm}]«!»`;
    if (l.mi) return `${b}[${iTerm} + ${jTerm}]«!»`;
    let r = rowOffsets.get(extKey(l.si));
    if (!r) {
      r = `r${rowOffsets.size}`;
      rowOffsets.set(extKey(l.si), r);
      row.push(`const ${r} = ${iTerm};`);
    }
    return `${b}[${r} + ${jTerm}]«!»`;
  };

  const code = renderElem(e, {
    lang: 'ts',
    one: '1',
    foldsSameIndex: true,
    load: loadCode,
    value: (d) => dimCode(d, ctx),
    size: (d) => dimCode(d, ctx),
    index: idx,
    paren,
    eq: (a, b) => `${a} === ${b}`,
    quot: (a, by) => `Math.floor(${a} / ${by})`,
    select: (cond, then) => `(${cond} ? ${then} : 0)`,
  });
  return { pre, row, code };
}

/** Can the iteration collapse to one loop: every load reads the output's own layout, or a constant? */
function flattens(e: ElemExpr, rows: Dim, cols: Dim): boolean {
  const all = (_: unknown, kids: boolean[]) => kids.every(Boolean);
  const single = () => isOne(rows) && isOne(cols);
  return foldElem<boolean>(e, {
    load: (x) => {
      if (isZeroExt(x.si) && isZeroExt(x.sj)) return true;
      if (x.mi || x.mj) return false;
      return (isOne(rows) || extEq(x.si, ext(cols))) && (isOne(cols) || isOneExt(x.sj));
    },
    op: all,
    dim: () => true,
    eye: single,
    diag: single,
    commutation: single,
  });
}

/**
 * A loop nest over [rows, cols] whose innermost statement is `body(code, at)`, `at` the
 * output index (`p`, `0`, or `o + j`). With `rowStart`/`rowEnd` (per-row reductions) it
 * never collapses and `rowStart` replaces the row offset `o`.
 */
function loopNest(
  e: ElemExpr,
  rows: Dim,
  cols: Dim,
  ctx: RenderCtx,
  body: (code: string, at: string) => string,
  opts: { rowStart?: string; rowEnd?: (i: string) => string } = {},
): string {
  const R = dimCode(rows, ctx);
  const C = dimCode(cols, ctx);
  const perRow = opts.rowStart !== undefined;
  if (!perRow && flattens(e, rows, cols)) {
    const single = isOne(rows) && isOne(cols);
    const at = single ? '0' : 'p';
    const l = renderExpr(e, 'flat', at, ctx);
    const n = isOne(rows) ? C : isOne(cols) ? R : `${R} * ${C}`;
    const stmt = body(l.code, at);
    return [...l.pre, single ? stmt : `for (let p = 0; p < ${n}; p++) ${stmt}`].join('\n');
  }
  const l = renderExpr(e, 'grid', '', ctx, perRow ? undefined : { stride: ext(cols), name: 'o' });
  return [
    ...l.pre,
    `for (let i = 0; i < ${R}; i++) {`,
    perRow ? opts.rowStart! : `const o = i * ${C};`,
    ...l.row,
    `for (let j = 0; j < ${C}; j++) ${body(l.code, 'o + j')}`,
    ...(opts.rowEnd ? [opts.rowEnd('i')] : []),
    '}',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

const operandStrides = (x: MatOperand, ctx: RenderCtx): [string, string] => {
  const ld = size(x.ld, ctx);
  return x.trans ? ['1', ld] : [ld, '1'];
};

const viewArgs = (v: View, ctx: RenderCtx): string => `${ctx.buf(v.buffer)}, ${size(v.rs, ctx)}, ${size(v.cs, ctx)}`;

/** The statements of one step (without its comment). */
export function renderStep(s: Step, ctx: RenderCtx): string {
  switch (s.kind) {
    case 'map': {
      const out = ctx.buf(s.out);
      return loopNest(s.expr, s.rows, s.cols, ctx, (code, at) => `${out}[${at}] = ${code};`);
    }
    case 'reduce':
      return renderReduce(s, ctx);
    case 'matmul': {
      const args = productArgs(s, s.out, ctx);
      return ctx.inPlace?.(s.out) ? `${ctx.buf(s.out)} = gemmTo(${args});` : `gemm(${args});`;
    }
    case 'softmax':
    case 'logsumexp': {
      const fn = s.kind === 'softmax' ? 'softmaxCols' : 'logsumexpCols';
      return `${fn}(${dimCode(s.rows, ctx)}, ${dimCode(s.cols, ctx)}, ${viewArgs(s.input, ctx)}, ${ctx.buf(s.out)}, ${ctx.buf(s.max)}, ${ctx.buf(s.sum)});`;
    }
    case 'factor': {
      const n = dimCode(s.n, ctx);
      return s.method === 'lu'
        ? `luFactor(${n}, ${viewArgs(s.input, ctx)}, ${ctx.buf(s.factor)}, ${ctx.buf(s.piv!)});`
        : `cholFactor(${n}, ${viewArgs(s.input, ctx)}, ${ctx.buf(s.factor)});`;
    }
    case 'inverse': {
      const n = dimCode(s.n, ctx);
      return s.method === 'lu'
        ? `luInverse(${n}, ${ctx.buf(s.factor)}, ${ctx.buf(s.piv!)}, ${ctx.buf(s.out)}, ${ctx.buf(s.tmp!)});`
        : `cholInverse(${n}, ${ctx.buf(s.factor)}, ${ctx.buf(s.out)}, ${ctx.buf(s.tmp!)});`;
    }
    case 'solve': {
      // B·op(A)⁻¹ is (op(A)⁻ᵀ·Bᵀ)ᵀ: the same solve with Bᵀ read and the result written transposed.
      const left = s.side === 'left';
      const [n, m] = [dimCode(s.n, ctx), dimCode(s.m, ctx)];
      const [rs, cs] = [size(s.b.rs, ctx), size(s.b.cs, ctx)];
      const b = `${ctx.buf(s.b.buffer)}, ${left ? `${rs}, ${cs}` : `${cs}, ${rs}`}`;
      const out = `${ctx.buf(s.out)}, ${left ? `${m}, 1` : `1, ${n}`}`;
      const trans = left ? s.trans : !s.trans;
      return s.method === 'lu'
        ? `luSolve(${n}, ${m}, ${ctx.buf(s.factor)}, ${ctx.buf(s.piv!)}, ${trans}, ${b}, ${out}, ${ctx.buf(s.tmp)});`
        : `cholSolve(${n}, ${m}, ${ctx.buf(s.factor)}, ${b}, ${out}, ${ctx.buf(s.tmp)});`;
    }
    case 'det':
    case 'logdet': {
      const n = dimCode(s.n, ctx);
      const f = ctx.buf(s.factor);
      const call =
        s.method === 'lu'
          ? s.kind === 'det'
            ? `luDet(${n}, ${f}, ${ctx.buf(s.piv!)})`
            : `luLogdet(${n}, ${f})`
          : s.kind === 'det'
            ? `cholDet(${n}, ${f})`
            : `cholLogdet(${n}, ${f})`;
      return `${ctx.buf(s.out)}[0] = ${call};`;
    }
  }
}

/** gemm's arguments for a product step, C written to buffer `out`: m, n, k, A and B with their strides, C. */
function productArgs(s: Extract<Step, { kind: 'matmul' }>, out: number, ctx: RenderCtx): string {
  const [ars, acs] = operandStrides(s.a, ctx);
  const [brs, bcs] = operandStrides(s.b, ctx);
  const [m, n, k] = [s.m, s.n, s.k].map((d) => dimCode(d, ctx));
  return `${m}, ${n}, ${k}, ${ctx.buf(s.a.buffer)}, ${ars}, ${acs}, ${ctx.buf(s.b.buffer)}, ${brs}, ${bcs}, ${ctx.buf(out)}`;
}

/**
 * A product and its epilogue (ts/epilogue.ts), written to the map's buffer: gemmEp, or
 * gemmEpTo where that buffer is read in place. α is the product of its factors, each one
 * expression with its (constant) loads written in place.
 */
export function renderProductEpilogue(
  s: Extract<Step, { kind: 'matmul' }>,
  ep: ProductEpilogue,
  ctx: RenderCtx,
): string {
  const factors = ep.alpha.map((f) => paren(renderExpr(f, 'scalar', '0', ctx).code));
  const out = ctx.buf(ep.map.out);
  const bias = ep.bias ? ctx.buf(ep.bias.buffer) : 'null';
  const args = `${productArgs(s, ep.map.out, ctx)}, ${factors.join(' * ') || '1'}, ${bias}, ${epFlags(ep)} /* ${epNames(ep)} */`;
  return ctx.inPlace?.(ep.map.out) ? `${out} = gemmEpTo(${args});` : `gemmEp(${args});`;
}

function renderReduce(s: Extract<Step, { kind: 'reduce' }>, ctx: RenderCtx): string {
  const out = ctx.buf(s.out);
  switch (s.axis) {
    case 'all':
      return [
        'let acc = 0;',
        loopNest(s.body, s.rows, s.cols, ctx, (code) => `acc += ${code};`),
        `${out}[0] = acc;`,
      ].join('\n');
    case 'rows':
      return loopNest(s.body, s.rows, s.cols, ctx, (code) => `acc += ${code};`, {
        rowStart: 'let acc = 0;',
        rowEnd: (i) => `${out}[${i}] = acc;`,
      });
    case 'cols': {
      const acc = ctx.buf(s.acc!);
      const C = dimCode(s.cols, ctx);
      return [
        `${acc}.fill(0, 0, ${C});`,
        loopNest(s.body, s.rows, s.cols, ctx, (code) => `${acc}[j]«!» += ${code};`, { rowStart: '' }),
        `for (let j = 0; j < ${C}; j++) ${out}[j] = ${acc}[j]«!»;`,
      ].join('\n');
    }
    case 'diag': {
      const l = renderExpr(s.body, 'diag', '', ctx);
      return [
        'let acc = 0;',
        ...l.pre,
        `for (let i = 0; i < ${dimCode(s.rows, ctx)}; i++) {`,
        ...l.row,
        `acc += ${l.code};`,
        '}',
        `${out}[0] = acc;`,
      ].join('\n');
    }
  }
}
