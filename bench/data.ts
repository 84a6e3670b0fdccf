/**
 * Deterministic benchmark data: the same seeded numbers go to every contender.
 * All matrices are row-major Float32Array, in matdiff's layout.
 */

import { rng } from '../src/util/random.js';
export { rng };

export function uniform(len: number, r: () => number, lo = -1, hi = 1): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

/** Normal(0, sd²) by Box–Muller. */
export function normal(len: number, r: () => number, sd = 1): Float32Array {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i += 2) {
    const u = 1 - r();
    const v = r();
    const rad = sd * Math.sqrt(-2 * Math.log(u));
    a[i] = rad * Math.cos(2 * Math.PI * v);
    if (i + 1 < len) a[i + 1] = rad * Math.sin(2 * Math.PI * v);
  }
  return a;
}

export interface MlpShape {
  n: number; // inputs
  h: number; // hidden units
  k: number; // classes
  B: number; // batch
}

export const MLP784: MlpShape = { n: 784, h: 256, k: 10, B: 256 };

/** Inputs of bench/mlp784.mdf, keyed by the model's names. */
export interface MlpData {
  X: Float32Array; // [n, B]
  Y: Float32Array; // [k, B], one-hot columns
  W1: Float32Array; // [h, n]
  b1: Float32Array; // [h]
  W2: Float32Array; // [k, h]
  b2: Float32Array; // [k]
}

/**
 * Pixel-like inputs in [0,1), He-initialised weights, small biases and random one-hot
 * labels: realistic magnitudes, and about half of the hidden units active.
 */
export function mlpData(s: MlpShape, seed = 4): MlpData {
  const r = rng(seed);
  const Y = new Float32Array(s.k * s.B);
  for (let j = 0; j < s.B; j++) Y[Math.floor(r() * s.k) * s.B + j] = 1;
  return {
    X: uniform(s.n * s.B, r, 0, 1),
    Y,
    W1: normal(s.h * s.n, r, Math.sqrt(2 / s.n)),
    b1: uniform(s.h, r, -0.1, 0.1),
    W2: normal(s.k * s.h, r, Math.sqrt(2 / s.h)),
    b2: uniform(s.k, r, -0.1, 0.1),
  };
}

/** Floating-point operations of the MLP forward pass (the two products dominate). */
export function mlpForwardFlops(s: MlpShape): number {
  return 2 * s.h * s.n * s.B + 2 * s.k * s.h * s.B;
}

/**
 * … and of value-and-gradient: forward + ∂W2 (k·h·B), ∂H (k·h·B), ∂W1 (h·n·B) products.
 * ∂X is not needed (X is data), so the step is ≈ 2× the forward, not 3×.
 */
export function mlpStepFlops(s: MlpShape): number {
  return mlpForwardFlops(s) + 2 * (2 * s.k * s.h * s.B) + 2 * s.h * s.n * s.B;
}
