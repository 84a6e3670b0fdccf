#!/usr/bin/env node
// Probe of the WebGPU adapter the WGSL backend will run on (in Node: Dawn from
// the `webgpu` package; with no GPU, Mesa llvmpipe through OpenGL ES).
// Not a test. Prints adapter + limits, dispatch round-trip latency, and f32
// matmul GFLOP/s for a naive and a register-tiled kernel.
//
//   node bench/wgsl-probe.mjs [--n 512] [--reps 5] [--backend opengles] [--json out.json]
//
// Device setup mirrors codegen/wgsl/device.ts (kept standalone so it runs
// without a TypeScript build).
import { create, globals } from 'webgpu';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const N = Number(opt('n', '512'));
const REPS = Number(opt('reps', '5'));
const WARMUP = 2;
const jsonOut = opt('json', undefined);

for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) globalThis[k] = v;

async function getDevice() {
  const forced = opt('backend', process.env.MATDIFF_GPU_BACKEND);
  const attempts = forced
    ? [
        [forced, 'core'],
        [forced, 'compatibility'],
      ]
    : process.platform === 'linux'
      ? [
          ['vulkan', 'core'],
          ['opengles', 'compatibility'],
          ['opengl', 'compatibility'],
        ]
      : [
          [undefined, 'core'],
          [undefined, 'compatibility'],
        ];
  if (process.platform === 'linux') process.env.EGL_PLATFORM ??= 'surfaceless';
  const keep = [];
  for (const [backend, featureLevel] of attempts) {
    const gpu = create(backend ? [`backend=${backend}`] : []);
    keep.push(gpu); // see device.ts: never let a Dawn instance be collected while in use
    const adapter = await gpu.requestAdapter({ featureLevel, powerPreference: 'high-performance' });
    if (!adapter) continue;
    keep.push(adapter);
    const requiredLimits = {};
    for (const k in adapter.limits) if (typeof adapter.limits[k] === 'number') requiredLimits[k] = adapter.limits[k];
    const device = await adapter.requestDevice({ requiredLimits });
    device.addEventListener?.('uncapturederror', (e) => console.error('GPU error:', e.error?.message));
    const i = adapter.info;
    const info = `dawn/${backend ?? 'default'} (${featureLevel}): ${[i.vendor, i.architecture, i.device].filter(Boolean).join(' ')} | ${i.description}`;
    return { device, info, keep };
  }
  throw new Error('no WebGPU adapter (see stderr); on Debian run .ci/install-gpu-deps.sh');
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const now = () => performance.now();

function upload(device, data, usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC) {
  const b = device.createBuffer({ size: Math.max(4, data.byteLength), usage, mappedAtCreation: true });
  new Float32Array(b.getMappedRange()).set(data);
  b.unmap();
  return b;
}

async function readback(device, src, bytes) {
  const st = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, st, 0, bytes);
  device.queue.submit([enc.finish()]);
  await st.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(st.getMappedRange().slice(0));
  st.destroy();
  return out;
}

function pipeline(device, code) {
  const t0 = now();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code });
  const p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  return device.popErrorScope().then((err) => {
    if (err) throw new Error(`pipeline: ${err.message}`);
    return { p, ms: now() - t0 };
  });
}

function bind(device, p, buffers) {
  return device.createBindGroup({
    layout: p.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

function encodeDispatch(device, p, bg, x, y = 1) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(p);
  pass.setBindGroup(0, bg);
  pass.dispatchWorkgroups(x, y);
  pass.end();
  return enc;
}

// ---------------------------------------------------------------------------

const { device, info, keep } = await getDevice(); // `keep` must stay reachable until exit
const lim = device.limits;
console.log(`adapter: ${info}`);
const limitKeys = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxUniformBufferBindingSize',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
];
console.log('limits:', Object.fromEntries(limitKeys.map((k) => [k, lim[k]])));
const results = { adapter: info, limits: Object.fromEntries(limitKeys.map((k) => [k, lim[k]])), n: N, reps: REPS };

// 1. Round trip: one tiny dispatch + 4-byte readback (submit -> mapAsync resolved).
{
  const { p } = await pipeline(
    device,
    `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(1) fn main() { o[0] = o[0] + 1.0; }`,
  );
  const buf = device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const st = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bg = bind(device, p, [buf]);
  const times = [];
  for (let i = 0; i < 20 + 100; i++) {
    const t0 = now();
    const enc = encodeDispatch(device, p, bg, 1);
    enc.copyBufferToBuffer(buf, 0, st, 0, 4);
    device.queue.submit([enc.finish()]);
    await st.mapAsync(GPUMapMode.READ);
    const v = new Float32Array(st.getMappedRange())[0];
    st.unmap();
    if (i >= 20) times.push(now() - t0);
    if (v !== i + 1) throw new Error(`round trip: got ${v}, want ${i + 1}`);
  }
  // Same but only waiting for onSubmittedWorkDone (no map): the floor for a dependent dispatch chain.
  const t2 = [];
  for (let i = 0; i < 100; i++) {
    const t0 = now();
    device.queue.submit([encodeDispatch(device, p, bg, 1).finish()]);
    await device.queue.onSubmittedWorkDone();
    t2.push(now() - t0);
  }
  // Batch of 100 dispatches in one command buffer (fused-kernel chain cost per dispatch).
  const t3 = [];
  for (let r = 0; r < 5; r++) {
    const t0 = now();
    const enc = device.createCommandEncoder();
    for (let i = 0; i < 100; i++) {
      const pass = enc.beginComputePass();
      pass.setPipeline(p);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(1);
      pass.end();
    }
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    t3.push((now() - t0) / 100);
  }
  // Readback bandwidth: 4 MiB.
  const big = upload(device, new Float32Array(1 << 20));
  const t4 = [];
  for (let i = 0; i < 7; i++) {
    const t0 = now();
    await readback(device, big, 4 << 20);
    t4.push(now() - t0);
  }
  big.destroy();
  results.roundTripMs = median(times);
  results.submitDoneMs = median(t2);
  results.perDispatchInBatchMs = median(t3);
  results.readback4MiBMs = median(t4.slice(2));
  console.log(
    `round trip (dispatch + 4 B readback): median ${median(times).toFixed(3)} ms, ` +
      `min ${Math.min(...times).toFixed(3)} ms over ${times.length}`,
  );
  console.log(`submit + onSubmittedWorkDone: median ${median(t2).toFixed(3)} ms`);
  console.log(`per dispatch, 100 passes in one submit: ${median(t3).toFixed(3)} ms`);
  console.log(
    `readback 4 MiB: median ${results.readback4MiBMs.toFixed(2)} ms (${(4 / 1.048576 / results.readback4MiBMs).toFixed(2)} GB/s)`,
  );
  buf.destroy();
  st.destroy();
}

// 2. Matmul C = A B, n x n, row-major f32.
const kernels = {
  naive: {
    wg: [8, 8],
    grid: (n) => [n / 8, n / 8],
    code: (n) => `
const N = ${n}u;
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let row = g.y; let col = g.x;
  var acc = 0.0;
  for (var k = 0u; k < N; k++) { acc = fma(a[row * N + k], b[k * N + col], acc); }
  c[row * N + col] = acc;
}`,
  },
  // Each thread: 4x4 outputs; 8x8 threads per workgroup -> 32x32 tile. vec4 loads
  // of A rows and B rows, no workgroup memory.
  regtile4x4: {
    wg: [8, 8],
    grid: (n) => [n / 32, n / 32],
    code: (n) => `
const N4 = ${n / 4}u; // vec4s per row
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r0 = g.y * 4u;   // first of 4 output rows
  let c4 = g.x;        // output column group (4 columns)
  var acc0 = vec4f(); var acc1 = vec4f(); var acc2 = vec4f(); var acc3 = vec4f();
  for (var k4 = 0u; k4 < N4; k4++) {
    let k = k4 * 4u;
    let b0 = b[(k + 0u) * N4 + c4];
    let b1 = b[(k + 1u) * N4 + c4];
    let b2 = b[(k + 2u) * N4 + c4];
    let b3 = b[(k + 3u) * N4 + c4];
    let a0 = a[(r0 + 0u) * N4 + k4];
    let a1 = a[(r0 + 1u) * N4 + k4];
    let a2 = a[(r0 + 2u) * N4 + k4];
    let a3 = a[(r0 + 3u) * N4 + k4];
    acc0 = fma(vec4f(a0.x), b0, fma(vec4f(a0.y), b1, fma(vec4f(a0.z), b2, fma(vec4f(a0.w), b3, acc0))));
    acc1 = fma(vec4f(a1.x), b0, fma(vec4f(a1.y), b1, fma(vec4f(a1.z), b2, fma(vec4f(a1.w), b3, acc1))));
    acc2 = fma(vec4f(a2.x), b0, fma(vec4f(a2.y), b1, fma(vec4f(a2.z), b2, fma(vec4f(a2.w), b3, acc2))));
    acc3 = fma(vec4f(a3.x), b0, fma(vec4f(a3.y), b1, fma(vec4f(a3.z), b2, fma(vec4f(a3.w), b3, acc3))));
  }
  c[(r0 + 0u) * N4 + c4] = acc0;
  c[(r0 + 1u) * N4 + c4] = acc1;
  c[(r0 + 2u) * N4 + c4] = acc2;
  c[(r0 + 3u) * N4 + c4] = acc3;
}`,
  },
  // Same 4x4 register tile, plus 32x32 A/B tiles staged through workgroup memory
  // (the usual GPU design; on llvmpipe barriers are not free).
  regtile4x4_shared: {
    wg: [8, 8],
    grid: (n) => [n / 32, n / 32],
    code: (n) => `
const N4 = ${n / 4}u;
const T = 32u;          // tile edge
const T4 = 8u;          // vec4s per tile row
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
var<workgroup> As: array<vec4f, 256>; // 32 rows x 8 vec4
var<workgroup> Bs: array<vec4f, 256>;
@compute @workgroup_size(8, 8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let lr = l.y * 4u;
  var acc0 = vec4f(); var acc1 = vec4f(); var acc2 = vec4f(); var acc3 = vec4f();
  for (var t = 0u; t < N4; t += T4) {
    // 64 threads load 256 vec4 of each tile: 4 each.
    for (var i = 0u; i < 4u; i++) {
      let row = l.y * 4u + i;
      As[row * T4 + l.x] = a[(wg.y * T + row) * N4 + t + l.x];
      Bs[row * T4 + l.x] = b[(t * 4u + row) * N4 + wg.x * T4 + l.x];
    }
    workgroupBarrier();
    for (var k4 = 0u; k4 < T4; k4++) {
      let k = k4 * 4u;
      let b0 = Bs[(k + 0u) * T4 + l.x];
      let b1 = Bs[(k + 1u) * T4 + l.x];
      let b2 = Bs[(k + 2u) * T4 + l.x];
      let b3 = Bs[(k + 3u) * T4 + l.x];
      let a0 = As[(lr + 0u) * T4 + k4];
      let a1 = As[(lr + 1u) * T4 + k4];
      let a2 = As[(lr + 2u) * T4 + k4];
      let a3 = As[(lr + 3u) * T4 + k4];
      acc0 = fma(vec4f(a0.x), b0, fma(vec4f(a0.y), b1, fma(vec4f(a0.z), b2, fma(vec4f(a0.w), b3, acc0))));
      acc1 = fma(vec4f(a1.x), b0, fma(vec4f(a1.y), b1, fma(vec4f(a1.z), b2, fma(vec4f(a1.w), b3, acc1))));
      acc2 = fma(vec4f(a2.x), b0, fma(vec4f(a2.y), b1, fma(vec4f(a2.z), b2, fma(vec4f(a2.w), b3, acc2))));
      acc3 = fma(vec4f(a3.x), b0, fma(vec4f(a3.y), b1, fma(vec4f(a3.z), b2, fma(vec4f(a3.w), b3, acc3))));
    }
    workgroupBarrier();
  }
  let r0 = wg.y * T + lr;
  let c4 = wg.x * T4 + l.x;
  c[(r0 + 0u) * N4 + c4] = acc0;
  c[(r0 + 1u) * N4 + c4] = acc1;
  c[(r0 + 2u) * N4 + c4] = acc2;
  c[(r0 + 3u) * N4 + c4] = acc3;
}`,
  },
};

if (N % 32 !== 0) throw new Error('--n must be a multiple of 32');
let seed = 1;
const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const A = Float32Array.from({ length: N * N }, rand);
const B = Float32Array.from({ length: N * N }, rand);

// CPU reference (JS, i-k-j loop on Float32Array) -- also the TS backend's ballpark.
const ref = new Float32Array(N * N);
{
  const t0 = now();
  for (let i = 0; i < N; i++)
    for (let k = 0; k < N; k++) {
      const aik = A[i * N + k];
      const bo = k * N;
      const co = i * N;
      for (let j = 0; j < N; j++) ref[co + j] += aik * B[bo + j];
    }
  const ms = now() - t0;
  results.jsMatmul = { ms, gflops: (2 * N ** 3) / ms / 1e6 };
  console.log(
    `JS ikj matmul n=${N}: ${ms.toFixed(1)} ms, ${((2 * N ** 3) / ms / 1e6).toFixed(2)} GFLOP/s (single thread)`,
  );
}

const bufA = upload(device, A, GPUBufferUsage.STORAGE);
const bufB = upload(device, B, GPUBufferUsage.STORAGE);
const bufC = device.createBuffer({ size: N * N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
results.matmul = {};
for (const [name, k] of Object.entries(kernels)) {
  const { p, ms: compileMs } = await pipeline(device, k.code(N));
  const bg = bind(device, p, [bufA, bufB, bufC]);
  const [gx, gy] = k.grid(N);
  const times = [];
  for (let i = 0; i < WARMUP + REPS; i++) {
    const t0 = now();
    device.queue.submit([encodeDispatch(device, p, bg, gx, gy).finish()]);
    await device.queue.onSubmittedWorkDone();
    if (i >= WARMUP) times.push(now() - t0);
  }
  const out = await readback(device, bufC, N * N * 4);
  let maxErr = 0;
  for (let i = 0; i < N * N; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - ref[i]));
  const ms = median(times);
  const gflops = (2 * N ** 3) / ms / 1e6;
  results.matmul[name] = { ms, gflops, compileMs, maxErr, times };
  console.log(
    `${name.padEnd(18)} n=${N}: median ${ms.toFixed(2)} ms  ${gflops.toFixed(2)} GFLOP/s  ` +
      `(pipeline ${compileMs.toFixed(0)} ms, max |err| ${maxErr.toExponential(1)}, runs ${times.map((t) => t.toFixed(1)).join(' ')})`,
  );
  if (!(maxErr < 1e-3)) throw new Error(`${name}: wrong result (max err ${maxErr})`);
}

if (jsonOut) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(jsonOut, JSON.stringify(results, null, 2));
}
device.destroy();
void keep;
