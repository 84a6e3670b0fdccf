/** The operator registry: one `OpDef` per primitive, checked complete by the type `Record<OpName, OpDef>`. */
import type { OpName, UnaryFn } from './names.js';
import { UNARY_FNS } from './names.js';
import type { OpDef } from './types.js';
import { installRegistry } from './lookup.js';
import { leaves } from './leaves.js';
import { arith } from './arith.js';
import { unaryDef } from './elementwise.js';
import { linear } from './linear.js';
import { reduce } from './reduce.js';
import { linalg } from './linalg.js';
import { layout } from './layout.js';
import { kronecker } from './kronecker.js';

const unary = Object.fromEntries(UNARY_FNS.map((f) => [f, unaryDef(f)])) as Record<UnaryFn, OpDef>;

export const OPS: Record<OpName, OpDef> = {
  ...leaves,
  ...arith,
  ...unary,
  ...linear,
  ...reduce,
  ...linalg,
  ...layout,
  ...kronecker,
};

installRegistry(OPS);

/** The definition of `op`, for the layers above the operators (they import the registry itself). */
export function opDef(op: OpName): OpDef {
  return OPS[op];
}
