/**
 * WGSL-specific legalisation of a schedule, the one change the WGSL backend makes to
 * the target-neutral program: a fused kernel may read at most `maxReads` distinct
 * buffers (the device's storage buffers per shader stage, less the one it writes).
 * A `map` or `reduce` step whose expression reads more is cut: the largest subexpression
 * that reads at most `maxReads` buffers (and at least two, so that each cut helps) is
 * written to a new temp buffer by a `map` step over the same iteration space, and read
 * back from it — until the expression fits. The memory plan is made afterwards, so the
 * new buffers share slots like any other.
 */
import { dimMul, ONE } from '../../src/shape/dim.js';
import type { BufferInfo, ElemExpr, MapStep, ReduceStep, Schedule, Step } from '../ir.js';
import { childrenOf, loadsOf, withChildren } from '../elem.js';
import { ONE_EXT, ZERO_EXT, ext } from '../extent.js';

const loads = (e: ElemExpr): Set<number> => new Set(loadsOf(e).map((l) => l.buffer));

/** The schedule with every map and reduce step reading at most `maxReads` buffers. */
export function legalize(s: Schedule, maxReads: number): Schedule {
  if (maxReads < 2) throw new Error('codegen/wgsl: a kernel must be able to read two buffers');
  const over = (st: Step) =>
    (st.kind === 'map' ? loads(st.expr).size : st.kind === 'reduce' ? loads(st.body).size : 0) > maxReads;
  if (!s.steps.some(over)) return s;
  const buffers: BufferInfo[] = [...s.buffers];
  const steps: Step[] = [];
  for (const st of s.steps) {
    if (!over(st)) {
      steps.push(st);
      continue;
    }
    const m = st as MapStep | ReduceStep;
    // The diagonal of a trace is evaluated at (i, i): its parts are [rows, 1] columns.
    const diag = m.kind === 'reduce' && m.axis === 'diag';
    const rows = m.rows;
    const cols = diag ? ONE : m.cols;
    let e = m.kind === 'map' ? m.expr : m.body;
    while (loads(e).size > maxReads) {
      const part = largestFitting(e, maxReads);
      if (!part) throw new Error('codegen/wgsl: cannot split a kernel to the storage buffer limit');
      const id = buffers.length;
      buffers.push({
        id,
        size: ext(dimMul(rows, cols)),
        rows,
        cols,
        elem: 'real',
        role: 'temp',
        label: `${labelOf(s, m)}_part`,
        node: m.node,
      });
      steps.push({ kind: 'map', node: m.node, out: id, rows, cols, expr: part });
      const load: ElemExpr = diag
        ? { kind: 'load', buffer: id, si: ONE_EXT, sj: ZERO_EXT }
        : { kind: 'load', buffer: id, si: ext(cols), sj: ONE_EXT };
      e = replace(e, part, load);
    }
    steps.push(m.kind === 'map' ? { ...m, expr: e } : { ...m, body: e });
  }
  return { ...s, buffers, steps };
}

const labelOf = (s: Schedule, st: MapStep | ReduceStep): string => s.buffers[st.out]?.label ?? st.node.op;

/** The op subexpression with the most distinct loads, between 2 and `max`. */
function largestFitting(e: ElemExpr, max: number): ElemExpr | undefined {
  let best: ElemExpr | undefined;
  let bestN = 1;
  const visit = (x: ElemExpr): void => {
    if (x.kind === 'op' || x.kind === 'diag') {
      const n = loads(x).size;
      if (n <= max && n > bestN) [best, bestN] = [x, n];
      childrenOf(x).forEach(visit);
    }
  };
  visit(e);
  return best;
}

function replace(e: ElemExpr, target: ElemExpr, by: ElemExpr): ElemExpr {
  if (e === target) return by;
  return withChildren(
    e,
    childrenOf(e).map((c) => replace(c, target, by)),
  );
}
