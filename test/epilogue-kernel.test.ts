/**
 * Epilogues computed in the products (codegen/ts/epilogue.ts, gemm_t's `ep` in
 * codegen/wasm/gemm-wat.mjs): the kernel itself — every epilogue (scale, bias[j],
 * bias[i], relu and their combinations), f32 and f64, with and without relaxed SIMD,
 * packed and in-place operands, over tiny, prime and block-crossing shapes — against a
 * naive loop; and the generated modules that call it — which maps become epilogues, and
 * their values and gradients against the reference interpreter in f64 and f32, through
 * the WebAssembly kernel (relaxed or not) and through the plain-JS fallback.
 */
import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitModule } from '../codegen/ts/emit.js';
import {
  GEMM_WASM_BASE64,
  GEMM_WASM_PACK_BYTES,
  GEMM_WASM_RELAXED_BASE64,
  GEMM_WASM_RELAXED_PROBE,
} from '../codegen/wasm/gemm-wasm.js';
import { EP } from '../codegen/ts/epilogue.js';
// @ts-expect-error -- a JavaScript module without type declarations
import { EP as WAT_EP, PARAMS } from '../codegen/wasm/gemm-wat.mjs';
import { rng } from '../src/util/random.js';
import { randomEnv } from './gen.js';
import { compareModel, failures, relDiff } from './codegen-util.js';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

type Dtype = 'f32' | 'f64';
type Gemm = (...args: number[]) => void;

afterEach(() => vi.restoreAllMocks());

it('the TypeScript side and the kernel agree on the flags', () => {
  expect(EP).toEqual(WAT_EP);
});

function kernel(dtype: Dtype, relaxed: boolean) {
  const b64 = (relaxed ? GEMM_WASM_RELAXED_BASE64 : GEMM_WASM_BASE64)[dtype];
  const inst = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(b64, 'base64')), {});
  return {
    memory: inst.exports.memory as WebAssembly.Memory,
    gemm: inst.exports[`gemm_${dtype}`] as Gemm,
    pack: GEMM_WASM_PACK_BYTES[dtype],
  };
}

/**
 * C = ep(op(A)·op(B)) through the kernel against a naive float64 loop with the same
 * epilogue (α = −0.75 so that relu clips about half); the relative error, and nothing but
 * C written.
 */
function check(
  K: ReturnType<typeof kernel>,
  dtype: Dtype,
  [m, n, k]: [number, number, number],
  ep: number,
  flags: number,
  transB: boolean,
  r: () => number,
): number {
  const E = dtype === 'f32' ? 4 : 8;
  const Arr = dtype === 'f32' ? Float32Array : Float64Array;
  const [brs, bcs] = transB ? [1, k] : [n, 1];
  const GUARD = 16;
  const offC = K.pack + GUARD * E;
  const offA = offC + (m * n + 2 * GUARD) * E;
  const offB = offA + m * k * E + 64;
  const offBias = offB + k * n * E + 64;
  const end = offBias + Math.max(m, n) * E + 64;
  if (end > K.memory.buffer.byteLength) K.memory.grow(Math.ceil((end - K.memory.buffer.byteLength) / 65536));
  const H = new Arr(K.memory.buffer);
  const A = H.subarray(offA / E, offA / E + m * k);
  const B = H.subarray(offB / E, offB / E + k * n);
  const bias = H.subarray(offBias / E, offBias / E + Math.max(m, n));
  for (const x of [A, B, bias]) for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  const around = H.subarray(offC / E - GUARD, offC / E + m * n + GUARD);
  around.fill(NaN);
  around.fill(7, 0, GUARD);
  around.fill(7, GUARD + m * n);
  const alpha = -0.75;
  K.gemm(m, n, k, offA, k, 1, offB, brs, bcs, offC, 0, flags, alpha, offBias, ep);
  expect(Array.from(around.subarray(0, GUARD))).toEqual(new Array(GUARD).fill(7));
  expect(Array.from(around.subarray(GUARD + m * n))).toEqual(new Array(GUARD).fill(7));
  const C = around.subarray(GUARD, GUARD + m * n);
  let err = 0;
  let scale = 1e-30;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * brs + j * bcs]!;
      if (ep & EP.scale) s *= alpha;
      if (ep & EP.biasJ) s += bias[j]!;
      if (ep & EP.biasI) s += bias[i]!;
      if (ep & EP.relu) s = Math.max(s, 0);
      err = Math.max(err, Math.abs(s - C[i * n + j]!));
      scale = Math.max(scale, Math.abs(s));
      // relu's zeros are exact zeros
      if (ep & EP.relu && s < -1e-3) expect(C[i * n + j]).toBe(0);
    }
  return err / scale;
}

// Tiny, 1×n, n×1, primes, and (PARAMS) shapes that cross KC, MC and NC: f32 MC 128 /
// NC 1024, f64 MC 64 / NC 512, KC 256 for both.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 13, 7],
  [13, 1, 7],
  [7, 7, 7],
  [13, 67, 129],
  [67, 13, 300],
  [129, 9, 513],
  [5, 1100, 3],
  [70, 600, 17],
];

const EPILOGUES = [
  0,
  EP.scale,
  EP.biasJ,
  EP.biasI,
  EP.relu,
  EP.scale | EP.biasJ | EP.relu,
  EP.scale | EP.biasI | EP.relu,
  EP.biasI | EP.relu,
];

describe('the kernel against a naive loop', () => {
  it('the shapes cross the blocks of the parameters in use', () => {
    for (const t of ['f32', 'f64'] as const) {
      const p = PARAMS[t] as { KC: number; MC: number; NC: number };
      expect(Math.max(...SHAPES.map((s) => s[2]))).toBeGreaterThan(p.KC);
      expect(Math.max(...SHAPES.map((s) => s[0]))).toBeGreaterThan(p.MC);
      expect(Math.max(...SHAPES.map((s) => s[1]))).toBeGreaterThan(p.NC);
    }
  });

  for (const dtype of ['f32', 'f64'] as const)
    for (const relaxed of [false, true])
      it(`${dtype}${relaxed ? ' (relaxed SIMD)' : ''}: every epilogue, shape, packing choice`, () => {
        expect(WebAssembly.validate(Uint8Array.from(GEMM_WASM_RELAXED_PROBE))).toBe(true);
        const K = kernel(dtype, relaxed);
        const r = rng(dtype === 'f32' ? 21 : 22);
        let worst = 0;
        for (const shape of SHAPES)
          for (const ep of EPILOGUES)
            for (const [flags, transB] of [
              [0, false],
              [3, false],
              [0, true],
            ] as const) {
              const e = check(K, dtype, shape, ep, flags, transB, r);
              if (!(e <= worst)) worst = e;
            }
        expect(worst).toBeLessThan(dtype === 'f64' ? 1e-13 : 2e-5);
      }, 120_000);

  it('NaN passes through relu (as Math.max), and the epilogue is applied once, after the last k-slice', () => {
    const K = kernel('f32', false);
    const E = 4;
    const [m, n, k] = [4, 8, 600]; // three k-slices
    const offC = K.pack;
    const offA = offC + 256;
    const offB = offA + m * k * E + 64;
    const offBias = offB + k * n * E + 64;
    const end = offBias + 64;
    if (end > K.memory.buffer.byteLength) K.memory.grow(Math.ceil((end - K.memory.buffer.byteLength) / 65536));
    const H = new Float32Array(K.memory.buffer);
    H.fill(1, offA / E, offA / E + m * k);
    H.fill(1, offB / E, offB / E + k * n);
    H[offA / E] = NaN; // row 0 of C is NaN
    H.fill(-1000, offBias / E, offBias / E + n);
    K.gemm(m, n, k, offA, k, 1, offB, n, 1, offC, 0, 0, 2, offBias, EP.scale | EP.biasJ | EP.relu);
    const C = H.subarray(offC / E, offC / E + m * n);
    expect(Array.from(C.subarray(0, n)).every(Number.isNaN)).toBe(true);
    // 2·600 − 1000 = 200: scaled and biased once, not once per slice
    expect(Array.from(C.subarray(n))).toEqual(new Array((m - 1) * n).fill(200));
  });
});

describe('a block of rows alone (as a caller splitting the rows among threads would call it)', () => {
  for (const dtype of ['f32', 'f64'] as const)
    it(`${dtype}: rows i0… with a, c and bias[i] advanced equal those rows of the whole`, () => {
      const K = kernel(dtype, false);
      const E = dtype === 'f32' ? 4 : 8;
      const Arr = dtype === 'f32' ? Float32Array : Float64Array;
      const [m, n, k, i0] = [37, 29, 300, 13];
      const r = rng(23);
      const offC = K.pack;
      const offC2 = offC + m * n * E + 64;
      const offA = offC2 + m * n * E + 64;
      const offB = offA + m * k * E + 64;
      const offBias = offB + k * n * E + 64;
      const end = offBias + m * E + 64;
      if (end > K.memory.buffer.byteLength) K.memory.grow(Math.ceil((end - K.memory.buffer.byteLength) / 65536));
      const H = new Arr(K.memory.buffer);
      for (const [o, len] of [
        [offA, m * k],
        [offB, k * n],
        [offBias, m],
      ] as const)
        for (let q = 0; q < len; q++) H[o / E + q] = r() * 2 - 1;
      for (const ep of [EP.scale | EP.biasI | EP.relu, EP.biasJ])
        for (const flags of [0, 1, 3]) {
          K.gemm(m, n, k, offA, k, 1, offB, n, 1, offC, 0, flags, 0.5, offBias, ep);
          const rowBias = ep & EP.biasI ? i0 * E : 0;
          K.gemm(m - i0, n, k, offA + i0 * k * E, k, 1, offB, n, 1, offC2, 0, flags, 0.5, offBias + rowBias, ep);
          const whole = H.slice(offC / E + i0 * n, offC / E + m * n);
          const part = H.slice(offC2 / E, offC2 / E + (m - i0) * n);
          expect(Array.from(part)).toEqual(Array.from(whole));
        }
    });
});

const MODELS: Record<string, { text: string; ep: number }> = {
  'relu(A·B + c): bias per row, relu': { text: 'A: [m, k]; B: [k, n]; c: [m]\nZ = relu(A·B + c)', ep: 1 },
  'A·Bᵀ + dᵀ: bias per column': { text: 'A: [m, k]; B: [n, k]; d: [n]\nZ = A·Bᵀ + dᵀ', ep: 1 },
  'relu(s·(Aᵀ·B) / k + c): a scalar input and a size scale it': {
    text: 'A: [k, m]; B: [k, n]; c: [m]; s: []\nZ = relu(s * (Aᵀ·B) / k + c)',
    ep: 1,
  },
  '(A·B)/3 read by softmax: scaled, the result read in place': {
    text: 'A: [m, k]; B: [k, n]\nZ = softmax((A·B) / 3) + 1',
    ep: 1,
  },
  'sigmoid(A·B + c): not an epilogue, the map reads the product in place': {
    text: 'A: [m, k]; B: [k, n]; c: [m]\nZ = sigmoid(A·B + c)',
    ep: 0,
  },
  'a two-layer loss: values and gradients (scaled gradient products)': {
    text: 'X: [k, n]; Y: [m, n]; W1: [m, k]; b1: [m]; W2: [m, m]\nH = relu(W1·X + b1)\nL = sum((W2·H - Y) ⊙ (W2·H - Y)) / n',
    ep: 2,
  },
};

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 13],
  [7, 1, 13],
  [13, 67, 7],
  [67, 13, 129],
  [129, 70, 300],
];

const dimsOf = ([m, n, k]: [number, number, number]) =>
  new Map([
    ['m', m],
    ['n', n],
    ['k', k],
  ]);

describe.each(Object.entries(MODELS))('%s', (_name, { text, ep }) => {
  const model = parse(text + '\n', 'epilogue.mdf');
  const scalar = text.includes('L =');
  const opts = scalar ? {} : { wrt: [] };

  it('the product calls gemmEp (or not) and the map is gone', () => {
    const js = emitModule(programOf(model, opts), { dtype: 'f64', lang: 'js' });
    const body = js.slice(js.indexOf('function forward('));
    expect((body.match(/\bgemmEp(To)?\(/g) ?? []).length).toBeGreaterThanOrEqual(ep);
    if (ep === 0) expect(body).not.toMatch(/\bgemmEp/);
  });

  for (const relaxed of [true, false])
    it(`against the reference interpreter, f64 and f32, WebAssembly kernel ${relaxed ? 'with' : 'without'} relaxed SIMD`, () => {
      // Without: the module is told that relaxed SIMD does not validate, and loads the plain kernel.
      const validate = WebAssembly.validate.bind(WebAssembly);
      let refused = 0;
      vi.spyOn(WebAssembly, 'validate').mockImplementation((bytes) => {
        const probe = Buffer.from(bytes as Uint8Array).equals(Buffer.from(GEMM_WASM_RELAXED_PROBE));
        if (probe && !relaxed) refused++;
        return probe && !relaxed ? false : validate(bytes);
      });
      for (const shape of SIZES) {
        const out = compareModel(model, dimsOf(shape), 5, opts);
        expect(failures(out, 1e-10, 2e-4), `shape ${shape.join('×')}`).toEqual([]);
      }
      expect(refused > 0).toBe(!relaxed);
    }, 60_000);

  it('and with plain-JS products only (wasm: false)', () => {
    const p = programOf(model, opts);
    for (const dtype of ['f64', 'f32'] as const) {
      const mod = new Function(emitModule(p, { dtype, lang: 'js', wasm: false }))() as {
        forward: (x: object, d: object) => number | Float64Array | Float32Array;
      };
      for (const shape of SIZES) {
        const env = randomEnv(
          6,
          [...model.vars.values()].map((v) => v.node),
          dimsOf(shape),
        );
        const ref = evaluate([p.output.node], env)[0]!.data;
        const inputs = Object.fromEntries([...env.vars].map(([k, x]) => [k, x.data]));
        const got = mod.forward(inputs, Object.fromEntries(env.dims));
        const err = relDiff(ref, typeof got === 'number' ? [got] : got, 1e-8, dtype === 'f32');
        expect(err, `${dtype} ${shape.join('×')}`).toBeLessThan(dtype === 'f64' ? 1e-10 : 2e-4);
      }
    }
  });
});

describe('where the kernel is embedded but WebAssembly is missing: the JS product, then the epilogue', () => {
  const real = globalThis.WebAssembly;
  afterEach(() => {
    globalThis.WebAssembly = real;
  });

  it.each(Object.entries(MODELS).filter(([, m]) => m.ep > 0))('%s', (_name, { text }) => {
    const model = parse(text + '\n', 'epilogue.mdf');
    const opts = text.includes('L =') ? {} : { wrt: [] };
    const p = programOf(model, opts);
    const js = emitModule(p, { dtype: 'f64', lang: 'js' });
    expect(js).toContain('WASM_GEMM');
    const env = randomEnv(
      7,
      [...model.vars.values()].map((v) => v.node),
      dimsOf([67, 13, 129]),
    );
    const ref = evaluate([p.output.node], env)[0]!.data;
    const inputs = Object.fromEntries([...env.vars].map(([k, x]) => [k, x.data]));
    // @ts-expect-error -- a host without WebAssembly
    delete globalThis.WebAssembly;
    const mod = new Function(js)() as { forward: (x: object, d: object) => number | Float64Array };
    const got = mod.forward(inputs, Object.fromEntries(env.dims));
    expect(relDiff(ref, typeof got === 'number' ? [got] : got)).toBeLessThan(1e-10);
  });
});
