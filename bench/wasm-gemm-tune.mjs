#!/usr/bin/env node
/**
 * Tuning the WebAssembly product's parameters (codegen/wasm/gemm-wat.mjs PARAMS): each
 * candidate { MR, NV, KC, MC, NC } is generated, assembled and timed on the kernel alone
 * (operands already in its memory), the candidates interleaved round by round and the
 * median CPU time per call kept (the machine may be shared). Not a test.
 *
 *   node --experimental-wasm-relaxed-simd bench/wasm-gemm-tune.mjs [--dtype f32] [--relaxed]
 *     [--shapes 512x512x512,256x64x784] [--runs 7] [--cands 'MR,NV,KC,MC,NC;…']
 */
import { PARAMS, gemmWat, packBytes } from '../codegen/wasm/gemm-wat.mjs';
import { assemble } from '../scripts/build-wasm.mjs';

const arg = (name, d) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const dtype = arg('dtype', 'f32');
const relaxed = process.argv.includes('--relaxed');
const RUNS = Number(arg('runs', 7));
const shapes = arg('shapes', '512x512x512')
  .split(',')
  .map((s) => s.split('x').map(Number));
const cands = (arg('cands', '') || '')
  .split(';')
  .filter(Boolean)
  .map((c) => {
    const [MR, NV, KC, MC, NC] = c.split(',').map(Number);
    return { ...PARAMS[dtype], MR, NV, KC, MC, NC };
  });
if (cands.length === 0) cands.push(PARAMS[dtype]);
const E = dtype === 'f32' ? 4 : 8;
const Arr = dtype === 'f32' ? Float32Array : Float64Array;

const kernels = [];
for (const p of cands) {
  const bytes = await assemble(gemmWat(dtype, p, relaxed), 'tune.wat', relaxed);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  kernels.push({
    p,
    size: bytes.length,
    mem: inst.exports.memory,
    run: inst.exports[`gemm_${dtype}`],
    pack: packBytes(dtype, p),
  });
}
console.log(`${dtype}${relaxed ? ' relaxed' : ''}: GFLOP/s, median of ${RUNS} interleaved rounds (CPU time)`);
console.log(`candidate (MR×NR KC MC NC)   bytes   ${shapes.map((s) => s.join('x').padStart(12)).join(' ')}`);
const rows = kernels.map(() => []);
for (const [m, n, k] of shapes) {
  const flops = 2 * m * n * k;
  const reps = Math.max(1, Math.round(3e8 / flops));
  const setups = kernels.map((K) => {
    const offC = Math.ceil(K.pack / 64) * 64;
    const offA = offC + Math.ceil((m * n * E) / 64) * 64 + 64;
    const offB = offA + Math.ceil((m * k * E) / 64) * 64 + 64;
    const end = offB + k * n * E + 64;
    if (end > K.mem.buffer.byteLength) K.mem.grow(Math.ceil((end - K.mem.buffer.byteLength) / 65536));
    const H = new Arr(K.mem.buffer);
    for (let i = 0; i < m * k; i++) H[offA / E + i] = Math.sin(i);
    for (let i = 0; i < k * n; i++) H[offB / E + i] = Math.cos(i);
    return () => K.run(m, n, k, offA, k, 1, offB, n, 1, offC, 0, 0);
  });
  const times = kernels.map(() => []);
  for (const f of setups) for (let i = 0; i < reps; i++) f();
  for (let r = 0; r < RUNS; r++)
    setups.forEach((f, i) => {
      const u0 = process.cpuUsage();
      for (let q = 0; q < reps; q++) f();
      const u = process.cpuUsage(u0);
      times[i].push((u.user + u.system) / reps);
    });
  times.forEach((t, i) => {
    t.sort((x, y) => x - y);
    rows[i].push(flops / t[t.length >> 1] / 1e3);
  });
}
kernels.forEach((K, i) => {
  const p = K.p;
  const NR = (p.NV * 16) / E;
  const name = `${p.MR}×${NR} ${p.KC} ${p.MC} ${p.NC}`;
  console.log(
    `${name.padEnd(28)} ${String(K.size).padStart(6)}   ${rows[i].map((x) => x.toFixed(1).padStart(12)).join(' ')}`,
  );
});
