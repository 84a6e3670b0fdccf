/**
 * The syntax tree of a model file, as the parser produces it: nothing resolved,
 * nothing shape-checked. Every node carries the source span it came from so that
 * later phases (names, shapes) report errors at the right place.
 */

/** A half-open character range [start, end) in the source text. */
export interface Span {
  start: number;
  end: number;
}

/** A dimension in a declaration: a positive integer literal or a symbolic name. */
export type DimAst = { kind: 'num'; value: number; span: Span } | { kind: 'name'; name: string; span: Span };

export type Property = 'sym' | 'spd' | 'pos';

/**
 * Binary operators, after spelling normalisation:
 * `·` `*` `@` → 'matmul';  `⊙` `.*` → 'hadamard';  `⊘` `./` → 'ediv';  `/` → 'div';
 * `⊗` → 'kron';  `+` → 'add';  `-` → 'sub'.
 */
export type BinaryOp = 'matmul' | 'hadamard' | 'ediv' | 'div' | 'kron' | 'add' | 'sub';

/**
 * Postfix operators, after spelling normalisation:
 * `ᵀ` `'` `^T` → 'transpose';  `⁻¹` `^-1` → 'inverse';
 * `²` `^p` (p a number) → 'power' (power of a scalar, exponent in `exponent`);
 * `.^p` → 'epower' (elementwise power, exponent in `exponent`).
 */
export type PostfixOp = 'transpose' | 'inverse' | 'power' | 'epower';

export type Expr =
  | { kind: 'num'; value: number; span: Span }
  | { kind: 'ident'; name: string; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span; opSpan: Span }
  | { kind: 'neg'; arg: Expr; span: Span }
  | { kind: 'postfix'; op: PostfixOp; arg: Expr; exponent?: number; span: Span; opSpan: Span }
  /** `‖A‖` or `norm(A)` both parse to a call of 'norm'. `σ(x)` is a call of 'sigmoid'. */
  | { kind: 'call'; fn: string; args: Expr[]; span: Span; nameSpan: Span };

export type Statement =
  | {
      kind: 'decl';
      name: string;
      nameSpan: Span;
      dims: DimAst[]; // [] scalar, [d] column vector, [d1, d2] matrix
      props: { prop: Property; span: Span }[];
      span: Span;
    }
  /** `where`: a `where NAME = …` line, as `matdiff grad` prints shared parts; never the model's output. */
  | { kind: 'def'; name: string; nameSpan: Span; expr: Expr; span: Span; where?: boolean }
  | { kind: 'assert'; left: Expr; right: Expr; span: Span };

export interface Program {
  statements: Statement[];
  /** The source text, for error excerpts. */
  source: string;
  /** The file name used in messages (`-` for standard input). */
  file: string;
}
