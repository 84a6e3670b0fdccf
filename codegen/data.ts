/**
 * The data JSON of `matdiff run` (LANGUAGE.md §4): an object from each declared name to
 * its value — a number for a scalar, an array of numbers for a vector, an array of rows
 * for a matrix. Checked against the declarations, with symbolic sizes bound from the
 * data, and read into row-major float64 arrays. Results go back out in the same layout.
 *
 * Every problem is a MatdiffError naming the variable, where in it, what was expected
 * and what was found, located at FILE:LINE:COLUMN of the offending value (the text is
 * read by a parser that keeps positions, json.ts; a key given twice is refused):
 *   E040 the file is not a JSON object     E041 a name is missing or unknown
 *   E042 an entry is not a finite number   E043 a shape or size does not fit
 *   E044 a declared property (sym, spd, pos) does not hold
 */
import type { Model, Declaration } from '../src/model/model.js';
import type { Span } from '../src/parse/ast.js';
import { type ErrorCode, MatdiffError, didYouMean } from '../src/errors.js';
import { type Dim, dimText, isNumeric } from '../src/shape/dim.js';
import { isColumn, isRow, isScalar, shapeText } from '../src/shape/shape.js';
import { JsonSyntaxError, type Pos, parseJson, spanOf } from './json.js';

export interface BoundData {
  /** Each variable given, row-major float64. */
  readonly values: ReadonlyMap<string, Float64Array>;
  /** Each symbolic dimension bound by the data. */
  readonly dims: ReadonlyMap<string, number>;
}

/** A nested-array value as the data JSON writes it: a number, an array, or an array of rows. */
export type JsonValue = number | JsonValue[];

/** A step into the data: a key of the object, or an index of an array. */
type Step = string | number;

/** Where each data file's parts are: kept beside the object parseData returns. */
const located = new WeakMap<object, { source: string; pos: Pos | number }>();

/** Errors about one data file, located at the part of it that a path names when it is known. */
class Where {
  private readonly loc?: { source: string; pos: Pos | number };
  constructor(
    readonly file: string,
    data?: object,
  ) {
    this.loc = data ? located.get(data) : undefined;
  }

  fail(code: ErrorCode, text: string, path?: readonly Step[], key = false): MatdiffError {
    const span = path && this.span(path, key);
    if (!span || !this.loc) return new MatdiffError(code, `${this.file}: ${text}`);
    return new MatdiffError(code, text, { file: this.file, source: this.loc.source, span });
  }

  /** The span of the part at `path` (of its key, for `key` and a path ending in a name). */
  private span(path: readonly Step[], key: boolean): Span | undefined {
    let p: Pos | number | undefined = this.loc?.pos;
    for (let k = 0; k < path.length && p !== undefined; k++) {
      if (typeof p === 'number') return undefined;
      const step = path[k]!;
      if (typeof step === 'string') {
        const entry = p.keys?.get(step);
        if (entry && key && k === path.length - 1) return entry.key;
        p = entry?.value;
      } else p = p.items?.[step];
    }
    return p === undefined ? undefined : spanOf(this.loc!.source, p);
  }
}

/**
 * Parses the text of a data file; E040 when it is not JSON (located at the offending
 * character) or not an object, or gives a key twice. A UTF-8 byte-order mark is skipped.
 */
export function parseData(text: string, file: string): Record<string, unknown> {
  const source = text.replace(/^\uFEFF/, '');
  let json: { value: unknown; pos: Pos | number };
  try {
    json = parseJson(source);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    throw new MatdiffError('E040', e.message, { file, source, span: e.span });
  }
  const v = json.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new MatdiffError(
      'E040',
      'expected a JSON object from each declared name to its value, as in {"W": [[1, 2], [3, 4]], "b": [0, 1]}',
      { file, source, span: spanOf(source, json.pos) },
    );
  located.set(v, { source, pos: json.pos });
  return v as Record<string, unknown>;
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
  const w = new Where(file, data);
  for (const key of Object.keys(data)) {
    if (model.vars.has(key)) continue;
    if (model.dims.includes(key))
      throw w.fail(
        'E041',
        `'${key}' is a dimension, not a variable: sizes are bound from the shapes of the data (or with --dims ${key}=…)`,
        [key],
        true,
      );
    throw w.fail('E041', `'${key}' is not a declared variable${didYouMean(key, model.vars.keys())}`, [key], true);
  }
  const dims = new Map<string, number>();
  const from = new Map<string, string>();
  const values = new Map<string, Float64Array>();
  for (const decl of model.vars.values()) {
    if (!Object.hasOwn(data, decl.name)) continue;
    const m = readMatrix(decl, data[decl.name], w);
    bindAxis(decl, 'rows', decl.node.shape.rows, m.rows, dims, from, w);
    bindAxis(decl, 'cols', decl.node.shape.cols, m.cols, dims, from, w);
    checkProps(decl, m, w);
    values.set(decl.name, m.data);
  }
  const missing = need.filter((n) => !Object.hasOwn(data, n));
  if (missing.length) {
    const decls = missing.map((n) => `${n}: ${shapeText(model.vars.get(n)!.node.shape)}`).join(', ');
    throw w.fail('E041', `no data for ${missing.length === 1 ? 'the variable' : 'the variables'} ${decls}`);
  }
  return { values, dims };
}

/** E043 unless every dimension of `needed` is bound. */
export function requireDims(needed: readonly string[], bound: ReadonlyMap<string, number>, file: string): void {
  const unbound = needed.filter((d) => !bound.has(d));
  if (unbound.length)
    throw new Where(file).fail(
      'E043',
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

/** `x`, `x[3]`, `X[1][2]`: a path as the messages write it. */
const pathText = (path: readonly Step[]): string =>
  String(path[0]) +
  path
    .slice(1)
    .map((k) => `[${k}]`)
    .join('');

function entry(v: unknown, path: readonly Step[], w: Where): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const where = pathText(path);
  if (typeof v === 'number')
    // Only a literal beyond float64's range (1e309) parses to ±Infinity.
    throw w.fail(
      'E042',
      `${where} is ${literal(path, w) ?? v}, which is not a finite number (float64 ends near 1.8e308)`,
      path,
    );
  const what =
    typeof v === 'string' && /^[-+]?(nan|inf(inity)?)$/i.test(v.trim())
      ? `${describe(v)}: JSON data holds only finite numbers`
      : `${describe(v)}: expected a finite number`;
  throw w.fail('E042', `${where} is ${what}`, path);
}

/** The text of a number as the data file writes it, when the file is known. */
function literal(path: readonly Step[], w: Where): string | undefined {
  const e = w.fail('E042', '', path);
  return e.place ? e.place.source.slice(e.place.span.start, e.place.span.end) : undefined;
}

/** The value of `decl` in the data, shape-checked for layout (not yet for sizes). */
function readMatrix(decl: Declaration, v: unknown, w: Where): Matrix {
  const name = decl.name;
  const s = decl.node.shape;
  const declared = `${name} is declared ${shapeText(s)}`;
  if (typeof v === 'number' || !Array.isArray(v)) {
    if (!isScalar(s))
      throw w.fail(
        'E043',
        `${declared}, so its value is ${isColumn(s) ? 'an array of numbers' : 'an array of rows'}; got ${describe(v)}`,
        [name],
      );
    return { rows: 1, cols: 1, data: Float64Array.of(entry(v, [name], w)) };
  }
  if (v.length === 0) throw w.fail('E043', `${name} is empty; ${declared}`, [name]);
  const nested = Array.isArray(v[0]);
  if (!nested) {
    // A flat array: a vector (or a row, or a 1×1).
    if (!isColumn(s) && !isRow(s))
      throw w.fail(
        'E043',
        `${declared}, a matrix: give it as an array of rows, e.g. [[1, 2], [3, 4]]; got a flat array of ${v.length}`,
        [name],
      );
    const data = Float64Array.from(v, (x, i) => entry(x, [name, i], w));
    return isColumn(s) ? { rows: v.length, cols: 1, data } : { rows: 1, cols: v.length, data };
  }
  const cols = (v[0] as unknown[]).length;
  const data = new Float64Array(v.length * cols);
  v.forEach((row, i) => {
    if (!Array.isArray(row))
      throw w.fail('E043', `${name}[${i}] is ${describe(row)}, but ${name}[0] is a row: every row must be an array`, [
        name,
        i,
      ]);
    if (row.length !== cols)
      throw w.fail(
        'E043',
        `${name}: ragged rows: ${name}[${i}] has ${row.length} entr${row.length === 1 ? 'y' : 'ies'}, but ${name}[0] has ${cols}`,
        [name, i],
      );
    row.forEach((x, j) => (data[i * cols + j] = entry(x, [name, i, j], w)));
  });
  if (cols === 0) throw w.fail('E043', `${name} has empty rows; ${declared}`, [name]);
  // A vector is a flat array; an array of rows is a matrix, unless each row is one entry.
  if (isColumn(s) && !isScalar(s) && cols !== 1)
    throw w.fail(
      'E043',
      `${declared}, a vector, so its value is a flat array of numbers, as in [1, 2, 3]; got a ${v.length}×${cols} matrix (an array of ${v.length} row${v.length === 1 ? '' : 's'})`,
      [name],
    );
  return { rows: v.length, cols, data };
}

function bindAxis(
  decl: Declaration,
  axis: 'rows' | 'cols',
  d: Dim,
  got: number,
  dims: Map<string, number>,
  from: Map<string, string>,
  w: Where,
): void {
  const noun = (k: number) => (axis === 'rows' ? `${k} row${k === 1 ? '' : 's'}` : `${k} column${k === 1 ? '' : 's'}`);
  const has = (k: number) =>
    isColumn(decl.node.shape) && axis === 'rows' ? `${k} entr${k === 1 ? 'y' : 'ies'}` : noun(k);
  const at = [decl.name];
  if (isNumeric(d)) {
    if (d.k !== got)
      throw w.fail(
        'E043',
        `${decl.name} is declared ${shapeText(decl.node.shape)}, so it has ${has(d.k)}; got ${has(got)}`,
        at,
      );
    return;
  }
  const sym = d.syms.length === 1 && d.k === 1 ? d.syms[0]! : undefined;
  if (sym === undefined) throw w.fail('E043', `${decl.name}: cannot bind the size ${dimText(d)} from data`, at);
  const known = dims.get(sym);
  if (known === undefined) {
    dims.set(sym, got);
    from.set(sym, decl.name);
  } else if (known !== got)
    throw w.fail(
      'E043',
      `${decl.name}: dimension ${sym} is ${known} from ${from.get(sym)} but ${decl.name} has ${has(got)}`,
      at,
    );
}

function checkProps(decl: Declaration, m: Matrix, w: Where): void {
  const name = decl.name;
  const at = (i: number, j: number) => m.data[i * m.cols + j]!;
  const column = isColumn(decl.node.shape) && !isScalar(decl.node.shape);
  const path = (i: number, j: number): Step[] =>
    isScalar(decl.node.shape) ? [name] : column ? [name, i] : [name, i, j];
  for (const p of decl.props) {
    if (p === 'pos') {
      const k = m.data.findIndex((x) => !(x > 0));
      if (k >= 0) {
        const where = path(Math.floor(k / m.cols), k % m.cols);
        throw w.fail('E044', `${name} is declared pos, but ${pathText(where)} = ${m.data[k]} is not positive`, where);
      }
    }
    if (p === 'sym' || p === 'spd') {
      for (let i = 0; i < m.rows; i++)
        for (let j = 0; j < i; j++) {
          const [a, b] = [at(i, j), at(j, i)];
          if (Math.abs(a - b) > 1e-10 * Math.max(1, Math.abs(a), Math.abs(b)))
            throw w.fail(
              'E044',
              `${name} is declared ${p}, but it is not symmetric: ${name}[${i}][${j}] = ${a} and ${name}[${j}][${i}] = ${b}`,
              [name, i, j],
            );
        }
    }
    if (p === 'spd') {
      const k = choleskyFailure(m);
      if (k >= 0)
        throw w.fail(
          'E044',
          `${name} is declared spd, but it is not positive definite (its Cholesky factorisation breaks down at pivot ${k})`,
          [name],
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
