/**
 * The Iris flowers as data: iris.csv read and checked, a seeded stratified split, the
 * training split's standardisation, and batches in the models' layout (X [4, B]
 * standardised, Y [3, B] one-hot).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rng } from '../../src/util/random.js';
import { shuffle } from '../lib/shuffle.js';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const SPECIES = ['setosa', 'versicolor', 'virginica'] as const;
export const FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'] as const;

/** Flowers: one row of 4 measurements (cm) each, and the species index (SPECIES). */
export interface Iris {
  readonly features: readonly (readonly number[])[];
  readonly labels: readonly number[];
}

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

export type Real = Float32Array | Float64Array;
export type Dtype = 'f32' | 'f64';
export const arrayOf = (dtype: Dtype) => (dtype === 'f64' ? Float64Array : Float32Array);

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
