/**
 * Everything about one operator sits in its `OpDef`: how it shapes, what it computes
 * (the float64 reference), its vector-Jacobian product, how it prints, and how it lowers
 * to kernels. The registry is a `Record<OpName, OpDef>`, so an operator without one of
 * these is a compile error.
 */
import type { Node, NodeExtras } from '../graph/node.js';
import type { Shape } from '../shape/shape.js';
import type { Mat } from '../eval/mat.js';
import type { PrintCtx, Printed } from '../print/context.js';

export interface EvalEnv {
  /** Values of the declared variables. */
  readonly vars: ReadonlyMap<string, Mat>;
  /** Sizes of the symbolic dimensions. */
  readonly dims: ReadonlyMap<string, number>;
}

/**
 * How an operator becomes code. Elementwise ops give an expression per target over the
 * (already broadcast) scalar operands, so the kernel fuser can inline them; the others
 * name a kernel that each backend implements.
 */
export type Lowering =
  | { kind: 'input' }
  | {
      kind: 'elementwise';
      ts: (args: string[], node: Node) => string;
      wgsl: (args: string[], node: Node) => string;
    }
  | {
      kind: 'kernel';
      kernel:
        | 'eye'
        | 'matmul'
        | 'transpose'
        | 'sum'
        | 'tr'
        | 'softmax'
        | 'logsumexp'
        | 'inv'
        | 'det'
        | 'logdet'
        | 'diag'
        | 'diagvec'
        | 'vec'
        | 'unvec'
        | 'commutation';
    };

export interface OpDef {
  /** The result shape; throws ShapeError naming the operator and both shapes on a mismatch. */
  shape(args: readonly Node[], extras: NodeExtras): Shape;
  /** Float64 reference semantics. */
  eval(args: Mat[], node: Node, env: EvalEnv): Mat;
  /**
   * Reverse mode: given the adjoint `g` of `node` (shaped like it), the adjoint
   * contribution to each argument, shaped like that argument (broadcasts already summed
   * back). `null` where an argument receives nothing.
   */
  vjp(node: Node, g: Node): (Node | null)[];
  print(node: Node, ctx: PrintCtx): Printed;
  /**
   * The same operator over new arguments, through the smart constructors (so rewritten
   * graphs keep their canonical forms); leaves throw.
   */
  rebuild(node: Node, args: readonly Node[]): Node;
  lower: Lowering;
}
