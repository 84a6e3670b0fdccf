/**
 * A quick measurement of the TypeScript backend (not a test; the full comparison with
 * TF.js lives in bench/cpu.ts):
 *
 *   npx tsx bench/ts-quick.ts [--runs N]
 *
 *  - one training step of the 784-256-10 MLP of examples/mlp.mdf (relu, softmax
 *    cross-entropy) on a batch of 256, sizes bound by --dims-style parse options:
 *    forward and valueAndGrad by W1, b1, W2, b2, float32 and float64;
 *  - the float32 product of two 512 × 512 matrices, in GFLOP/s.
 *
 * Each figure is the median of N timed calls (default 15) after warm-up calls.
 */
import { readFileSync } from 'node:fs';
import { parse } from '../src/index.js';
import { compile } from '../codegen/compile.js';

const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Math.max(5, Number(process.argv[runsFlag + 1])) : 15;

import { rng } from '../src/util/random.js';

function time(f: () => void): { median: number; min: number } {
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[ts.length >> 1]!, min: ts[0]! };
}

const fmt = (ms: number) => `${ms.toFixed(2).padStart(8)} ms`;

// ── the MLP step ──
const dims = new Map([
  ['n', 784],
  ['h', 256],
  ['k', 10],
  ['B', 256],
]);
const model = parse(readFileSync(new URL('../examples/mlp.mdf', import.meta.url), 'utf8'), 'examples/mlp.mdf', {
  dims,
});
const r = rng(42);
const rand = (len: number, scale: number) => Float64Array.from({ length: len }, () => (r() * 2 - 1) * scale);
const [n, h, k, B] = [784, 256, 10, 256];
const Y = new Float64Array(k * B);
for (let j = 0; j < B; j++) Y[Math.floor(r() * k) * B + j] = 1;
const data64 = {
  X: rand(n * B, 1),
  Y,
  W1: rand(h * n, 1 / Math.sqrt(n)),
  b1: rand(h, 0.1),
  W2: rand(k * h, 1 / Math.sqrt(h)),
  b2: rand(k, 0.1),
};
const flops = 2 * h * n * B + 2 * k * h * B; // the two forward products
const stepFlops = flops + 2 * (h * B * n + k * B * h + h * k * B); // + ∂W1, ∂W2, W2ᵀ·G

console.log(`MLP 784-256-10, batch 256 (examples/mlp.mdf), median of ${RUNS} runs`);
for (const dtype of ['f32', 'f64'] as const) {
  const T = dtype === 'f32' ? Float32Array : Float64Array;
  const inputs = Object.fromEntries(Object.entries(data64).map(([key, v]) => [key, T.from(v)]));
  const kernel = compile(model, { wrt: ['W1', 'b1', 'W2', 'b2'], dtype });
  const fwd = time(() => void kernel.forward(inputs));
  const step = time(() => void kernel.valueAndGrad(inputs));
  console.log(
    `  ${dtype}  forward ${fmt(fwd.median)} (${(flops / fwd.median / 1e6).toFixed(2)} GFLOP/s)` +
      `   valueAndGrad ${fmt(step.median)} (${(stepFlops / step.median / 1e6).toFixed(2)} GFLOP/s)   loss ${kernel.valueAndGrad(inputs).value.toFixed(6)}`,
  );
}

// ── the 512 × 512 float32 product ──
const N = 512;
const mm = compile(parse('A: [n, n]; B: [n, n]\nC = A·B\n', 'matmul.mdf', { dims: new Map([['n', N]]) }), {
  dtype: 'f32',
});
const A = Float32Array.from({ length: N * N }, () => r() * 2 - 1);
const Bm = Float32Array.from({ length: N * N }, () => r() * 2 - 1);
const t = time(() => void mm.forward({ A, B: Bm }));
console.log(
  `f32 matmul ${N}×${N}: ${fmt(t.median)}  ${((2 * N ** 3) / t.median / 1e6).toFixed(2)} GFLOP/s (best ${((2 * N ** 3) / t.min / 1e6).toFixed(2)})`,
);
