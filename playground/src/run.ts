/**
 * Running a model on data: the generated TypeScript (float64, in the page), the
 * generated WGSL on the browser's WebGPU (float32, loaded on demand), their largest
 * difference, and a central finite-difference check of the TypeScript gradients.
 */
import type { Model } from '../../src/model/model.js';
import { dimValue } from '../../src/shape/dim.js';
import type { Node } from '../../src/graph/node.js';
import { type BoundData, bindData, parseData, requireDims, toJson } from '../../codegen/data.js';
import { instantiate, programOf } from '../../codegen/compile.js';
import type { Program } from '../../codegen/program.js';

export type Values = number | ArrayLike<number>;

export interface BackendResult {
  value: Values;
  grad: Record<string, Values>;
}

export interface Quantity {
  /** `L`, or `∂L/∂W`. */
  label: string;
  rows: number;
  cols: number;
}

export interface Prepared {
  program: Program;
  data: BoundData;
  /** The output, then each gradient. */
  quantities: Quantity[];
}

/** Checks the data JSON against the model (the CLI's E040–E044 errors) and builds the program. */
export function prepare(model: Model, dataText: string, of: string | undefined, wrt: readonly string[]): Prepared {
  const program = programOf(model, { of, wrt });
  const file = 'data.json';
  const data = bindData(
    model,
    parseData(dataText, file),
    file,
    program.inputs.map((i) => i.name),
  );
  requireDims(program.dims, data.dims, file);
  const size = (n: Node) => ({
    rows: dimValue(n.shape.rows, data.dims),
    cols: dimValue(n.shape.cols, data.dims),
  });
  const out = program.output.name;
  const quantities = [
    { label: out, ...size(program.output.node) },
    ...(program.valueAndGrad ? program.wrt.map((w) => ({ label: `∂${out}/∂${w.name}`, ...size(w.node) })) : []),
  ];
  return { program, data, quantities };
}

const inputsOf = (d: BoundData) => Object.fromEntries(d.values);
const dimsOf = (d: BoundData) => Object.fromEntries(d.dims);

/** The generated TypeScript module, run in float64. Results are copied (the module reuses its arrays). */
export function runTs(p: Prepared): BackendResult {
  const k = instantiate(p.program, 'f64');
  const copy = (v: Values): Values => (typeof v === 'number' ? v : Array.from(v));
  if (!p.program.valueAndGrad) return { value: copy(k.forward(inputsOf(p.data), dimsOf(p.data))), grad: {} };
  const r = k.valueAndGrad(inputsOf(p.data), dimsOf(p.data));
  return {
    value: copy(r.value),
    grad: Object.fromEntries(Object.entries(r.grad).map(([n, g]) => [n, copy(g)])),
  };
}

/** The output and gradients, in order, as flat arrays. */
export function flat(p: Prepared, r: BackendResult): number[][] {
  const arr = (v: Values) => (typeof v === 'number' ? [v] : Array.from(v));
  return [arr(r.value), ...(p.program.valueAndGrad ? p.program.wrt.map((w) => arr(r.grad[w.name]!)) : [])];
}

/** The result in the data JSON layout, as `matdiff run` prints it. */
export function resultJson(p: Prepared, r: BackendResult): { value: unknown; grad?: Record<string, unknown> } {
  const [value, ...grads] = flat(p, r).map((a, i) => toJson(a, p.quantities[i]!.rows, p.quantities[i]!.cols));
  if (!p.program.valueAndGrad) return { value };
  return { value, grad: Object.fromEntries(p.program.wrt.map((w, i) => [w.name, grads[i]])) };
}

/** The largest |a − b| over every entry of every quantity, and relative to the largest |b|. */
export function largestDifference(a: number[][], b: number[][]): { abs: number; rel: number } {
  let abs = 0;
  let scale = 0;
  a.forEach((xs, q) =>
    xs.forEach((x, i) => {
      const y = b[q]![i]!;
      abs = Math.max(abs, Math.abs(x - y));
      scale = Math.max(scale, Math.abs(y));
    }),
  );
  return { abs, rel: abs / Math.max(scale, Number.MIN_VALUE) };
}

/**
 * Central differences of the output by up to `perVar` entries of each variable,
 * (f(x + h) − f(x − h)) / 2h with h = 1e-6·max(1, |x|), against the gradients `r`.
 * A variable declared sym or spd stays symmetric: entries (i, j) and (j, i) move
 * together, and the difference is compared with g_ij + g_ji (g_ii on the diagonal).
 * The error of a variable is max |fd − g| / max(max |g|, 1e-12) over its entries
 * checked: relative to the gradient's size, so that entries near zero do not dominate.
 */
export function finiteDifferenceCheck(p: Prepared, r: BackendResult, perVar = 12): { error: number; entries: number } {
  if (!p.program.valueAndGrad) return { error: 0, entries: 0 };
  const k = instantiate(p.program, 'f64');
  const dims = dimsOf(p.data);
  let worst = 0;
  let entries = 0;
  for (const w of p.program.wrt) {
    const base = p.data.values.get(w.name)!;
    const cols = dimValue(w.node.shape.cols, p.data.dims);
    const symmetric = (w.node.props ?? []).some((q) => q === 'sym' || q === 'spd');
    const g = r.grad[w.name]!;
    const gs = typeof g === 'number' ? [g] : Array.from(g);
    const scale = Math.max(1e-12, ...gs.map(Math.abs));
    const step = Math.max(1, Math.floor(base.length / perVar));
    let err = 0;
    for (let e = 0; e < base.length && e / step < perVar; e += step) {
      const [i, j] = [Math.floor(e / cols), e % cols];
      const mirror = symmetric && i !== j ? j * cols + i : -1;
      const x = Float64Array.from(base);
      const h = 1e-6 * Math.max(1, Math.abs(x[e]!));
      const f = (d: number) => {
        x[e] = base[e]! + d;
        if (mirror >= 0) x[mirror] = base[mirror]! + d;
        return k.forward({ ...inputsOf(p.data), [w.name]: x }, dims) as number;
      };
      const fd = (f(h) - f(-h)) / (2 * h);
      const want = gs[e]! + (mirror >= 0 ? gs[mirror]! : 0);
      err = Math.max(err, Math.abs(fd - want) / scale);
      entries++;
    }
    worst = Math.max(worst, err);
  }
  return { error: worst, entries };
}

export { inputsOf, dimsOf };
