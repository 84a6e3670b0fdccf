/**
 * The network of mlp.mdf (4 → h → 3) as data: its model, its parameters and their
 * seeded He initialisation.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import { rng } from '../../src/util/random.js';
import { FEATURES, SPECIES, arrayOf, type Dtype, type Real } from './data.js';

export const PARAMS = ['W1', 'b1', 'W2', 'b2'] as const;
export type ParamName = (typeof PARAMS)[number];

export const MODEL_FILE = fileURLToPath(new URL('mlp.mdf', import.meta.url));

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
