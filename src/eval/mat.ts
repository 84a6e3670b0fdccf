/** Dense float64 matrices, row-major: the values of the reference interpreter. */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export const mat = (rows: number, cols: number, data?: Float64Array): Mat => ({
  rows,
  cols,
  data: data ?? new Float64Array(rows * cols),
});

export const scalarMat = (v: number): Mat => mat(1, 1, Float64Array.of(v));
export const at = (m: Mat, i: number, j: number): number => m.data[i * m.cols + j]!;

export function map(a: Mat, f: (x: number) => number): Mat {
  const out = mat(a.rows, a.cols);
  for (let i = 0; i < a.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

/** Elementwise f(a, b) with broadcasting of scalars, columns [m,1] and rows [1,n]. */
export function zip(a: Mat, b: Mat, f: (x: number, y: number) => number): Mat {
  const rows = Math.max(a.rows, b.rows);
  const cols = Math.max(a.cols, b.cols);
  const out = mat(rows, cols);
  for (let i = 0; i < rows; i++) {
    const ia = a.rows === 1 ? 0 : i;
    const ib = b.rows === 1 ? 0 : i;
    for (let j = 0; j < cols; j++) {
      const x = a.data[ia * a.cols + (a.cols === 1 ? 0 : j)]!;
      const y = b.data[ib * b.cols + (b.cols === 1 ? 0 : j)]!;
      out.data[i * cols + j] = f(x, y);
    }
  }
  return out;
}

export function matmul(a: Mat, b: Mat): Mat {
  const out = mat(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++) {
      const x = a.data[i * a.cols + k]!;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out.data[i * b.cols + j]! += x * b.data[k * b.cols + j]!;
    }
  return out;
}

export function transpose(a: Mat): Mat {
  const out = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
}

export const sumAll = (a: Mat): number => a.data.reduce((s, x) => s + x, 0);

/** LU decomposition with partial pivoting: returns the factors packed, the permutation sign, and singularity. */
export function lu(a: Mat): { lu: Float64Array; perm: number[]; sign: number } {
  const n = a.rows;
  const m = Float64Array.from(a.data);
  const perm = Array.from({ length: n }, (_, i) => i);
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(m[i * n + k]!) > Math.abs(m[p * n + k]!)) p = i;
    if (p !== k) {
      for (let j = 0; j < n; j++) [m[k * n + j], m[p * n + j]] = [m[p * n + j]!, m[k * n + j]!];
      [perm[k], perm[p]] = [perm[p]!, perm[k]!];
      sign = -sign;
    }
    const pivot = m[k * n + k]!;
    if (pivot === 0) continue;
    for (let i = k + 1; i < n; i++) {
      const f = (m[i * n + k]! /= pivot);
      for (let j = k + 1; j < n; j++) m[i * n + j]! -= f * m[k * n + j]!;
    }
  }
  return { lu: m, perm, sign };
}

export function det(a: Mat): number {
  const { lu: m, sign } = lu(a);
  let d = sign;
  for (let i = 0; i < a.rows; i++) d *= m[i * a.rows + i]!;
  return d;
}

/** log|det A| as Σ log|uᵢᵢ| over the LU factors, as the kernels compute it: no overflow where det(A) itself would overflow. */
export function logAbsDet(a: Mat): number {
  const { lu: m } = lu(a);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += Math.log(Math.abs(m[i * a.rows + i]!));
  return s;
}

export function inverse(a: Mat): Mat {
  const n = a.rows;
  const { lu: m, perm } = lu(a);
  const out = mat(n, n);
  for (let c = 0; c < n; c++) {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = perm[i] === c ? 1 : 0;
      for (let j = 0; j < i; j++) s -= m[i * n + j]! * x[j]!;
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let j = i + 1; j < n; j++) s -= m[i * n + j]! * x[j]!;
      x[i] = s / m[i * n + i]!;
    }
    for (let i = 0; i < n; i++) out.data[i * n + c] = x[i]!;
  }
  return out;
}
