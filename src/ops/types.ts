/**
 * Everything about one operator sits in its `OpDef`: how it shapes, what it computes
 * (the float64 reference), its vector-Jacobian product, how it prints, and how it lowers
 * to kernels. The registry is a `Record<OpName, OpDef>`, so an operator without one of
 * these is a compile error.
 */
import type { Node, NodeExtras } from '../graph/node.js';
import type { Shape } from '../shape/shape.js';
import type { Dim } from '../shape/dim.js';
import type { Mat } from '../eval/mat.js';
import type { PrintCtx, Printed } from '../print/context.js';

export interface EvalEnv {
  /** Values of the declared variables. */
  readonly vars: ReadonlyMap<string, Mat>;
  /** Sizes of the symbolic dimensions. */
  readonly dims: ReadonlyMap<string, number>;
}

/**
 * A node's part in a fused kernel program (codegen/fuse.ts): 'input' a caller's buffer;
 * 'leaf' free to recompute, always inlined; 'elementwise' inlined into its consumer when
 * that is its only use at the same shape; 'index' a re-indexing of its argument (a view,
 * never materialised); 'kernel' a step writing a buffer of its own.
 */
export type Role = 'input' | 'leaf' | 'elementwise' | 'index' | 'kernel';

/**
 * How an operator becomes code. Elementwise ops give an expression per target over the
 * (already broadcast) scalar operands, so the kernel fuser can inline them (`role`
 * overrides their part: a literal is a 'leaf', kron a 'kernel' reading its operands at
 * block indices). Structural ops state their part in the program and which arguments
 * they accept as an inlined expression rather than a buffer; codegen/schedule.ts lowers
 * them.
 */
export type Lowering =
  | { kind: 'input'; role?: 'leaf' }
  | {
      kind: 'elementwise';
      role?: 'leaf';
      ts: (args: string[], node: Node) => string;
      wgsl: (args: string[], node: Node) => string;
    }
  | {
      kind: 'elementwise';
      role: 'kernel';
      ts: (args: string[], node: Node) => string;
      wgsl: (args: string[], node: Node) => string;
      kernel: KernelLowering;
    }
  | {
      kind: 'structural';
      role: 'leaf' | 'index' | 'elementwise';
      /** Does `user` read its argument `slot` as an inlined expression (else from a buffer)? */
      inlines: (user: Node, slot: number) => boolean;
      /** The node's value at node index (r, c), built from its arguments' values. */
      at: <E>(node: Node, r: Idx, c: Idx, x: ExprBuilder<E>) => E;
    }
  | {
      kind: 'structural';
      role: 'kernel';
      inlines: (user: Node, slot: number) => boolean;
      /**
       * Does `user` apply its argument `slot` (an inverse A⁻¹, or A⁻ᵀ) only by solving with
       * A's factorisation (`KernelBuilder.solve`)? An inverse every reader of which does is
       * never formed.
       */
      solves?: (user: Node, slot: number) => boolean;
      kernel: KernelLowering;
    };

/** A kernel's lowering: which step of the kernel program (codegen/ir.ts) computes the node, over which arguments. */
export type KernelLowering = <V>(node: Node, k: KernelBuilder<V>) => V;

/** The steps a kernel lowering may build (codegen/schedule.ts); each returns a view of the node's value. */
export interface KernelBuilder<V> {
  /** A matrix product a·b, both read in place. */
  product(a: Node, b: Node): V;
  /** Row sums ('rows') or column sums ('cols') of body, repeated across the node's shape. */
  sums(axis: 'rows' | 'cols', body: Node): V;
  /** The sum of all entries. */
  sumAll(arg: Node): V;
  /** The sum of the diagonal. */
  trace(arg: Node): V;
  /** Softmax or log-sum-exp of each column. */
  columnwise(kind: 'softmax' | 'logsumexp', arg: Node): V;
  /** The inverse, determinant or log-determinant, from a factorisation shared by all three. */
  factored(kind: 'inverse' | 'det' | 'logdet', arg: Node): V;
  /**
   * Is `inverse` (an A⁻¹) never formed — every reader solving with A's factorisation (the
   * lowerings' `solves`)? Then its readers must lower to `solve`.
   */
  unformed(inverse: Node): boolean;
  /**
   * op(A)⁻¹·B ('left') or B·op(A)⁻¹ ('right') for an unformed `inverse` A⁻¹, op(A) = Aᵀ
   * when `trans`: triangular solves with A's factorisation (shared with its det and
   * logdet). `repeated`: B's columns ('left'; rows, 'right') are all equal — one is
   * solved for, and the result repeated.
   */
  solve(side: 'left' | 'right', inverse: Node, trans: boolean, other: Node, repeated: boolean): V;
  /** The entries column by column (a transposing copy unless a buffer already holds them so). */
  columnMajor(arg: Node): V;
  /** The Kronecker product: a read at block indices, b at in-block indices. */
  blocks(a: Node, b: Node): V;
  /** A vector read as a matrix of `by` rows, column by column. */
  strided(arg: Node, by: Dim): V;
}

/** An index of a kernel's iteration space, or the constant 0. */
export type Idx = 'i' | 'j' | '0';

/** The scalar expressions (codegen/ir.ts `ElemExpr`) a structural lowering builds its value from. */
export interface ExprBuilder<E> {
  /** An argument's value at node index (a, b). */
  arg(node: Node, a: Idx, b: Idx): E;
  /** 1 where a = b, else 0. */
  eye(a: Idx, b: Idx): E;
  /** `arg` where a = b, else 0. */
  diag(a: Idx, b: Idx, arg: E): E;
  /** 1 where b = (a div n) + m·(a mod n), else 0. */
  commutation(a: Idx, b: Idx, m: Dim, n: Dim): E;
}

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
