/**
 * The data JSON of `matdiff run` (LANGUAGE.md §4): an object from each declared name to
 * its value — a number for a scalar, an array of numbers for a vector, an array of rows
 * for a matrix. Checked against the declarations, with symbolic sizes bound from the
 * data, and read into row-major float64 arrays. Results go back out in the same layout.
 *
 * Every problem is a MatdiffError naming the variable, where in it, what was expected
 * and what was found:
 *   E040 the file is not a JSON object     E041 a name is missing or unknown
 *   E042 an entry is not a finite number   E043 a shape or size does not fit
 *   E044 a declared property (sym, spd, pos) does not hold
 */
import type { Model, Declaration } from '../src/model/model.js';
import { type ErrorCode, MatdiffError, didYouMean } from '../src/errors.js';
import { type Dim, dimText, isNumeric } from '../src/shape/dim.js';
import { isColumn, isRow, isScalar, shapeText } from '../src/shape/shape.js';

export interface BoundData {
  /** Each variable given, row-major float64. */
  readonly values: ReadonlyMap<string, Float64Array>;
  /** Each symbolic dimension bound by the data. */
  readonly dims: ReadonlyMap<string, number>;
}

/** A nested-array value as the data JSON writes it: a number, an array, or an array of rows. */
export type JsonValue = number | JsonValue[];

const fail = (code: ErrorCode, file: string, text: string) => new MatdiffError(code, `${file}: ${text}`);

/** Parses the text of a data file; E040 when it is not JSON or not an object. */
export function parseData(text: string, file: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw fail('E040', file, `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw fail(
      'E040',
      file,
      'expected a JSON object from each declared name to its value, as in {"W": [[1, 2], [3, 4]], "b": [0, 1]}',
    );
  return json as Record<string, unknown>;
}

/**
 * Checks `data` against the model's declarations and binds its sizes. `need`: the
 * variables the computation reads (each must be present); `dims`: sizes already fixed.
 */
export function bindData(
  model: Model,
  data: Record<string, unknown>,
  file: string,
  need: readonly string[],
): BoundData {
  for (const key of Object.keys(data)) {
    if (model.vars.has(key)) continue;
    if (model.dims.includes(key))
      throw fail(
        'E041',
        file,
        `'${key}' is a dimension, not a variable: sizes are bound from the shapes of the data (or with --dims ${key}=…)`,
      );
    throw fail('E041', file, `'${key}' is not a declared variable${didYouMean(key, model.vars.keys())}`);
  }
  const dims = new Map<string, number>();
  const from = new Map<string, string>();
  const values = new Map<string, Float64Array>();
  for (const decl of model.vars.values()) {
    if (!Object.hasOwn(data, decl.name)) continue;
    const m = readMatrix(decl, data[decl.name], file);
    bindAxis(decl, 'rows', decl.node.shape.rows, m.rows, dims, from, file);
    bindAxis(decl, 'cols', decl.node.shape.cols, m.cols, dims, from, file);
    checkProps(decl, m, file);
    values.set(decl.name, m.data);
  }
  const missing = need.filter((n) => !Object.hasOwn(data, n));
  if (missing.length) {
    const decls = missing.map((n) => `${n}: ${shapeText(model.vars.get(n)!.node.shape)}`).join(', ');
    throw fail('E041', file, `no data for ${missing.length === 1 ? 'the variable' : 'the variables'} ${decls}`);
  }
  return { values, dims };
}

/** E043 unless every dimension of `needed` is bound. */
export function requireDims(needed: readonly string[], bound: ReadonlyMap<string, number>, file: string): void {
  const unbound = needed.filter((d) => !bound.has(d));
  if (unbound.length)
    throw fail(
      'E043',
      file,
      `the size ${unbound.join(', ')} is not determined by the data: no variable given has it; pass --dims ${unbound.map((d) => `${d}=…`).join(',')}`,
    );
}

interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? s.slice(0, 39) + '…' : s;
};

function entry(v: unknown, where: string, file: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const what =
    typeof v === 'string' && /^[-+]?(nan|inf(inity)?)$/i.test(v.trim())
      ? `${describe(v)}: JSON data holds only finite numbers`
      : `${describe(v)}: expected a finite number`;
  throw fail('E042', file, `${where} is ${what}`);
}

/** The value of `decl` in the data, shape-checked for layout (not yet for sizes). */
function readMatrix(decl: Declaration, v: unknown, file: string): Matrix {
  const name = decl.name;
  const s = decl.node.shape;
  const declared = `${name} is declared ${shapeText(s)}`;
  if (typeof v === 'number' || !Array.isArray(v)) {
    if (!isScalar(s))
      throw fail(
        'E043',
        file,
        `${declared}, so its value is ${isColumn(s) ? 'an array of numbers' : 'an array of rows'}; got ${describe(v)}`,
      );
    return { rows: 1, cols: 1, data: Float64Array.of(entry(v, name, file)) };
  }
  if (v.length === 0) throw fail('E043', file, `${name} is empty; ${declared}`);
  const nested = Array.isArray(v[0]);
  if (!nested) {
    // A flat array: a vector (or a row, or a 1×1).
    if (!isColumn(s) && !isRow(s))
      throw fail(
        'E043',
        file,
        `${declared}, a matrix: give it as an array of rows, e.g. [[1, 2], [3, 4]]; got a flat array of ${v.length}`,
      );
    const data = Float64Array.from(v, (x, i) => entry(x, `${name}[${i}]`, file));
    return isColumn(s) ? { rows: v.length, cols: 1, data } : { rows: 1, cols: v.length, data };
  }
  const cols = (v[0] as unknown[]).length;
  const data = new Float64Array(v.length * cols);
  v.forEach((row, i) => {
    if (!Array.isArray(row))
      throw fail(
        'E043',
        file,
        `${name}[${i}] is ${describe(row)}, but ${name}[0] is a row: every row must be an array`,
      );
    if (row.length !== cols)
      throw fail(
        'E043',
        file,
        `${name}: ragged rows: ${name}[${i}] has ${row.length} entries, but ${name}[0] has ${cols}`,
      );
    row.forEach((x, j) => (data[i * cols + j] = entry(x, `${name}[${i}][${j}]`, file)));
  });
  if (cols === 0) throw fail('E043', file, `${name} has empty rows; ${declared}`);
  return { rows: v.length, cols, data };
}

function bindAxis(
  decl: Declaration,
  axis: 'rows' | 'cols',
  d: Dim,
  got: number,
  dims: Map<string, number>,
  from: Map<string, string>,
  file: string,
): void {
  const noun = (k: number) => (axis === 'rows' ? `${k} row${k === 1 ? '' : 's'}` : `${k} column${k === 1 ? '' : 's'}`);
  const has = (k: number) =>
    isColumn(decl.node.shape) && axis === 'rows' ? `${k} entr${k === 1 ? 'y' : 'ies'}` : noun(k);
  if (isNumeric(d)) {
    if (d.k !== got)
      throw fail(
        'E043',
        file,
        `${decl.name} is declared ${shapeText(decl.node.shape)}, so it has ${has(d.k)}; got ${has(got)}`,
      );
    return;
  }
  const sym = d.syms.length === 1 && d.k === 1 ? d.syms[0]! : undefined;
  if (sym === undefined) throw fail('E043', file, `${decl.name}: cannot bind the size ${dimText(d)} from data`);
  const known = dims.get(sym);
  if (known === undefined) {
    dims.set(sym, got);
    from.set(sym, decl.name);
  } else if (known !== got)
    throw fail(
      'E043',
      file,
      `${decl.name}: dimension ${sym} is ${known} from ${from.get(sym)} but ${decl.name} has ${has(got)}`,
    );
}

function checkProps(decl: Declaration, m: Matrix, file: string): void {
  const name = decl.name;
  const at = (i: number, j: number) => m.data[i * m.cols + j]!;
  const pos = (i: number, j: number) => (isColumn(decl.node.shape) ? `${name}[${i}]` : `${name}[${i}][${j}]`);
  for (const p of decl.props) {
    if (p === 'pos') {
      const k = m.data.findIndex((x) => !(x > 0));
      if (k >= 0)
        throw fail(
          'E044',
          file,
          `${name} is declared pos, but ${pos(Math.floor(k / m.cols), k % m.cols)} = ${m.data[k]} is not positive`,
        );
    }
    if (p === 'sym' || p === 'spd') {
      for (let i = 0; i < m.rows; i++)
        for (let j = 0; j < i; j++) {
          const [a, b] = [at(i, j), at(j, i)];
          if (Math.abs(a - b) > 1e-10 * Math.max(1, Math.abs(a), Math.abs(b)))
            throw fail(
              'E044',
              file,
              `${name} is declared ${p}, but it is not symmetric: ${name}[${i}][${j}] = ${a} and ${name}[${j}][${i}] = ${b}`,
            );
        }
    }
    if (p === 'spd') {
      const k = choleskyFailure(m);
      if (k >= 0)
        throw fail(
          'E044',
          file,
          `${name} is declared spd, but it is not positive definite (its Cholesky factorisation breaks down at pivot ${k})`,
        );
    }
  }
}

/** The pivot where A = L·Lᵀ breaks down (a pivot ≤ 0), or -1 when A is positive definite. */
function choleskyFailure(m: Matrix): number {
  const n = m.rows;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = m.data[j * n + j]!;
    for (let k = 0; k < j; k++) s -= l[j * n + k]! ** 2;
    if (!(s > 0)) return j;
    const d = Math.sqrt(s);
    l[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let t = m.data[i * n + j]!;
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = t / d;
    }
  }
  return -1;
}

/**
 * E045 unless every entry of a result is finite: JSON cannot write ±Infinity or NaN, and
 * a null in their place would pass for a number. Names the result and its first such entry.
 */
export function requireFinite(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  name: string,
  what: 'value' | 'gradient',
): void {
  for (let k = 0; k < data.length; k++) {
    const x = data[k]!;
    if (Number.isFinite(x)) continue;
    const [i, j] = [Math.floor(k / cols), k % cols];
    const at = rows === 1 && cols === 1 ? name : cols === 1 ? `${name}[${i}]` : `${name}[${i}][${j}]`;
    const more = rows * cols > 1 ? ` (the first of its ${rows * cols} entries that is not finite)` : '';
    throw new MatdiffError(
      'E045',
      `${what === 'value' ? 'the value of' : 'the gradient'} ${name} is not finite: ${at} = ${x}${more}; JSON holds only finite numbers, so nothing is printed`,
    );
  }
}

/**
 * A result in the data layout: a number for a 1×1, a flat array for a column vector,
 * else an array of rows. Non-finite entries (which JSON cannot hold) become null.
 */
export function toJson(data: ArrayLike<number>, rows: number, cols: number): JsonValue | null | (number | null)[] {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  if (rows === 1 && cols === 1) return num(data[0]!) as number;
  if (cols === 1) return Array.from({ length: rows }, (_, i) => num(data[i]!)) as number[];
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => num(data[i * cols + j]!)),
  ) as number[][];
}
