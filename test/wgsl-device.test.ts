/// <reference types="@webgpu/types" />
// GPU smoke tests for the WGSL backend's device layer.
//
// Without a usable WebGPU adapter these tests SKIP with the reason, except when
// the CI environment variable is set: then they FAIL, because CI is expected to
// provide at least the software adapter (.ci/install-gpu-deps.sh installs Mesa).
import { afterAll, describe, expect, it, type TestContext } from 'vitest';
import { acquireGpu, validateWgsl, type GpuHandle } from '../codegen/wgsl/device.js';
import { BufferUsage, createF32, readbackF32, uploadF32 } from '../codegen/wgsl/buffers.js';

const onCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const acquired = await acquireGpu();
const unavailable = 'reason' in acquired ? acquired.reason : undefined;
if (unavailable && !onCi) console.warn(`[wgsl-device] skipping GPU tests: ${unavailable}`);
if ('gpu' in acquired) console.info(`[wgsl-device] adapter: ${acquired.gpu.adapterInfo}`);

function requireGpu(ctx: TestContext): GpuHandle {
  if ('gpu' in acquired) return acquired.gpu;
  if (onCi) throw new Error(`a WebGPU adapter is required when CI is set, but none is available: ${unavailable}`);
  return ctx.skip(`no WebGPU adapter: ${unavailable}`);
}

afterAll(() => {
  if ('gpu' in acquired) acquired.gpu.destroy();
});

function run(device: GPUDevice, code: string, buffers: GPUBuffer[], workgroups: [number, number?, number?]): void {
  const module = device.createShaderModule({ code });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...workgroups);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Runs `body` inside a validation error scope and fails the test on any GPU validation error. */
async function noGpuErrors<T>(device: GPUDevice, body: () => Promise<T>): Promise<T> {
  device.pushErrorScope('validation');
  const result = await body();
  const error = await device.popErrorScope();
  expect(error?.message ?? null).toBeNull();
  return result;
}

describe('WGSL device (Dawn / navigator.gpu)', () => {
  it('acquires a device with usable limits', (ctx) => {
    const gpu = requireGpu(ctx);
    expect(gpu.adapterInfo.length).toBeGreaterThan(0);
    expect(gpu.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(64);
    expect(gpu.limits.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(3);
    expect(gpu.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(1 << 20);
  });

  it('caches the device per process', async (ctx) => {
    const gpu = requireGpu(ctx);
    const again = await acquireGpu();
    expect('gpu' in again && again.gpu).toBe(gpu);
  });

  it('vector add kernel gives the right numbers', async (ctx) => {
    const { device } = requireGpu(ctx);
    const n = 1000; // not a multiple of the workgroup size: exercises the bounds check
    const a = Float32Array.from({ length: n }, (_, i) => i * 0.5);
    const b = Float32Array.from({ length: n }, (_, i) => 1000 - i);
    const out = await noGpuErrors(device, async () => {
      const A = uploadF32(device, a, BufferUsage.STORAGE);
      const B = uploadF32(device, b, BufferUsage.STORAGE);
      const C = createF32(device, n);
      run(
        device,
        /* wgsl */ `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x < arrayLength(&c)) { c[gid.x] = a[gid.x] + b[gid.x]; }
}`,
        [A, B, C],
        [Math.ceil(n / 64)],
      );
      const result = await readbackF32(device, C, n);
      for (const buf of [A, B, C]) buf.destroy();
      return result;
    });
    expect(out.length).toBe(n);
    for (let i = 0; i < n; i++) expect(out[i]).toBe(Math.fround(a[i]! + b[i]!));
  });

  it('64x64 matmul kernel matches a JS reference', async (ctx) => {
    const { device } = requireGpu(ctx);
    const n = 64;
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
    const a = Float32Array.from({ length: n * n }, rand);
    const b = Float32Array.from({ length: n * n }, rand);
    const ref = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) ref[i * n + j]! += a[i * n + k]! * b[k * n + j]!;

    const out = await noGpuErrors(device, async () => {
      const A = uploadF32(device, a);
      const B = uploadF32(device, b);
      const C = createF32(device, n * n);
      run(
        device,
        /* wgsl */ `
const N: u32 = ${n}u;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.y;
  let col = gid.x;
  if (row >= N || col >= N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < N; k++) { acc += a[row * N + k] * b[k * N + col]; }
  c[row * N + col] = acc;
}`,
        [A, B, C],
        [n / 8, n / 8],
      );
      const result = await readbackF32(device, C, n * n);
      for (const buf of [A, B, C]) buf.destroy();
      return result;
    });
    let maxErr = 0;
    for (let i = 0; i < n * n; i++) maxErr = Math.max(maxErr, Math.abs(out[i]! - ref[i]!));
    // |a|,|b| < 1, 64 terms: f32 accumulation error is ~1e-6; 1e-4 leaves lots of margin.
    expect(maxErr).toBeLessThan(1e-4);
  });

  it('readbackF32 honours an element offset', async (ctx) => {
    const { device } = requireGpu(ctx);
    const data = Float32Array.from({ length: 16 }, (_, i) => i);
    const buf = uploadF32(device, data);
    expect(Array.from(await readbackF32(device, buf, 4, 10))).toEqual([10, 11, 12, 13]);
    buf.destroy();
  });
});

describe('validateWgsl', () => {
  // validateWgsl falls back to Dawn's null backend, so it works without an
  // adapter as long as the `webgpu` package loads.
  async function validate(ctx: TestContext, code: string) {
    try {
      return await validateWgsl(code);
    } catch (e) {
      if (onCi) throw e;
      return ctx.skip(`validateWgsl unavailable: ${(e as Error).message}`);
    }
  }

  it('accepts a valid shader', async (ctx) => {
    const result = await validate(
      ctx,
      `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { x[g.x] = 2.0 * x[g.x]; }`,
    );
    expect(result).toEqual({ ok: true });
  });

  it('reports a syntax error with its line number', async (ctx) => {
    const code = [
      '@group(0) @binding(0) var<storage, read_write> x: array<f32>;',
      '@compute @workgroup_size(1) fn main() {',
      '  let y = x[0] +* 2.0;', // line 3: deliberate syntax error
      '  x[0] = y;',
      '}',
    ].join('\n');
    const result = await validate(ctx, code);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.messages.length).toBeGreaterThan(0);
    expect(result.messages[0]!.line).toBe(3);
    expect(result.messages[0]!.column).toBeGreaterThan(0);
    expect(result.messages[0]!.message.length).toBeGreaterThan(0);
  });

  it('reports a type error with its line number', async (ctx) => {
    const code = ['fn f() -> f32 {', '  let a: f32 = 1u;', '  return a;', '}'].join('\n');
    const result = await validate(ctx, code);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.messages[0]!.line).toBe(2);
  });
});
