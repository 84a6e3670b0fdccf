/**
 * The generated WGSL on the browser's WebGPU, loaded on demand: the module `matdiff
 * emit --target wgsl` writes (as JavaScript), imported from a Blob URL and run on one
 * device shared by every run. Where there is no WebGPU, `gpuStatus` says why.
 */
import type { Program } from '../../codegen/program.js';
import { emitWgslModule } from '../../codegen/wgsl/emit.js';
import type { BackendResult } from './run.js';

interface EmittedModule {
  create(device?: GPUDevice): Promise<{
    forward(inputs: object, dims?: object): Promise<number | Float32Array>;
    valueAndGrad(
      inputs: object,
      dims?: object,
    ): Promise<{ value: number | Float32Array; grad: Record<string, number | Float32Array> }>;
    destroy(): void;
  }>;
  requestMatdiffDevice(): Promise<GPUDevice>;
}

export type GpuStatus = { ok: true; adapter: string } | { ok: false; reason: string };

let device: Promise<{ device: GPUDevice; adapter: string } | { reason: string }> | undefined;

function acquire(mod: EmittedModule) {
  device ??= (async () => {
    const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
    if (!gpu)
      return {
        reason: window.isSecureContext
          ? 'this browser has no WebGPU (navigator.gpu is missing; in Chromium it may need --enable-unsafe-webgpu)'
          : 'WebGPU needs a secure context (https:// or http://localhost), and this page is not one',
      };
    const adapter = await gpu.requestAdapter();
    if (!adapter)
      return { reason: 'navigator.gpu.requestAdapter() found no adapter (WebGPU disabled, or no usable GPU)' };
    const info = adapter.info;
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ') || 'unnamed adapter';
    try {
      return { device: await mod.requestMatdiffDevice(), adapter: name };
    } catch (e) {
      return { reason: `requesting a WebGPU device failed: ${(e as Error).message}` };
    }
  })();
  return device;
}

const modules = new Map<string, Promise<EmittedModule>>();

/** The emitted module of `p`, imported once per distinct text. */
function load(p: Program): Promise<EmittedModule> {
  const js = emitWgslModule(p, { lang: 'js' });
  let m = modules.get(js);
  if (!m) {
    const url = URL.createObjectURL(new Blob([js], { type: 'text/javascript' }));
    m = import(/* @vite-ignore */ url) as Promise<EmittedModule>;
    if (modules.size > 8) modules.clear();
    modules.set(js, m);
  }
  return m;
}

export async function gpuStatus(p: Program): Promise<GpuStatus> {
  const d = await acquire(await load(p));
  return 'reason' in d ? { ok: false, reason: d.reason } : { ok: true, adapter: d.adapter };
}

/** Value and gradients by the WGSL kernels (float32). */
export async function runWgsl(p: Program, inputs: object, dims: object): Promise<BackendResult & { adapter: string }> {
  const mod = await load(p);
  const d = await acquire(mod);
  if ('reason' in d) throw new Error(d.reason);
  const model = await mod.create(d.device);
  try {
    if (!p.valueAndGrad) return { value: await model.forward(inputs, dims), grad: {}, adapter: d.adapter };
    const r = await model.valueAndGrad(inputs, dims);
    return { value: r.value, grad: r.grad, adapter: d.adapter };
  } finally {
    model.destroy();
  }
}
