/**
 * The WGSL backend in-process: `compileWgsl(model, { wrt, of })` and the CLI's
 * `matdiff run --backend wgsl` (`runWgsl`).
 *
 *   const k = await compileWgsl(parse(text), { wrt: ['W', 'b'] });
 *   const { value, grad } = await k.valueAndGrad({ X, Y, W, b });
 *   k.destroy();
 *
 * Inputs and results follow compile.ts: inputs are row-major typed arrays, nested rows,
 * flat vectors or numbers, symbolic sizes bound from their shapes (or `dims`); a result
 * is a number for a 1×1 value, else a row-major Float32Array (fresh for every call).
 * Arithmetic is f32 (WebGPU has no f64): asking for f64 is a usage error (exit 2).
 *
 * The device comes from device.ts (Dawn in Node — the software adapter without a GPU —
 * or navigator.gpu in a browser). The host code is runtime.ts's text, evaluated once:
 * the same code `matdiff emit --target wgsl` writes into its module.
 */
import type { Model } from '../../src/model/model.js';
import { MatdiffError } from '../../src/errors.js';
import type { Program } from '../program.js';
import { programOf } from '../compile.js';
import type { BoundData } from '../data.js';
import { acquireGpu } from './device.js';
import { runtimeSource } from './runtime.js';
import { type WgslProgram, lowerProgram, requireF32 } from './lower.js';

export type Tensor = Float32Array | Float64Array | number | readonly number[] | readonly (readonly number[])[];
export type Inputs = Readonly<Record<string, Tensor>>;
export type Dims = Readonly<Record<string, number>>;
export type Value = number | Float32Array;

export interface WgslCompiled {
  /** The output's value. */
  forward(inputs: Inputs, dims?: Dims): Promise<Value>;
  /** The scalar output's value and gradients by the `wrt` variables. */
  valueAndGrad(inputs: Inputs, dims?: Dims): Promise<{ value: Value; grad: Record<string, Value> }>;
  /** Every WGSL shader of both entries, in program order. */
  readonly shaders: readonly { readonly label: string; readonly code: string }[];
  /** The lowered programs (kernels, buffers, steps). */
  readonly programs: { readonly forward: WgslProgram; readonly valueAndGrad?: WgslProgram };
  /** Human-readable description of the adapter it runs on. */
  readonly adapter: string;
  /** Releases the GPU buffers (the device is shared and stays). */
  destroy(): void;
}

export interface WgslOptions {
  wrt?: readonly string[];
  of?: string;
  /** Only 'f32'. */
  dtype?: 'f32' | 'f64';
}

interface Runtime {
  createModel(
    device: GPUDevice,
    spec: { forward: WgslProgram; valueAndGrad?: WgslProgram; wrt: readonly string[] },
  ): {
    forward(inputs: Inputs, dims?: Dims): Promise<Value>;
    valueAndGrad(inputs: Inputs, dims?: Dims): Promise<{ value: Value; grad: Record<string, Value> }>;
    destroy(): void;
  };
  MatdiffGpuError: new (kind: string, message: string) => Error & { kind: string };
}

let runtime: Runtime | undefined;

/** runtime.ts's text as JavaScript, evaluated once. */
function loadRuntime(): Runtime {
  const js = runtimeSource('js').replace(/^export /gm, '');
  runtime ??= new Function(`'use strict';\n${js}\nreturn { createModel, MatdiffGpuError };`)() as Runtime;
  return runtime;
}

/** A runtime error as the MatdiffError a user sees. */
function userError(e: unknown): unknown {
  const rt = runtime;
  if (!rt || !(e instanceof rt.MatdiffGpuError)) return e;
  switch (e.kind) {
    case 'input':
      return new MatdiffError('E020', e.message);
    case 'limit':
    case 'device':
      return new MatdiffError('E021', e.message);
    default:
      return new MatdiffError('E030', e.message);
  }
}

async function device(): Promise<{ device: GPUDevice; adapter: string; maxStorage: number }> {
  const acquired = await acquireGpu();
  if ('reason' in acquired) throw new MatdiffError('E021', `the WGSL backend needs WebGPU: ${acquired.reason}`);
  const { gpu } = acquired;
  return { device: gpu.device, adapter: gpu.adapterInfo, maxStorage: gpu.limits.maxStorageBuffersPerShaderStage ?? 8 };
}

/** A compiled program's WGSL kernels on the WebGPU device. */
export async function instantiateWgsl(p: Program, opts: { fuse?: boolean } = {}): Promise<WgslCompiled> {
  const gpu = await device();
  const programs = lowerProgram(p, { maxStorageBuffers: gpu.maxStorage, ...opts });
  const rt = loadRuntime();
  const model = rt.createModel(gpu.device, { ...programs, wrt: p.wrt.map((w) => w.name) });
  const shaders = [programs.forward, programs.valueAndGrad]
    .flatMap((prog) => prog?.kernels ?? [])
    .map((k) => ({ label: k.label, code: k.code }));
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        return await f(...a);
      } catch (e) {
        throw userError(e);
      }
    };
  return {
    forward: wrap((inputs: Inputs, dims?: Dims) => model.forward(inputs, dims)),
    valueAndGrad: wrap(async (inputs: Inputs, dims?: Dims) => {
      if (!programs.valueAndGrad)
        throw new MatdiffError('E013', `valueAndGrad needs a scalar output; ${p.output.name} is not a scalar`);
      return model.valueAndGrad(inputs, dims);
    }),
    shaders,
    programs,
    adapter: gpu.adapter,
    destroy: () => model.destroy(),
  };
}

/** compile.ts's `compile`, for the WGSL backend. */
export async function compileWgsl(model: Model, opts: WgslOptions = {}): Promise<WgslCompiled> {
  requireF32(opts.dtype);
  return instantiateWgsl(programOf(model, opts));
}

/** `matdiff run --backend wgsl`: the value and (for a scalar output) the gradients. */
export async function runWgsl(
  p: Program,
  data: BoundData,
  opts: { dtype?: 'f32' | 'f64' } = {},
): Promise<{ value: number | ArrayLike<number>; grad?: Record<string, number | ArrayLike<number>> }> {
  requireF32(opts.dtype);
  const k = await instantiateWgsl(p);
  try {
    const inputs = Object.fromEntries(data.values);
    const dims = Object.fromEntries(data.dims);
    if (!p.valueAndGrad) return { value: await k.forward(inputs, dims) };
    return await k.valueAndGrad(inputs, dims);
  } finally {
    k.destroy();
  }
}
