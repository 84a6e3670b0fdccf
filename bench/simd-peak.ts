/**
 * The ceiling of WebAssembly SIMD on this machine: how many floating-point operations per
 * second 128-bit vectors can do at all, so that the product's GFLOP/s can be read as a
 * fraction of what the instruction set allows, beside OpenBLAS's fraction of the machine.
 *
 *   npx tsx bench/simd-peak.ts            (SIMD128 only)
 *   node --experimental-wasm-relaxed-simd --import tsx bench/simd-peak.ts   (also relaxed_madd)
 *
 * The probe is a module assembled here with wabt (a dev dependency): a loop of `CHAINS`
 * independent register chains and no loads. With relaxed SIMD each chain is a fused
 * multiply-add, acc = acc·m + c (two operations per lane); without it, half the chains
 * multiply (p = p·m) and half add (s = s + c), one operation per lane each — the mix of
 * the GEMM micro-kernel, whose multiplies are independent and whose adds form the
 * accumulator chains. Twelve chains hide the latency of either on a core with two pipes
 * of each kind (and leave m and c the last of V8's 16 XMM registers; 14 spill); the
 * figure is the best of several runs of ~50 ms.
 */
import { performance } from 'node:perf_hooks';

/** Independent accumulators per loop iteration (V8 gives WebAssembly 16 XMM registers; m and c take two). */
const CHAINS = 12;
/** Iterations per call. */
const ITERS = 1 << 20;

export type Lane = 'f32' | 'f64';
export interface Peak {
  lane: Lane;
  relaxed: boolean;
  /** Floating-point operations per second (a multiply or an add counting one, a fused multiply-add two), in GFLOP/s. */
  gflops: number;
}

function probeWat(lane: Lane, relaxed: boolean): string {
  const v = lane === 'f32' ? 'f32x4' : 'f64x2';
  const scalar = lane;
  const acc = Array.from({ length: CHAINS }, (_, i) => `$a${i}`);
  const step = (a: string, i: number) =>
    relaxed
      ? `(local.set ${a} (${v}.relaxed_madd (local.get ${a}) (local.get $m) (local.get $c)))`
      : `(local.set ${a} (${v}.${i % 2 ? 'add' : 'mul'} (local.get ${a}) (local.get ${i % 2 ? '$c' : '$m'})))`;
  return `(module
  (func (export "run") (param $n i32) (param $m0 ${scalar}) (param $c0 ${scalar}) (result ${scalar})
    (local $m v128) (local $c v128) ${acc.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $m (${v}.splat (local.get $m0)))
    (local.set $c (${v}.splat (local.get $c0)))
    ${acc.map((a, i) => `(local.set ${a} (${v}.splat (${scalar}.const ${i + 1})))`).join('\n    ')}
    (loop $l
      ${acc.map(step).join('\n      ')}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    ;; every chain is summed into the result, so that none is dead code
    (${v}.extract_lane 0 ${acc.slice(1).reduce((s, a) => `(${v}.add ${s} (local.get ${a}))`, `(local.get ${acc[0]})`)})))`;
}

async function probe(lane: Lane, relaxed: boolean): Promise<((n: number, m: number, c: number) => number) | null> {
  const wabt = await (await import('wabt')).default();
  const mod = wabt.parseWat('peak.wat', probeWat(lane, relaxed), { simd: true, relaxed_simd: relaxed });
  try {
    mod.resolveNames();
    mod.validate();
    const bytes = Uint8Array.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
    if (!WebAssembly.validate(bytes)) return null;
    const { instance } = await WebAssembly.instantiate(bytes, {});
    return instance.exports['run'] as (n: number, m: number, c: number) => number;
  } finally {
    mod.destroy();
  }
}

/** The peak of one kind of lane, or null where the runtime does not validate it (relaxed SIMD without the flag). */
export async function simdPeak(lane: Lane, relaxed: boolean, runs = 9): Promise<Peak | null> {
  const run = await probe(lane, relaxed);
  if (run === null) return null;
  const lanes = lane === 'f32' ? 4 : 2;
  const flopsPerCall = ITERS * CHAINS * lanes * (relaxed ? 2 : 1);
  let sink = 0;
  for (let i = 0; i < 3; i++) sink += run(ITERS, 0.99999999, 1e-9);
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    sink += run(ITERS, 0.99999999, 1e-9);
    best = Math.min(best, performance.now() - t0);
  }
  if (!Number.isFinite(sink)) throw new Error('the probe overflowed');
  return { lane, relaxed, gflops: flopsPerCall / best / 1e6 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const relaxed of [false, true])
    for (const lane of ['f32', 'f64'] as const) {
      const p = await simdPeak(lane, relaxed);
      const what = `${lane === 'f32' ? 'f32x4' : 'f64x2'} ${relaxed ? 'relaxed_madd' : 'mul + add'}`;
      console.log(
        p === null
          ? `${what}: not available (relaxed SIMD needs --experimental-wasm-relaxed-simd on Node 20)`
          : `${what}: ${p.gflops.toFixed(1)} GFLOP/s`,
      );
    }
}
