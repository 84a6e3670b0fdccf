/**
 * The WebAssembly SIMD product (codegen/wasm): the checked-in binary is what
 * scripts/build-wasm.mjs makes of the generator; the kernel itself against a naive loop
 * (shapes with 1s, odd sizes, several cache blocks, all four transpositions, padded leading
 * dimensions, packed and in-place operands, f32 and f64); and the generated modules that
 * use it — their products, which modules embed it, and the plain-JS fallback where
 * WebAssembly or SIMD is missing or compiles only asynchronously. The kernels with relaxed
 * SIMD's multiply-add too: Node 20 validates them only with --experimental-wasm-relaxed-simd,
 * which this file turns on, so the generated modules here run them (elsewhere the plain ones).
 */
import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from '../src/index.js';
import { compile, programOf } from '../codegen/compile.js';
import { emitModule, mayUseWasm } from '../codegen/ts/emit.js';
import {
  GEMM_WASM_BASE64,
  GEMM_WASM_PACK_BYTES,
  GEMM_WASM_RELAXED_BASE64,
  GEMM_WASM_RELAXED_PROBE,
  GEMM_WASM_SHARED_BASE64,
  GEMM_WASM_SHARED_RELAXED_BASE64,
  GEMM_WASM_SIMD_PROBE,
} from '../codegen/wasm/gemm-wasm.js';
import { WASM_MIN } from '../codegen/wasm/runtime.js';
import { rng } from '../src/util/random.js';
// @ts-expect-error -- a JavaScript build script without type declarations
import { build } from '../scripts/build-wasm.mjs';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

type Dtype = 'f32' | 'f64';
type Gemm = (
  m: number,
  n: number,
  k: number,
  a: number,
  ars: number,
  acs: number,
  b: number,
  brs: number,
  bcs: number,
  c: number,
  ws: number,
  flags: number,
) => void;

describe('the binary', () => {
  it('is up to date with codegen/wasm/gemm-wat.mjs (node scripts/build-wasm.mjs --check)', async () => {
    const messages: string[] = [];
    const stale: boolean = await build({ check: true, log: (s: string) => messages.push(s) });
    expect(messages).toEqual([]);
    expect(stale).toBe(false);
  }, 60_000);

  it('validates, and so does the SIMD probe, here (Node ≥ 20 has SIMD128); each module is under 4 KB', () => {
    for (const dtype of ['f32', 'f64'] as const) {
      const bytes = Buffer.from(GEMM_WASM_BASE64[dtype], 'base64');
      expect(WebAssembly.validate(bytes)).toBe(true);
      // Browsers compile modules up to 4 KB synchronously on their main thread.
      expect(bytes.length).toBeLessThanOrEqual(4096);
    }
    expect(WebAssembly.validate(Uint8Array.from(GEMM_WASM_SIMD_PROBE))).toBe(true);
    // The probe is a SIMD module: without its SIMD opcode prefix (0xfd) it is not valid.
    const broken = Uint8Array.from(GEMM_WASM_SIMD_PROBE);
    broken[broken.indexOf(0xfd)] = 0xfc;
    expect(WebAssembly.validate(broken)).toBe(false);
  });
});

/**
 * The module for dtype (with relaxed SIMD's multiply-add, or not), instantiated directly;
 * `shared`: the variant the worker threads run (codegen/wasm/pool.ts), on a shared memory
 * it imports.
 */
function kernel(dtype: Dtype, relaxed = false, shared = false) {
  const b64 = (
    shared
      ? relaxed
        ? GEMM_WASM_SHARED_RELAXED_BASE64
        : GEMM_WASM_SHARED_BASE64
      : relaxed
        ? GEMM_WASM_RELAXED_BASE64
        : GEMM_WASM_BASE64
  )[dtype];
  const imported = shared ? new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true }) : undefined;
  const inst = new WebAssembly.Instance(
    new WebAssembly.Module(Buffer.from(b64, 'base64')),
    imported ? { env: { memory: imported } } : {},
  );
  return {
    memory: imported ?? (inst.exports.memory as WebAssembly.Memory),
    gemm: inst.exports[`gemm_${dtype}`] as Gemm,
    pack: GEMM_WASM_PACK_BYTES[dtype],
  };
}

interface Case {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** Extra elements per stored row (ld = row length + pad). */
  pad: number;
  flags: number;
}

/** Runs one case through the kernel: C vs a naive float64 loop, and nothing but C written. */
function check(K: ReturnType<typeof kernel>, dtype: Dtype, c: Case, r: () => number): number {
  const E = dtype === 'f32' ? 4 : 8;
  const Arr = dtype === 'f32' ? Float32Array : Float64Array;
  const { m, n, k, transA, transB, pad } = c;
  // Stored A is [m, k] (or [k, m] for Aᵀ), B [k, n] (or [n, k]), rows padded.
  const [aRows, aCols] = transA ? [k, m] : [m, k];
  const [bRows, bCols] = transB ? [n, k] : [k, n];
  const lda = aCols + pad;
  const ldb = bCols + pad;
  const [ars, acs] = transA ? [1, lda] : [lda, 1];
  const [brs, bcs] = transB ? [1, ldb] : [ldb, 1];
  const GUARD = 16; // elements of sentinel around C
  const offC = K.pack + GUARD * E;
  const offA = offC + (m * n + 2 * GUARD) * E;
  const offB = offA + aRows * lda * E + 64;
  const end = offB + bRows * ldb * E + 64;
  if (end > K.memory.buffer.byteLength) K.memory.grow(Math.ceil((end - K.memory.buffer.byteLength) / 65536));
  const H = new Arr(K.memory.buffer);
  const A = H.subarray(offA / E, offA / E + aRows * lda);
  const B = H.subarray(offB / E, offB / E + bRows * ldb);
  for (let i = 0; i < A.length; i++) A[i] = r() * 2 - 1;
  for (let i = 0; i < B.length; i++) B[i] = r() * 2 - 1;
  const a0 = A.slice();
  const b0 = B.slice();
  const around = H.subarray(offC / E - GUARD, offC / E + m * n + GUARD);
  around.fill(NaN); // C must be written, not accumulated
  around.fill(7, 0, GUARD);
  around.fill(7, GUARD + m * n);
  K.gemm(m, n, k, offA, ars, acs, offB, brs, bcs, offC, 0, c.flags);
  expect(Array.from(around.subarray(0, GUARD))).toEqual(new Array(GUARD).fill(7));
  expect(Array.from(around.subarray(GUARD + m * n))).toEqual(new Array(GUARD).fill(7));
  expect(A.every((x, i) => Object.is(x, a0[i]))).toBe(true);
  expect(B.every((x, i) => Object.is(x, b0[i]))).toBe(true);
  const C = around.subarray(GUARD, GUARD + m * n);
  let err = 0;
  let scale = 1e-30;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * ars + p * acs]! * B[p * brs + j * bcs]!;
      err = Math.max(err, Math.abs(s - C[i * n + j]!));
      scale = Math.max(scale, Math.abs(s));
    }
  return err / scale;
}

// Blocks (codegen/wasm/gemm-wat.mjs PARAMS): f32 4 × 8 tiles, MC 128, KC 256, NC 1024; f64
// 4 × 4 tiles, MC 64, KC 256, NC 512. The shapes cross every edge and block boundary.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 1],
  [5, 1, 3],
  [1, 1, 300],
  [3, 5, 7],
  [4, 8, 2],
  [9, 17, 33],
  [13, 11, 257],
  [64, 64, 64],
  [67, 70, 513],
  [130, 9, 300],
  [133, 45, 20],
  [6, 1100, 40],
  [70, 600, 3],
];

describe('the kernel against a naive loop', () => {
  it('the relaxed-SIMD probe and kernels validate with the flag on (and the probe is a relaxed-SIMD module)', () => {
    expect(WebAssembly.validate(Uint8Array.from(GEMM_WASM_RELAXED_PROBE))).toBe(true);
    for (const dtype of ['f32', 'f64'] as const) {
      const bytes = Buffer.from(GEMM_WASM_RELAXED_BASE64[dtype], 'base64');
      expect(WebAssembly.validate(bytes)).toBe(true);
      expect(bytes.length).toBeLessThanOrEqual(4096);
    }
    // The plain SIMD probe is not enough to pass for it.
    expect(GEMM_WASM_RELAXED_PROBE).not.toEqual(GEMM_WASM_SIMD_PROBE);
  });

  for (const [dtype, relaxed, shared] of [
    ['f32', false, false],
    ['f64', false, false],
    ['f32', true, false],
    ['f64', true, false],
    ['f32', false, true],
    ['f64', false, true],
    ['f32', true, true],
    ['f64', true, true],
  ] as const) {
    it(`${dtype}${relaxed ? ' (relaxed SIMD)' : ''}${shared ? ' (shared memory, as on threads)' : ''}: every shape, transposition, padding and packing choice`, () => {
      const K = kernel(dtype, relaxed, shared);
      const r = rng(dtype === 'f32' ? 11 : 12);
      let worst = 0;
      let cases = 0;
      for (const [m, n, k] of SHAPES)
        for (const transA of [false, true])
          for (const transB of [false, true])
            for (const flags of [0, 1, 2, 3])
              for (const pad of m * n * k > 1e5 ? [0] : [0, 3]) {
                const e = check(K, dtype, { m, n, k, transA, transB, pad, flags }, r);
                if (!(e <= worst)) worst = e;
                cases++;
              }
      expect(cases).toBe(352);
      // f64 sums in f64; f32 sums in f32 (≤ ~k·2⁻²⁴ relative, k ≤ 513 here).
      expect(worst).toBeLessThan(dtype === 'f64' ? 1e-13 : 2e-5);
    }, 120_000);
  }

  it('a product larger than the memory it starts with, and NaN/∞ only where they belong', () => {
    const r = rng(13);
    expect(
      check(kernel('f32'), 'f32', { m: 300, n: 257, k: 901, transA: false, transB: true, pad: 0, flags: 0 }, r),
    ).toBeLessThan(2e-5);
    // One NaN in A poisons its row of C only; zero padding of edge strips must not
    // turn an ∞ in B into NaN elsewhere.
    const K = kernel('f64');
    const E = 8;
    const [m, n, k] = [6, 10, 5];
    const offC = K.pack;
    const offA = offC + m * n * E + 64;
    const offB = offA + m * k * E + 64;
    K.memory.grow(Math.ceil((offB + k * n * E) / 65536));
    const H = new Float64Array(K.memory.buffer);
    H.fill(1, offA / E, offA / E + m * k);
    H.fill(1, offB / E, offB / E + k * n);
    H[offA / E + 2 * k + 1] = NaN; // A(2, 1)
    H[offB / E + 3 * n + 9] = Infinity; // B(3, 9)
    for (const flags of [0, 1, 2, 3]) {
      K.gemm(m, n, k, offA, k, 1, offB, n, 1, offC, 0, flags);
      const C = H.subarray(offC / E, offC / E + m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          const want = i === 2 ? NaN : j === 9 ? Infinity : 5;
          expect(C[i * n + j]).toBe(want);
        }
    }
  });
});

/** op(A)·op(B) for every transposition, compiled; results against a naive loop. */
describe('generated modules', () => {
  const models = [false, true].flatMap((ta) =>
    [false, true].map((tb) => ({
      ta,
      tb,
      model: parse(
        `A: ${ta ? '[k, m]' : '[m, k]'}; B: ${tb ? '[n, k]' : '[k, n]'}\nC = ${ta ? 'Aᵀ' : 'A'}·${tb ? 'Bᵀ' : 'B'}\n`,
        'mm.mdf',
      ),
    })),
  );
  const naive = (
    A: ArrayLike<number>,
    B: ArrayLike<number>,
    m: number,
    n: number,
    k: number,
    ta: boolean,
    tb: boolean,
  ) => {
    const C = new Float64Array(m * n);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += A[ta ? p * m + i : i * k + p]! * B[tb ? j * k + p : p * n + j]!;
        C[i * n + j] = s;
      }
    return C;
  };
  const relErr = (want: Float64Array, got: ArrayLike<number>) => {
    let err = 0;
    let scale = 1e-30;
    want.forEach((w, i) => {
      err = Math.max(err, Math.abs(w - got[i]!));
      scale = Math.max(scale, Math.abs(w));
    });
    return err / scale;
  };
  const sizes: [number, number, number][] = [
    [1, 1, 1],
    [2, 3, 4],
    [8, 8, 8],
    [1, 40, 33],
    [37, 1, 29],
    [19, 23, 31],
    [64, 65, 66],
    [130, 7, 260],
  ];

  for (const dtype of ['f32', 'f64'] as const)
    it(`${dtype}: small (plain JS) and large (WebAssembly) products, all four transpositions`, () => {
      const r = rng(21);
      const T = dtype === 'f32' ? Float32Array : Float64Array;
      for (const { ta, tb, model } of models) {
        const f = compile(model, { dtype });
        expect(f.source).toContain('gemmWasm');
        for (const [m, n, k] of sizes) {
          const A = new T(m * k).map(() => r() * 2 - 1);
          const B = new T(k * n).map(() => r() * 2 - 1);
          const C = f.forward({ A, B }, { m, n, k }) as Float64Array;
          expect(C).toBeInstanceOf(T);
          expect(relErr(naive(A, B, m, n, k, ta, tb), C)).toBeLessThan(dtype === 'f64' ? 1e-13 : 1e-5);
        }
      }
    });

  it('embed the kernel only when a product may reach WASM_MIN multiply-adds', () => {
    const p = (text: string) => programOf(parse(text, 'p.mdf'));
    expect(WASM_MIN).toBeGreaterThan(1);
    expect(mayUseWasm(p('A: [m, k]; B: [k, n]\nC = A·B\n'))).toBe(true);
    expect(mayUseWasm(p('A: [3, 4]; B: [4, 5]\nC = A·B\n'))).toBe(false);
    expect(mayUseWasm(p('A: [8, 8]; B: [8, 8]\nC = A·B\n'))).toBe(8 * 8 * 8 >= WASM_MIN);
    expect(mayUseWasm(p('A: [64, 64]; B: [64, 64]\nC = A·B\n'))).toBe(true);
    expect(mayUseWasm(p('x: [n]\nE = sum(exp(x))\n'))).toBe(false);
    const big = p('A: [m, k]; B: [k, n]\nC = A·B\n');
    expect(emitModule(big, { lang: 'js' })).toContain('WASM_GEMM');
    expect(emitModule(big, { lang: 'js', wasm: false })).not.toMatch(/WASM|gemmWasm/);
    expect(emitModule(p('A: [3, 4]; B: [4, 5]\nC = A·B\n'), { lang: 'js' })).not.toMatch(/WASM|gemmWasm/);
  });

  it('gradients through large products agree with the module without the kernel', () => {
    const text = 'X: [n, B]; W: [h, n]; V: [k, h]\nL = sum(tanh(V·relu(W·X)))\n';
    const dims = new Map([
      ['n', 70],
      ['B', 33],
      ['h', 45],
      ['k', 9],
    ]);
    const program = programOf(parse(text, 'net.mdf', { dims }), { wrt: ['W', 'V'] });
    const r = rng(5);
    const inputs = {
      X: Float64Array.from({ length: 70 * 33 }, r),
      W: Float64Array.from({ length: 45 * 70 }, () => r() - 0.5),
      V: Float64Array.from({ length: 9 * 45 }, () => r() - 0.5),
    };
    type Mod = { valueAndGrad(i: object): { value: number; grad: Record<string, Float64Array> } };
    const run = (wasm: boolean) =>
      (new Function(emitModule(program, { lang: 'js', wasm }))() as Mod).valueAndGrad(inputs);
    const a = run(true);
    const b = run(false);
    expect(Math.abs(a.value - b.value) / Math.abs(b.value)).toBeLessThan(1e-12);
    for (const w of ['W', 'V']) expect(relErr(Float64Array.from(b.grad[w]!), a.grad[w]!)).toBeLessThan(1e-12);
  });
});

describe('the plain-JS fallback', () => {
  const model = parse('A: [m, k]; B: [k, n]\nC = A·B\n', 'mm.mdf');
  const [m, n, k] = [20, 30, 40];
  const r = rng(31);
  const A = Float64Array.from({ length: m * k }, () => r() - 0.5);
  const B = Float64Array.from({ length: k * n }, () => r() - 0.5);
  const want = compile(model).forward({ A, B }, { m, n, k }) as Float64Array;
  const real = globalThis.WebAssembly;
  afterEach(() => {
    globalThis.WebAssembly = real;
    vi.restoreAllMocks();
  });
  const same = (got: unknown) => {
    expect(got).toBeInstanceOf(Float64Array);
    (got as Float64Array).forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThan(1e-12));
  };

  it('without WebAssembly', () => {
    // @ts-expect-error -- a host without WebAssembly
    delete globalThis.WebAssembly;
    expect(globalThis.WebAssembly).toBeUndefined();
    same(compile(model).forward({ A, B }, { m, n, k }));
  });

  it('without SIMD: the probe does not validate, nothing is compiled', () => {
    const validate = vi.fn((bytes: BufferSource) => (bytes as Uint8Array).length > 100 && real.validate(bytes));
    const Module = vi.fn();
    globalThis.WebAssembly = { ...real, validate, Module } as unknown as typeof WebAssembly;
    const f = compile(model);
    same(f.forward({ A, B }, { m, n, k }));
    same(f.forward({ A, B }, { m, n, k }));
    expect(validate).toHaveBeenCalledTimes(1); // once per module, on its first large product
    expect(Array.from(validate.mock.calls[0]![0] as Uint8Array)).toEqual(GEMM_WASM_SIMD_PROBE);
    expect(Module).not.toHaveBeenCalled();
  });

  it('where compiling synchronously is refused: JS until the background compilation is done', async () => {
    const Module = vi.fn(() => {
      throw new RangeError(
        'WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 4KB',
      );
    });
    let done: Promise<unknown> | undefined;
    let memory: WebAssembly.Memory | undefined;
    const instantiate = vi.fn(
      (bytes: BufferSource, imports?: WebAssembly.Imports) =>
        (done = real.instantiate(bytes, imports).then((r) => {
          memory = r.instance.exports.memory as WebAssembly.Memory;
          return r;
        })),
    );
    const Instance = vi.fn((mod: WebAssembly.Module, imports?: WebAssembly.Imports) => new real.Instance(mod, imports));
    globalThis.WebAssembly = {
      ...real,
      validate: real.validate,
      Module,
      Instance,
      instantiate,
    } as unknown as typeof WebAssembly;
    const f = compile(model);
    same(f.forward({ A, B }, { m, n, k }));
    expect(Module).toHaveBeenCalledTimes(1);
    expect(instantiate).toHaveBeenCalledTimes(1);
    await done;
    await Promise.resolve();
    expect(memory!.buffer.byteLength).toBe(65536); // one page: not used yet
    // Now the kernel runs: its memory grows to hold the scratch area and the operands.
    same(f.forward({ A, B }, { m, n, k }));
    expect(memory!.buffer.byteLength).toBeGreaterThan(GEMM_WASM_PACK_BYTES.f64 + (m * n + m * k + k * n) * 8);
    expect(instantiate).toHaveBeenCalledTimes(1);
  });
});
