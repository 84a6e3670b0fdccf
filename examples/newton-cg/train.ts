/**
 * Multinomial logistic regression on Fisher's Iris flowers (model.mdf), trained two ways
 * through the kernels matdiff compiles:
 *   - Newton–CG: each step solves H·P = −∇L by conjugate gradients, where every product
 *     H·P is the compiled `hvp(L, W, V)` — the [kd, kd] Hessian is never formed — then
 *     a backtracking line search;
 *   - plain gradient descent with a fixed step, on the compiled gradient.
 * It prints the Hessian in both forms (as `matdiff hess` does), then the iterations and
 * the time each method needs to reach the same loss.
 *
 *   npx tsx examples/newton-cg/train.ts
 *   npx tsx examples/newton-cg/train.ts --lambda 1e-3 --lr 1 --tol 1e-4 --seed 1
 *
 * Data as in examples/iris (seeded, stratified 120 / 30 split, standardised features),
 * plus a row of ones in X for the bias.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { compile, parse } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import { main } from '../../src/cli/main.js';
import { FEATURES, SPECIES, loadIris, split, standardisation, toBatch } from '../iris/data.js';
import { invokedDirectly } from '../lib/cli.js';
import { accuracy } from '../lib/metrics.js';

export const MODEL_FILE = fileURLToPath(new URL('model.mdf', import.meta.url));

export interface Options {
  lambda: number;
  /** Gradient descent's step. */
  lr: number;
  /** Both methods stop at the loss Newton–CG reaches at ‖∇L‖ ≤ 1e-10, plus this. */
  tol: number;
  seed: number;
  maxGd: number;
}

export interface Run {
  iterations: number;
  /** Hessian-vector products (Newton–CG) or gradients (descent) evaluated. */
  evaluations: number;
  ms: number;
  loss: number;
  W: Float64Array;
}

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** The training data as the model's inputs: X [d, B] with the bias row, Y [k, B]. */
export function irisInputs(seed: number): { X: Float64Array; Y: Float64Array; B: number; d: number; test: Data } {
  const { train, test } = split(loadIris(), { seed });
  const scale = standardisation(train);
  const withOnes = (batch: ReturnType<typeof toBatch>): Data => {
    const B = batch.size;
    const X = new Float64Array((FEATURES.length + 1) * B);
    X.set(batch.X as Float64Array);
    X.fill(1, FEATURES.length * B);
    return { X, Y: batch.Y as Float64Array, B, labels: batch.labels };
  };
  const tr = withOnes(toBatch(train, scale, 'f64'));
  return { X: tr.X, Y: tr.Y, B: tr.B, d: FEATURES.length + 1, test: withOnes(toBatch(test, scale, 'f64')) };
}

interface Data {
  X: Float64Array;
  Y: Float64Array;
  B: number;
  labels: readonly number[];
}

/** The compiled loss-and-gradient, Hessian-vector product and probabilities. */
export function kernels(model: Model) {
  const loss = compile(model, { of: 'L', wrt: ['W'] });
  const hv = compile(model, { of: 'Hv' });
  const probs = compile(parse(readFileSync(MODEL_FILE, 'utf8') + '\nP = softmax(Z)\n', MODEL_FILE), { of: 'P' });
  return { loss, hv, probs };
}

type Kernels = ReturnType<typeof kernels>;

/** Newton–CG from W = 0 until ‖∇L‖ ≤ gtol or L ≤ target. */
export function newtonCg(
  k: Kernels,
  inputs: Record<string, unknown>,
  dims: Record<string, number>,
  size: number,
  stop: (L: number, g: number) => boolean,
): Run {
  const t0 = performance.now();
  let W = new Float64Array(size);
  let evaluations = 0;
  const at = (w: Float64Array) => k.loss.valueAndGrad({ ...inputs, W: w } as never, dims);
  let r = at(W);
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    const g = Float64Array.from(r.grad.W as Float64Array);
    if (stop(r.value, Math.sqrt(dot(g, g)))) break;
    // CG on H·p = −g, H·v by the compiled hvp (H is symmetric positive definite here).
    const p = new Float64Array(size);
    const res = g.map((x) => -x);
    const dir = Float64Array.from(res);
    let rr = dot(res, res);
    const tol = Math.min(0.5, Math.sqrt(Math.sqrt(rr))) ** 2 * rr; // Eisenstat–Walker-style forcing
    for (let j = 0; j < 2 * size && rr > tol; j++) {
      const Hd = k.hv.forward({ ...inputs, W, V: dir } as never, dims) as Float64Array;
      evaluations++;
      const alpha = rr / dot(dir, Hd);
      for (let i = 0; i < size; i++) ((p[i]! += alpha * dir[i]!), (res[i]! -= alpha * Hd[i]!));
      const next = dot(res, res);
      for (let i = 0; i < size; i++) dir[i] = res[i]! + (next / rr) * dir[i]!;
      rr = next;
    }
    // Backtracking (Armijo) line search along p.
    const slope = dot(g, p);
    let step = 1;
    for (;;) {
      const trial = W.map((w, i) => w + step * p[i]!);
      const rt = at(trial);
      if (rt.value <= r.value + 1e-4 * step * slope || step < 1e-8) {
        W = trial;
        r = { value: rt.value, grad: { W: Float64Array.from(rt.grad.W as Float64Array) } };
        break;
      }
      step /= 2;
    }
  }
  return { iterations, evaluations, ms: performance.now() - t0, loss: r.value, W };
}

/** Gradient descent with a fixed step from W = 0 until L ≤ target (or maxIter). */
export function gradientDescent(
  k: Kernels,
  inputs: Record<string, unknown>,
  dims: Record<string, number>,
  size: number,
  lr: number,
  target: number,
  maxIter: number,
): Run {
  const t0 = performance.now();
  const W = new Float64Array(size);
  let iterations = 0;
  let loss = Infinity;
  for (; iterations < maxIter; iterations++) {
    const r = k.loss.valueAndGrad({ ...inputs, W } as never, dims);
    loss = r.value;
    if (loss <= target) break;
    const g = r.grad.W as Float64Array;
    for (let i = 0; i < size; i++) W[i]! -= lr * g[i]!;
  }
  return { iterations, evaluations: iterations + 1, ms: performance.now() - t0, loss, W };
}

export async function run(opts: Options): Promise<string[]> {
  const out: string[] = [];
  const model = parse(readFileSync(MODEL_FILE, 'utf8'), MODEL_FILE);
  out.push('The Hessian of L in W, flattened (vec stacks columns) and as an operator:');
  for (const extra of [[], ['--direction', 'V']]) {
    const r = await main(['hess', MODEL_FILE, '--wrt', 'W', '--of', 'L', ...extra]);
    out.push(...r.out.split('\n').map((l) => '  ' + l));
  }
  const data = irisInputs(opts.seed);
  const k = SPECIES.length;
  const size = k * data.d;
  const inputs = { X: data.X, Y: data.Y, λ: opts.lambda };
  const kern = kernels(model);
  const dims = { d: data.d, k, B: data.B };
  // Reference: Newton–CG to a tight gradient; both methods then race to within tol of its loss.
  const best = newtonCg(kern, inputs, dims, size, (_L, g) => g <= 1e-10);
  const target = best.loss + opts.tol;
  const newton = newtonCg(kern, inputs, dims, size, (L) => L <= target);
  const gd = gradientDescent(kern, inputs, dims, size, opts.lr, target, opts.maxGd);
  const acc = (W: Float64Array) => {
    const P = kern.probs.forward({ X: data.test.X, W } as never, { ...dims, B: data.test.B }) as Float64Array;
    return accuracy(P, data.test.labels);
  };
  out.push(
    '',
    `Iris, ${data.B} training flowers, W: [${k}, ${data.d}], λ = ${opts.lambda}; target loss ${target.toFixed(6)} (optimum ${best.loss.toFixed(6)} + ${opts.tol})`,
    `  Newton–CG:        ${String(newton.iterations).padStart(5)} iterations, ${String(newton.evaluations).padStart(5)} Hessian-vector products, ${newton.ms.toFixed(1).padStart(7)} ms, loss ${newton.loss.toFixed(6)}, test accuracy ${(100 * acc(newton.W)).toFixed(1)}%`,
    `  gradient descent: ${String(gd.iterations).padStart(5)} iterations, ${String(gd.evaluations).padStart(5)} gradients,               ${gd.ms.toFixed(1).padStart(7)} ms, loss ${gd.loss.toFixed(6)}, test accuracy ${(100 * acc(gd.W)).toFixed(1)}%` +
      (gd.loss > target ? `  (stopped at ${opts.maxGd} iterations)` : ''),
  );
  return out;
}

if (invokedDirectly(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      lambda: { type: 'string', default: '1e-3' },
      lr: { type: 'string', default: '1' },
      tol: { type: 'string', default: '1e-4' },
      seed: { type: 'string', default: '1' },
      'max-gd': { type: 'string', default: '100000' },
    },
  });
  const opts: Options = {
    lambda: Number(values.lambda),
    lr: Number(values.lr),
    tol: Number(values.tol),
    seed: Number(values.seed),
    maxGd: Number(values['max-gd']),
  };
  for (const line of await run(opts)) console.log(line);
}
