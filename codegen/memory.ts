/**
 * The memory planner: logical buffers → physical slots, by liveness.
 *
 * A temp or scratch buffer is live from the step that first writes it to the last step
 * that reads or writes it. Walking the steps in order, each newly written buffer takes a
 * free slot of its size class — the same element type and the same size extent (a
 * symbolic size, so the plan holds for every binding of the dimensions) — or a new
 * slot; after the step, buffers that are dead return their slots to the pool. A step's
 * outputs are placed before its dead inputs are released, so no step ever writes a slot
 * it reads. Output buffers get a slot each, never shared; inputs get none.
 */
import { type MemoryPlan, type Schedule, stepBuffers } from './ir.js';
import { extKey } from './extent.js';

type Slot = { -readonly [K in keyof MemoryPlan['slots'][number]]: MemoryPlan['slots'][number][K] } & {
  buffers: number[];
};

export function planMemory(s: Schedule): MemoryPlan {
  const lastUse = new Array<number>(s.buffers.length).fill(-1);
  s.steps.forEach((step, i) => {
    const { reads, writes } = stepBuffers(step);
    for (const b of [...reads, ...writes]) lastUse[b] = i;
  });

  const slots: Slot[] = [];
  const slotOf = new Array<number>(s.buffers.length).fill(-1);
  const free = new Map<string, number[]>();
  const classOf = (b: number) => `${s.buffers[b]!.elem}:${extKey(s.buffers[b]!.size)}`;

  s.steps.forEach((step, i) => {
    const { reads, writes } = stepBuffers(step);
    for (const b of writes) {
      if (slotOf[b] !== -1) continue;
      const info = s.buffers[b]!;
      if (info.role === 'input') throw new Error(`codegen: step ${i} writes input ${info.label}`);
      const pool = info.role === 'output' ? undefined : free.get(classOf(b));
      const reuse = pool?.pop();
      if (reuse !== undefined) {
        slotOf[b] = reuse;
        slots[reuse]!.buffers.push(b);
      } else {
        slotOf[b] = slots.length;
        slots.push({
          id: slots.length,
          size: info.size,
          elem: info.elem,
          role: info.role === 'output' ? 'output' : info.role,
          buffers: [b],
        });
      }
    }
    for (const b of new Set([...reads, ...writes])) {
      const info = s.buffers[b]!;
      if (lastUse[b] !== i || info.role === 'input' || info.role === 'output') continue;
      const key = classOf(b);
      const pool = free.get(key) ?? [];
      pool.push(slotOf[b]!);
      free.set(key, pool);
    }
  });
  // A slot that ever held a temp value is 'temp'; one that only held scratch stays 'scratch'.
  for (const slot of slots)
    if (slot.role === 'scratch' && slot.buffers.some((b) => s.buffers[b]!.role === 'temp')) slot.role = 'temp';
  return { slots, slotOf };
}
