/**
 * matdiff contenders: models parsed with `parse` and compiled by `codegen/compile.ts`
 * to TypeScript kernels (f32), driven with row-major Float32Array inputs.
 *
 * compile.ts is loaded dynamically so the rest of the benchmark still runs (with the
 * matdiff columns empty and the reason recorded) when it is missing or does not load.
 * Its results are reused by the next call, so anything kept is copied.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from '../src/index.js';
import type { Contender } from './harness.js';
import type { MlpData, MlpShape } from './data.js';
import type { MlpContender } from './tfjs.js';

type CompileModule = typeof import('../codegen/compile.js');
type Compiled = import('../codegen/compile.js').Compiled;
type CompileFn = CompileModule['compile'];
type Inputs = { [name: string]: Float32Array };

const COMPILE_TS = fileURLToPath(new URL('../codegen/compile.ts', import.meta.url));

let compileFn: CompileFn | null = null;

/** Loads codegen/compile.ts; throws with the reason when it is missing or broken. */
export async function initMatdiff(): Promise<void> {
  if (!existsSync(COMPILE_TS)) throw new Error('codegen/compile.ts does not exist yet');
  // dynamic, so that a broken compile.ts costs the matdiff columns, not the whole run
  const mod: Partial<CompileModule> = await import('../codegen/compile.js');
  if (typeof mod.compile !== 'function') throw new Error('codegen/compile.ts has no `compile` export');
  compileFn = mod.compile;
}

function compile(...args: Parameters<CompileFn>): Compiled {
  if (!compileFn) throw new Error('matdiff not initialised');
  return compileFn(...args);
}

/** A value as a flat Float32Array (typed array, nested arrays, or a number). */
export function flat(v: unknown): Float32Array {
  if (typeof v === 'number') return Float32Array.of(v);
  if (v instanceof Float32Array) return v;
  if (ArrayBuffer.isView(v)) return Float32Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return Float32Array.from((v as unknown[]).flat(Infinity) as number[]);
  throw new Error(`unexpected matdiff value ${Object.prototype.toString.call(v)}`);
}

function scalar(v: unknown): number {
  const f = flat(v);
  if (f.length !== 1) throw new Error(`expected a scalar, got ${f.length} values`);
  return f[0]!;
}

/** The contender's name: 'matdiff', or 'matdiff-2t' with 2 threads (the option `threads`). */
export const matdiffName = (threads: number): string => (threads > 1 ? `matdiff-${threads}t` : 'matdiff');

/**
 * With `threads` ≥ 2, the worker threads are started before the first sample (`before`
 * awaits threadsReady(), which says how many the host gave: `threadsGot`).
 */
export function matdiffMatmul(
  n: number,
  a: Float32Array,
  b: Float32Array,
  threads = 1,
): Contender & { result: () => Float32Array; source?: string } {
  const model = parse('A: [n, n]; B: [n, n]\nC = A·B\n', 'matmul.mdf', { dims: new Map([['n', n]]) });
  const k = compile(model, { dtype: 'f32', threads });
  const inputs: Inputs = { A: a, B: b };
  return {
    name: matdiffName(threads),
    before: () => threadsStarted(k, threads),
    run: () => void k.forward(inputs),
    result: () => flat(k.forward(inputs)),
    source: k.source,
  };
}

export const MLP_MODEL = fileURLToPath(new URL('./mlp784.mdf', import.meta.url));

/** Waits for the worker threads; throws when the host gave fewer than asked (the row would mislead). */
async function threadsStarted(k: Compiled, threads: number): Promise<void> {
  if (threads < 2) return;
  const got = await k.threadsReady();
  if (got !== threads) throw new Error(`${threads} threads requested, ${got} available`);
}

export function matdiffMlp(
  _s: MlpShape,
  d: MlpData,
  threads = 1,
): MlpContender & { source?: string; compiled: Compiled; inputs: Inputs } {
  const model = parse(readFileSync(MLP_MODEL, 'utf8'), 'bench/mlp784.mdf');
  const k = compile(model, { wrt: ['W1', 'b1', 'W2', 'b2'], dtype: 'f32', threads });
  const inputs: Inputs = { X: d.X, Y: d.Y, W1: d.W1, b1: d.b1, W2: d.W2, b2: d.b2 };
  const name = matdiffName(threads);
  const before = () => threadsStarted(k, threads);
  return {
    forward: { name, run: () => void k.forward(inputs), before },
    step: { name, run: () => void k.valueAndGrad(inputs), before },
    evaluate: () => {
      const r = k.valueAndGrad(inputs);
      const g = (name: string): Float32Array => {
        if (!(name in r.grad)) throw new Error(`valueAndGrad returned no gradient for ${name}`);
        return flat(r.grad[name]).slice();
      };
      return { value: scalar(r.value), grad: { W1: g('W1'), b1: g('b1'), W2: g('W2'), b2: g('b2') } };
    },
    dispose: () => {},
    source: k.source,
    compiled: k,
    inputs,
  };
}
