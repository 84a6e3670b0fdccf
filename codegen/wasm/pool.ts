/**
 * Worker threads for the WebAssembly product of a generated TypeScript module (the
 * `threads` option): the module text that starts THREADS − 1 workers on one shared
 * WebAssembly.Memory and splits large products among them by rows of C.
 *
 * - The kernel is the shared-memory variant of gemm-t (gemmWat(t, p, relaxed, true): the
 *   memory imported as env.memory, shared), compiled once; the caller and every worker
 *   instantiate that WebAssembly.Module on the same memory.
 * - Workers are created from text — Node: `process.getBuiltinModule('node:worker_threads')`,
 *   `new Worker(text, { eval: true })`, unref'd so that they never keep a process alive;
 *   browsers: a Blob URL Worker, only where `crossOriginIsolated` (shared memory needs it).
 * - Jobs go through a control block of CTL_WORDS Int32 words in the shared memory, after the
 *   scratch (WASM_PACK bytes: one block of packing scratch per thread, then the block):
 *     0 workers ready (each adds 1 once instantiated), 1 parts done, 2 set when a part
 *     failed (the caller then throws), 3 the job number (15 bits), 4 the next part to
 *     claim, tagged with its job (job · 2¹⁶ + part: a late claim takes nothing),
 *     5–16 the kernel's arguments for the whole product (m, n, k, a, ars, acs, b, brs, bcs,
 *     c, ws, flags), 17 rows per part, 18 parts, 19 the bias offset, 20 the epilogue flags
 *     (ep), 24–25 alpha as a float64 (the kernel's epilogue: gemm-wat.mjs).
 *   The caller writes a job and bumps its number; workers `Atomics.wait` on the number.
 *   Every thread, the caller included, then claims parts (compareExchange on word 4) and
 *   computes them with its own scratch (ws + t·WASM_PACK_ONE) until none is left; the
 *   caller then `Atomics.wait`s for word 1 to reach the parts (it spins with `Atomics.load`
 *   where it may not wait: a browser's main thread). A worker that wakes late finds its
 *   part taken by the caller: on a busy machine a product is never slower than one
 *   thread by more than the claims.
 * - Workers start asynchronously and nothing ever waits for them to start: products run on
 *   one thread until every worker has reported ready. Without SharedArrayBuffer, WebAssembly
 *   threads or workers, the module loads the ordinary kernel (runtime.ts), as without the
 *   option; a worker that fails to start leaves the products on one thread. A module's
 *   workers live as long as the process or page (unref'd in Node): make a threaded module
 *   once and reuse it.
 *
 * Text between « and » is TypeScript only (see ts/runtime.ts). runtime.ts's loadWasm calls
 * `loadPool` first; its products call the returned kernel's `run`, which is `poolRun`.
 */
import { base64Literal } from './embed.js';
import {
  GEMM_WASM_PACK_BYTES,
  GEMM_WASM_SHARED_BASE64,
  GEMM_WASM_SHARED_PROBE,
  GEMM_WASM_SHARED_RELAXED_BASE64,
} from './gemm-wasm.js';

/**
 * Products of fewer multiply-adds (m·n·k) stay on one thread: handing a part to a worker and
 * waiting for it costs microseconds, and each thread packs its own copy of B. Measured with
 * `npx tsx bench/threads.ts` (f32, square, every product of ≥ 64 rows split, 2 threads on
 * this 2-core machine, three runs while other work shared it): 2 threads against one,
 * 0.7–0.8× at n = 64, 0.6–1.2× at 80, 0.95–1.4× at 96, 1.0–2.5× at 128, 1.3–1.8× at 256,
 * 1.4–2.0× at 512. Break-even lies near 90³; 2²⁰ ≈ 101³ keeps clear of it.
 */
export const THREAD_MIN = 2 ** 20;

/** Rows of C per part are a multiple of this (the kernels' register tiles are 4 rows). */
const ROW_STEP = 8;

/**
 * Rows of C per part at least: each part packs its own copy of B (k·n), which a part of r
 * rows amortises over r·k·n multiply-adds, and a worker costs microseconds to wake.
 */
const PART_ROWS = 32;

/** Polls before a wait (about 100 µs). */
const SPIN = 20000;

/** Int32 words of the control block (64-byte aligned in size). */
const CTL_WORDS = 32;

/** Bytes of scratch before C in the threaded module: one packing block per thread, then the control block. */
export const poolPackBytes = (dtype: 'f32' | 'f64', threads: number): number =>
  threads * GEMM_WASM_PACK_BYTES[dtype] + CTL_WORDS * 4;

export interface PoolOptions {
  readonly threads: number;
  /** Products of at least this many multiply-adds are split (default THREAD_MIN). */
  readonly threadMin?: number;
}

export const poolRuntime = (dtype: 'f32' | 'f64', opts: PoolOptions): string => String.raw`
// ── worker threads (codegen/wasm/pool.ts) ──
// Products of at least THREAD_MIN multiply-adds are split by rows of C among THREADS
// threads — this one and THREADS − 1 workers, all running the kernel on one shared
// WebAssembly.Memory — once the workers have started; until then, or where shared memory,
// WebAssembly threads or workers are unavailable, products run on this thread alone.

const THREADS = ${opts.threads};
const THREAD_MIN = ${opts.threadMin ?? THREAD_MIN};
/** Scratch bytes per thread; the control block follows THREADS of them. */
const WASM_PACK_ONE = ${GEMM_WASM_PACK_BYTES[dtype]};
const POOL_CTL = ${opts.threads * GEMM_WASM_PACK_BYTES[dtype]};
const POOL_CTL_WORDS = ${CTL_WORDS};
/** Polls (Atomics.load, a few ns each) of a word before Atomics.wait: a worker for its next job, this thread for the last part. */
const POOL_SPIN = ${SPIN};
const WASM_SHARED_PROBE = [${GEMM_WASM_SHARED_PROBE.join(', ')}];
// The kernel with its memory imported as shared, without and with relaxed SIMD.
const WASM_GEMM_SHARED =
${base64Literal(GEMM_WASM_SHARED_BASE64[dtype])};
const WASM_GEMM_SHARED_RELAXED =
${base64Literal(GEMM_WASM_SHARED_RELAXED_BASE64[dtype])};

«interface SharedWasmApi {
  readonly Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
/** What a worker is sent: the compiled kernel, the memory, where its words are. */
interface PoolStart {
  readonly module: object;
  readonly memory: WasmMemory;
  readonly name: string;
  readonly ctl: number;
  readonly words: number;
  /** The worker's thread number t (1 … THREADS − 1): its scratch is ws + t·pack. */
  readonly index: number;
  readonly pack: number;
  /** Bytes per element. */
  readonly bytes: number;
  /** Polls of the job word before a wait. */
  readonly spin: number;
}
interface PoolWorker {
  unref?(): void;
  on?(event: string, listener: () => void): void;
  postMessage?(data: PoolStart): void;
  onerror?: (() => void) | null;
}
interface WorkerHost {
  readonly process?: { getBuiltinModule?(id: string): { Worker: new (code: string, o: object) => PoolWorker } | undefined };
  readonly crossOriginIsolated?: boolean;
  readonly Worker?: new (url: string) => PoolWorker;
  readonly Blob?: new (parts: string[], o: object) => object;
  readonly URL?: { createObjectURL(blob: object): string };
  readonly setTimeout: (f: () => void, ms: number) => unknown;
}
interface Pool {
  readonly ctl: Int32Array;
  /** Words 24–25 of ctl as a float64: the job's alpha. */
  readonly alpha: Float64Array;
  readonly kernel: WasmGemm['run'];
  /** Whether this thread may Atomics.wait (not on a browser's main thread). */
  readonly wait: boolean;
  /** Workers that failed to start. */
  failed: number;
}»

/** The worker threads, once loadPool has started them. */
let pool«: Pool | null» = null;

/**
 * Claims parts of job number job (word 4: the job number · 2¹⁶ + the next part) and computes
 * them with the scratch at ws + slot until none is left; counts each done (word 1), notes a
 * failure (word 2). Run by the caller and by every worker: it uses nothing outside itself.
 * A claim tagged with another job (one that woke late) takes nothing.
 */
function poolParts(ctl«: Int32Array», run«: (...args: number[]) => void», E«: number», slot«: number», job«: number», alpha«: number»)«: void» {
  for (;;) {
    const claim = Atomics.load(ctl, 4);
    const i = claim & 0xffff;
    if (claim >>> 16 !== job || i >= ctl[18]«!») return;
    if (Atomics.compareExchange(ctl, 4, claim, claim + 1) !== claim) continue;
    // The job's words were written before its claims were opened, and stay until its parts are done.
    const m = ctl[5]«!», n = ctl[6]«!», rows = ctl[17]«!», i0 = i * rows, ars = ctl[9]«!», ep = ctl[20]«!»;
    // A bias along the rows (ep & 4) starts at the part's first row, as A and C do.
    try {
      run(Math.min(rows, m - i0), n, ctl[7]«!», ctl[8]«!» + i0 * ars * E, ars, ctl[10]«!», ctl[11]«!», ctl[12]«!», ctl[13]«!», ctl[14]«!» + i0 * n * E, ctl[15]«!» + slot, ctl[16]«!», alpha, ctl[19]«!» + (ep & 4 ? i0 * E : 0), ep);
    } catch {
      Atomics.store(ctl, 2, 1);
    } finally {
      if (Atomics.add(ctl, 1, 1) + 1 === ctl[18]) Atomics.notify(ctl, 1);
    }
  }
}

/**
 * A worker's program (sent as text with poolParts: the module loads no file). It
 * instantiates the kernel on the shared memory, reports ready, and takes part in each job.
 */
function poolWorker(d«: PoolStart»)«: void» {
  const wasm = (globalThis« as unknown as { WebAssembly: WasmApi }»).WebAssembly;
  const run = new wasm.Instance(d.module, { env: { memory: d.memory } }).exports[d.name]« as (...args: number[]) => void»;
  const ctl = new Int32Array(d.memory.buffer, d.ctl, d.words);
  const alpha = new Float64Array(d.memory.buffer, d.ctl + 96, 1);
  let job = Atomics.load(ctl, 3);
  Atomics.add(ctl, 0, 1);
  for (;;) {
    // Products come in bursts: poll a while before sleeping (waking from a wait takes tens of µs).
    for (let spin = 0; spin < d.spin && Atomics.load(ctl, 3) === job; spin++);
    Atomics.wait(ctl, 3, job);
    job = Atomics.load(ctl, 3);
    poolParts(ctl, run, d.bytes, d.index * d.pack, job, alpha[0]«!»);
  }
}

/** Starts a worker running poolWorker(d); false where this host has no workers for it. */
function startWorker(d«: PoolStart», onError«: () => void»)«: boolean» {
  const host = globalThis« as unknown as WorkerHost»;
  const threads = typeof host.process?.getBuiltinModule === 'function' ? host.process.getBuiltinModule('node:worker_threads') : undefined;
  if (threads !== undefined) {
    const worker = new threads.Worker(poolParts + '\n(' + poolWorker + ')(require("node:worker_threads").workerData);', { eval: true, workerData: d });
    worker.unref?.();
    worker.on?.('error', onError);
    return true;
  }
  if (host.crossOriginIsolated !== true || host.Worker === undefined || host.Blob === undefined || host.URL === undefined) return false;
  const code = poolParts + '\nonmessage = (e) => (' + poolWorker + ')(e.data);';
  const worker = new host.Worker(host.URL.createObjectURL(new host.Blob([code], { type: 'text/javascript' })));
  worker.onerror = onError;
  worker.postMessage?.(d);
  return true;
}

/** Whether a Node host or a cross-origin isolated page can start workers here. */
function canStartWorkers()«: boolean» {
  const host = globalThis« as unknown as WorkerHost»;
  if (typeof host.process?.getBuiltinModule === 'function') return host.process.getBuiltinModule('node:worker_threads') !== undefined;
  return host.crossOriginIsolated === true && typeof host.Worker === 'function' && typeof host.Blob === 'function' && typeof host.URL?.createObjectURL === 'function';
}

/**
 * The shared-memory kernel with THREADS − 1 workers starting on it, or null (nothing
 * started): no SharedArrayBuffer, no WebAssembly threads, no workers, or it fails to load.
 */
function loadPool(api«: WasmApi»)«: WasmGemm | null» {
  try {
    if (THREADS < 2 || typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object' || !canStartWorkers()) return null;
    if (!api.validate(new Uint8Array(WASM_SHARED_PROBE))) return null;
    const bytes = fromBase64(api.validate(new Uint8Array(WASM_RELAXED_PROBE)) ? WASM_GEMM_SHARED_RELAXED : WASM_GEMM_SHARED);
    const module = new api.Module(bytes);
    const memory = new (api« as unknown as SharedWasmApi»).Memory({ initial: Math.ceil(WASM_PACK / 65536), maximum: 32768, shared: true });
    const exports = new api.Instance(module, { env: { memory } }).exports;
    const name = 'gemm_${dtype}';
    const ctl = new Int32Array(memory.buffer, POOL_CTL, POOL_CTL_WORDS);
    let wait = true;
    try {
      Atomics.wait(ctl, 1, 1, 0);
    } catch {
      wait = false;
    }
    const p«: Pool» = { ctl, alpha: new Float64Array(memory.buffer, POOL_CTL + 96, 1), kernel: exports[name]« as WasmGemm['run']», wait, failed: 0 };
    for (let t = 1; t < THREADS; t++)
      if (!startWorker({ module, memory, name, ctl: POOL_CTL, words: POOL_CTL_WORDS, index: t, pack: WASM_PACK_ONE, bytes: Arr.BYTES_PER_ELEMENT, spin: POOL_SPIN }, () => void p.failed++)) p.failed++;
    pool = p;
    return { memory, run: poolRun, heap: new Arr(memory.buffer), views: new Map() };
  } catch {
    return null;
  }
}

/**
 * The kernel (same arguments), split by rows of C into parts of rows rows (a multiple of
 * ROW_STEP, at least PART_ROWS), claimed by this thread and the workers alike.
 */
function poolRun(m«: number», n«: number», k«: number», a«: number», ars«: number», acs«: number», b«: number», brs«: number», bcs«: number», c«: number», ws«: number», flags«: number», alpha = 1, bias = 0, ep = 0)«: void» {
  const p = pool«!»;
  const ctl = p.ctl;
  const parts = m * n * k >= THREAD_MIN && Atomics.load(ctl, 0) === THREADS - 1 ? Math.min(THREADS, Math.floor(m / ${PART_ROWS})) : 1;
  if (parts < 2) return p.kernel(m, n, k, a, ars, acs, b, brs, bcs, c, ws, flags, alpha, bias, ep);
  const rows = Math.ceil(m / parts / ${ROW_STEP}) * ${ROW_STEP};
  ctl[5] = m;
  ctl[6] = n;
  ctl[7] = k;
  ctl[8] = a;
  ctl[9] = ars;
  ctl[10] = acs;
  ctl[11] = b;
  ctl[12] = brs;
  ctl[13] = bcs;
  ctl[14] = c;
  ctl[15] = ws;
  ctl[16] = flags;
  ctl[17] = rows;
  ctl[18] = Math.ceil(m / rows);
  ctl[19] = bias;
  ctl[20] = ep;
  p.alpha[0] = alpha;
  const job = (ctl[3]«!» + 1) & 0x7fff;
  Atomics.store(ctl, 1, 0);
  Atomics.store(ctl, 4, job << 16);
  Atomics.store(ctl, 3, job);
  Atomics.notify(ctl, 3);
  poolParts(ctl, p.kernel, Arr.BYTES_PER_ELEMENT, 0, job, alpha);
  // Every part is waited for, even after a failure: the next product reuses the words.
  let spin = 0;
  for (let done = Atomics.load(ctl, 1); done < ctl[18]«!»; done = Atomics.load(ctl, 1))
    if (p.wait && ++spin > POOL_SPIN) Atomics.wait(ctl, 1, done);
  if (Atomics.exchange(ctl, 2, 0) !== 0) throw new RangeError('a part of a matrix product failed');
}

/**
 * Resolves, once the workers have started (or failed to), to the number of threads that
 * large products use: THREADS, or 1 where threads are unavailable. Products never wait for
 * it: they run on one thread until then.
 */
function poolReady()«: Promise<number>» {
  if (wasmReserve(WASM_PACK + 64) === null || pool === null) return Promise.resolve(1);
  const p = pool;
  return new Promise((resolve) => {
    const poll = ()«: void» => {
      const ready = Atomics.load(p.ctl, 0);
      if (ready + p.failed >= THREADS - 1) resolve(ready === THREADS - 1 ? THREADS : 1);
      else (globalThis« as unknown as WorkerHost»).setTimeout(poll, 2);
    };
    poll();
  });
}
`;
