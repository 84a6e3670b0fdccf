/**
 * The memory and the work a compiled program needs at given sizes, from its schedule and
 * memory plan alone, before anything is allocated or run: every slot of the entry that
 * runs (the value and gradients, or the forward pass) at its element type's width, and
 * every step's operations (a product m·n·k multiply-adds, a factorisation n³/3, a map or
 * a reduction one per entry of its iteration space). `matdiff run` refuses a program
 * over the memory limit, naming its largest intermediate, or over MAX_WORK, naming its
 * costliest step: a sum over an [n, n] space at n = 10⁸ needs no memory but 10¹⁶ steps.
 */
import type { Program } from './program.js';
import type { ElemType, Step } from './ir.js';
import { extValue } from './extent.js';
import { dimValue } from '../src/shape/dim.js';
import { printExpr } from '../src/print/printer.js';
import { topoOrder } from '../src/graph/node.js';
import type { MemoryNeed } from '../src/util/memory.js';

export function programMemory(p: Program, dims: ReadonlyMap<string, number>, dtype: 'f32' | 'f64'): MemoryNeed {
  const entry = p.valueAndGrad ?? p.forward;
  const width = (e: ElemType) => (e === 'i32' || (e === 'real' && dtype === 'f32') ? 4 : 8);
  let bytes = 0;
  for (const slot of entry.plan.slots) bytes += extValue(slot.size, dims) * width(slot.elem);
  let largest: MemoryNeed['largest'];
  for (const b of entry.schedule.buffers) {
    if (b.role === 'input' || b.rows === undefined || b.cols === undefined) continue;
    const [rows, cols] = [dimValue(b.rows, dims), dimValue(b.cols, dims)];
    const size = rows * cols * width(b.elem);
    if (largest && size <= largest.bytes) continue;
    // A small formula reads best; a large one (whose text may be long) goes by its label.
    const formula = b.node && topoOrder([b.node]).length <= 12 ? printExpr(b.node, 'unicode', p.names) : b.label;
    const what = [...formula].length > 60 ? b.label : formula;
    largest = { what, rows, cols, bytes: size };
  }
  return { bytes, largest };
}

/** Operations beyond which a run is refused: about a day even at 10¹⁰ operations a second. */
export const MAX_WORK = 1e15;

/** The operations of a program's entry, and its costliest step (as a formula and an iteration space). */
export function programWork(
  p: Program,
  dims: ReadonlyMap<string, number>,
): { ops: number; costliest?: { what: string; space: string; ops: number } } {
  const entry = p.valueAndGrad ?? p.forward;
  const v = (d: Parameters<typeof dimValue>[0]) => dimValue(d, dims);
  const cost = (s: Step): [number, string] => {
    switch (s.kind) {
      case 'map':
      case 'reduce':
      case 'softmax':
      case 'logsumexp':
        return [v(s.rows) * v(s.cols), `over ${v(s.rows)}×${v(s.cols)} entries`];
      case 'matmul':
        return [v(s.m) * v(s.n) * v(s.k), `a ${v(s.m)}×${v(s.k)} by ${v(s.k)}×${v(s.n)} product`];
      case 'factor':
        return [v(s.n) ** 3 / 3, `factorising a ${v(s.n)}×${v(s.n)} matrix`];
      case 'inverse':
        return [v(s.n) ** 3, `inverting a ${v(s.n)}×${v(s.n)} matrix`];
      case 'solve':
        return [
          v(s.n) ** 2 * v(s.m),
          `solving with a ${v(s.n)}×${v(s.n)} factorisation for ${v(s.m)} right-hand sides`,
        ];
      case 'det':
      case 'logdet':
        return [v(s.n), `from a ${v(s.n)}×${v(s.n)} factorisation`];
    }
  };
  let ops = 0;
  let costliest: { what: string; space: string; ops: number } | undefined;
  for (const step of entry.schedule.steps) {
    const [n, space] = cost(step);
    ops += n;
    if (costliest && n <= costliest.ops) continue;
    const formula = topoOrder([step.node]).length <= 12 ? printExpr(step.node, 'unicode', p.names) : undefined;
    costliest = { what: formula && [...formula].length <= 60 ? formula : step.kind, space, ops: n };
  }
  return { ops, costliest };
}
