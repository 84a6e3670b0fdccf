/**
 * Products read where they are computed (codegen/ts/emit.ts productsReadInPlace, gemmTo in
 * the runtime): the elementwise function after a product — bias add, scaling, relu, exp,
 * sigmoid, a mask — reads C straight from the WebAssembly kernel's memory in the same pass,
 * with no copy out. Values and gradients against the reference interpreter in f64 and f32,
 * with and without the WebAssembly kernel, over tiny and odd shapes; and the cases where a
 * product must still be copied out (an output, a reader after another product).
 */
import { describe, expect, it } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { emitModule, productsReadInPlace } from '../codegen/ts/emit.js';
import { randomEnv } from './gen.js';
import { compareModel, failures, relDiff } from './codegen-util.js';

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 1],
  [3, 7, 17],
  [17, 65, 7],
  [65, 17, 130],
];

const MODELS: Record<string, string> = {
  'bias add and relu': 'A: [m, k]; B: [k, n]; c: [m]\nZ = relu(A·B + c)',
  'scaling and exp': 'A: [m, k]; B: [k, n]\nZ = 2.5 * exp(A·B / 3)',
  'sigmoid of Aᵀ·B times a mask': 'A: [k, m]; B: [k, n]; D: [m, n]\nZ = sigmoid(Aᵀ·B) ⊙ D',
  'a loss through two products (value and gradients)':
    'A: [m, k]; B: [k, n]; W: [m, m]\nL = sum(tanh(A·B) ⊙ (W·A·B)) / 4',
};

const dimsOf = ([m, n, k]: [number, number, number]) =>
  new Map([
    ['m', m],
    ['n', n],
    ['k', k],
  ]);

describe.each(Object.entries(MODELS))('%s', (_name, text) => {
  const model = parse(text + '\n', 'epilogue.mdf');
  const scalar = text.includes('L =');

  it('against the reference interpreter, f64 and f32, with the WebAssembly kernel where it pays', () => {
    for (const shape of SHAPES) {
      const out = compareModel(model, dimsOf(shape), 3, scalar ? {} : { wrt: [] });
      expect(failures(out, 1e-10, 2e-4), `shape ${shape.join('×')}`).toEqual([]);
    }
  });

  it('and with plain-JS products only (wasm: false)', () => {
    const p: Program = programOf(model, scalar ? {} : { wrt: [] });
    for (const dtype of ['f64', 'f32'] as const) {
      const fn = (
        new Function(emitModule(p, { dtype, lang: 'js', wasm: false }))() as {
          forward: (x: object, d: object) => number | Float64Array | Float32Array;
        }
      ).forward;
      for (const shape of SHAPES) {
        const env = randomEnv(
          4,
          [...model.vars.values()].map((v) => v.node),
          dimsOf(shape),
        );
        const ref = evaluate([p.output.node], env)[0]!.data;
        const inputs = Object.fromEntries([...env.vars].map(([k, m]) => [k, m.data]));
        const got = fn(inputs, Object.fromEntries(env.dims));
        const err = relDiff(ref, typeof got === 'number' ? [got] : got, 1e-8, dtype === 'f32');
        expect(err, `${dtype} ${shape.join('×')}`).toBeLessThan(dtype === 'f64' ? 1e-10 : 2e-4);
      }
    }
  });
});

describe('which products are read in place', () => {
  const inPlaceCalls = (text: string): { gemmTo: number; gemm: number } => {
    const js = emitModule(programOf(parse(text + '\n', 'x.mdf'), { wrt: [] }), { dtype: 'f64', lang: 'js' });
    const body = js.slice(js.indexOf('function forward('));
    return { gemmTo: (body.match(/= gemmTo\(/g) ?? []).length, gemm: (body.match(/\bgemm\(/g) ?? []).length };
  };

  it('a temporary product whose readers are elementwise: in place', () => {
    expect(inPlaceCalls('A: [m, k]; B: [k, n]; c: [m]\nZ = sigmoid(A·B + c)')).toEqual({ gemmTo: 1, gemm: 0 });
    // relu(A·B + c) is computed in the product's tiles instead (test/epilogue-kernel.test.ts).
    expect(inPlaceCalls('A: [m, k]; B: [k, n]; c: [m]\nZ = relu(A·B + c)')).toEqual({ gemmTo: 0, gemm: 0 });
  });

  it('a product that is the output: copied into it', () => {
    expect(inPlaceCalls('A: [m, k]; B: [k, n]\nZ = A·B')).toEqual({ gemmTo: 0, gemm: 1 });
  });

  it('a product read again after another product: copied out (the kernel memory is reused)', () => {
    // P = A·B is read by the sum at the end, after the product P·C has run.
    const c = inPlaceCalls('A: [n, n]; B: [n, n]; C: [n, n]\nP = A·B\nZ = exp(P·C) + P');
    expect(c.gemm).toBeGreaterThanOrEqual(1);
    const p = programOf(parse('A: [n, n]; B: [n, n]; C: [n, n]\nP = A·B\nZ = exp(P·C) + P\n', 'x.mdf'), {
      wrt: [],
    });
    const s = p.forward.schedule;
    const first = s.steps.find((x) => x.kind === 'matmul')!;
    expect(productsReadInPlace(s).has(first.kind === 'matmul' ? first.out : -1)).toBe(false);
  });
});
