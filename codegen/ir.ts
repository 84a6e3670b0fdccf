/**
 * The target-neutral kernel program: what `schedule()` (schedule.ts) produces from a
 * graph once, and what every backend — TypeScript (codegen/ts), WGSL, WASM — renders.
 *
 *   roots (value, gradients) ──schedule──▶ Schedule { buffers, steps, inputs, outputs }
 *                            ──planMemory──▶ MemoryPlan { slots, slotOf }
 *
 * Conventions every backend relies on:
 *  - Every value is a dense matrix stored row-major: element (r, c) of an [R, C] buffer
 *    is at r·C + c. Scalars are 1×1 buffers, vectors [n] are n×1.
 *  - Sizes and strides are `Extent`s (sums of dimension monomials, extent.ts); a backend
 *    evaluates them from the symbolic sizes bound at run time (`Schedule.dims`).
 *  - Steps run in order; a step reads only buffers written by earlier steps or inputs,
 *    and writes only its own outputs (never a buffer it reads).
 *  - Elementwise work is fused: a `map` step writes one buffer from an `ElemExpr`, an
 *    expression tree evaluated per element (i, j) of the step's iteration space. The
 *    expression's loads carry strides over (i, j), which express broadcasting (stride
 *    0), transposition (swapped strides) and diagonals (stride C + 1) without copies.
 *  - Matrix products never materialise a transpose: a `matmul` step reads A and B
 *    in place, each with a `trans` flag and a leading dimension.
 *  - Arithmetic type: 'real' buffers have the module's dtype (f32 or f64); 'f64' and
 *    'i32' buffers are scratch of that exact type (a backend without f64, like WGSL,
 *    may use f32 for them).
 */
import type { Node } from '../src/graph/node.js';
import type { Dim } from '../src/shape/dim.js';
import type { Extent } from './extent.js';
import { loadsOf } from './elem.js';

export type ElemType = 'real' | 'f64' | 'i32';

export interface BufferInfo {
  readonly id: number;
  /** Number of elements. */
  readonly size: Extent;
  /** Logical shape (rows × cols) of the value stored; absent for scratch. */
  readonly rows?: Dim;
  readonly cols?: Dim;
  readonly elem: ElemType;
  /**
   * 'input': a declared variable, supplied by the caller; 'output': holds a root's value
   * when the program ends (never reused); 'temp': an intermediate value; 'scratch':
   * working memory of one step or of a factorisation shared by steps.
   */
  readonly role: 'input' | 'output' | 'temp' | 'scratch';
  /** A human label from the formula: a variable or definition name, or the op. */
  readonly label: string;
  /** The node whose value the buffer holds (absent for scratch). */
  readonly node?: Node;
}

/** An index of the iteration space, or the constant 0. */
import type { Idx } from '../src/ops/types.js';
export type { Idx };

/**
 * An index map of a load: the kernel index divided by a size (rounded down), or taken
 * modulo it — the block and in-block indices of a Kronecker product.
 */
export interface IdxMap {
  readonly op: 'div' | 'mod';
  readonly by: Dim;
}

/**
 * A scalar expression evaluated at element (i, j) of a fused kernel.
 *  - load: `buf[i·si + j·sj]`, with i (j) first mapped by `mi` (`mj`) when present:
 *    `buf[(i div p)·si + (j mod q)·sj]`. A mapped load is never contiguous;
 *  - op: an elementwise operator of the registry (`OPS[node.op].lower.kind ===
 *    'elementwise'`: const, fill, add, mul, pow, exp, …), rendered by its lowering over
 *    the rendered args;
 *  - dim: a symbolic size as a number (`dimval`);
 *  - eye: 1 where index a equals index b, else 0 (the identity matrix);
 *  - diag: `arg` where index a equals index b, else 0 (diag(x) of a vector x);
 *  - commutation: 1 where b = (a div n) + m·(a mod n), else 0 (commutation(m, n)).
 */
export type ElemExpr =
  | {
      readonly kind: 'load';
      readonly buffer: number;
      readonly si: Extent;
      readonly sj: Extent;
      readonly mi?: IdxMap;
      readonly mj?: IdxMap;
    }
  | { readonly kind: 'op'; readonly node: Node; readonly args: readonly ElemExpr[] }
  | { readonly kind: 'dim'; readonly dim: Dim }
  | { readonly kind: 'eye'; readonly a: Idx; readonly b: Idx }
  | { readonly kind: 'diag'; readonly a: Idx; readonly b: Idx; readonly arg: ElemExpr }
  | { readonly kind: 'commutation'; readonly a: Idx; readonly b: Idx; readonly m: Dim; readonly n: Dim };

/** A matrix operand read in place: op(X)(r, c) = trans ? buf[c·ld + r] : buf[r·ld + c]. */
export interface MatOperand {
  readonly buffer: number;
  readonly trans: boolean;
  readonly ld: Extent;
}

/** A strided read of a matrix: element (r, c) at buf[r·rs + c·cs]. */
export interface View {
  readonly buffer: number;
  readonly rs: Extent;
  readonly cs: Extent;
}

interface StepBase {
  /** The graph node this step computes (for comments and debugging). */
  readonly node: Node;
}

/** out[i·C + j] = expr(i, j) for i < rows, j < cols. */
export interface MapStep extends StepBase {
  readonly kind: 'map';
  readonly out: number;
  readonly rows: Dim;
  readonly cols: Dim;
  readonly expr: ElemExpr;
}

/**
 * Sums of `body` over an [rows, cols] iteration space:
 *  - 'all':  out[0] = Σᵢⱼ body(i, j)             (sum)
 *  - 'rows': out[i] = Σⱼ body(i, j), [rows, 1]   (row sums: G·ones)
 *  - 'cols': out[j] = Σᵢ body(i, j), [1, cols]   (column sums: onesᵀ·G); `acc` is an f64
 *            scratch of `cols` accumulators for backends that sweep row by row
 *  - 'diag': out[0] = Σᵢ body(i, i), rows = cols (trace); loads use only i
 */
export interface ReduceStep extends StepBase {
  readonly kind: 'reduce';
  readonly axis: 'all' | 'rows' | 'cols' | 'diag';
  readonly out: number;
  readonly rows: Dim;
  readonly cols: Dim;
  readonly body: ElemExpr;
  readonly acc?: number;
}

/** out[m, n] = op(A)[m, k] · op(B)[k, n]. */
export interface MatmulStep extends StepBase {
  readonly kind: 'matmul';
  readonly out: number;
  readonly m: Dim;
  readonly n: Dim;
  readonly k: Dim;
  readonly a: MatOperand;
  readonly b: MatOperand;
}

/**
 * Column-wise, numerically stable (the column maximum is subtracted first):
 * softmax writes [rows, cols], logsumexp writes [1, cols]. `max` and `sum` are f64
 * scratch of `cols` entries.
 */
export interface ColumnStep extends StepBase {
  readonly kind: 'softmax' | 'logsumexp';
  readonly out: number;
  readonly rows: Dim;
  readonly cols: Dim;
  readonly input: View;
  readonly max: number;
  readonly sum: number;
}

/**
 * Factorises a square [n, n] matrix into f64 scratch shared by the inverse, det and
 * logdet steps of that matrix:
 *  - 'lu': partial pivoting, P·A = L·U packed in `factor` (unit L below the diagonal),
 *    `piv` (i32, n + 1 entries) the row permutation, piv[n] its sign (±1);
 *  - 'cholesky': A = L·Lᵀ, L in the lower triangle of `factor` (for variables declared
 *    spd); no `piv`.
 */
export interface FactorStep extends StepBase {
  readonly kind: 'factor';
  readonly method: 'lu' | 'cholesky';
  readonly n: Dim;
  readonly input: View;
  readonly factor: number;
  readonly piv?: number;
}

/** From a factorisation: out = A⁻¹ ([n, n]; `tmp` is f64 scratch: n² for Cholesky, 2n² + n for LU), det A, or log|det A| (1×1). */
export interface FromFactorStep extends StepBase {
  readonly kind: 'inverse' | 'det' | 'logdet';
  readonly method: 'lu' | 'cholesky';
  readonly n: Dim;
  readonly factor: number;
  readonly piv?: number;
  readonly out: number;
  readonly tmp?: number;
}

/**
 * From a factorisation of the [n, n] matrix A, without forming A⁻¹: out = op(A)⁻¹·B
 * ('left', B and out [n, m]) or B·op(A)⁻¹ ('right', B and out [m, n]), op(A) = Aᵀ when
 * `trans`; B read in place. `tmp` is f64 scratch of n·m entries (the right-hand sides
 * solved in float64).
 */
export interface SolveStep extends StepBase {
  readonly kind: 'solve';
  readonly method: 'lu' | 'cholesky';
  readonly side: 'left' | 'right';
  readonly trans: boolean;
  readonly n: Dim;
  readonly m: Dim;
  readonly factor: number;
  readonly piv?: number;
  readonly b: View;
  readonly out: number;
  readonly tmp: number;
}

export type Step = MapStep | ReduceStep | MatmulStep | ColumnStep | FactorStep | FromFactorStep | SolveStep;

export interface Schedule {
  /** Every logical buffer, indexed by id. */
  readonly buffers: readonly BufferInfo[];
  readonly steps: readonly Step[];
  /** The declared variables read, each with its input buffer. */
  readonly inputs: readonly { readonly name: string; readonly node: Node; readonly buffer: number }[];
  /** One per root, in order: the output buffer holding its value (contiguous, row-major). */
  readonly outputs: readonly { readonly node: Node; readonly buffer: number }[];
  /** The symbolic dimensions the program needs at run time, sorted. */
  readonly dims: readonly string[];
}

/**
 * Physical buffers. Logical buffers whose lifetimes do not overlap share a slot when
 * they have the same element type and size class (equal size extents). Inputs have no
 * slot (slotOf = -1): they are the caller's arrays.
 */
export interface MemoryPlan {
  readonly slots: readonly {
    readonly id: number;
    readonly size: Extent;
    readonly elem: ElemType;
    readonly role: 'output' | 'temp' | 'scratch';
    /** The logical buffers stored here, in order of first write. */
    readonly buffers: readonly number[];
  }[];
  /** Slot of each logical buffer, indexed by buffer id; -1 for inputs. */
  readonly slotOf: readonly number[];
}

/** Which buffers a step reads and writes (for liveness, and for backends' bind groups). */
export function stepBuffers(s: Step): { reads: number[]; writes: number[] } {
  const loads = (e: ElemExpr, out: number[]): number[] => {
    for (const l of loadsOf(e)) out.push(l.buffer);
    return out;
  };
  switch (s.kind) {
    case 'map':
      return { reads: loads(s.expr, []), writes: [s.out] };
    case 'reduce':
      return { reads: loads(s.body, []), writes: s.acc === undefined ? [s.out] : [s.out, s.acc] };
    case 'matmul':
      return { reads: [s.a.buffer, s.b.buffer], writes: [s.out] };
    case 'softmax':
    case 'logsumexp':
      return { reads: [s.input.buffer], writes: [s.out, s.max, s.sum] };
    case 'factor':
      return { reads: [s.input.buffer], writes: s.piv === undefined ? [s.factor] : [s.factor, s.piv] };
    case 'solve':
      return {
        reads: s.piv === undefined ? [s.factor, s.b.buffer] : [s.factor, s.piv, s.b.buffer],
        writes: [s.out, s.tmp],
      };
    case 'inverse':
    case 'det':
    case 'logdet':
      return {
        reads: s.piv === undefined ? [s.factor] : [s.factor, s.piv],
        writes: s.tmp === undefined ? [s.out] : [s.out, s.tmp],
      };
  }
}
