/** Late-bound access to the registry, so that node construction and the op files can import each other. */
import type { OpName } from './names.js';
import type { OpDef } from './types.js';

let registry: Record<OpName, OpDef> | undefined;

export function installRegistry(r: Record<OpName, OpDef>): void {
  registry = r;
}

export function opDef(op: OpName): OpDef {
  if (!registry) throw new Error('operator registry not installed: import "matdiff/ops/registry" first');
  return registry[op];
}
