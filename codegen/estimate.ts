/**
 * The memory a compiled program needs at given sizes, from its memory plan alone,
 * before anything is allocated: every slot of the entry that runs (the value and
 * gradients, or the forward pass), at its element type's width. `matdiff run` refuses
 * a program whose need is over the limit, naming its largest intermediate.
 */
import type { Program } from './program.js';
import type { ElemType } from './ir.js';
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
