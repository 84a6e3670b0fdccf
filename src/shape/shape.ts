/**
 * Shapes are always two-dimensional: a scalar is 1×1, a vector [n] is n×1. This keeps
 * one rule for every operator; printing and the data layout restore the distinction.
 */
import { type Dim, ONE, dimEq, dimKey, dimText, isOne } from './dim.js';

export interface Shape {
  readonly rows: Dim;
  readonly cols: Dim;
}

export const shape = (rows: Dim, cols: Dim): Shape => ({ rows, cols });
export const SCALAR: Shape = shape(ONE, ONE);

export const isScalar = (s: Shape): boolean => isOne(s.rows) && isOne(s.cols);
export const isColumn = (s: Shape): boolean => isOne(s.cols);
export const isRow = (s: Shape): boolean => isOne(s.rows);
export const isSquare = (s: Shape): boolean => dimEq(s.rows, s.cols);
export const shapeEq = (a: Shape, b: Shape): boolean => dimEq(a.rows, b.rows) && dimEq(a.cols, b.cols);
export const transposed = (s: Shape): Shape => shape(s.cols, s.rows);
export const shapeKey = (s: Shape): string => `${dimKey(s.rows)},${dimKey(s.cols)}`;

/** `[]` for a scalar, `[n]` for a column vector, `[m, n]` otherwise — as declared. */
export function shapeText(s: Shape): string {
  if (isScalar(s)) return '[]';
  if (isColumn(s)) return `[${dimText(s.rows)}]`;
  return `[${dimText(s.rows)}, ${dimText(s.cols)}]`;
}

/**
 * The broadcast shape of an elementwise operation, or undefined if the shapes do not
 * combine: a scalar combines with anything; [m,1] with [m,B] column by column; [1,n]
 * with [m,n] row by row. Nothing else broadcasts.
 */
export function broadcast(a: Shape, b: Shape): Shape | undefined {
  if (shapeEq(a, b)) return a;
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  if (dimEq(a.rows, b.rows) && (isOne(a.cols) || isOne(b.cols))) return isOne(a.cols) ? b : a;
  if (dimEq(a.cols, b.cols) && (isOne(a.rows) || isOne(b.rows))) return isOne(a.rows) ? b : a;
  return undefined;
}

export type { Dim };

/** The compact form used in error messages: `[3,4]`, `[n]`, `[]`. */
export const shapeBrief = (s: Shape): string => shapeText(s).replace(/, /g, ',');
