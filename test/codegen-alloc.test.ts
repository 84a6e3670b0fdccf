/**
 * Workspaces: after the first call for a set of sizes, a call allocates nothing — the
 * result object and its arrays are the same objects every time, refilled with the new
 * values — and a change of sizes gets (or finds again) a workspace of its own.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from '../src/index.js';
import { compile } from '../codegen/compile.js';
import { randomEnv } from './gen.js';
import { relDiff } from './codegen-util.js';
import { evaluate } from '../src/index.js';

const model = parse(readFileSync(new URL('../examples/mlp.mdf', import.meta.url), 'utf8'), 'mlp.mdf');
const wrt = ['W1', 'b1', 'W2', 'b2'];
const vars = [...model.vars.values()].map((v) => v.node);

function data(seed: number, dims: Record<string, number>) {
  const env = randomEnv(seed, vars, new Map(Object.entries(dims)));
  return { env, inputs: Object.fromEntries([...env.vars].map(([k, m]) => [k, m.data])) };
}

/** The reference value and gradients. */
function reference(env: ReturnType<typeof data>['env'], k: ReturnType<typeof compile>) {
  const p = k.program;
  return evaluate([p.output.node, ...p.wrt.map((w) => w.grad)], env).map((m) => m.data);
}

describe('no allocation per call', () => {
  it.each(['f64', 'f32'] as const)('valueAndGrad reuses its result object and arrays (%s)', (dtype) => {
    const k = compile(model, { wrt, dtype });
    const small = { n: 3, B: 4, k: 2, h: 5 };
    const a = data(1, small);
    const b = data(2, small);
    const r1 = k.valueAndGrad(a.inputs);
    const arrays = wrt.map((w) => r1.grad[w]);
    const r2 = k.valueAndGrad(b.inputs);
    expect(r2).toBe(r1);
    expect(wrt.map((w) => r2.grad[w])).toEqual(arrays);
    wrt.forEach((w, i) => expect(r2.grad[w]).toBe(arrays[i]));
    // …holding the second call's values.
    const ref = reference(b.env, k);
    expect(relDiff([ref[0]![0]!], [r2.value])).toBeLessThan(dtype === 'f64' ? 1e-12 : 1e-5);
    wrt.forEach((w, i) =>
      expect(relDiff(ref[i + 1]!, r2.grad[w] as Float64Array)).toBeLessThan(dtype === 'f64' ? 1e-12 : 1e-5),
    );
  });

  it('forward of a matrix output reuses its array', () => {
    const k = compile(parse('A: [m, n]; B: [n, p]\nC = A·B\n', 'mm.mdf'));
    const A = Float64Array.of(1, 2, 3, 4);
    const B = Float64Array.of(1, 0, 0, 1);
    const c1 = k.forward({ A, B }, { m: 2 });
    expect(Array.from(c1 as Float64Array)).toEqual([1, 2, 3, 4]);
    const c2 = k.forward({ A: Float64Array.of(0, 1, 1, 0), B }, { m: 2 });
    expect(c2).toBe(c1);
    expect(Array.from(c2 as Float64Array)).toEqual([0, 1, 1, 0]);
  });

  it('keeps a workspace per set of sizes', () => {
    const k = compile(model, { wrt });
    const small = data(3, { n: 3, B: 4, k: 2, h: 5 });
    const large = data(4, { n: 6, B: 2, k: 3, h: 4 });
    const rs = k.valueAndGrad(small.inputs);
    const ws = rs.grad.W1;
    const rl = k.valueAndGrad(large.inputs);
    expect(rl).not.toBe(rs);
    expect((rl.grad.W1 as Float64Array).length).toBe(4 * 6);
    wrt.forEach((w, i) =>
      expect(relDiff(reference(large.env, k)[i + 1]!, rl.grad[w] as Float64Array)).toBeLessThan(1e-12),
    );
    // Back to the first sizes: the first workspace again, with fresh values.
    const again = k.valueAndGrad(small.inputs);
    expect(again).toBe(rs);
    expect(again.grad.W1).toBe(ws);
    wrt.forEach((w, i) =>
      expect(relDiff(reference(small.env, k)[i + 1]!, again.grad[w] as Float64Array)).toBeLessThan(1e-12),
    );
  });

  it('reads inputs of the module’s own type in place, converts others', () => {
    const k = compile(parse('x: [n]\nE = sum(x ⊙ x)\n', 'sq.mdf'), { dtype: 'f32' });
    for (const x of [Float32Array.of(1, 2, 3), Float64Array.of(1, 2, 3), [1, 2, 3], [[1], [2], [3]]]) {
      const r = k.valueAndGrad({ x });
      expect(r.value).toBe(14);
      expect(Array.from(r.grad.x as Float32Array)).toEqual([2, 4, 6]);
    }
  });
});

describe('inputs the generated code rejects', () => {
  const k = compile(model, { wrt });
  const ok = data(5, { n: 2, B: 3, k: 2, h: 2 }).inputs;
  it.each([
    ['a missing input', { ...ok, W2: undefined }, /missing input W2/],
    [
      'a ragged row',
      {
        ...ok,
        X: [
          [1, 2, 3],
          [4, 5],
        ],
      },
      /X: expected \[n, B\] = 2 × 3, got row 1 of 2 entries/,
    ],
    ['a size that disagrees', { ...ok, W1: new Float64Array(5) }, /W1/],
    ['a non-number', { ...ok, b2: [1, 'x'] }, /b2\[1\] is not a number/],
  ])('%s', (_what, inputs, message) => {
    expect(() => k.valueAndGrad(inputs as never)).toThrow(message);
  });
  it('a size that no input determines', () => {
    const f = compile(parse('x: [n]; y: [m]\nE = sum(x) + m\n', 'u.mdf'), { wrt: ['x'] });
    expect(() => f.valueAndGrad({ x: [1, 2] })).toThrow(/cannot infer the size m/);
    expect(f.valueAndGrad({ x: [1, 2] }, { m: 4 }).value).toBe(7);
  });
  it('reads only own properties of the inputs object', () => {
    const f = compile(parse('x: [n]; constructor: [n]\nE = sum(x ⊙ constructor)\n', 'c.mdf'));
    expect(() => f.forward({ x: [1, 2] })).toThrow(/missing input constructor/);
    expect(f.forward({ x: [1, 2], constructor: [3, 4] })).toBe(11);
  });
});
