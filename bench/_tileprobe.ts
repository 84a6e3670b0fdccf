import { acquireGpu } from '../codegen/wgsl/device.js';
const a = await acquireGpu(); if (!('gpu' in a)) throw new Error(a.reason);
const device = a.gpu.device;
const n = Number(process.argv[2] ?? 512);
const N4 = n / 4;
function code(R: number, WX: number, WY: number, V = 1) {
  if (V >= 2) return code2(R, WX, WY, V);
  const rows = Array.from({ length: R }, (_, r) => r);
  return `
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r0 = g.y * ${R}u; let c4 = g.x;
  ${rows.map((r) => `var acc${r} = vec4f();`).join(' ')}
  for (var k4 = 0u; k4 < ${N4}u; k4++) {
    let k = k4 * 4u;
    let b0 = b[(k + 0u) * ${N4}u + c4]; let b1 = b[(k + 1u) * ${N4}u + c4]; let b2 = b[(k + 2u) * ${N4}u + c4]; let b3 = b[(k + 3u) * ${N4}u + c4];
    ${rows.map((r) => `let a${r} = a[(r0 + ${r}u) * ${N4}u + k4]; acc${r} = fma(vec4f(a${r}.x), b0, fma(vec4f(a${r}.y), b1, fma(vec4f(a${r}.z), b2, fma(vec4f(a${r}.w), b3, acc${r}))));`).join('\n    ')}
  }
  ${rows.map((r) => `c[(r0 + ${r}u) * ${N4}u + c4] = acc${r};`).join(' ')}
}`;
}
function code2(R: number, WX: number, WY: number, V: number) {
  const rows = Array.from({ length: R }, (_, r) => r);
  const cs = Array.from({ length: V }, (_, q) => q);
  return `
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let r0 = g.y * ${R}u; let c4 = g.x * ${V}u;
  ${rows.map((r) => cs.map((q) => `var acc${r}_${q} = vec4f();`).join(' ')).join(' ')}
  for (var k4 = 0u; k4 < ${N4}u; k4++) {
    let k = k4 * 4u;
    ${cs.map((q) => [0, 1, 2, 3].map((t) => `let b${t}_${q} = b[(k + ${t}u) * ${N4}u + c4 + ${q}u];`).join(' ')).join('\n    ')}
    ${rows.map((r) => `let a${r} = a[(r0 + ${r}u) * ${N4}u + k4]; ` + cs.map((q) => `acc${r}_${q} = fma(vec4f(a${r}.x), b0_${q}, fma(vec4f(a${r}.y), b1_${q}, fma(vec4f(a${r}.z), b2_${q}, fma(vec4f(a${r}.w), b3_${q}, acc${r}_${q}))));`).join(' ')).join('\n    ')}
  }
  ${rows.map((r) => cs.map((q) => `c[(r0 + ${r}u) * ${N4}u + c4 + ${q}u] = acc${r}_${q};`).join(' ')).join(' ')}
}`;
}
const up = (d: Float32Array) => { const b = device.createBuffer({ size: d.byteLength, usage: 0x80 | 0x8 | 0x4, mappedAtCreation: true }); new Float32Array(b.getMappedRange()).set(d); b.unmap(); return b; };
const A = up(Float32Array.from({ length: n * n }, (_, i) => Math.sin(i)));
const B = up(Float32Array.from({ length: n * n }, (_, i) => Math.cos(i)));
const C = device.createBuffer({ size: n * n * 4, usage: 0x80 | 0x4 });
for (const [R, WX, WY, V] of [[8, 8, 8, 2], [8, 8, 8, 4], [16, 8, 8, 2], [16, 8, 8, 1], [8, 8, 8, 2], [8, 8, 8, 4], [16, 8, 8, 2], [12, 8, 8, 2]] as const) {
  const module = device.createShaderModule({ code: code(R, WX, WY, V) });
  const p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [A, B, C].map((buffer, binding) => ({ binding, resource: { buffer } })) });
  const ts: number[] = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    const enc = device.createCommandEncoder(); const pass = enc.beginComputePass(); pass.setPipeline(p); pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(N4 / WX / V, n / R / WY); pass.end(); device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone(); ts.push(performance.now() - t0);
  }
  const s = ts.slice(2).sort((x, y) => x - y);
  console.log(`R=${R} V=${V} wg ${WX}x${WY}: median ${s[3]!.toFixed(1)} ms, min ${s[0]!.toFixed(1)} → ${(2 * n ** 3 / s[3]! / 1e6).toFixed(1)} GFLOP/s`);
}
process.exit(0);
