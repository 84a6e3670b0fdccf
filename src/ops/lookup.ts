/**
 * Late-bound access to the registry for the graph constructors (graph/build.ts): the
 * operators build their derivatives with those constructors, and the constructors ask
 * the operators for shapes, so this one link is bound when the registry loads. Every
 * layer above the operators (diff/, print/, eval/, the API) imports the registry itself,
 * so it is installed before any graph is built.
 */
import type { OpName } from './names.js';
import type { OpDef } from './types.js';

let registry: Record<OpName, OpDef> | undefined;

export function installRegistry(r: Record<OpName, OpDef>): void {
  registry = r;
}

export function opDef(op: OpName): OpDef {
  if (!registry) throw new Error('operator registry not installed: a layer above src/ops must import src/ops/registry');
  return registry[op];
}
