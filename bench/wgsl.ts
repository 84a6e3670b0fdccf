/**
 * WGSL benchmarks (issue 5), on the WebGPU adapter device.ts finds (without a GPU: Dawn
 * on Mesa llvmpipe through OpenGL ES, compatibility mode):
 *
 *   (a) f32 matrix product C = A·B, n = 256, 512
 *   (b) one MLP training step, bench/mlp784.mdf: 784-256-10, relu, softmax cross-entropy,
 *       batch 256 — value and gradients by W1, b1, W2, b2
 *   (c) what fusion saves on (b): dispatches and bytes moved per step, fused and unfused
 *       (the schedule with `fuse: false` — one kernel and one buffer per elementwise node —
 *       and no epilogues), and both timed
 *
 * against TensorFlow.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu) and
 * @jax-js/jax's webgpu device, both given Dawn as `navigator.gpu`. Dawn's OpenGL ES
 * adapter exists only in compatibility mode, and neither library asks for it, so their
 * navigator.gpu adds `featureLevel: 'compatibility'` to requestAdapter — nothing else
 * changes.
 *
 *   npm run bench:wgsl                 # 9 timed rounds
 *   npm run bench:wgsl -- --quick      # 5 rounds
 *   npm run bench:wgsl -- --runs 15 --only a,b,c --out FILE
 *
 * Each call is timed whole, as a user waits for it: matdiff uploads its inputs, runs
 * every kernel and reads every result back; tfjs and jax-js keep their inputs on the GPU
 * (tensors made once) and read their results back (`await data()`). Contenders are
 * warmed up (≥ 3 calls), then sampled in interleaved rounds; a table shows medians and
 * ratios of medians (contender / matdiff: > 1 means matdiff is faster). Results are
 * checked against matdiff's before timing. JSON goes to bench/results/wgsl-<date>.json.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { schedule } from '../codegen/schedule.js';
import { planMemory } from '../codegen/memory.js';
import type { Schedule } from '../codegen/ir.js';
import { acquireGpu } from '../codegen/wgsl/device.js';
import { instantiateWgsl, type WgslCompiled } from '../codegen/wgsl/run.js';
import type { WgslProgram } from '../codegen/wgsl/lower.js';
import { evalSize } from '../codegen/wgsl/sizes.js';
import {
  type Stats,
  dateStamp,
  errorText,
  fmtMs,
  fmtNum,
  fmtRatio,
  formatTable,
  gflops,
  matmulFlops,
  relDiff,
  stats,
} from './harness.js';
import { MLP784, mlpData, mlpStepFlops, rng, uniform } from './data.js';
import { mlpLoss } from './jaxjs.js';

// ───────────────────────────── arguments ─────────────────────────────

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = argv.includes('--quick');
const RUNS = Math.max(5, Number(opt('runs') ?? (quick ? 5 : 9)));
const ONLY = opt('only') ? new Set(opt('only')!.split(',')) : null;
const SIZES = (opt('sizes') ?? '256,512').split(',').map(Number);
const section = (s: string) => !ONLY || ONLY.has(s);

// ───────────────────────────── timing ─────────────────────────────

interface Contender {
  name: string;
  run: () => Promise<unknown>;
}

/** Warm-up, then `runs` interleaved rounds; per-call statistics, or the error that stopped a contender. */
async function measure(cs: readonly Contender[], runs: number): Promise<Map<string, Stats | { error: string }>> {
  const out = new Map<string, Stats | { error: string }>();
  const samples = new Map<string, number[]>();
  for (const c of cs) {
    try {
      const t0 = performance.now();
      for (let i = 0; i < 3 || performance.now() - t0 < 300; i++) await c.run();
      samples.set(c.name, []);
    } catch (e) {
      out.set(c.name, { error: errorText(e) });
    }
  }
  for (let r = 0; r < runs; r++)
    for (const c of cs) {
      const s = samples.get(c.name);
      if (!s || out.has(c.name)) continue;
      try {
        const t0 = performance.now();
        await c.run();
        s.push(performance.now() - t0);
      } catch (e) {
        out.set(c.name, { error: errorText(e) });
      }
    }
  for (const [name, s] of samples) if (!out.has(name)) out.set(name, stats(s));
  return new Map(cs.filter((c) => out.has(c.name)).map((c) => [c.name, out.get(c.name)!]));
}

// ───────────────────────────── contenders ─────────────────────────────

type Tf = typeof import('@tensorflow/tfjs');
type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;

const notes: Record<string, string> = {};

const gpuInfo = await acquireGpu();
if ('reason' in gpuInfo) {
  console.error(`bench:wgsl: no WebGPU adapter: ${gpuInfo.reason}`);
  process.exit(1);
}
const { gpu } = gpuInfo;
console.log(`adapter: ${gpu.adapterInfo}`);

/** navigator.gpu for tfjs and jax-js: Dawn, adapters in the feature level device.ts found. */
async function installNavigator(): Promise<void> {
  const backend = gpu.backend.startsWith('dawn/') ? gpu.backend.slice(5) : undefined;
  const dawn = (await import('webgpu' as string)) as { create(o: string[]): GPU; globals: object };
  const g = globalThis as Record<string, unknown>;
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in g)) g[k] = v;
  if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
  const instance = dawn.create(backend && backend !== 'default' ? [`backend=${backend}`] : []);
  g.__matdiffBenchDawn = instance; // a Dawn instance must outlive its devices
  const shim = {
    requestAdapter: (o: GPURequestAdapterOptions = {}) =>
      instance.requestAdapter({ ...o, featureLevel: gpu.featureLevel } as GPURequestAdapterOptions),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: instance.wgslLanguageFeatures,
  };
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: shim, userAgent: 'node' },
    configurable: true,
    writable: true,
  });
}

let tf: Tf | undefined;
async function initTf(): Promise<Tf> {
  const require = createRequire(import.meta.url);
  // The umbrella's node bundle carries the gradient functions; the webgpu backend registers into the same tfjs-core.
  const t = require('@tensorflow/tfjs') as Tf;
  require('@tensorflow/tfjs-backend-webgpu');
  t.env().set('PROD', true);
  if (!(await t.setBackend('webgpu'))) throw new Error("tf.setBackend('webgpu') returned false");
  await t.ready();
  tf = t;
  return t;
}

let jax: Jax | undefined;
async function initJax(): Promise<Jax> {
  const j: Jax = await import('@jax-js/jax');
  const devices = await j.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error(`jax-js init('webgpu') gave [${devices.join(', ')}]`);
  j.defaultDevice('webgpu');
  jax = j;
  return j;
}

const flat = (v: number | Float32Array): Float32Array => (typeof v === 'number' ? Float32Array.of(v) : v);

// ───────────────────────────── (a) matrix product ─────────────────────────────

interface Row {
  section: string;
  case: string;
  contender: string;
  ms?: number;
  gflops?: number;
  ratio?: number;
  check?: string;
  error?: string;
}
const rows: Row[] = [];

function report(
  sectionName: string,
  caseName: string,
  res: Map<string, Stats | { error: string }>,
  flops: number | undefined,
  checks: Record<string, string>,
): void {
  const ours = res.get('matdiff');
  const oursMs = ours && 'medianMs' in ours ? ours.medianMs : undefined;
  for (const [name, r] of res) {
    if ('error' in r) rows.push({ section: sectionName, case: caseName, contender: name, error: r.error });
    else
      rows.push({
        section: sectionName,
        case: caseName,
        contender: name,
        ms: r.medianMs,
        ...(flops !== undefined && { gflops: gflops(flops, r.medianMs) }),
        ...(oursMs !== undefined && { ratio: r.medianMs / oursMs }),
        ...(checks[name] !== undefined && { check: checks[name] }),
      });
  }
}

async function benchMatmul(n: number): Promise<void> {
  const r = rng(n);
  const a = uniform(n * n, r);
  const b = uniform(n * n, r);
  const k = await instantiateWgsl(
    programOf(parse('A: [n, n]; B: [n, n]\nC = A·B', 'matmul.mdf', { dims: new Map([['n', n]]) })),
  );
  const inputs = { A: a, B: b };
  const want = flat(await k.forward(inputs));
  const cs: Contender[] = [{ name: 'matdiff', run: () => k.forward(inputs) }];
  const checks: Record<string, string> = {};
  const cleanup: (() => void)[] = [() => k.destroy()];
  if (tf) {
    const t = tf;
    const A = t.tensor2d(a, [n, n]);
    const B = t.tensor2d(b, [n, n]);
    const once = async () => {
      const C = t.matMul(A, B);
      const d = (await C.data()) as Float32Array;
      C.dispose();
      return d;
    };
    checks['tfjs-webgpu'] = check(relDiff(await once(), want), 1e-4);
    cs.push({ name: 'tfjs-webgpu', run: once });
    cleanup.push(() => t.dispose([A, B]));
  }
  if (jax) {
    const { numpy: np, jit } = jax;
    const A = np.array(a, { shape: [n, n], dtype: np.float32 });
    const B = np.array(b, { shape: [n, n], dtype: np.float32 });
    const f = jit((x: JArray, y: JArray) => np.matmul(x, y));
    const once = async () => (await f(A.ref, B.ref).data()) as Float32Array;
    checks['jax-js-webgpu'] = check(relDiff(await once(), want), 1e-4);
    cs.push({ name: 'jax-js-webgpu', run: once });
    cleanup.push(() => (A.dispose(), B.dispose(), f.dispose()));
  }
  report('a', `A·B, n = ${n}`, await measure(cs, RUNS), matmulFlops(n), checks);
  cleanup.forEach((c) => c());
}

const check = (err: number, tol: number): string =>
  err <= tol ? `ok (${fmtNum(err, 2)})` : `WRONG (${fmtNum(err, 2)})`;

// ───────────────────────────── (b) MLP step, (c) fusion ─────────────────────────────

const MLP_FILE = fileURLToPath(new URL('./mlp784.mdf', import.meta.url));
const WRT = ['W1', 'b1', 'W2', 'b2'] as const;

/** The program with its schedules made without fusion. */
function unfused(p: Program): Program {
  const entry = (s: Schedule | undefined) => {
    if (!s) return undefined;
    const roots = s.outputs.map((o) => o.node);
    const u = schedule(roots, { names: p.names, fuse: false });
    return { schedule: u, plan: planMemory(u) };
  };
  const valueAndGrad = entry(p.valueAndGrad?.schedule);
  return { ...p, forward: entry(p.forward.schedule)!, ...(valueAndGrad && { valueAndGrad }) };
}

interface Traffic {
  dispatches: number;
  /** GPU buffers of the memory plan (inputs not counted). */
  buffers: number;
  /** Σ over steps of the bytes of every buffer a step reads or writes (each once per step): the compulsory traffic. */
  bytes: number;
  /** Bytes of GPU memory in the memory plan's slots. */
  memory: number;
}

/** Counted from the lowered program, for the sizes it runs at (numeric here). */
function traffic(prog: WgslProgram): Traffic {
  const D = prog.dims.map(() => 0);
  let dispatches = 0;
  let bytes = 0;
  for (const st of prog.steps) {
    dispatches += st.variants.find((v) => evalSize(v.when, D) !== 0)!.kernels.length;
    bytes += evalSize(st.bytes, D);
  }
  const memory = prog.slots.reduce((t, sl) => t + 4 * evalSize(sl.size, D), 0);
  return { dispatches, buffers: prog.slots.length, bytes, memory };
}

async function benchMlp(): Promise<void> {
  const d = mlpData(MLP784);
  const model = parse(readFileSync(MLP_FILE, 'utf8'), 'bench/mlp784.mdf');
  const program = programOf(model, { wrt: [...WRT] });
  const fused = await instantiateWgsl(program);
  const plain = section('c') ? await instantiateWgsl(unfused(program), { fuse: false }) : undefined;
  const inputs = { X: d.X, Y: d.Y, W1: d.W1, b1: d.b1, W2: d.W2, b2: d.b2 };
  const want = await fused.valueAndGrad(inputs);
  const wantFlat = [flat(want.value), ...WRT.map((w) => flat(want.grad[w]!))];
  const agree = (got: Float32Array[]) => check(Math.max(...got.map((g, i) => relDiff(g, wantFlat[i]!))), 1e-3);

  const cs: Contender[] = [{ name: 'matdiff', run: () => fused.valueAndGrad(inputs) }];
  const checks: Record<string, string> = {};
  const cleanup: (() => void)[] = [() => fused.destroy()];
  if (plain) {
    const got = await plain.valueAndGrad(inputs);
    checks['matdiff, unfused'] = agree([flat(got.value), ...WRT.map((w) => flat(got.grad[w]!))]);
    cs.push({ name: 'matdiff, unfused', run: () => plain.valueAndGrad(inputs) });
    cleanup.push(() => plain.destroy());
  }
  const s = MLP784;
  if (tf) {
    const t = tf;
    const X = t.tensor2d(d.X, [s.n, s.B]);
    const Y = t.tensor2d(d.Y, [s.k, s.B]);
    const params = [
      t.tensor2d(d.W1, [s.h, s.n]),
      t.tensor2d(d.b1, [s.h, 1]),
      t.tensor2d(d.W2, [s.k, s.h]),
      t.tensor2d(d.b2, [s.k, 1]),
    ];
    // The same function in the same layout (feature-major): column-wise log-softmax as Z − logsumexp(Z, 0).
    const loss = (
      w1: import('@tensorflow/tfjs').Tensor,
      c1: import('@tensorflow/tfjs').Tensor,
      w2: import('@tensorflow/tfjs').Tensor,
      c2: import('@tensorflow/tfjs').Tensor,
    ) => {
      const H = t.relu(t.add(t.matMul(w1, X), c1));
      const Z = t.add(t.matMul(w2, H), c2);
      return t.div(t.neg(t.sum(t.mul(Y, t.sub(Z, t.logSumExp(Z, 0, true))))), s.B) as import('@tensorflow/tfjs').Scalar;
    };
    const vg = t.valueAndGrads(loss);
    const once = async (): Promise<Float32Array[]> => {
      const { value, grads } = vg(params);
      const out = [
        (await value.data()) as Float32Array,
        ...((await Promise.all(grads.map((g) => g.data()))) as Float32Array[]),
      ];
      t.dispose([value, ...grads]);
      return out;
    };
    checks['tfjs-webgpu'] = agree(await once());
    cs.push({ name: 'tfjs-webgpu', run: once });
    cleanup.push(() => t.dispose([X, Y, ...params]));
  }
  if (jax) {
    const { numpy: np, jit, valueAndGrad } = jax;
    const put = (a: Float32Array, shape: number[]) => np.array(a, { shape, dtype: np.float32 });
    const X = put(d.X, [s.n, s.B]);
    const Y = put(d.Y, [s.k, s.B]);
    const W1 = put(d.W1, [s.h, s.n]);
    const b1 = put(d.b1, [s.h, 1]);
    const W2 = put(d.W2, [s.k, s.h]);
    const b2 = put(d.b2, [s.k, 1]);
    const loss = mlpLoss(jax, s.B);
    const step = jit(valueAndGrad(loss, { argnums: [0, 1, 2, 3] }));
    const once = async (): Promise<Float32Array[]> => {
      const [value, grads] = step(W1.ref, b1.ref, W2.ref, b2.ref, X.ref, Y.ref) as unknown as [JArray, JArray[]];
      return [
        (await value.data()) as Float32Array,
        ...((await Promise.all(grads.map((g) => g.data()))) as Float32Array[]),
      ];
    };
    checks['jax-js-webgpu'] = agree(await once());
    cs.push({ name: 'jax-js-webgpu', run: once });
    cleanup.push(() => {
      for (const x of [X, Y, W1, b1, W2, b2]) x.dispose();
      step.dispose();
    });
  }
  if (section('b') || section('c'))
    report('b', 'MLP 784-256-10 step, B = 256', await measure(cs, RUNS), mlpStepFlops(s), checks);

  if (section('c')) {
    fusion = { fused: traffic(fused.programs.valueAndGrad!), unfused: traffic(plain!.programs.valueAndGrad!) };
  }
  cleanup.forEach((c) => c());
}

let fusion: { fused: Traffic; unfused: Traffic } | undefined;

// ───────────────────────────── main ─────────────────────────────

const unavailable: Record<string, string> = {};
await installNavigator();
try {
  await initTf();
  notes['tfjs-webgpu'] = `@tensorflow/tfjs-backend-webgpu ${tf!.version_core}`;
} catch (e) {
  unavailable['tfjs-webgpu'] = errorText(e);
}
try {
  await initJax();
  notes['jax-js-webgpu'] = '@jax-js/jax, device webgpu';
} catch (e) {
  unavailable['jax-js-webgpu'] = errorText(e);
}

if (section('a')) for (const n of SIZES) await benchMatmul(n);
if (section('b') || section('c')) await benchMlp();

console.log(
  `\nmedians of ${RUNS} interleaved runs after warm-up; ratio = contender's median / matdiff's (> 1: matdiff faster)\n`,
);
console.log(
  formatTable(
    ['case', 'contender', 'median', 'GFLOP/s', 'ratio', 'check'],
    rows.map((r) => [
      r.case,
      r.contender,
      r.error ? `error: ${r.error}` : fmtMs(r.ms),
      r.gflops,
      r.ratio === undefined ? undefined : fmtRatio(r.ratio),
      r.check,
    ]),
  ),
);
if (fusion) {
  const MiB = (b: number) => `${fmtNum(b / 2 ** 20, 3)} MiB`;
  console.log('\nfusion, one MLP step (value and 4 gradients):\n');
  console.log(
    formatTable(
      ['', 'dispatches', 'buffers', 'bytes moved', 'GPU memory'],
      (['fused', 'unfused'] as const).map((k) => [
        k,
        String(fusion![k].dispatches),
        String(fusion![k].buffers),
        MiB(fusion![k].bytes),
        MiB(fusion![k].memory),
      ]),
    ),
  );
}
for (const [name, why] of Object.entries(unavailable)) console.log(`\n${name} could not run: ${why}`);

const out =
  opt('out') ??
  fileURLToPath(new URL(`./results/wgsl-${dateStamp(new Date())}${quick ? '-quick' : ''}.json`, import.meta.url));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(out, JSON.stringify({ adapter: gpu.adapterInfo, runs: RUNS, rows, fusion, notes, unavailable }, null, 2));
console.log(`\nwritten ${out}`);
process.exit(0);
