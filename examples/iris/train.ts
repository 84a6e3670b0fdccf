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
 * The pieces live beside it: data.ts (iris.csv, split, standardisation, batches),
 * network.ts (the model and its initial weights), engines.ts (the backends), report.ts
 * (progress bar, loss plot, summary), args.ts (the command line), and ../lib (shuffling,
 * metrics, command-line helpers).
 *
 * The functions are exported for test/iris.test.ts: loadIris, split, train.
 */
import { writeFileSync } from 'node:fs';
import { rng } from '../../src/util/random.js';
import { invokedDirectly } from '../lib/cli.js';
import { USAGE, trainArgs } from './args.js';
import { accuracy } from '../lib/metrics.js';
import { chunks, shuffle } from '../lib/shuffle.js';
import { arrayOf, loadIris, split, standardisation, toBatch, type Dtype, type Iris } from './data.js';
import { tsEngine, wgslEngine } from './engines.js';
import { PARAMS, initParams, loadModel, type Params } from './network.js';
import { lossPlot, progressBar, summary } from './report.js';

export * from './data.js';
export * from './network.js';
export { accuracy } from '../lib/metrics.js';
export { lossPlot, progressBar, progressLine } from './report.js';
export { rng };

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

// ── command line ──

export async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof trainArgs>;
  try {
    args = trainArgs(argv);
  } catch (e) {
    process.stderr.write(`train: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { opts, svgPath } = args;

  const r = await train({ ...opts, onEpoch: progressBar() });
  const out = summary(r, opts);
  writeFileSync(svgPath, lossPlot(r));
  out.push(`loss curve: ${svgPath}`);
  process.stdout.write(`${out.join('\n')}\n`);
  return 0;
}

if (invokedDirectly(import.meta.url)) {
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
