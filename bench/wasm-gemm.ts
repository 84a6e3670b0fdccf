/**
 * The generated module's product, WebAssembly SIMD kernel against the plain-JS one, over
 * shapes from tiny to large (not a test; sets WASM_MIN in codegen/wasm/runtime.ts):
 *
 *   npx tsx bench/wasm-gemm.ts [--runs N] [--dtype f32|f64] [--shapes 8x8x8,512x512x512t]
 *
 * A shape is m×n×k, with `t` (Bᵀ) or `T` (Aᵀ) appended for a transposed operand. Both
 * modules are the one `C = A·B` model emitted with and without the kernel; the wasm one
 * has WASM_MIN set to 0 so that every product goes through the kernel (copies and call
 * included). Times are CPU time (process.cpuUsage) per call, the median of N rounds that
 * interleave the two: on a shared machine a process's CPU time is far steadier than the
 * wall clock.
 */
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitModule } from '../codegen/ts/emit.js';
import { rng } from '../src/util/random.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Math.max(3, Number(arg('runs') ?? 9));
const dtypes = (arg('dtype') ?? 'f32,f64').split(',') as ('f32' | 'f64')[];
const shapes = (
  arg('shapes') ??
  '4x4x4,8x8x8,12x12x12,16x16x16,24x24x24,32x32x32,64x64x64,128x128x128,256x256x256,512x512x512,' +
    '256x1x256,1x256x256,10x256x256,256x256x10T,10x256x256t,256x256x784,256x784x256t'
).split(',');

type Fn = (inputs: object, dims: object) => unknown;

function moduleFor(transA: boolean, transB: boolean, dtype: 'f32' | 'f64', wasm: boolean): Fn {
  const a = transA ? 'A: [k, m]' : 'A: [m, k]';
  const b = transB ? 'B: [n, k]' : 'B: [k, n]';
  const f = `C = ${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'}`;
  const program = programOf(parse(`${a}; ${b}\n${f}\n`, 'mm.mdf'));
  let js = emitModule(program, { dtype, lang: 'js', wasm });
  if (wasm) js = js.replace(/const WASM_MIN = \d+;/, 'const WASM_MIN = 0;');
  return (new Function(js)() as { forward: Fn }).forward;
}

const r = rng(7);
console.log(`product C = op(A)·op(B): µs per call (CPU time), median of ${RUNS} interleaved rounds`);
console.log('dtype  shape              js µs   wasm µs   js GFLOP/s  wasm GFLOP/s  wasm speed-up');
for (const dtype of dtypes) {
  const T = dtype === 'f32' ? Float32Array : Float64Array;
  for (const s of shapes) {
    const [, ms, ns, ks, tr] = /^(\d+)x(\d+)x(\d+)([tT]?)$/.exec(s) ?? [];
    if (!ms) throw new Error(`bad shape ${s}`);
    const [m, n, k] = [Number(ms), Number(ns), Number(ks)];
    const transA = tr === 'T';
    const transB = tr === 't';
    const inputs = { A: new T(m * k).map(() => r() * 2 - 1), B: new T(k * n).map(() => r() * 2 - 1) };
    const dims = { m, n, k };
    const fns = [moduleFor(transA, transB, dtype, false), moduleFor(transA, transB, dtype, true)];
    const flops = 2 * m * n * k;
    // Calls per sample: about 5 ms of work at 5 GFLOP/s.
    const reps = Math.max(1, Math.round(5e6 / Math.max(flops, 1)) * 5);
    const times: number[][] = [[], []];
    for (const f of fns) for (let i = 0; i < Math.min(reps, 50) + 2; i++) f(inputs, dims);
    for (let round = 0; round < RUNS; round++)
      fns.forEach((f, i) => {
        const u0 = process.cpuUsage();
        for (let q = 0; q < reps; q++) f(inputs, dims);
        const u = process.cpuUsage(u0);
        times[i]!.push((u.user + u.system) / reps);
      });
    const med = times.map((t) => t.sort((x, y) => x - y)[t.length >> 1]!);
    const [js, wasm] = med as [number, number];
    console.log(
      `${dtype}    ${s.padEnd(16)} ${js.toFixed(2).padStart(8)}  ${wasm.toFixed(2).padStart(8)}  ${(flops / js / 1e3).toFixed(2).padStart(11)}  ${(flops / wasm / 1e3).toFixed(2).padStart(12)}  ${(js / wasm).toFixed(2).padStart(12)}×`,
    );
  }
}
