/**
 * The WebAssembly part of a generated TypeScript module's matrix product: the SIMD kernel
 * for the module's element type (codegen/wasm/gemm-f32.wat or gemm-f64.wat, assembled at
 * build time by scripts/build-wasm.mjs) embedded as base64, and the code that
 * instantiates it and calls it. ts/runtime.ts's `gemm` calls
 * `gemmWasm` first for products of at least WASM_MIN multiply-adds and keeps its plain-JS
 * kernel for smaller ones and wherever `gemmWasm` declines (no WebAssembly, no SIMD).
 *
 * Text between « and » is TypeScript only (see ts/runtime.ts). The module defines `Arr`
 * and `Real` before this text. Nothing here imports anything at run time.
 */
import { base64Literal } from './embed.js';
import {
  GEMM_WASM_BASE64,
  GEMM_WASM_PACK_BYTES,
  GEMM_WASM_RELAXED_BASE64,
  GEMM_WASM_RELAXED_PROBE,
  GEMM_WASM_SIMD_PROBE,
} from './gemm-wasm.js';
import { type PoolOptions, poolPackBytes, poolRuntime } from './pool.js';

/**
 * Products of fewer multiply-adds (m·n·k) stay in plain JS. The kernel (copies and call
 * included) is ~6× faster from 8 × 8 × 8 on and only ~1.3× at 4 × 4 × 4, where both take
 * a fraction of a microsecond (bench/wasm-gemm.ts); below this, a module whose products
 * are all tiny is spared instantiating the kernel and its ~1.2 MB memory.
 */
export const WASM_MIN = 512;

/**
 * Memory: one WebAssembly.Memory per module, grown (never shrunk) to the largest product
 * seen: WASM_PACK bytes of scratch (packed panels), then C, A and B, 64-byte aligned and
 * 64 bytes apart. The operands are copied in with `set` (a memcpy) and C copied out
 * through a cached view, so a call allocates nothing once its sizes have been seen.
 * With `pool` (the `threads` option, threads ≥ 2), the kernel is loaded on a shared memory
 * with worker threads where the host allows (pool.ts), and its scratch is one block per
 * thread and the control block.
 */
export const wasmRuntime = (dtype: 'f32' | 'f64', pool?: PoolOptions): string => String.raw`
// ── the WebAssembly SIMD product (codegen/wasm/gemm-${dtype}.wat) ──
// Where WebAssembly has SIMD, products of at least WASM_MIN multiply-adds run there: the
// operands are copied into the kernel's memory (after WASM_PACK bytes of scratch), C is
// computed from packed panels in ${dtype === 'f32' ? '4 × 8 tiles of f32x4' : '4 × 4 tiles of f64x2'} sums held in registers, and
// copied back (with relaxed SIMD's multiply-add where WebAssembly validates it). The kernel
// is instantiated on the first such product; without WebAssembly or SIMD, products stay in JS.

const WASM_MIN = ${WASM_MIN};
const WASM_PACK = ${pool ? poolPackBytes(dtype, pool.threads) : GEMM_WASM_PACK_BYTES[dtype]};
const WASM_SIMD_PROBE = [${GEMM_WASM_SIMD_PROBE.join(', ')}];
const WASM_GEMM =
${base64Literal(GEMM_WASM_BASE64[dtype])};
// The same kernel with relaxed SIMD's multiply-add, where the runtime has it.
const WASM_RELAXED_PROBE = [${GEMM_WASM_RELAXED_PROBE.join(', ')}];
const WASM_GEMM_RELAXED =
${base64Literal(GEMM_WASM_RELAXED_BASE64[dtype])};

«interface WasmExports {
  readonly [name: string]: unknown;
}
/** The part of the WebAssembly API used here (declared locally: the module needs no DOM or Node types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: WasmExports };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ readonly instance: { readonly exports: WasmExports } }>;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGemm {
  readonly memory: WasmMemory;
  readonly run: (m: number, n: number, k: number, a: number, ars: number, acs: number, b: number, brs: number, bcs: number, c: number, ws: number, flags: number, alpha?: number, bias?: number, ep?: number) => void;
  /** The memory as the module's element type; replaced when the memory grows. */
  heap: Real;
  /** Views of C (at WASM_PACK) by length. */
  readonly views: Map<number, Real>;
}»

/** The kernel: undefined until the first large product, null where it is unavailable. */
let wasmGemm«: WasmGemm | null | undefined»;

function fromBase64(s«: string»)«: Uint8Array» {
  const digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out = new Uint8Array((s.length >> 2) * 3 - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0));
  for (let i = 0, o = 0; i < s.length; i += 4) {
    let x = 0;
    for (let q = 0; q < 4; q++) x = (x << 6) | (digits.indexOf(s.charAt(i + q)) & 63);
    out[o++] = x >> 16;
    if (o < out.length) out[o++] = (x >> 8) & 255;
    if (o < out.length) out[o++] = x & 255;
  }
  return out;
}

function wasmFrom(exports«: WasmExports»)«: WasmGemm» {
  const memory = exports['memory']« as WasmMemory»;
  return { memory, run: exports['gemm_${dtype}']« as WasmGemm['run']», heap: new Arr(memory.buffer), views: new Map() };
}

/** Instantiates the kernel, or returns null: no WebAssembly, no SIMD, or it does not compile. */
function loadWasm()«: WasmGemm | null» {
  const api = (globalThis« as unknown as { WebAssembly?: WasmApi }»).WebAssembly;
  try {
    if (typeof api !== 'object' || api === null || !api.validate(new Uint8Array(WASM_SIMD_PROBE))) return null;
${pool ? '    const pooled = loadPool(api);\n    if (pooled !== null) return pooled;\n' : ''}    const bytes = fromBase64(api.validate(new Uint8Array(WASM_RELAXED_PROBE)) ? WASM_GEMM_RELAXED : WASM_GEMM);
    try {
      return wasmFrom(new api.Instance(new api.Module(bytes), {}).exports);
    } catch {
      // Some hosts refuse synchronous compilation (a browser's main thread, beyond 4 KB):
      // compile in the background, and multiply in JS until it is ready.
      api.instantiate(bytes, {}).then(
        (r) => void (wasmGemm = wasmFrom(r.instance.exports)),
        () => undefined,
      );
      return null;
    }
  } catch {
    return null;
  }
}

/** Bytes reserved for an operand: 64-aligned, and at least 64 more. */
const wasmSpan = (bytes«: number»)«: number» => Math.ceil(bytes / 64) * 64 + 64;

/** The kernel with at least end bytes of memory, or null: unavailable, or the memory cannot grow. */
function wasmReserve(end«: number»)«: WasmGemm | null» {
  const w = wasmGemm === undefined ? (wasmGemm = loadWasm()) : wasmGemm;
  if (w === null) return null;
  if (end > w.memory.buffer.byteLength) {
    if (end > 2 ** 31) return null;
    try {
      w.memory.grow(Math.ceil((end - w.memory.buffer.byteLength) / 65536));
    } catch {
      return null;
    }
    w.heap = new Arr(w.memory.buffer);
    w.views.clear();
  }
  return w;
}

/**
 * gemm (below) in WebAssembly, C left in the kernel's memory: a view of it (row-major m × n,
 * valid until the next product), or null, having done nothing, where that is unavailable.
 * With ep (epilogue, below), the kernel stores epilogue(C) instead, tile by tile.
 */
function gemmWasmView(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», alpha = 1, bias«: Real | null» = null, ep = 0)«: Real | null» {
  const E = Arr.BYTES_PER_ELEMENT;
  const offC = WASM_PACK;
  const offA = offC + wasmSpan(m * n * E);
  const offB = offA + wasmSpan(a.length * E);
  const offBias = offB + wasmSpan(b.length * E);
  const w = wasmReserve(offBias + (bias === null ? 0 : wasmSpan(bias.length * E)));
  if (w === null) return null;
  w.heap.set(a, offA / E);
  w.heap.set(b, offB / E);
  if (bias !== null) w.heap.set(bias, offBias / E);
  // Operands are read in place where packing them costs about what it saves: when they are
  // small (in cache anyway) or little reused (few columns of C for A, few rows for B) —
  // except B with rows a multiple of 4 KiB apart, whose strips would collide in the cache.
  const flags = (n <= 32 || m * k * E <= 65536 ? 1 : 0) | ((m <= 64 || k * n * E <= 65536) && (brs * E) % 4096 !== 0 ? 2 : 0);
  w.run(m, n, k, offA, ars, acs, offB, brs, bcs, offC, 0, flags, alpha, offBias, ep);
  let view = w.views.get(m * n);
  if (view === undefined) {
    if (w.views.size >= 32) w.views.clear();
    w.views.set(m * n, (view = new Arr(w.memory.buffer, offC, m * n)));
  }
  return view;
}

/** gemm (below) in WebAssembly; false, having done nothing, where that is unavailable. */
function gemmWasm(m«: number», n«: number», k«: number», a«: Real», ars«: number», acs«: number», b«: Real», brs«: number», bcs«: number», c«: Real»)«: boolean» {
  const view = gemmWasmView(m, n, k, a, ars, acs, b, brs, bcs);
  if (view === null) return false;
  c.set(view);
  return true;
}
${GEMM_ACC}${pool ? poolRuntime(dtype, pool) : ''}`;

/**
 * The factorisations' products (ts/factor.ts) in the kernel of the module's element type:
 * the float64 blocks of A and B copied in contiguous (rounded to float32 in an f32 module,
 * whose sums are then float32 too), C(i, j) += alpha · (A·B)(i, j) added back.
 */
const GEMM_ACC = String.raw`
/** gemmAcc (the factorisations) in WebAssembly; false, having done nothing, where that is unavailable. */
function gemmAccWasm(m«: number», n«: number», k«: number», alpha«: number», a«: Float64Array», ao«: number», ars«: number», acs«: number», b«: Float64Array», bo«: number», brs«: number», bcs«: number», c«: Float64Array | Real», co«: number», ldc«: number»)«: boolean» {
  const E = Arr.BYTES_PER_ELEMENT;
  const offC = WASM_PACK;
  const offA = offC + wasmSpan(m * n * E);
  const offB = offA + wasmSpan(m * k * E);
  const w = wasmReserve(offB + wasmSpan(k * n * E));
  if (w === null) return false;
  const h = w.heap;
  // Each block copied in its memory order (rows of A, or of Aᵀ where A is read transposed),
  // the kernel told the strides of the copy.
  const ta = copyBlock(h, offA / E, m, k, a, ao, ars, acs);
  const tb = copyBlock(h, offB / E, k, n, b, bo, brs, bcs);
  const flags = (n <= 32 || m * k * E <= 65536 ? 1 : 0) | ((m <= 64 || k * n * E <= 65536) && !tb && (n * E) % 4096 !== 0 ? 2 : 0);
  w.run(m, n, k, offA, ta ? 1 : k, ta ? m : 1, offB, tb ? 1 : n, tb ? k : 1, offC, 0, flags);
  let o = offC / E;
  for (let i = 0; i < m; i++) {
    const d = co + i * ldc;
    for (let j = 0; j < n; j++) c[d + j]«!» += alpha * h[o++]«!»;
  }
  return true;
}

/**
 * X(i, j) = x[xo + i·rs + j·cs] (r × c) copied to h from element o on, row by row
 * (false), or column by column (true) where its columns are contiguous (rs = 1).
 */
function copyBlock(h«: Real», o«: number», r«: number», c«: number», x«: Float64Array», xo«: number», rs«: number», cs«: number»)«: boolean» {
  if (rs === 1 && cs !== 1) {
    for (let j = 0; j < c; j++) {
      const s = xo + j * cs;
      for (let i = 0; i < r; i++) h[o++] = x[s + i]«!»;
    }
    return true;
  }
  for (let i = 0; i < r; i++) {
    const s = xo + i * rs;
    for (let j = 0; j < c; j++) h[o++] = x[s + j * cs]«!»;
  }
  return false;
}
`;
