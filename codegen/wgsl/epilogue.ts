/**
 * Epilogue fusion, a WGSL-side peephole over the schedule and its memory plan: an
 * elementwise `map` step M that reads the result X of a matrix product or a sum S,
 * entry for entry, becomes S's epilogue — S's kernel applies M's expression to each
 * entry it computes and writes M's buffer; X is never stored and M never dispatched.
 * `G·Xᵀ / B`, `W·X + b` and `s / n` then cost one pass each instead of two.
 *
 * M is fused into S when (the memory plan is left as it is, so each condition keeps it
 * valid when M's work moves from M's place to S's):
 *  - X is a temp buffer that only M reads, and M's iteration space is X's shape;
 *  - every load of X in M reads entry (i, j) of X (no broadcast, transpose or diagonal);
 *  - every other buffer M reads is an input or was written before S;
 *  - M's buffer shares its slot with nothing that S reads, and with nothing any step
 *    between S and M reads or writes;
 *  - S's kernel stays within the storage-buffer limit with M's reads added.
 */
import { dimEq, ONE, type Dim } from '../../src/shape/dim.js';
import {
  type ElemExpr,
  type MapStep,
  type MatmulStep,
  type MemoryPlan,
  type ReduceStep,
  type Schedule,
  type Step,
  stepBuffers,
} from '../ir.js';
import { extEq, ext, isOneExt } from '../extent.js';
import { loadsOf } from '../elem.js';

/** S's result X, replaced in M's expression by the value S computes. */
export interface Epilogue {
  /** M's expression, evaluated at the entry (i, j) of S's result. */
  readonly expr: ElemExpr;
  /** The buffer X the expression's loads of which are S's value. */
  readonly value: number;
  /** The map step fused in (for comments). */
  readonly map: MapStep;
}

/** A step of the WGSL program: a schedule step, possibly with an epilogue (then `out` is M's buffer). */
export type FusedStep = { readonly step: Step; readonly index: number; readonly epilogue?: Epilogue };

function loads(
  e: ElemExpr,
  out: { buffer: number; si: readonly Dim[]; sj: readonly Dim[]; mi?: unknown; mj?: unknown }[] = [],
) {
  out.push(...loadsOf(e));
  return out;
}

/** The shape of S's result. */
function resultShape(s: MatmulStep | ReduceStep): [Dim, Dim] {
  if (s.kind === 'matmul') return [s.m, s.n];
  if (s.axis === 'rows') return [s.rows, ONE];
  if (s.axis === 'cols') return [ONE, s.cols];
  return [ONE, ONE];
}

export function fuseEpilogues(s: Schedule, plan: MemoryPlan, maxStorage: number): FusedStep[] {
  const readers = new Map<number, number[]>();
  const writer = new Map<number, number>();
  s.steps.forEach((st, k) => {
    const { reads, writes } = stepBuffers(st);
    for (const b of new Set(reads)) readers.set(b, [...(readers.get(b) ?? []), k]);
    for (const b of writes) if (!writer.has(b)) writer.set(b, k);
  });
  const outputs = new Set(s.outputs.map((o) => o.buffer));
  const slot = (b: number) => plan.slotOf[b]!;
  const fusedInto = new Map<number, number>(); // producer step → map step
  const absorbed = new Set<number>();

  s.steps.forEach((m, mi) => {
    if (m.kind !== 'map') return;
    const ls = loads(m.expr);
    for (const x of new Set(ls.map((l) => l.buffer))) {
      const si = writer.get(x);
      if (si === undefined || si >= mi || fusedInto.has(si) || absorbed.has(si)) continue;
      const sStep = s.steps[si]!;
      if (sStep.kind !== 'matmul' && sStep.kind !== 'reduce') continue;
      if (sStep.out !== x || s.buffers[x]!.role !== 'temp' || outputs.has(x) || readers.get(x)?.length !== 1) continue;
      const [rows, cols] = resultShape(sStep);
      if (!dimEq(rows, m.rows) || !dimEq(cols, m.cols)) continue;
      // Entry (i, j) of a row-major [rows, cols] buffer: i·cols + j (a stride along a unit axis never matters).
      const entry = (l: (typeof ls)[number]) =>
        !l.mi && !l.mj && (dimEq(m.rows, ONE) || extEq(l.si, ext(m.cols))) && (dimEq(m.cols, ONE) || isOneExt(l.sj));
      if (!ls.filter((l) => l.buffer === x).every(entry)) continue;
      const others = [...new Set(ls.map((l) => l.buffer).filter((b) => b !== x))];
      if (!others.every((b) => s.buffers[b]!.role === 'input' || (writer.get(b) ?? Infinity) < si)) continue;
      const outSlot = slot(m.out);
      const sReads = stepBuffers(sStep).reads;
      if (sReads.some((b) => slot(b) === outSlot && slot(b) >= 0)) continue;
      let clash = false;
      for (let t = si + 1; t < mi && !clash; t++) {
        const { reads, writes } = stepBuffers(s.steps[t]!);
        clash = [...reads, ...writes].some((b) => slot(b) === outSlot);
      }
      if (clash) continue;
      // Storage buffers: S's reads, M's other reads, the output, and partial sums for a two-pass sum.
      const bound = new Set([...sReads, ...others]).size + 1 + (sStep.kind === 'reduce' ? 1 : 0);
      if (bound > maxStorage) continue;
      fusedInto.set(si, mi);
      absorbed.add(mi);
      return;
    }
  });

  const out: FusedStep[] = [];
  s.steps.forEach((st, k) => {
    if (absorbed.has(k)) return;
    const mi = fusedInto.get(k);
    if (mi === undefined) return out.push({ step: st, index: k });
    const m = s.steps[mi] as MapStep;
    const producer = st as MatmulStep | ReduceStep;
    out.push({ step: { ...producer, out: m.out }, index: k, epilogue: { expr: m.expr, value: producer.out, map: m } });
  });
  return out;
}
