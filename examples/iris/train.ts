/**
 * A two-layer network (mlp.mdf: 4 → h → 3, relu then softmax) trained on Fisher's Iris
 * flowers by gradient descent with momentum, through the kernels matdiff generates for
 * its gradients: TypeScript (`compile`) or WGSL on WebGPU (`compileWgsl`).
 *
 *   npx tsx examples/iris/train.ts                      # TypeScript kernels, 200 epochs
 *   npx tsx examples/iris/train.ts --backend wgsl       # the same step on the WGSL kernels
 *   npx tsx examples/iris/train.ts --epochs 400 --seed 7 --hidden 32 --svg /tmp/loss.svg
 *
 * It loads iris.csv, splits it (seeded, stratified: 120 training / 30 test flowers),
 * standardises the features with the training split's mean and deviation, and compiles
 * the model twice: the loss L with its gradients by W1, b1, W2, b2, and the class
 * probabilities P (`of: 'P'`) for the accuracy. A progress bar on stderr shows the loss
 * per epoch; stdout gets the final accuracies and timings; the loss curve is written as
 * an SVG plot (plot.ts), by default loss.svg (loss-wgsl.svg for the WGSL backend) next
 * to this file.
 *
 * The functions are exported for test/iris.test.ts: loadIris, split, train.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, compile } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import { linePlot } from './plot.js';
import { rng } from '../../src/util/random.js';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const SPECIES = ['setosa', 'versicolor', 'virginica'] as const;
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;
export const PARAMS = ['W1', 'b1', 'W2', 'b2'] as const;
export type ParamName = (typeof PARAMS)[number];

/** Flowers: one row of 4 measurements (cm) each, and the species index (SPECIES). */
export interface Iris {
  readonly features: readonly (readonly number[])[];
  readonly labels: readonly number[];
}

// ── data ──

/** The 150 flowers of iris.csv (`#` lines are comments; the first other line is the header). */
export function loadIris(file: string = here('iris.csv')): Iris {
  const features: number[][] = [];
  const labels: number[] = [];
  let header = false;
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      const text = line.trim();
      if (text === '' || text.startsWith('#')) return;
      const cells = text.split(',').map((c) => c.trim());
      const where = `${file}:${i + 1}`;
      if (!header) {
        if (cells.join(',') !== [...FEATURES, 'species'].join(','))
          throw new Error(`${where}: expected the header ${[...FEATURES, 'species'].join(',')}`);
        header = true;
        return;
      }
      if (cells.length !== 5) throw new Error(`${where}: expected 5 fields, got ${cells.length}`);
      const row = cells.slice(0, 4).map(Number);
      if (!row.every(Number.isFinite)) throw new Error(`${where}: a measurement is not a number`);
      const label = (SPECIES as readonly string[]).indexOf(cells[4]!);
      if (label < 0) throw new Error(`${where}: unknown species '${cells[4]}' (expected ${SPECIES.join(', ')})`);
      features.push(row);
      labels.push(label);
    });
  if (!header) throw new Error(`${file}: no header line`);
  return { features, labels };
}

export { rng };

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * A seeded split into training and test flowers, stratified: each species gives its
 * share of the `test` flowers (30 of 150: 10 of each), and the rest train.
 */
export function split(data: Iris, opts: { test?: number; seed?: number } = {}): { train: Iris; test: Iris } {
  const nTest = opts.test ?? 30;
  const n = data.labels.length;
  if (!(Number.isInteger(nTest) && nTest >= 1 && nTest < n))
    throw new RangeError(`test must be an integer in 1..${n - 1}`);
  const random = rng((opts.seed ?? 1) ^ 0x5eed);
  const testIdx: number[] = [];
  const trainIdx: number[] = [];
  const classes = [...new Set(data.labels)].sort((a, b) => a - b);
  let taken = 0;
  classes.forEach((c, ci) => {
    const members = shuffle(
      data.labels.flatMap((l, i) => (l === c ? [i] : [])),
      random,
    );
    // Largest-remainder rounding would be exact; this is exact for equal classes and within one otherwise.
    const share = ci === classes.length - 1 ? nTest - taken : Math.round((nTest * members.length) / n);
    taken += share;
    testIdx.push(...members.slice(0, share));
    trainIdx.push(...members.slice(share));
  });
  const pick = (idx: number[]): Iris => {
    const order = shuffle(idx, random);
    return { features: order.map((i) => data.features[i]!), labels: order.map((i) => data.labels[i]!) };
  };
  return { train: pick(trainIdx), test: pick(testIdx) };
}

/** Each feature's mean and (population) standard deviation over `data`. */
export function standardisation(data: Iris): { mean: number[]; std: number[] } {
  const d = data.features[0]?.length ?? 0;
  const n = data.features.length;
  const mean = Array.from({ length: d }, (_, f) => data.features.reduce((s, r) => s + r[f]!, 0) / n);
  const std = mean.map((m, f) => Math.sqrt(data.features.reduce((s, r) => s + (r[f]! - m) ** 2, 0) / n) || 1);
  return { mean, std };
}

type Real = Float32Array | Float64Array;
type Dtype = 'f32' | 'f64';
const arrayOf = (dtype: Dtype) => (dtype === 'f64' ? Float64Array : Float32Array);

/** A batch in the model's layout: X [4, B] standardised, Y [3, B] one-hot, feature-major row-major arrays. */
export interface Batch {
  X: Real;
  Y: Real;
  labels: readonly number[];
  size: number;
}

export function toBatch(
  data: Iris,
  scale: { mean: number[]; std: number[] },
  dtype: Dtype,
  rows?: readonly number[],
): Batch {
  const idx = rows ?? data.labels.map((_, i) => i);
  const B = idx.length;
  const Arr = arrayOf(dtype);
  const X = new Arr(FEATURES.length * B);
  const Y = new Arr(SPECIES.length * B);
  idx.forEach((r, j) => {
    const row = data.features[r]!;
    for (let f = 0; f < FEATURES.length; f++) X[f * B + j] = (row[f]! - scale.mean[f]!) / scale.std[f]!;
    Y[data.labels[r]! * B + j] = 1;
  });
  return { X, Y, labels: idx.map((r) => data.labels[r]!), size: B };
}

/** The fraction of columns of P [3, B] whose largest entry is the label's. */
export function accuracy(P: ArrayLike<number>, labels: readonly number[]): number {
  const B = labels.length;
  let right = 0;
  for (let j = 0; j < B; j++) {
    let best = 0;
    for (let c = 1; c < SPECIES.length; c++) if (P[c * B + j]! > P[best * B + j]!) best = c;
    if (best === labels[j]) right++;
  }
  return right / B;
}

// ── model and backends ──

export const MODEL_FILE = here('mlp.mdf');

export function loadModel(file: string = MODEL_FILE): Model {
  return parse(readFileSync(file, 'utf8'), file);
}

export type Params = Record<ParamName, Real>;

/** He-initialised weights (normal, variance 2/fan-in), zero biases, from a seeded generator. */
export function initParams(hidden: number, seed: number, dtype: Dtype): Params {
  const random = rng(seed);
  const normal = () => {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const Arr = arrayOf(dtype);
  const he = (rows: number, cols: number): Real => {
    const w = new Arr(rows * cols);
    for (let i = 0; i < w.length; i++) w[i] = normal() * Math.sqrt(2 / cols);
    return w;
  };
  return {
    W1: he(hidden, FEATURES.length),
    b1: new Arr(hidden),
    W2: he(SPECIES.length, hidden),
    b2: new Arr(SPECIES.length),
  };
}

/** What training needs of a backend: the loss and its gradients, the loss alone, the probabilities. */
interface Engine {
  readonly description: string;
  step(params: Params, batch: Batch): Promise<{ value: number; grad: Record<ParamName, ArrayLike<number>> }>;
  loss(params: Params, batch: Batch): Promise<number>;
  probabilities(params: Params, batch: Batch): Promise<ArrayLike<number>>;
  destroy(): void;
}

const asNumber = (v: number | ArrayLike<number>): number => (typeof v === 'number' ? v : v[0]!);

function tsEngine(model: Model, dtype: Dtype): Engine {
  const lossAndGrad = compile(model, { wrt: PARAMS, dtype });
  const probs = compile(model, { of: 'P', dtype });
  return {
    description: `TypeScript kernels (${dtype})`,
    // valueAndGrad's result is reused by its next call: the caller consumes it first.
    step: async (p, b) => {
      const r = lossAndGrad.valueAndGrad({ ...p, X: b.X, Y: b.Y });
      return { value: r.value, grad: r.grad as Record<ParamName, Real> };
    },
    loss: async (p, b) => asNumber(lossAndGrad.forward({ ...p, X: b.X, Y: b.Y })),
    probabilities: async (p, b) => probs.forward({ ...p, X: b.X }) as Real,
    destroy: () => {},
  };
}

async function wgslEngine(model: Model): Promise<Engine> {
  // Loaded only here, so that the TypeScript path never touches WebGPU.
  const { compileWgsl } = await import('../../codegen/wgsl/run.js');
  const lossAndGrad = await compileWgsl(model, { wrt: PARAMS });
  const probs = await compileWgsl(model, { of: 'P' });
  return {
    description: `WGSL kernels (f32) on ${lossAndGrad.adapter}`,
    step: async (p, b) => {
      const r = await lossAndGrad.valueAndGrad({ ...p, X: b.X, Y: b.Y });
      return { value: asNumber(r.value), grad: r.grad as Record<ParamName, Float32Array> };
    },
    loss: async (p, b) => asNumber(await lossAndGrad.forward({ ...p, X: b.X, Y: b.Y })),
    probabilities: async (p, b) => (await probs.forward({ ...p, X: b.X })) as Float32Array,
    destroy: () => {
      lossAndGrad.destroy();
      probs.destroy();
    },
  };
}

// ── training ──

export interface TrainOptions {
  backend?: 'ts' | 'wgsl';
  /** Arithmetic of the TypeScript kernels; WGSL is always f32. Default f32. */
  dtype?: Dtype;
  epochs?: number;
  /** Seeds the split, the initial weights and the minibatch order. */
  seed?: number;
  hidden?: number;
  /** Learning rate and momentum (heavy ball: v ← μ·v + g, w ← w − η·v). */
  lr?: number;
  momentum?: number;
  /** Minibatch size; 0 (default) trains on the full training split every step. */
  batch?: number;
  /** Test flowers out of 150. */
  test?: number;
  /** Evaluate (loss and accuracy on both splits) every this many epochs and after the last; default 1. */
  evalEvery?: number;
  data?: Iris;
  /** Called after every epoch (the progress bar). */
  onEpoch?: (p: Progress) => void;
}

export interface Evaluation {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export interface Progress {
  epoch: number;
  epochs: number;
  /** Mean training loss of the epoch's steps. */
  loss: number;
  /** The latest evaluation (this epoch's when it was one). */
  last?: Evaluation;
}

export interface TrainResult {
  backend: 'ts' | 'wgsl';
  engine: string;
  dtype: Dtype;
  epochs: number;
  hidden: number;
  trainSize: number;
  testSize: number;
  /** losses[e − 1]: the mean training loss over the steps of epoch e (for full batches: at its start). */
  losses: number[];
  evaluations: Evaluation[];
  trainAccuracy: number;
  testAccuracy: number;
  /** The final weights (copies). */
  params: Params;
  /** trainMs: the training steps and weight updates only; evalMs: the evaluations. */
  timings: { compileMs: number; trainMs: number; evalMs: number; msPerEpoch: number };
}

export async function train(opts: TrainOptions = {}): Promise<TrainResult> {
  const backend = opts.backend ?? 'ts';
  const dtype: Dtype = backend === 'wgsl' ? 'f32' : (opts.dtype ?? 'f32');
  if (backend === 'wgsl' && opts.dtype === 'f64') throw new RangeError('the WGSL backend computes in f32 only');
  const epochs = opts.epochs ?? 200;
  const seed = opts.seed ?? 1;
  const hidden = opts.hidden ?? 16;
  const lr = opts.lr ?? 0.1;
  const momentum = opts.momentum ?? 0.9;
  const batchSize = opts.batch ?? 0;
  const evalEvery = opts.evalEvery ?? 1;
  for (const [name, v] of Object.entries({ epochs, hidden, batch: batchSize, evalEvery }))
    if (!Number.isInteger(v) || v < (name === 'batch' ? 0 : 1))
      throw new RangeError(`${name} must be a ${name === 'batch' ? 'non-negative' : 'positive'} integer`);

  const { train: trainSet, test: testSet } = split(opts.data ?? loadIris(), {
    seed,
    ...(opts.test !== undefined && { test: opts.test }),
  });
  const scale = standardisation(trainSet);
  const full = toBatch(trainSet, scale, dtype);
  const testBatch = toBatch(testSet, scale, dtype);
  const params = initParams(hidden, seed, dtype);
  const velocity = Object.fromEntries(PARAMS.map((k) => [k, new (arrayOf(dtype))(params[k].length)])) as Params;
  const order = rng(seed ^ 0xba7c4);

  let t0 = performance.now();
  const model = loadModel();
  const engine = backend === 'wgsl' ? await wgslEngine(model) : tsEngine(model, dtype);
  const compileMs = performance.now() - t0;

  const losses: number[] = [];
  const evaluations: Evaluation[] = [];
  let evalMs = 0;
  const evaluate = async (epoch: number): Promise<Evaluation> => {
    const start = performance.now();
    const e = {
      epoch,
      trainLoss: await engine.loss(params, full),
      testLoss: await engine.loss(params, testBatch),
      trainAccuracy: accuracy(await engine.probabilities(params, full), full.labels),
      testAccuracy: accuracy(await engine.probabilities(params, testBatch), testBatch.labels),
    };
    evaluations.push(e);
    evalMs += performance.now() - start;
    return e;
  };

  t0 = performance.now();
  try {
    await evaluate(0);
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const batches =
        batchSize === 0 || batchSize >= full.size
          ? [full]
          : chunks(
              shuffle(
                full.labels.map((_, i) => i),
                order,
              ),
              batchSize,
            ).map((rows) => toBatch(trainSet, scale, dtype, rows));
      let sum = 0;
      for (const b of batches) {
        const { value, grad } = await engine.step(params, b);
        if (!Number.isFinite(value)) throw new Error(`the loss diverged at epoch ${epoch} (${value}); lower --lr`);
        sum += value * b.size;
        for (const k of PARAMS) {
          const w = params[k];
          const v = velocity[k];
          const g = grad[k];
          for (let i = 0; i < w.length; i++) {
            v[i] = momentum * v[i]! + g[i]!;
            w[i] = w[i]! - lr * v[i]!;
          }
        }
      }
      losses.push(sum / full.size);
      const last =
        epoch % evalEvery === 0 || epoch === epochs ? await evaluate(epoch) : evaluations[evaluations.length - 1];
      opts.onEpoch?.({ epoch, epochs, loss: losses[epoch - 1]!, ...(last && { last }) });
    }
  } finally {
    engine.destroy();
  }
  const trainMs = performance.now() - t0 - evalMs;
  const final = evaluations[evaluations.length - 1]!;
  return {
    backend,
    engine: engine.description,
    dtype,
    epochs,
    hidden,
    trainSize: full.size,
    testSize: testBatch.size,
    losses,
    evaluations,
    trainAccuracy: final.trainAccuracy,
    testAccuracy: final.testAccuracy,
    params: Object.fromEntries(PARAMS.map((k) => [k, params[k].slice()])) as Params,
    timings: { compileMs, trainMs, evalMs, msPerEpoch: trainMs / epochs },
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// ── reporting ──

const percent = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** `epoch 120/200 [#######.....] loss 0.1234 · accuracy train 97.5% test 96.7%` */
export function progressLine(p: Progress, width = 30): string {
  const filled = Math.round((width * p.epoch) / p.epochs);
  const n = String(p.epochs).length;
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const acc = p.last
    ? ` · accuracy train ${percent(p.last.trainAccuracy).padStart(6)} test ${percent(p.last.testAccuracy).padStart(6)}`
    : '';
  return `epoch ${String(p.epoch).padStart(n)}/${p.epochs} [${bar}] loss ${p.loss.toFixed(4)}${acc}`;
}

/**
 * The progress bar: on a terminal one line redrawn with \r (at most every 40 ms, and
 * the last epoch), otherwise one line every 10 epochs and at the last.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (p: Progress) => void {
  let drawn = 0;
  return (p) => {
    const last = p.epoch === p.epochs;
    if (stream.isTTY) {
      const now = performance.now();
      if (!last && now - drawn < 40) return;
      drawn = now;
      const line = progressLine(p);
      const cols = stream.columns ?? 0;
      stream.write(`\r${cols > 0 && line.length >= cols ? line.slice(0, cols - 1) : line}\x1b[K${last ? '\n' : ''}`);
    } else if (p.epoch % 10 === 0 || last) stream.write(`${progressLine(p)}\n`);
  };
}

/**
 * The loss curves of a run as an SVG document: the loss on the training and the test
 * flowers after each evaluated epoch (0: the initial weights), so both lines are
 * measured on the same weights (`losses`, the mean over an epoch's steps, is what the
 * progress bar shows).
 */
export function lossPlot(r: TrainResult): string {
  const final = r.evaluations[r.evaluations.length - 1]!;
  const kernels = r.backend === 'wgsl' ? 'WGSL kernels (f32, WebGPU)' : `TypeScript kernels (${r.dtype})`;
  return linePlot(
    [
      {
        label: `training loss (${r.trainSize} flowers)`,
        points: r.evaluations.map((e) => [e.epoch, e.trainLoss] as const),
      },
      {
        label: `test loss (${r.testSize} flowers)`,
        points: r.evaluations.map((e) => [e.epoch, e.testLoss] as const),
        dashed: true,
      },
    ],
    {
      title: `Iris: a 4–${r.hidden}–3 MLP trained with matdiff's gradients`,
      subtitle: `${kernels} · final loss ${final.trainLoss.toFixed(4)} (test ${final.testLoss.toFixed(4)}) · accuracy: training ${percent(r.trainAccuracy)}, test ${percent(r.testAccuracy)}`,
      xLabel: 'epoch',
      yLabel: 'cross-entropy loss',
      xMin: 0,
      yMin: 0,
    },
  );
}

// ── command line ──

const USAGE = `usage: npx tsx examples/iris/train.ts [--backend ts|wgsl] [--epochs N] [--seed S]
         [--hidden H] [--lr η] [--momentum μ] [--batch B] [--dtype f32|f64] [--svg PATH]

  --backend   ts (default): the generated TypeScript kernels; wgsl: the WGSL kernels on WebGPU
  --epochs    passes over the training flowers (default 200)
  --seed      seeds the split, the initial weights and the minibatch order (default 1)
  --hidden    hidden units (default 16)
  --lr        learning rate (default 0.1); --momentum (default 0.9)
  --batch     minibatch size; 0 = the full training split per step (default)
  --dtype     arithmetic of the TypeScript kernels (default f32; WGSL is f32 only)
  --svg       where to write the loss curve (default examples/iris/loss.svg, loss-wgsl.svg for wgsl)`;

class UsageError extends Error {}

function intArg(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

function numArg(name: string, v: string | undefined, ok: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name}: invalid value '${v}'`);
  return n;
}

export async function main(argv: string[]): Promise<number> {
  let opts: TrainOptions;
  let svgPath: string;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        backend: { type: 'string' },
        epochs: { type: 'string' },
        seed: { type: 'string' },
        hidden: { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        batch: { type: 'string' },
        dtype: { type: 'string' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const backend = values.backend ?? 'ts';
    if (backend !== 'ts' && backend !== 'wgsl') throw new UsageError(`--backend must be ts or wgsl, got '${backend}'`);
    const dtype = values.dtype;
    if (dtype !== undefined && dtype !== 'f32' && dtype !== 'f64')
      throw new UsageError(`--dtype must be f32 or f64, got '${dtype}'`);
    if (backend === 'wgsl' && dtype === 'f64')
      throw new UsageError('--dtype f64: the WGSL backend computes in f32 only');
    const defined = <T extends object>(o: T): T =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
    opts = defined({
      backend,
      dtype,
      epochs: intArg('epochs', values.epochs, 1),
      seed: intArg('seed', values.seed, 0),
      hidden: intArg('hidden', values.hidden, 1),
      lr: numArg('lr', values.lr, (n) => n > 0),
      momentum: numArg('momentum', values.momentum, (n) => n >= 0 && n < 1),
      batch: intArg('batch', values.batch, 0),
    });
    svgPath = values.svg ?? here(backend === 'wgsl' ? 'loss-wgsl.svg' : 'loss.svg');
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const r = await train({ ...opts, onEpoch: progressBar() });
  const final = r.evaluations[r.evaluations.length - 1]!;
  const count = (acc: number, n: number) => `${percent(acc)} (${Math.round(acc * n)}/${n})`;
  const out = [
    `${r.engine}`,
    `network 4–${r.hidden}–3, ${r.trainSize} training / ${r.testSize} test flowers, ${r.epochs} epochs, lr ${opts.lr ?? 0.1}, momentum ${opts.momentum ?? 0.9}, ${opts.batch ? `minibatches of ${opts.batch}` : 'full batch'}, seed ${opts.seed ?? 1}`,
    `loss ${r.evaluations[0]!.trainLoss.toFixed(4)} → ${final.trainLoss.toFixed(4)} (test ${final.testLoss.toFixed(4)})`,
    `accuracy: training ${count(r.trainAccuracy, r.trainSize)}, test ${count(r.testAccuracy, r.testSize)}`,
    `time: compile ${r.timings.compileMs.toFixed(0)} ms, training ${r.timings.trainMs.toFixed(0)} ms (${r.timings.msPerEpoch.toFixed(3)} ms per epoch), evaluation ${r.timings.evalMs.toFixed(0)} ms`,
  ];
  writeFileSync(svgPath, lossPlot(r));
  out.push(`loss curve: ${svgPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`train: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
