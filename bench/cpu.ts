/**
 * CPU benchmarks of issue 4: matdiff's generated TypeScript kernels against TensorFlow.js
 * (cpu and wasm backends), @jax-js/jax (wasm) and a register-tiled plain-JS loop, all in
 * this one process.
 *
 *   npm run bench               # full: n = 128, 256, 512; 21 samples each
 *   npm run bench -- --quick    # smoke: n = 128, 256; 5 samples
 *   flags: --runs N (≥5) --sizes 128,256 --only a,b,c,alloc --out FILE
 *
 * Sections: (a) square f32 product, (b) one MLP training step (value and gradients) of
 * bench/mlp784.mdf, (c) valueAndGrad ÷ forward, and allocation per valueAndGrad call,
 * (d) inv + logdet of an n × n matrix (blocked Cholesky and LU), (e) compile latency:
 * parse → compile → first valueAndGrad of examples/mlp.mdf in fresh processes.
 * The limit in the same run: OpenBLAS (bench/openblas.ts: a C harness compiled when gcc
 * and libopenblas-dev are present, else skipped with the reason) on 1 and 2 threads, for
 * the product and the factorisations; matdiff's figures are also given as fractions of it.
 * Times are medians of per-call times; contenders are sampled in interleaved rounds.
 * Results print as tables and go to bench/results/cpu-<date>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  type Cell,
  type Contender,
  type Stats,
  dateStamp,
  errorText,
  fmtMs,
  fmtNum,
  fmtRatio,
  formatTable,
  gflops,
  matmulFlops,
  measure,
  parseArgs,
  relDiff,
  speedup,
} from './harness.js';
import { MLP784, mlpData, mlpForwardFlops, mlpStepFlops, rng, uniform } from './data.js';
import { makeTiledMatmul, naiveMatmul } from './ref-matmul.js';
import { type MlpContender, type TfBackend, initTf, tfMatmul, tfMlp } from './tfjs.js';
import { initJax, jaxMatmul, jaxMlp } from './jaxjs.js';
import { initMatdiff, matdiffMatmul, matdiffMlp, matdiffName } from './matdiff.js';
import { type BlasOp, type BlasResult, openblas } from './openblas.js';
import { matdiffInvLogdet, matdiffSolve } from './factor.js';
import { type Peak, simdPeak } from './simd-peak.js';
import { compileLatency } from './latency.js';

const args = parseArgs(process.argv.slice(2));
const want = (s: string): boolean => !args.only || args.only.has(s);
const timing = {
  runs: args.runs,
  warmupMs: args.quick ? 100 : 300,
  warmupCalls: 3,
  minSampleMs: args.quick ? 5 : 30,
  maxMsPerContender: args.quick ? 3_000 : 20_000,
};
const MATMUL_TOL = 1e-4; // f32 products of [-1,1] entries, normwise
const MLP_TOL = 1e-3; // the brief: within 1e-3 relative of tfjs

const skipped: { what: string; reason: string }[] = [];
const log = (s = ''): void => console.log(s);

// ───────────────────────────── set-up ─────────────────────────────

log(`matdiff CPU benchmark${args.quick ? ' (quick)' : ''} — ${new Date().toISOString()}`);
const cpus = os.cpus();
const machine = {
  node: process.version,
  v8: process.versions.v8,
  platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  cpu: cpus[0]?.model ?? 'unknown',
  cores: cpus.length,
  memGiB: Math.round(os.totalmem() / 2 ** 30),
};
const loadAtStart = os.loadavg();
log(
  `node ${machine.node}, ${machine.cpu}, ${machine.cores} cores, ${machine.platform}; load average ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`,
);

const tfInfo = await initTf();
const tfBackends = (['cpu', 'wasm'] as TfBackend[]).filter((b) => {
  if (tfInfo.backends[b] === 'ok') return true;
  skipped.push({ what: `tfjs-${b}`, reason: tfInfo.backends[b] ?? 'not registered' });
  return false;
});
log(
  `tfjs-core ${tfInfo.version}: backends ${tfBackends.join(', ')}; wasm SIMD ${tfInfo.wasmSimd}, threads ${tfInfo.wasmThreads}`,
);

let jaxInfo: { version: string; devices: string[] } | null = null;
try {
  jaxInfo = await initJax();
  log(`@jax-js/jax ${jaxInfo.version}: device wasm (its 'cpu' device is an interpreter, not benchmarked)`);
} catch (e) {
  skipped.push({ what: 'jax-js', reason: `failed to load or initialise: ${errorText(e)}` });
  log(`@jax-js/jax: unavailable — ${errorText(e)}`);
}
skipped.push({
  what: "jax-js 'cpu' device",
  reason:
    'a reference interpreter (one 256² product took ≈5.7 s in a probe while this benchmark was written); only its wasm device is benchmarked',
});

let matdiffReason: string | null = null;
try {
  await initMatdiff();
} catch (e) {
  matdiffReason = errorText(e);
  skipped.push({ what: 'matdiff', reason: matdiffReason });
  log(`matdiff: unavailable — ${matdiffReason}`);
}

/** Builds a contender, recording (not throwing) a failure. */
async function tryMake<T>(what: string, make: () => T | Promise<T>): Promise<T | null> {
  try {
    return await make();
  } catch (e) {
    skipped.push({ what, reason: errorText(e) });
    log(`  ${what}: skipped — ${errorText(e)}`);
    return null;
  }
}

const isStats = (s: Stats | { error: string } | undefined): s is Stats => !!s && 'medianMs' in s;

/** OpenBLAS, a skip recorded once per reason. */
const blasReasons = new Set<string>();
function blas(op: BlasOp, n: number, threads: number, runs: number): BlasResult | { reason: string } {
  const r = openblas(op, n, threads, runs);
  if ('reason' in r && !blasReasons.has(r.reason)) {
    blasReasons.add(r.reason);
    skipped.push({ what: `OpenBLAS ${op}`, reason: r.reason });
    log(`  OpenBLAS: skipped — ${r.reason}`);
  }
  return r;
}

// ───────────────────────────── (a) matrix product ─────────────────────────────

interface MatmulRow {
  n: number;
  impl: string;
  medianMs: number | null;
  bestMs: number | null;
  gflops: number | null;
  vsTiled: number | null; // > 1: faster than the register-tiled loop
  ofBlas1: number | null; // GFLOP/s ÷ OpenBLAS's on one thread
  relIqr: number | null;
  check: string;
  error?: string;
}
const matmulRows: MatmulRow[] = [];

/** matdiff on 2 threads against itself on one and against OpenBLAS on two, per n. */
interface ThreadRow {
  n: number;
  gflops: number | null;
  vsOneThread: number | null; // 2-thread speed ÷ 1-thread speed
  blas2Gflops: number | null;
  ofBlas2: number | null;
  /** The best 2-thread time against the best 1-thread time: what the second core gives when it is free. */
  bestVsOneThread: number | null;
  /** OpenBLAS's own 2-thread ÷ 1-thread speed in this run: how much of a second core this machine lent just then. */
  blasScaling: number | null;
}
const threadRows: ThreadRow[] = [];
function threadRow(n: number): ThreadRow {
  const at = (pick: (impl: string) => boolean) => matmulRows.find((r) => r.n === n && pick(r.impl));
  const [one, two, blas1, blas2] = [
    at((i) => i === 'matdiff'),
    at((i) => i === 'matdiff-2t'),
    at((i) => i.startsWith('openblas-1t')),
    at((i) => i.startsWith('openblas-2t')),
  ];
  const ratio = (x: number | null | undefined, y: number | null | undefined) => (x && y ? x / y : null);
  return {
    n,
    gflops: two?.gflops ?? null,
    vsOneThread: ratio(two?.gflops, one?.gflops),
    blas2Gflops: blas2?.gflops ?? null,
    ofBlas2: ratio(two?.gflops, blas2?.gflops),
    bestVsOneThread: ratio(one?.bestMs, two?.bestMs),
    blasScaling: ratio(blas2?.gflops, blas1?.gflops),
  };
}

if (want('a')) {
  log(`\n(a) square float32 product C = A·B  (${args.runs} samples, median)`);
  for (const n of args.sizes) {
    const r = rng(1000 + n);
    const a = uniform(n * n, r);
    const b = uniform(n * n, r);
    const expected = new Float32Array(n * n);
    naiveMatmul(n, n, n)(a, b, expected);

    const contenders: (Contender & { result: () => Float32Array })[] = [];
    if (!matdiffReason)
      for (const threads of [1, 2]) {
        const c = await tryMake(`${matdiffName(threads)} matmul n=${n}`, () => matdiffMatmul(n, a, b, threads));
        if (c) contenders.push(c);
      }
    for (const be of tfBackends) {
      const c = await tryMake(`tfjs-${be} matmul n=${n}`, () => tfMatmul(be, n, a, b));
      if (c) contenders.push(c);
    }
    if (jaxInfo) {
      const c = await tryMake(`jax-js matmul n=${n}`, () => jaxMatmul(n, a, b));
      if (c) contenders.push(c);
    }
    const tiled = makeTiledMatmul(n, n, n);
    const tiledOut = new Float32Array(n * n);
    contenders.push({
      name: 'ref-tiled-js',
      run: () => tiled(a, b, tiledOut),
      result: () => (tiled(a, b, tiledOut), tiledOut),
    });

    const checks = new Map<string, string>();
    for (const c of contenders) {
      try {
        await c.before?.();
        const d = relDiff(c.result(), expected);
        checks.set(c.name, d <= MATMUL_TOL ? `ok ${fmtNum(d, 2)}` : `WRONG ${fmtNum(d, 2)}`);
      } catch (e) {
        checks.set(c.name, `error: ${errorText(e)}`);
      }
    }
    const res = await measure(contenders, timing);
    const tiledStats = res.get('ref-tiled-js');
    const tiledMs = isStats(tiledStats) ? tiledStats.medianMs : NaN;
    for (const c of contenders) {
      const s = res.get(c.name);
      if (isStats(s)) {
        matmulRows.push({
          n,
          impl: c.name,
          medianMs: s.medianMs,
          bestMs: s.minMs,
          gflops: gflops(matmulFlops(n), s.medianMs),
          vsTiled: speedup(s.medianMs, tiledMs),
          ofBlas1: null,
          relIqr: s.relIqr,
          check: checks.get(c.name) ?? '',
        });
      } else {
        matmulRows.push({
          n,
          impl: c.name,
          medianMs: null,
          bestMs: null,
          gflops: null,
          vsTiled: null,
          ofBlas1: null,
          relIqr: null,
          check: checks.get(c.name) ?? '',
          error: s?.error,
        });
      }
    }
    if (matdiffReason)
      matmulRows.splice(matmulRows.length - contenders.length, 0, {
        n,
        impl: 'matdiff',
        medianMs: null,
        bestMs: null,
        gflops: null,
        vsTiled: null,
        ofBlas1: null,
        relIqr: null,
        check: `n/a: ${matdiffReason}`,
      });
    // the limit: OpenBLAS sgemm on 1 and 2 threads, run after the others (not interleaved)
    let blas1: number | null = null;
    for (const threads of [1, 2]) {
      const b = blas('sgemm', n, threads, args.runs);
      if (!('medianMs' in b)) continue;
      const g = gflops(matmulFlops(n), b.medianMs);
      if (threads === 1) blas1 = g;
      matmulRows.push({
        n,
        impl: `openblas-${threads}t (${b.core})`,
        medianMs: b.medianMs,
        bestMs: b.minMs,
        gflops: g,
        vsTiled: speedup(b.medianMs, tiledMs),
        ofBlas1: null,
        relIqr: null,
        check: 'C harness',
      });
    }
    for (const r of matmulRows) if (r.n === n && r.gflops !== null && blas1) r.ofBlas1 = r.gflops / blas1;
    threadRows.push(threadRow(n));
    log(`  n = ${n} done`);
  }
  log();
  log(
    formatTable(
      ['n', 'implementation', 'median', 'best', 'GFLOP/s', '× ref-tiled', 'of OpenBLAS 1t', 'IQR', 'result check'],
      matmulRows.map((r): Cell[] => [
        r.n,
        r.impl,
        fmtMs(r.medianMs),
        fmtMs(r.bestMs),
        fmtNum(r.gflops),
        fmtRatio(r.vsTiled),
        r.ofBlas1 === null ? '—' : `${fmtNum(100 * r.ofBlas1, 3)}%`,
        r.relIqr === null ? '—' : `${fmtNum(100 * r.relIqr, 2)}%`,
        r.error ? `error: ${r.error}` : r.check,
      ]),
    ),
  );
  log(`\n(a) on 2 threads: matdiff with the option threads: 2 (worker threads on one shared WebAssembly memory)`);
  log(
    `    medians; 'best ÷ best' compares the fastest samples, and OpenBLAS's own 2t ÷ 1t shows how much of the second core the machine gave in this run`,
  );
  log(
    formatTable(
      [
        'n',
        'matdiff-2t GFLOP/s',
        '÷ matdiff 1 thread',
        'best ÷ best',
        'OpenBLAS 2t GFLOP/s',
        '÷ OpenBLAS 2t',
        'OpenBLAS 2t ÷ 1t',
      ],
      threadRows.map((r): Cell[] => [
        r.n,
        fmtNum(r.gflops),
        fmtRatio(r.vsOneThread),
        fmtRatio(r.bestVsOneThread),
        fmtNum(r.blas2Gflops),
        r.ofBlas2 === null ? '—' : `${fmtNum(100 * r.ofBlas2, 3)}%`,
        fmtRatio(r.blasScaling),
      ]),
    ),
  );
}

// ───────────────────────────── (b), (c) MLP step ─────────────────────────────

interface MlpRow {
  impl: string;
  stepMs: number | null;
  stepBestMs: number | null;
  forwardMs: number | null;
  forwardBestMs: number | null;
  stepIqr: number | null;
  gradOverForward: number | null;
  stepGflops: number | null;
  matdiffSpeedup: number | null; // this time ÷ matdiff's step time
  check: string;
  error?: string;
}
const mlpRows: MlpRow[] = [];
let mlpChecks: Record<string, { value: number; relDiff: Record<string, number> }> = {};
let alloc: Record<string, unknown> = {};
let mlpRefName = 'tfjs';
const S = MLP784;
const layoutNote =
  'matdiff and jax-js: feature-major as in the model (X [784,256], W1·X). tfjs twice: [W·X] mirrors it exactly (column-wise log-softmax as Z − logsumexp(Z, axis 0)); [X·Wᵀ] is the batch-major equivalent with transposed weights and tf.logSoftmax (gradients transposed back for the check)';

if (want('b') || want('c') || want('alloc')) {
  log(`\n(b) MLP 784-256-10 relu / softmax-cross-entropy, batch 256: one step = value + ∂W1, ∂b1, ∂W2, ∂b2`);
  log(`    layout: ${layoutNote}`);
  const d = mlpData(S);
  const impls: { name: string; c: MlpContender }[] = [];
  if (!matdiffReason) {
    const c = await tryMake('matdiff MLP', () => matdiffMlp(S, d));
    if (c) impls.push({ name: 'matdiff', c });
    const c2 = await tryMake('matdiff-2t MLP', () => matdiffMlp(S, d, 2));
    if (c2) impls.push({ name: 'matdiff-2t', c: c2 });
  }
  for (const be of tfBackends)
    for (const layout of ['W·X', 'X·Wᵀ'] as const) {
      const c = await tryMake(`tfjs-${be} [${layout}] MLP`, () => tfMlp(be, S, d, layout));
      if (c) impls.push({ name: c.step.name, c });
    }
  if (jaxInfo) {
    const c = await tryMake('jax-js MLP', () => jaxMlp(S, d));
    if (c) impls.push({ name: 'jax-js-wasm', c });
  }

  // correctness first: everything against tfjs-cpu, on the same data
  const refImpl = impls.find((i) => i.name.startsWith('tfjs-cpu')) ?? impls.find((i) => i.name.startsWith('tfjs'));
  mlpRefName = refImpl?.name ?? 'none';
  const checks = new Map<string, string>();
  if (refImpl) {
    await refImpl.c.step.before?.();
    let ref: ReturnType<MlpContender['evaluate']> | null = null;
    try {
      ref = refImpl.c.evaluate();
      log(`    reference (${refImpl.name}): L = ${ref.value}`);
    } catch (e) {
      log(`    reference ${refImpl.name} failed — ${errorText(e)}`);
      checks.set(refImpl.name, `error: ${errorText(e)}`);
    }
    if (ref)
      for (const i of impls) {
        try {
          await i.c.step.before?.();
          const got = i.c.evaluate();
          const rd: Record<string, number> = { value: Math.abs(got.value - ref.value) / Math.abs(ref.value) };
          for (const k of ['W1', 'b1', 'W2', 'b2'] as const) rd[k] = relDiff(got.grad[k], ref.grad[k]);
          const worst = Math.max(...Object.values(rd).map((x) => (Number.isNaN(x) ? Infinity : x)));
          mlpChecks[i.name] = { value: got.value, relDiff: rd };
          checks.set(
            i.name,
            i === refImpl ? 'reference' : worst <= MLP_TOL ? `ok ${fmtNum(worst, 2)}` : `WRONG ${fmtNum(worst, 2)}`,
          );
          if (i !== refImpl)
            log(
              `    ${i.name}: L = ${got.value}; rel. diff ${Object.entries(rd)
                .map(([k, v]) => `${k} ${fmtNum(v, 2)}`)
                .join(', ')} → ${checks.get(i.name)}`,
            );
        } catch (e) {
          checks.set(i.name, `error: ${errorText(e)}`);
          log(`    ${i.name}: evaluation failed — ${errorText(e)}`);
        }
      }
  } else {
    log('    no tfjs backend to check against');
  }

  // step and forward of every contender sampled in the same interleaved rounds, so the
  // (c) ratio is not skewed by load changing between two separate measurements
  const both =
    want('b') || want('c')
      ? await measure(
          impls.flatMap((i) => [
            { ...i.c.step, name: `${i.name}:step` },
            { ...i.c.forward, name: `${i.name}:forward` },
          ]),
          timing,
        )
      : new Map<string, Stats | { error: string }>();
  const stepRes = new Map(impls.map((i) => [i.name, both.get(`${i.name}:step`)]));
  const fwdRes = new Map(impls.map((i) => [i.name, both.get(`${i.name}:forward`)]));
  const md = stepRes.get('matdiff');
  const mdStep = isStats(md) ? md.medianMs : NaN;
  for (const i of impls) {
    const s = stepRes.get(i.name);
    const f = fwdRes.get(i.name);
    const stepMs = isStats(s) ? s.medianMs : null;
    const forwardMs = isStats(f) ? f.medianMs : null;
    mlpRows.push({
      impl: i.name,
      stepMs,
      stepBestMs: isStats(s) ? s.minMs : null,
      forwardMs,
      forwardBestMs: isStats(f) ? f.minMs : null,
      stepIqr: isStats(s) ? s.relIqr : null,
      gradOverForward: stepMs !== null && forwardMs !== null ? stepMs / forwardMs : null,
      stepGflops: stepMs !== null ? gflops(mlpStepFlops(S), stepMs) : null,
      matdiffSpeedup: stepMs !== null && i.name !== 'matdiff' ? speedup(mdStep, stepMs) : null,
      check: checks.get(i.name) ?? '',
      error: (!isStats(s) && s ? s.error : undefined) ?? (!isStats(f) && f ? f.error : undefined),
    });
  }
  if (matdiffReason)
    mlpRows.unshift({
      impl: 'matdiff',
      stepMs: null,
      stepBestMs: null,
      forwardMs: null,
      forwardBestMs: null,
      stepIqr: null,
      gradOverForward: null,
      stepGflops: null,
      matdiffSpeedup: null,
      check: `n/a: ${matdiffReason}`,
    });
  log();
  log(
    formatTable(
      [
        'implementation',
        'step (value+grad)',
        'best',
        'IQR',
        'forward',
        'best',
        '(c) step ÷ forward',
        'step GFLOP/s',
        'matdiff faster by',
        `check vs ${mlpRefName}`,
      ],
      mlpRows.map((r): Cell[] => [
        r.impl,
        fmtMs(r.stepMs),
        fmtMs(r.stepBestMs),
        r.stepIqr === null ? '—' : `${fmtNum(100 * r.stepIqr, 2)}%`,
        fmtMs(r.forwardMs),
        fmtMs(r.forwardBestMs),
        fmtRatio(r.gradOverForward),
        fmtNum(r.stepGflops),
        fmtRatio(r.matdiffSpeedup),
        r.error ? `error: ${r.error}` : r.check,
      ]),
    ),
  );
  log(
    `    (FLOPs counted: forward ${fmtNum(mlpForwardFlops(S) / 1e6)} M, step ${fmtNum(mlpStepFlops(S) / 1e6)} M — the products only)`,
  );

  // ───────────── allocation: 100 calls of valueAndGrad after the first ─────────────
  if (want('alloc')) {
    log(`\nallocation per valueAndGrad call (--expose-gc; heap growth over the calls without GC ÷ calls)`);
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) {
      alloc = { error: 'run node with --expose-gc (npm run bench does)' };
      log(`    skipped: ${alloc.error}`);
    } else {
      const rows: Cell[][] = [];
      const add = (name: string, r: Alloc): void => {
        alloc[name] = r;
        rows.push([
          name,
          `${r.warmup} + ${r.calls}`,
          fmtBytes(r.heapPerCall),
          fmtBytes(r.arrayBuffersPerCall),
          fmtBytes(r.externalPerCall),
          String(r.gcsDuring),
          fmtBytes(r.retainedHeap + r.retainedArrayBuffers),
        ]);
      };
      add('baseline (empty call)', await allocation(() => {}, gc, 1, 100));
      if (matdiffReason) rows.push(['matdiff', '—', '—', '—', '—', '—', `n/a: ${matdiffReason}`]);
      else {
        // a freshly compiled copy: calls 2…101 exactly as the target states them
        const fresh = await tryMake('matdiff MLP (fresh copy)', () => matdiffMlp(S, d));
        if (fresh) add('matdiff, calls 2–101 (fresh)', await allocation(fresh.step.run, gc, 1, 100));
      }
      for (const i of impls) {
        await i.c.step.before?.();
        const md = i.name === 'matdiff';
        const warm = md ? settle(i.c.step.run, 400) : 3;
        add(
          md ? 'matdiff, steady state' : i.name,
          await allocation(i.c.step.run, gc, 0, md ? 100 : args.quick ? 5 : 10, warm),
        );
      }
      log(
        formatTable(
          [
            'implementation',
            'warm-up + calls',
            'JS heap / call',
            'ArrayBuffers / call',
            'external / call',
            'GCs during',
            'retained after GC',
          ],
          rows,
        ),
      );
      log(
        '    A GC during the loop hides allocation, so any GC means "allocates". Early calls of a fresh matdiff module',
      );
      log(
        '    allocate on the JS heap while V8 still runs it unoptimised (boxed doubles); its typed arrays are allocated once.',
      );
    }
  }
  for (const i of impls) i.c.dispose();
}

// ───────────────────────────── (d) factorisations ─────────────────────────────

interface FactorRow {
  n: number;
  method: string;
  impl: string;
  medianMs: number | null;
  bestMs: number | null;
  samples: number;
  /** matdiff: median process CPU time of a call. */
  cpuMs: number | null;
  /** OpenBLAS 1-thread time ÷ this time (≤ 1: slower than OpenBLAS). */
  ofBlas1: number | null;
  check: string;
}
const factorRows: FactorRow[] = [];
/** inv(A)·B, solved or with A⁻¹ formed (section (d)). */
interface SolveRow {
  n: number;
  k: number;
  method: string;
  dtype: 'f64' | 'f32';
  solved: boolean;
  medianMs: number | null;
  bestMs: number | null;
  cpuMs: number | null;
  /** max |A·X − B| / max |B| over a few rows. */
  residual: number | null;
  error?: string;
}
const solveRows: SolveRow[] = [];
const [SOLVE_N, SOLVE_K] = [1000, 100];
const factorCases: { n: number; spd: boolean; samples: number }[] = args.quick
  ? [{ n: 1000, spd: true, samples: 3 }]
  : [
      { n: 1000, spd: true, samples: 7 },
      { n: 1000, spd: false, samples: 5 },
      { n: 3000, spd: true, samples: 3 },
    ];

if (want('d') && !matdiffReason) {
  log(`\n(d) inv + logdet of an n × n matrix, float64 (matdiff: value and gradient of logdet(A), the gradient A⁻¹)`);
  for (const c of factorCases) {
    const method = c.spd ? 'Cholesky (spd)' : 'LU';
    const op: BlasOp = c.spd ? 'dpotrf' : 'dgetrf';
    const bl = [1, 2].map((t) => blas(op, c.n, t, c.samples));
    const b1 = bl[0]!;
    const ofB = (ms: number): number | null => ('medianMs' in b1 ? b1.medianMs / ms : null);
    try {
      const m = matdiffInvLogdet(c.n, c.spd, c.samples);
      factorRows.push({
        n: c.n,
        method,
        impl: 'matdiff',
        medianMs: m.medianMs,
        bestMs: m.minMs,
        samples: m.samples,
        cpuMs: m.cpuMs,
        ofBlas1: ofB(m.medianMs),
        check: `|A·A⁻¹ − I| ≤ ${fmtNum(m.residual, 2)}`,
      });
    } catch (e) {
      factorRows.push({
        n: c.n,
        method,
        impl: 'matdiff',
        medianMs: null,
        bestMs: null,
        samples: 0,
        cpuMs: null,
        ofBlas1: null,
        check: `error: ${errorText(e)}`,
      });
    }
    bl.forEach((b, t) => {
      if ('medianMs' in b)
        factorRows.push({
          n: c.n,
          method,
          impl: `openblas-${t + 1}t ${op}+${c.spd ? 'dpotri' : 'dgetri'} (${b.core})`,
          medianMs: b.medianMs,
          bestMs: b.minMs,
          samples: b.runs,
          cpuMs: null,
          ofBlas1: ofB(b.medianMs),
          check: `logdet ${fmtNum(b.check, 6)}`,
        });
    });
    log(`  n = ${c.n} ${method} done`);
  }
  log();
  log(
    formatTable(
      ['n', 'method', 'implementation', 'median', 'best', 'CPU time', 'samples', 'speed of OpenBLAS 1t', 'check'],
      factorRows.map((r): Cell[] => [
        r.n,
        r.method,
        r.impl,
        fmtMs(r.medianMs),
        fmtMs(r.bestMs),
        fmtMs(r.cpuMs),
        r.samples,
        r.ofBlas1 === null ? '—' : `${fmtNum(100 * r.ofBlas1, 3)}%`,
        r.check,
      ]),
    ),
  );

  // A⁻¹·B solved (factorisation + blocked triangular solves) against A⁻¹ formed and multiplied, in the same run.
  const solveCases = args.quick
    ? [{ spd: true, dtype: 'f64' as const }]
    : [
        { spd: true, dtype: 'f64' as const },
        { spd: false, dtype: 'f64' as const },
        { spd: true, dtype: 'f32' as const },
        { spd: false, dtype: 'f32' as const },
      ];
  for (const c of solveCases)
    for (const solve of [true, false]) {
      const row = { n: SOLVE_N, k: SOLVE_K, method: c.spd ? 'Cholesky (spd)' : 'LU', dtype: c.dtype, solved: solve };
      try {
        const t = matdiffSolve(SOLVE_N, SOLVE_K, { ...c, solve, samples: args.quick ? 3 : 5 });
        solveRows.push({ ...row, medianMs: t.medianMs, bestMs: t.minMs, cpuMs: t.cpuMs, residual: t.residual });
      } catch (e) {
        solveRows.push({ ...row, medianMs: null, bestMs: null, cpuMs: null, residual: null, error: errorText(e) });
      }
    }
  log(
    `\n(d) inv(A)·B for A ${SOLVE_N} × ${SOLVE_N}, B ${SOLVE_N} × ${SOLVE_K} (forward): solved against A⁻¹ formed and multiplied`,
  );
  log(
    formatTable(
      ['A, B', 'method', 'dtype', 'how', 'median', 'best', 'CPU time', 'formed ÷ solved', 'check'],
      solveRows.map((r): Cell[] => {
        const formed = solveRows.find((f) => !f.solved && f.method === r.method && f.dtype === r.dtype);
        return [
          `${r.n} × ${r.k}`,
          r.method,
          r.dtype,
          r.solved ? 'solved' : 'inverse formed',
          r.error ?? fmtMs(r.medianMs),
          fmtMs(r.bestMs),
          fmtMs(r.cpuMs),
          r.solved && r.medianMs && formed?.medianMs ? fmtRatio(formed.medianMs / r.medianMs) : '',
          r.residual === null ? '' : `|A·X − B|/|B| ≤ ${fmtNum(r.residual, 2)}`,
        ];
      }),
    ),
  );
}

// ──────────── (a′) the product with relaxed SIMD (V8 flag on, after everything else) ────────────

// Node 20's V8 validates relaxed SIMD only with --experimental-wasm-relaxed-simd. Turning it
// on here, after (a)–(d) ran on the default runtime, lets modules compiled from now on load
// the relaxed_madd kernel (codegen/wasm): the figure a runtime with relaxed SIMD would get.
const relaxedRows: { n: number; medianMs: number; gflops: number; ofBlas1: number | null }[] = [];
if (want('a') && !matdiffReason) {
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  log(`\n(a′) the f32 product again with relaxed SIMD's multiply-add (--experimental-wasm-relaxed-simd set now)`);
  const contenders: Contender[] = [];
  const byName = new Map<string, number>();
  for (const n of args.sizes) {
    const r = rng(1000 + n);
    const a = uniform(n * n, r);
    const b = uniform(n * n, r);
    const c = await tryMake(`matdiff relaxed n=${n}`, () => matdiffMatmul(n, a, b));
    if (c) {
      contenders.push({ ...c, name: `relaxed ${n}` });
      byName.set(`relaxed ${n}`, n);
    }
  }
  const res = await measure(contenders, timing);
  for (const [name, n] of byName) {
    const st = res.get(name);
    if (!isStats(st)) continue;
    const blas1 = matmulRows.find((x) => x.n === n && x.impl.startsWith('openblas-1t'))?.gflops ?? null;
    const g = gflops(matmulFlops(n), st.medianMs);
    relaxedRows.push({ n, medianMs: st.medianMs, gflops: g, ofBlas1: blas1 ? g / blas1 : null });
  }
  log(
    formatTable(
      ['n', 'implementation', 'median', 'GFLOP/s', 'of OpenBLAS 1t (from (a))'],
      relaxedRows.map((x): Cell[] => [
        x.n,
        'matdiff, relaxed SIMD',
        fmtMs(x.medianMs),
        fmtNum(x.gflops),
        x.ofBlas1 === null ? '—' : `${fmtNum(100 * x.ofBlas1, 3)}%`,
      ]),
    ),
  );
}

// ──────────── (a″) the ceiling of WebAssembly SIMD on this machine ────────────

// What 128-bit vectors can do at all here (bench/simd-peak.ts: register chains, no loads),
// so that the product's GFLOP/s reads as a fraction of the instruction set's ceiling too.
// Relaxed SIMD is on from (a′) on; without it, only the mul + add ceiling is measured.
const simdPeaks: Peak[] = [];
if (want('a')) {
  log(
    `\n(a″) the ceiling of WebAssembly SIMD128 on this machine (bench/simd-peak.ts: 12 register chains, no loads; best of 9)`,
  );
  for (const relaxed of [false, true])
    for (const lane of ['f32', 'f64'] as const) {
      const p = await simdPeak(lane, relaxed);
      if (p) simdPeaks.push(p);
    }
  const blas1 =
    matmulRows.find((x) => x.n === Math.max(...args.sizes) && x.impl.startsWith('openblas-1t'))?.gflops ?? null;
  log(
    formatTable(
      ['lanes', 'instructions', 'GFLOP/s', 'of OpenBLAS sgemm 1t (n max)'],
      simdPeaks.map((p): Cell[] => [
        p.lane === 'f32' ? 'f32x4' : 'f64x2',
        p.relaxed ? 'relaxed_madd' : 'mul, add',
        fmtNum(p.gflops),
        blas1 && p.lane === 'f32' ? `${fmtNum((100 * p.gflops) / blas1, 3)}%` : '—',
      ]),
    ),
  );
}

// ───────────────────────────── (e) compile latency ─────────────────────────────

let latency: ReturnType<typeof compileLatency> | null = null;
if (want('e')) {
  const samples = args.quick ? 3 : 5;
  log(`\n(e) compile latency: parse → compile → first valueAndGrad of examples/mlp.mdf (f32, 784-256-10, batch 256)`);
  log(`    ${samples} fresh Node processes, medians`);
  latency = compileLatency(samples);
  if ('reason' in latency) {
    skipped.push({ what: 'compile latency', reason: latency.reason });
    log(`    failed — ${latency.reason}`);
  } else {
    const m = latency.median;
    log(
      formatTable(
        ['imports (once)', 'parse', 'compile', 'first valueAndGrad', 'parse + compile + first call'],
        [[fmtMs(m.importMs), fmtMs(m.parseMs), fmtMs(m.compileMs), fmtMs(m.firstCallMs), fmtMs(m.totalMs)]],
      ),
    );
  }
}

interface Alloc {
  warmup: number;
  calls: number;
  heapPerCall: number;
  arrayBuffersPerCall: number;
  externalPerCall: number;
  gcsDuring: number;
  retainedHeap: number;
  retainedArrayBuffers: number;
}

/**
 * Calls `run` in windows of 10 until a window grows the heap by < 1 KiB per call without
 * a GC (heapUsed never drops) or `maxCalls` is reached; returns the calls made. Under
 * load V8's background compiler may take a while to replace the interpreted code.
 */
function settle(run: () => void, maxCalls: number): number {
  let calls = 0;
  while (calls < maxCalls) {
    const h0 = process.memoryUsage().heapUsed;
    for (let k = 0; k < 10; k++) run();
    calls += 10;
    const dh = process.memoryUsage().heapUsed - h0;
    if (dh >= 0 && dh < 10 * 1024) break;
  }
  return calls;
}

/** Heap growth over `calls` calls after `warmup` calls (those included in neither count). */
async function allocation(
  run: () => void,
  gc: () => void,
  warmup: number,
  calls: number,
  alreadyWarm = 0,
): Promise<Alloc> {
  for (let k = 0; k < warmup; k++) run();
  warmup += alreadyWarm;
  gc();
  gc();
  let gcs = 0;
  const obs = new PerformanceObserver((list) => (gcs += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const m0 = process.memoryUsage();
  for (let k = 0; k < calls; k++) run();
  const m1 = process.memoryUsage();
  await new Promise((r) => setTimeout(r, 10)); // let the observer deliver
  obs.disconnect();
  gc();
  gc();
  const m2 = process.memoryUsage();
  return {
    warmup,
    calls,
    heapPerCall: (m1.heapUsed - m0.heapUsed) / calls,
    arrayBuffersPerCall: (m1.arrayBuffers - m0.arrayBuffers) / calls,
    externalPerCall: (m1.external - m0.external) / calls,
    gcsDuring: gcs,
    retainedHeap: m2.heapUsed - m0.heapUsed,
    retainedArrayBuffers: m2.arrayBuffers - m0.arrayBuffers,
  };
}

function fmtBytes(b: number): string {
  const a = Math.abs(b);
  if (a < 1024) return `${Math.round(b)} B`;
  if (a < 1024 ** 2) return `${fmtNum(b / 1024)} KiB`;
  return `${fmtNum(b / 1024 ** 2)} MiB`;
}

// ───────────────────────────── targets ─────────────────────────────

type Verdict = 'PASS' | 'FAIL' | 'n/a';
const verdict = (ok: boolean | null): Verdict => (ok === null ? 'n/a' : ok ? 'PASS' : 'FAIL');
const row = (impl: string): MlpRow | undefined => mlpRows.find((r) => r.impl === impl);
const mdRow = row('matdiff');
/** The faster of a tfjs backend's two layouts: the targets are judged against tfjs at its best. */
function bestTf(backend: string): MlpRow | undefined {
  const rs = mlpRows.filter((r) => r.impl.startsWith(`tfjs-${backend} `) && r.stepMs !== null);
  return rs.sort((a, b) => a.stepMs! - b.stepMs!)[0];
}
const tfCpuBest = bestTf('cpu');
const tfWasmBest = bestTf('wasm');
const vsCpu = mdRow?.stepMs && tfCpuBest ? tfCpuBest.stepMs! / mdRow.stepMs : null;
const vsWasm = mdRow?.stepMs && tfWasmBest ? tfWasmBest.stepMs! / mdRow.stepMs : null;
const nMax = Math.max(...args.sizes);
const md512 = matmulRows.find((r) => r.n === nMax && r.impl === 'matdiff');
const ref512 = matmulRows.find((r) => r.n === nMax && r.impl === 'ref-tiled-js');
const gradRatio = mdRow?.gradOverForward ?? null;
const mdAlloc = alloc['matdiff, steady state'] as Alloc | undefined;
const mdCold = alloc['matdiff, calls 2–101 (fresh)'] as Alloc | undefined;
// ≤ 1 KiB: heapUsed moves by tens of bytes per call even for an empty call
const allocOk = mdAlloc
  ? mdAlloc.gcsDuring === 0 && mdAlloc.heapPerCall < 1024 && mdAlloc.arrayBuffersPerCall < 64
  : null;

const targets = [
  {
    target: 'MLP step ≥ 3× faster than tfjs cpu',
    measured: vsCpu === null ? '—' : `${fmtRatio(vsCpu)} faster than ${tfCpuBest!.impl} (its faster layout)`,
    verdict: verdict(vsCpu === null ? null : vsCpu >= 3),
  },
  {
    target: 'MLP step no slower than tfjs wasm',
    measured: vsWasm === null ? '—' : `${fmtRatio(vsWasm)} = ${tfWasmBest!.impl} time ÷ matdiff time`,
    verdict: verdict(vsWasm === null ? null : vsWasm >= 1),
  },
  {
    target: `f32 product at n=${nMax} ≥ register-tiled loop`,
    measured: md512?.gflops && ref512?.gflops ? `${fmtNum(md512.gflops)} vs ${fmtNum(ref512.gflops)} GFLOP/s` : '—',
    verdict: verdict(md512?.gflops && ref512?.gflops ? md512.gflops >= ref512.gflops : null),
  },
  {
    target: 'valueAndGrad ≤ 3× forward (MLP)',
    measured: gradRatio === null ? '—' : fmtRatio(gradRatio),
    verdict: verdict(gradRatio === null ? null : gradRatio <= 3),
  },
  {
    target: 'no allocation per valueAndGrad call (steady state)',
    measured: mdAlloc
      ? `${fmtBytes(mdAlloc.heapPerCall)} heap + ${fmtBytes(mdAlloc.arrayBuffersPerCall)} buffers per call, ${mdAlloc.gcsDuring} GCs`
      : '—',
    verdict: verdict(allocOk),
  },
  {
    target: '… and for calls 2–101 of a fresh module',
    measured: mdCold
      ? `${fmtBytes(mdCold.heapPerCall)} heap + ${fmtBytes(mdCold.arrayBuffersPerCall)} buffers per call, ${mdCold.gcsDuring} GCs`
      : '—',
    verdict: verdict(
      mdCold ? mdCold.gcsDuring === 0 && mdCold.heapPerCall < 1024 && mdCold.arrayBuffersPerCall < 64 : null,
    ),
  },
];
const jaxRow = row('jax-js-wasm');
const vsJax = mdRow?.stepMs && jaxRow?.stepMs ? jaxRow.stepMs / mdRow.stepMs : null;
const factorRow = (n: number): FactorRow | undefined =>
  factorRows.find((r) => r.n === n && r.impl === 'matdiff' && r.method.startsWith('Cholesky'));
const [chol1000, chol3000] = [factorRow(1000), factorRow(3000)];
const factorText = (r: FactorRow | undefined): string =>
  r?.medianMs ? `${fmtMs(r.medianMs)} (CPU time ${fmtMs(r.cpuMs)})` : '—';
const lat = latency && 'median' in latency ? latency.median : null;
const threads512 = threadRows.find((r) => r.n === nMax);
const md2Row = row('matdiff-2t');
const mlp2 = mdRow?.stepMs && md2Row?.stepMs ? mdRow.stepMs / md2Row.stepMs : null;
// The MLP targets are judged on matdiff at its best (threads: 2 where the pool ran), both shown.
const vsJax2 = md2Row?.stepMs && jaxRow?.stepMs ? jaxRow.stepMs / md2Row.stepMs : null;
const vsWasm2 = md2Row?.stepMs && tfWasmBest ? tfWasmBest.stepMs! / md2Row.stepMs : null;
const gradRatio2 = md2Row?.gradOverForward ?? null;
const best = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
const bothThreads = (one: number | null, two: number | null): string =>
  one === null ? '—' : `${fmtRatio(one)} on 1 thread${two === null ? '' : `, ${fmtRatio(two)} on 2 threads`}`;
const peak32 = simdPeaks.find((p) => p.lane === 'f32' && !p.relaxed);
const relaxed512 = relaxedRows.find((r) => r.n === nMax);
const targets15 = [
  {
    target: `f32 product n=${nMax} ≥ 60% of OpenBLAS on one thread`,
    measured: md512?.ofBlas1 ? `${fmtNum(100 * md512.ofBlas1, 3)}% (${fmtNum(md512.gflops)} GFLOP/s)` : '—',
    verdict: verdict(md512?.ofBlas1 ? md512.ofBlas1 >= 0.6 : null),
  },
  {
    target: `… the SIMD128 ceiling here (a″), as a fraction of OpenBLAS 1t`,
    measured:
      peak32 && md512?.ofBlas1 && md512.gflops
        ? `${fmtNum((100 * peak32.gflops * md512.ofBlas1) / md512.gflops, 3)}% (${fmtNum(peak32.gflops)} GFLOP/s); matdiff at ${fmtNum((100 * md512.gflops) / peak32.gflops, 3)}% of it${relaxed512 ? `, ${fmtNum((100 * relaxed512.gflops) / peak32.gflops, 3)}% with relaxed SIMD (a′)` : ''}`
        : '—',
    verdict: 'n/a' as Verdict,
  },
  {
    target: `f32 product n=${nMax} on 2 threads ≥ 1.6× one thread`,
    measured: threads512?.vsOneThread
      ? `${fmtRatio(threads512.vsOneThread)} (${fmtNum(threads512.gflops)} GFLOP/s; ${threads512.ofBlas2 === null ? '—' : `${fmtNum(100 * threads512.ofBlas2, 3)}%`} of OpenBLAS 2t; best ÷ best ${fmtRatio(threads512.bestVsOneThread)}; OpenBLAS 2t ÷ 1t ${fmtRatio(threads512.blasScaling)})`
      : '—',
    verdict: verdict(threads512?.vsOneThread ? threads512.vsOneThread >= 1.6 : null),
  },
  {
    target: 'MLP step on 2 threads (threads: 2): reported',
    measured: mlp2 === null ? '—' : `${fmtMs(md2Row!.stepMs)}, ${fmtRatio(mlp2)} faster than 1 thread`,
    verdict: 'n/a' as Verdict,
  },
  {
    target: 'MLP step ≥ 2× faster than @jax-js/jax wasm',
    measured: bothThreads(vsJax, vsJax2),
    verdict: verdict(best(vsJax, vsJax2) === null ? null : best(vsJax, vsJax2)! >= 2),
  },
  {
    target: 'MLP step ≥ 10× faster than tfjs wasm',
    measured: bothThreads(vsWasm, vsWasm2),
    verdict: verdict(best(vsWasm, vsWasm2) === null ? null : best(vsWasm, vsWasm2)! >= 10),
  },
  {
    target: 'valueAndGrad ≤ 2× forward (MLP)',
    measured: bothThreads(gradRatio, gradRatio2),
    verdict: verdict(gradRatio === null ? null : Math.min(gradRatio, gradRatio2 ?? Infinity) <= 2),
  },
  {
    target: 'inv + logdet, 1000 × 1000 spd < 0.3 s',
    measured: factorText(chol1000),
    verdict: verdict(chol1000?.medianMs ? chol1000.medianMs < 300 : null),
  },
  {
    target: 'inv + logdet, 3000 × 3000 spd < 5 s',
    measured: factorText(chol3000),
    verdict: verdict(chol3000?.medianMs ? chol3000.medianMs < 5000 : null),
  },
  {
    target: 'compile latency (parse → compile → first valueAndGrad, mlp.mdf): reported',
    measured: lat ? `${fmtMs(lat.totalMs)} (+ ${fmtMs(lat.importMs)} imports)` : '—',
    verdict: 'n/a' as Verdict,
  },
];
log('\ntargets (issue 4)');
log(
  formatTable(
    ['target', 'measured', 'verdict'],
    targets.map((t) => [t.target, t.measured, t.verdict]),
  ),
);
log('\ntargets (issue 15)');
log(
  formatTable(
    ['target', 'measured', 'verdict'],
    targets15.map((t) => [t.target, t.measured, t.verdict]),
  ),
);
const loadAtEnd = os.loadavg();
log(
  `\nload average at the end ${loadAtEnd.map((x) => x.toFixed(2)).join(' ')} (${machine.cores} cores; other processes share them — see the IQR column for noise)`,
);
if (Math.max(loadAtStart[0]!, loadAtEnd[0]!) > machine.cores)
  log(
    '    the machine was shared during this run (load average above the core count): times are inflated, ratios noisy',
  );
if (skipped.length) {
  log('\nnot run / limited:');
  for (const s of skipped) log(`  - ${s.what}: ${s.reason}`);
}

// ───────────────────────────── JSON ─────────────────────────────

const here = path.dirname(fileURLToPath(import.meta.url));
const outFile =
  args.out ?? path.join(here, 'results', `cpu-${dateStamp(new Date())}${args.quick ? '-quick' : ''}.json`);
mkdirSync(path.dirname(outFile), { recursive: true });
writeFileSync(
  outFile,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      quick: args.quick,
      machine,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      timing,
      libraries: { tfjs: tfInfo, jaxjs: jaxInfo },
      matmul: matmulRows,
      matmulThreads: threadRows,
      mlp: {
        shape: S,
        layout: layoutNote,
        forwardFlops: mlpForwardFlops(S),
        stepFlops: mlpStepFlops(S),
        rows: mlpRows,
        checks: mlpChecks,
        tolerance: MLP_TOL,
      },
      allocation: alloc,
      relaxedSimdMatmul: relaxedRows,
      simdCeiling: simdPeaks,
      factorisations: factorRows,
      solves: solveRows,
      compileLatency: latency,
      targets,
      targets15,
      skipped,
    },
    null,
    2,
  ) + '\n',
);
log(`\nwrote ${path.relative(process.cwd(), outFile)}`);
process.exit(0); // the wasm runtimes can keep the event loop alive
