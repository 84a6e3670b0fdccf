/**
 * The backends a training step runs on: matdiff's generated TypeScript kernels
 * (`compile`) or its WGSL kernels on WebGPU (`compileWgsl`), behind one interface.
 */
import { compile } from '../../src/index.js';
import type { Model } from '../../src/index.js';
import type { Batch, Dtype, Real } from './data.js';
import { PARAMS, type ParamName, type Params } from './network.js';

/** What training needs of a backend: the loss and its gradients, the loss alone, the probabilities. */
export interface Engine {
  readonly description: string;
  step(params: Params, batch: Batch): Promise<{ value: number; grad: Record<ParamName, ArrayLike<number>> }>;
  loss(params: Params, batch: Batch): Promise<number>;
  probabilities(params: Params, batch: Batch): Promise<ArrayLike<number>>;
  destroy(): void;
}

const asNumber = (v: number | ArrayLike<number>): number => (typeof v === 'number' ? v : v[0]!);

export function tsEngine(model: Model, dtype: Dtype): Engine {
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

export async function wgslEngine(model: Model): Promise<Engine> {
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
