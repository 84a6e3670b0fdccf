/**
 * Epilogues computed inside the TypeScript backend's products. A `map` step M that reads
 * a product's result X entry by entry, X's only reader, is the product's epilogue — the
 * pairing the WGSL backend fuses (wgsl/epilogue.ts `fuseEpilogues`, whose conditions on
 * the schedule and the memory plan this reuses: M's work moves to the product's place and
 * writes M's buffer there). Here M's expression must also be
 *
 *   [relu] ( [α ·] X [+ bias] )
 *
 * with α a product of factors constant over the map (numbers, sizes, scalar loads) and bias
 * a vector read along j (bias[j], one entry per column, broadcast down the rows) or along
 * i (bias[i], one per row). The product then runs as `gemmEp` (runtime.ts): the
 * WebAssembly kernel applies it to each tile while the tile is in registers, as it stores
 * it (flags EP in wasm/gemm-wat.mjs), and M is not emitted. Any other function after a
 * product (exp, sigmoid, a mask) keeps its map, which reads X in place (gemmTo).
 */
import { isOne } from '../../src/shape/dim.js';
import type { ElemExpr, MapStep, MatmulStep, MemoryPlan, Schedule } from '../ir.js';
import { foldElem, loadsOf } from '../elem.js';
import { isOneExt, isZeroExt } from '../extent.js';
import { fuseEpilogues } from '../wgsl/epilogue.js';

/** gemm_t's epilogue flags (wasm/gemm-wat.mjs EP). */
export const EP = { scale: 1, biasJ: 2, biasI: 4, relu: 8 } as const;

export interface ProductEpilogue {
  /** The product step. */
  readonly product: MatmulStep;
  /** The map step absorbed, and its index in the schedule. */
  readonly map: MapStep;
  readonly mapIndex: number;
  /** Scalar factors whose product is α (none: no scaling). */
  readonly alpha: readonly ElemExpr[];
  readonly bias?: { readonly buffer: number; readonly along: 'i' | 'j' };
  readonly relu: boolean;
}

/** The flags of an epilogue (EP). */
export function epFlags(e: ProductEpilogue): number {
  return (
    (e.alpha.length ? EP.scale : 0) |
    (e.bias ? (e.bias.along === 'j' ? EP.biasJ : EP.biasI) : 0) |
    (e.relu ? EP.relu : 0)
  );
}

/** What the flags do, for the call's comment: `α·C + bias[i], relu`. */
export function epNames(e: ProductEpilogue): string {
  const sum = [e.alpha.length ? 'α·C' : 'C', ...(e.bias ? [`bias[${e.bias.along}]`] : [])].join(' + ');
  return e.relu ? `relu(${sum})` : sum;
}

/** The epilogue of each product step that has one, by the product's step index. */
export function productEpilogues(s: Schedule, plan: MemoryPlan): Map<number, ProductEpilogue> {
  const out = new Map<number, ProductEpilogue>();
  for (const f of fuseEpilogues(s, plan, Infinity)) {
    if (!f.epilogue || f.step.kind !== 'matmul') continue;
    const m = f.epilogue.map;
    const parts = matchEpilogue(m, f.epilogue.value, s);
    if (parts)
      out.set(f.index, { product: s.steps[f.index] as MatmulStep, map: m, mapIndex: s.steps.indexOf(m), ...parts });
  }
  return out;
}

const isOp = (e: ElemExpr, op: string): e is Extract<ElemExpr, { kind: 'op' }> => e.kind === 'op' && e.node.op === op;

/** M's expression as [relu](α·X + bias), or undefined. */
function matchEpilogue(
  m: MapStep,
  x: number,
  s: Schedule,
): Omit<ProductEpilogue, 'product' | 'map' | 'mapIndex'> | undefined {
  const readsX = (e: ElemExpr) => loadsOf(e).some((l) => l.buffer === x);
  let e = m.expr;
  let relu = false;
  if (isOp(e, 'relu')) {
    relu = true;
    e = e.args[0]!;
  }
  let bias: ProductEpilogue['bias'];
  if (isOp(e, 'add')) {
    const withX = e.args.filter(readsX);
    const rest = e.args.filter((a) => !readsX(a));
    if (withX.length !== 1 || rest.length !== 1) return undefined;
    bias = vectorLoad(rest[0]!, m, s);
    if (!bias) return undefined;
    e = withX[0]!;
  }
  let alpha: ElemExpr[] = [];
  if (isOp(e, 'mul')) {
    const withX = e.args.filter(readsX);
    alpha = e.args.filter((a) => !readsX(a));
    if (withX.length !== 1 || !alpha.every(isScalar)) return undefined;
    e = withX[0]!;
  }
  if (e.kind !== 'load' || e.buffer !== x) return undefined;
  return { alpha, ...(bias ? { bias } : {}), relu };
}

/** A load of a whole real vector along i or j of M's iteration space (a stride along a unit axis never matters). */
function vectorLoad(e: ElemExpr, m: MapStep, s: Schedule): ProductEpilogue['bias'] {
  if (e.kind !== 'load' || e.mi || e.mj || s.buffers[e.buffer]!.elem !== 'real') return undefined;
  const si = isOne(m.rows) ? [] : e.si;
  const sj = isOne(m.cols) ? [] : e.sj;
  if (isZeroExt(si) && (isOneExt(sj) || isOne(m.cols))) return { buffer: e.buffer, along: 'j' };
  if (isZeroExt(sj) && isOneExt(si)) return { buffer: e.buffer, along: 'i' };
  return undefined;
}

/** Constant over the iteration space: no load that moves with i or j, no index-dependent kind. */
const isScalar = (e: ElemExpr): boolean =>
  foldElem<boolean>(e, {
    load: (l) => isZeroExt(l.si) && isZeroExt(l.sj) && !l.mi && !l.mj,
    op: (_, kids) => kids.every(Boolean),
    dim: () => true,
    eye: () => false,
    diag: () => false,
    commutation: () => false,
  });
