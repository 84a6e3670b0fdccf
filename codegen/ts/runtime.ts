/**
 * The fixed part of every generated TypeScript module: input reading and size binding,
 * the blocked matrix product, column-wise softmax / logsumexp, and (factor.ts) blocked
 * LU / Cholesky factorisations. Kernels that depend on the formula (fused elementwise loops and
 * reductions) are written per program by kernels.ts; these are called from them.
 *
 * Text between « and » is TypeScript only (annotations, type declarations, `export`);
 * `finish()` in emit.ts keeps it for a .ts module and drops it for the JavaScript run
 * in-process — the emitter strips its own types, no compiler is involved.
 *
 * The module defines `Arr` (Float64Array or Float32Array), the type `Real` (its
 * instance type), `DIM_NAMES` and the input tables before this text.
 */
import { elementwiseHelpers } from '../../src/ops/elementwise.js';
import { wasmRuntime } from '../wasm/runtime.js';
import type { PoolOptions } from '../wasm/pool.js';
import { sizeSolver } from '../size-solver.js';
import { factorRuntime } from './factor.js';

/** The registry's scalar helpers (sigmoid, softplus, …), their annotations marked TypeScript-only. */
export const HELPERS = elementwiseHelpers('ts')
  .map((h) => h.code.replace(/: number/g, '«: number»'))
  .join('\n');

/**
 * The runtime text; with `wasm`, products of at least WASM_MIN multiply-adds first try the
 * WebAssembly SIMD kernel for `dtype` (../wasm/runtime.ts), which the text then embeds;
 * with `pool` too, the large ones are split among worker threads (../wasm/pool.ts).
 */
export function runtime(opts: { wasm: boolean; dtype: 'f32' | 'f64'; pool?: PoolOptions }): string {
  return [
    INPUTS,
    gemmText(opts.wasm),
    opts.wasm ? wasmRuntime(opts.dtype, opts.pool) : '',
    LINALG,
    factorRuntime(opts.wasm),
  ].join('');
}

const INPUTS = String.raw`
«/** A monomial of symbolic sizes: k · Π D[s]. */
interface Mono {
  readonly k: number;
  readonly s: readonly number[];
}

/** How an input is shaped: its key, its declared rows and columns, their product, and the shape as declared. */
interface InputSpec {
  readonly key: string;
  readonly rows: Mono;
  readonly cols: Mono;
  readonly size: Mono;
  readonly shape: string;
}»

/** inputs[key] when it is the object's own property (never a prototype's). */
function own(o«: object», key«: string»)«: unknown» {
  return Object.hasOwn(o, key) ? (o« as Record<string, unknown>»)[key] : undefined;
}

const isUnit = (m«: Mono»)«: boolean» => m.k === 1 && m.s.length === 0;

${sizeSolver((message) => `new RangeError(${message})`)}
/**
 * Binds the symbolic sizes into D (0 = unknown): first from 'dims', then from the
 * inputs — rows and columns of nested arrays, lengths of flat ones — until nothing
 * changes. Every size in 'need' must end up bound.
 */
function bindDims(inputs«: object», dims«: object | undefined», specs«: readonly InputSpec[]», need«: readonly number[]», D«: Float64Array»)«: void» {
  D.fill(0);
  if (typeof inputs !== 'object' || inputs === null) throw new TypeError('inputs must be an object with one entry per variable');
  if (dims !== undefined)
    for (let d = 0; d < DIM_NAMES.length; d++) {
      const v = own(dims, DIM_NAMES[d]«!»);
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RangeError('dims.' + DIM_NAMES[d] + ' must be a positive integer');
      D[d] = v;
    }
  for (let changed = true; changed; ) {
    changed = false;
    for (let s = 0; s < specs.length; s++) {
      const spec = specs[s]«!»;
      const v = own(inputs, spec.key);
      if (v === undefined || typeof v === 'number') continue;
      if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
        if (solve(spec.rows, v.length, D, DIM_NAMES, spec.key, spec.shape)) changed = true;
        if (solve(spec.cols, (v[0]« as readonly unknown[]»).length, D, DIM_NAMES, spec.key, spec.shape)) changed = true;
      } else if (Array.isArray(v) || v instanceof Float64Array || v instanceof Float32Array) {
        const m = isUnit(spec.cols) ? spec.rows : isUnit(spec.rows) ? spec.cols : spec.size;
        if (solve(m, v.length, D, DIM_NAMES, spec.key, spec.shape)) changed = true;
      }
    }
  }
  for (let t = 0; t < need.length; t++)
    if (D[need[t]«!»] === 0)
      throw new RangeError('cannot infer the size ' + DIM_NAMES[need[t]«!»] + ' from the inputs; pass it in dims');
}

function sameDims(a«: Float64Array», b«: Float64Array»)«: boolean» {
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

«/** The workspaces of one entry point: the last one used, and the latest few by their sizes. */
interface WorkspaceCache<W> {
  last: W | undefined;
  readonly bySizes: Map<string, W>;
}»

/**
 * The workspace for the sizes in BOUND: the last one when the sizes have not changed (no
 * allocation at all), else one made earlier for these sizes, else a new one.
 */
function workspace«<W extends { readonly D: Float64Array }>»(cache«: WorkspaceCache<W>», make«: (bound: Float64Array) => W»)«: W» {
  const last = cache.last;
  if (last !== undefined && sameDims(last.D, BOUND)) return last;
  const key = BOUND.join(',');
  let ws = cache.bySizes.get(key);
  if (ws === undefined) {
    ws = make(BOUND);
    if (cache.bySizes.size >= 8) cache.bySizes.delete(cache.bySizes.keys().next().value«!»);
    cache.bySizes.set(key, ws);
  }
  cache.last = ws;
  return ws;
}

function shapeError(spec«: InputSpec», R«: number», C«: number», got«: string»)«: RangeError» {
  return new RangeError(spec.key + ': expected ' + spec.shape + ' = ' + R + ' × ' + C + ', got ' + got);
}

function entry(spec«: InputSpec», x«: unknown», where«: string»)«: number» {
  if (typeof x !== 'number') throw new TypeError(spec.key + where + ' is not a number');
  return x;
}

/**
 * Input 'spec' as a row-major R × C array of the module's type: the caller's own
 * array when it is one (no copy), else converted into stage k of the workspace.
 */
function readInput(v«: unknown», spec«: InputSpec», R«: number», C«: number», stages«: (Real | undefined)[]», k«: number»)«: Real» {
  const size = R * C;
  if (v instanceof Arr) {
    if (v.length !== size) throw shapeError(spec, R, C, 'an array of length ' + v.length);
    return v;
  }
  if (v === undefined) throw new TypeError('missing input ' + spec.key + ' ' + spec.shape);
  let out = stages[k];
  if (out === undefined) stages[k] = out = new Arr(size);
  if (typeof v === 'number') {
    if (size !== 1) throw shapeError(spec, R, C, 'a number');
    out[0] = v;
  } else if (v instanceof Float64Array || v instanceof Float32Array) {
    if (v.length !== size) throw shapeError(spec, R, C, 'an array of length ' + v.length);
    out.set(v);
  } else if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
    if (v.length !== R) throw shapeError(spec, R, C, v.length + ' rows');
    for (let i = 0; i < R; i++) {
      const row«: unknown» = v[i];
      if (!Array.isArray(row) || row.length !== C) throw shapeError(spec, R, C, 'row ' + i + ' of ' + (Array.isArray(row) ? row.length + ' entries' : typeof row));
      for (let j = 0; j < C; j++) out[i * C + j] = entry(spec, row[j], '[' + i + '][' + j + ']');
    }
  } else if (Array.isArray(v)) {
    if (v.length !== size) throw shapeError(spec, R, C, 'a flat array of length ' + v.length);
    for (let p = 0; p < size; p++) out[p] = entry(spec, v[p], '[' + p + ']');
  } else throw new TypeError(spec.key + ': expected a number, an array or a typed array');
  return out;
}

`;

const gemmText = (wasm: boolean): string => String.raw`
// ── matrix product ──
// C[m, n] = A·B with A(i, p) = a[i·ars + p·acs] and B(p, j) = b[p·brs + j·bcs]: any
// strides, so transposed operands are read in place.${wasm ? ' Where WebAssembly has SIMD, products of at\n// least WASM_MIN multiply-adds run there (gemmWasm, below). Otherwise large' : ' Large'} products are blocked
// (MC × KC panels of A, KC × NC of B, packed in float64 into 4-row and 4-column strips)
// and computed by a 4×4 register-tiled micro-kernel; small ones by dot products.

const MC = 64;
const KC = 256;
const NC = 1024;
let packA«: Float64Array | undefined»;
let packB«: Float64Array | undefined»;
const tile = new Float64Array(16);

function gemm(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», c«: Real»)«: void» {${wasm ? '\n  if (m * n * k >= WASM_MIN && gemmWasm(m, n, k, a, ars, acs, b, brs, bcs, c)) return;' : ''}
  if (m < 8 || n < 8 || k < 8 || m * n * k < 32768) {
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * ars + p * acs]«!» * b[p * brs + j * bcs]«!»;
        c[i * n + j] = s;
      }
    return;
  }
  const ap = (packA ??= new Float64Array(MC * KC));
  const bp = (packB ??= new Float64Array(KC * NC));
  c.fill(0, 0, m * n);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nstrips = (nc + 3) >> 2;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanel(b, bcs, brs, jc, pc, n, kc, nstrips, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mstrips = (Math.min(MC, m - ic) + 3) >> 2;
        packPanel(a, ars, acs, ic, pc, m, kc, mstrips, ap);
        for (let si = 0; si < mstrips; si++)
          for (let sj = 0; sj < nstrips; sj++) micro(ap, si * kc * 4, bp, sj * kc * 4, kc, c, ic + si * 4, jc + sj * 4, m, n);
      }
    }
  }
}

/**
 * gemm, its result left where it is computed: the WebAssembly kernel's memory (no copy
 * out; valid until the next product) for large products, else c. The caller reads C from
 * the array returned, in the same pass as the elementwise function that follows it.
 */
function gemmTo(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», c«: Real»)«: Real» {${wasm ? '\n  if (m * n * k >= WASM_MIN) {\n    const view = gemmWasmView(m, n, k, a, ars, acs, b, brs, bcs);\n    if (view !== null) return view;\n  }' : ''}
  gemm(m, n, k, a, ars, acs, b, brs, bcs, c);
  return c;
}

/**
 * gemm followed by its epilogue, ep (bits as gemm_t's in codegen/wasm/gemm-wat.mjs):
 * C ← max(alpha·C + bias[j] (2) or bias[i] (4), 0), scaling with 1, relu with 8 — in the
 * WebAssembly kernel while each tile is in registers, else by epilogue() after the product.
 */
function gemmEp(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», c«: Real», alpha«: number», bias«: Real | null», ep«: number»)«: void» {
  const r = gemmEpTo(m, n, k, a, ars, acs, b, brs, bcs, c, alpha, bias, ep);
  if (r !== c) c.set(r);
}

/** gemmEp, its result left where it is computed (as gemmTo): in the kernel's memory, or in c. */
function gemmEpTo(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», c«: Real», alpha«: number», bias«: Real | null», ep«: number»)«: Real» {${wasm ? '\n  if (m * n * k >= WASM_MIN) {\n    const view = gemmWasmView(m, n, k, a, ars, acs, b, brs, bcs, alpha, bias, ep);\n    if (view !== null) return view;\n  }' : ''}
  gemm(m, n, k, a, ars, acs, b, brs, bcs, c);
  epilogue(m, n, c, alpha, bias, ep);
  return c;
}

/** The epilogue of gemmEp on C (m × n, row-major) in place, entry by entry. */
function epilogue(m«: number», n«: number», c«: Real», alpha«: number», bias«: Real | null», ep«: number»)«: void» {
  for (let i = 0; i < m; i++)
    for (let j = 0, o = i * n; j < n; j++) {
      let x = c[o + j]«!»;
      if (ep & 1) x *= alpha;
      if (ep & 2) x += bias«!»[j]«!»;
      if (ep & 4) x += bias«!»[i]«!»;
      if (ep & 8) x = Math.max(x, 0);
      c[o + j] = x;
    }
}

/**
 * Packs strips of 4 lines (rows of A, or columns of B) × kc into 'out', line-interleaved:
 * out[s·kc·4 + p·4 + q] = X(line0 + 4s + q, p0 + p), zero past 'lines'. X(l, p) = x[l·ls + p·ps].
 */
function packPanel(x«: Real», ls«: number», ps«: number», l0«: number», p0«: number», lines«: number», kc«: number», strips«: number», out«: Float64Array»)«: void» {
  let o = 0;
  for (let s = 0; s < strips; s++) {
    const l = l0 + s * 4;
    const h = Math.min(4, lines - l);
    for (let p = 0; p < kc; p++) {
      const base = l * ls + (p0 + p) * ps;
      out[o] = x[base]«!»;
      out[o + 1] = h > 1 ? x[base + ls]«!» : 0;
      out[o + 2] = h > 2 ? x[base + 2 * ls]«!» : 0;
      out[o + 3] = h > 3 ? x[base + 3 * ls]«!» : 0;
      o += 4;
    }
  }
}

/** C[i0.., j0..] += (4 rows of packed A) · (4 columns of packed B), sixteen sums in registers. */
function micro(ap«: Float64Array», pa«: number», bp«: Float64Array», pb«: number», kc«: number», c«: Real», i0«: number», j0«: number», m«: number», n«: number»)«: void» {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
    const a0 = ap[pa]«!», a1 = ap[pa + 1]«!», a2 = ap[pa + 2]«!», a3 = ap[pa + 3]«!»;
    const b0 = bp[pb]«!», b1 = bp[pb + 1]«!», b2 = bp[pb + 2]«!», b3 = bp[pb + 3]«!»;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  if (i0 + 4 <= m && j0 + 4 <= n) {
    let o = i0 * n + j0;
    c[o]«!» += c00; c[o + 1]«!» += c01; c[o + 2]«!» += c02; c[o + 3]«!» += c03; o += n;
    c[o]«!» += c10; c[o + 1]«!» += c11; c[o + 2]«!» += c12; c[o + 3]«!» += c13; o += n;
    c[o]«!» += c20; c[o + 1]«!» += c21; c[o + 2]«!» += c22; c[o + 3]«!» += c23; o += n;
    c[o]«!» += c30; c[o + 1]«!» += c31; c[o + 2]«!» += c32; c[o + 3]«!» += c33;
    return;
  }
  tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
  tile[4] = c10; tile[5] = c11; tile[6] = c12; tile[7] = c13;
  tile[8] = c20; tile[9] = c21; tile[10] = c22; tile[11] = c23;
  tile[12] = c30; tile[13] = c31; tile[14] = c32; tile[15] = c33;
  const h = Math.min(4, m - i0);
  const w = Math.min(4, n - j0);
  for (let x = 0; x < h; x++) for (let y = 0; y < w; y++) c[(i0 + x) * n + j0 + y]«!» += tile[x * 4 + y]«!»;
}

`;

const LINALG = String.raw`
// ── column-wise softmax and log-sum-exp, X(i, j) = x[i·rs + j·cs] ──
// Stable: the column maximum is subtracted before exponentiating.

function columnMax(R«: number», C«: number», x«: Real», rs«: number», cs«: number», mx«: Float64Array»)«: void» {
  mx.fill(-Infinity, 0, C);
  for (let i = 0; i < R; i++)
    for (let j = 0; j < C; j++) {
      const v = x[i * rs + j * cs]«!»;
      if (v > mx[j]«!» || v !== v) mx[j] = v;
    }
}

function softmaxCols(R«: number», C«: number», x«: Real», rs«: number», cs«: number», out«: Real», mx«: Float64Array», sm«: Float64Array»)«: void» {
  columnMax(R, C, x, rs, cs, mx);
  sm.fill(0, 0, C);
  for (let i = 0; i < R; i++)
    for (let j = 0; j < C; j++) {
      const e = Math.exp(x[i * rs + j * cs]«!» - mx[j]«!»);
      out[i * C + j] = e;
      sm[j]«!» += e;
    }
  for (let j = 0; j < C; j++) sm[j] = 1 / sm[j]«!»;
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) out[i * C + j]«!» *= sm[j]«!»;
}

function logsumexpCols(R«: number», C«: number», x«: Real», rs«: number», cs«: number», out«: Real», mx«: Float64Array», sm«: Float64Array»)«: void» {
  columnMax(R, C, x, rs, cs, mx);
  sm.fill(0, 0, C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) sm[j]«!» += Math.exp(x[i * rs + j * cs]«!» - mx[j]«!»);
  for (let j = 0; j < C; j++) out[j] = mx[j]«!» + Math.log(sm[j]«!»);
}
`;

/** The runtime with the plain-JS product only. */
export const RUNTIME = runtime({ wasm: false, dtype: 'f64' });
