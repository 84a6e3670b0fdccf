/**
 * erf, the elementwise function added through its registry row alone (src/ops/names.ts
 * and src/ops/elementwise.ts): its accuracy against reference values, its gradient
 * against finite differences, the fact f(0) = 0 in the simplifier, and its code on the
 * TypeScript (f64 and f32) and WGSL backends. NumPy and WGSL values: numpy-emit.test.ts
 * and wgsl-ops.test.ts, whose operator lists include it.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, grads, parse, simplify } from '../src/index.js';
import * as b from '../src/graph/build.js';
import { SCALAR, shape } from '../src/shape/shape.js';
import { ONE, dimSym } from '../src/shape/dim.js';
import { scalarMat } from '../src/eval/mat.js';
import { programOf } from '../codegen/compile.js';
import { emitWgslModule } from '../codegen/wgsl/emit.js';
import { emitModule } from '../codegen/ts/emit.js';
import { fdGradient, randomEnv, relErr } from './gen.js';
import { compareModel, failures } from './codegen-util.js';

/** erf(x) to 16 digits (Python's math.erf, the C library's). */
const REFERENCE: [number, number][] = [
  [1e-8, 1.1283791670955126e-8],
  [1e-3, 1.1283787909692365e-3],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2, 0.9953222650189527],
  [2.4999, 0.9995928300996666],
  [2.5, 0.999593047982555],
  [3, 0.9999779095030014],
  [4.5, 0.9999999998033839],
];

const erfOf = (x: number): number => {
  const v = b.variable('x', SCALAR);
  return evaluate([b.fn('erf', v)], { vars: new Map([['x', scalarMat(x)]]), dims: new Map() })[0]!.data[0]!;
};

describe('erf', () => {
  it('matches reference values: 1e-13 relative below 2.5 (series), 1.2e-7 beyond (fit)', () => {
    for (const [x, want] of REFERENCE) {
      const tol = x < 2.5 ? 1e-13 : 1.2e-7;
      expect(Math.abs(erfOf(x) - want) / want, `erf(${x})`).toBeLessThan(tol);
      expect(erfOf(-x)).toBe(-erfOf(x));
    }
    expect(erfOf(0)).toBe(0);
    expect(erfOf(Infinity)).toBe(1);
    expect(erfOf(-Infinity)).toBe(-1);
    expect(erfOf(NaN)).toBeNaN();
  });

  it('its gradient, 2/√π·exp(−x²), matches central finite differences', () => {
    const n = dimSym('n');
    const x = b.variable('x', shape(n, ONE));
    const A = b.variable('A', shape(n, n));
    // erf(A·x) and erf(3·x) reach both branches (|·| < 2.5 and beyond).
    const f = b.add(b.sum(b.mul(b.fn('erf', b.matmul(A, x)), x)), b.sum(b.fn('erf', b.mul(b.constant(3), x))));
    for (const seed of [1, 2, 3]) {
      const env = randomEnv(seed, [x, A], new Map([['n', 5]]));
      const [gx, gA] = grads(f, [x, A]).map((g) => evaluate([g], env)[0]!);
      expect(relErr(gx!, fdGradient(f, 'x', env))).toBeLessThan(1e-5);
      expect(relErr(gA!, fdGradient(f, 'A', env))).toBeLessThan(1e-5);
    }
  });

  it('simplifies erf(0) to 0, a fact of its registry row', () => {
    const z = b.zeros(shape(dimSym('n'), ONE));
    expect(simplify(b.fn('erf', z))).toBe(z);
  });

  it('the generated TypeScript agrees with the interpreter, f64 and f32', () => {
    const model = parse('x: [n]; A: [n, n]\nL = sum(erf(A·x) ⊙ x) + sum(erf(4·x)) + sum(erf(x))', 'erf.mdf');
    for (const seed of [1, 2]) expect(failures(compareModel(model, new Map([['n', 6]]), seed))).toEqual([]);
  });

  it('each module carries the helper only where it is called', () => {
    const used = programOf(parse('x: [n]\nL = sum(erf(x))', 'a.mdf'));
    const unused = programOf(parse('x: [n]\nL = sum(tanh(x))', 'b.mdf'));
    expect(emitModule(used)).toContain('const erf = ');
    expect(emitModule(unused)).not.toContain('const erf = ');
    expect(emitWgslModule(used)).toContain('fn erf(x: f32) -> f32');
    expect(emitWgslModule(unused)).not.toContain('fn erf(');
  });
});
