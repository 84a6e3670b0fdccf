/// <reference types="@webgpu/types" />
/**
 * Small f32 buffer helpers for the WGSL backend. The GPUBufferUsage/GPUMapMode
 * constants come from the browser or, in Node, from Dawn's globals (installed by
 * acquireGpu()); we use the numeric values directly so these helpers also work
 * before/without those globals.
 */

/** WebGPU spec values of GPUBufferUsage / GPUMapMode flags. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  INDEX: 0x0010,
  VERTEX: 0x0020,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  INDIRECT: 0x0100,
  QUERY_RESOLVE: 0x0200,
} as const;
const MAP_MODE_READ = 0x0001;

/** Default usage for kernel inputs/outputs: bindable as storage, copyable both ways. */
export const STORAGE_INOUT = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/**
 * Creates a buffer holding `data` (via mappedAtCreation, no extra copy or queue
 * write). The size is the data size rounded up to 4 bytes, and at least 4
 * (zero-sized buffers cannot be bound as storage), so an empty array yields a
 * 1-element buffer: pass lengths explicitly to kernels rather than relying on
 * arrayLength() for possibly-empty inputs.
 */
export function uploadF32(
  device: GPUDevice,
  data: Float32Array,
  usage: GPUBufferUsageFlags = STORAGE_INOUT,
  label?: string,
): GPUBuffer {
  const size = Math.max(4, data.byteLength);
  const buffer = device.createBuffer({ size, usage, mappedAtCreation: true, ...(label ? { label } : {}) });
  new Float32Array(buffer.getMappedRange()).set(data);
  buffer.unmap();
  return buffer;
}

/** An uninitialized (zero-filled, per WebGPU) f32 buffer of `length` elements (at least 1). */
export function createF32(
  device: GPUDevice,
  length: number,
  usage: GPUBufferUsageFlags = STORAGE_INOUT,
  label?: string,
): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, length * 4), usage, ...(label ? { label } : {}) });
}

/**
 * Copies `length` f32 values starting at element `offset` of `buffer` (which
 * needs COPY_SRC usage) into a fresh MAP_READ staging buffer, waits for the GPU
 * and returns them. Submits its own command buffer, so it is ordered after
 * everything already submitted to `device.queue`.
 */
export async function readbackF32(
  device: GPUDevice,
  buffer: GPUBuffer,
  length: number,
  offset = 0,
): Promise<Float32Array> {
  if (length === 0) return new Float32Array(0);
  const bytes = length * 4;
  const staging = device.createBuffer({
    size: bytes,
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    label: 'matdiff-readback',
  });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, offset * 4, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_MODE_READ);
    // slice() copies out of the mapped range, which is detached by unmap().
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}
