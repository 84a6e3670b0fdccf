/**
 * Gradient checks over random formulas: every operator, random data.
 *
 *   - grads(f, xs) equals central finite differences in float64 (relative 1e-5, with an
 *     absolute floor scaled by the size of f and its gradient). Draws where finite
 *     differences cannot be trusted — near a kink of abs/relu/step/sign, near a
 *     singularity of log or a negative power, an ill-conditioned inverse — are skipped.
 *   - The JAX check for vector-valued pieces: ⟨c, J·t⟩ (J·t by finite differences) equals
 *     ⟨Jᵀ·c, t⟩ (reverse mode on sum(c ⊙ F)) for random c and t.
 *   - The simplifier reaches a fixed point (simplify(simplify(x)) === simplify(x)), never
 *     throws, and does not change values.
 *
 * Each property runs 100 times from a fixed seed; `MATDIFF_FUZZ_RUNS=5000 npx vitest run
 * test/gradcheck.test.ts` runs them longer from random seeds (so do the other suites).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grads, simplify, printExpr, evaluate } from '../src/index.js';
import * as b from '../src/graph/build.js';
import type { Mat } from '../src/eval/mat.js';
import { mat } from '../src/eval/mat.js';
import { dimValue } from '../src/shape/dim.js';
import {
  type Env,
  FUZZ_RUNS,
  SCALAR,
  arbExpr,
  fdGradient,
  maxAbs,
  normal,
  perturbed,
  prng,
  randomEnv,
  relErr,
  runs,
  unsafePoint,
  value,
  varsOf,
} from './gen.js';

const RUNS = FUZZ_RUNS || 100;
const dot = (a: Mat, c: Mat): number => a.data.reduce((s, x, i) => s + x * c.data[i]!, 0);

/** Every entry of `g` within 1e-5 of `fd`, relative, with an absolute floor `floor`. */
function gradMismatch(g: Mat, fd: Mat, floor: number): string | undefined {
  if (g.rows !== fd.rows || g.cols !== fd.cols) return `shape ${g.rows}×${g.cols} vs ${fd.rows}×${fd.cols}`;
  for (let i = 0; i < g.data.length; i++) {
    const [x, y] = [g.data[i]!, fd.data[i]!];
    if (!(Math.abs(x - y) <= 1e-5 * Math.max(Math.abs(x), Math.abs(y)) + floor))
      return `entry ${i}: reverse ${x}, finite differences ${y}`;
  }
  return undefined;
}

describe('gradients equal finite differences', () => {
  it('on random scalar formulas over every operator', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        arbExpr({ target: SCALAR, safe: true, maxDepth: 4 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: f }, seed) => {
          const xs = varsOf(f);
          fc.pre(xs.length > 0);
          const env = randomEnv(seed);
          fc.pre(unsafePoint([f], env) === undefined);
          const gs = grads(f, xs);
          const values = evaluate(gs, env);
          const fv = Math.abs(value(f, env).data[0]!);
          const scale = 1 + fv + Math.max(...values.map(maxAbs));
          // Finite differences must agree with themselves at two step sizes, else the point is not smooth enough.
          const fds = xs.map((x) => fdGradient(f, x.name!, env, 1e-5));
          const coarse = xs.map((x) => fdGradient(f, x.name!, env, 1e-4));
          fc.pre(fds.every((fd, i) => gradMismatch(fd, coarse[i]!, 1e-6 * scale) === undefined));
          xs.forEach((x, i) => {
            const why = gradMismatch(values[i]!, fds[i]!, 1e-7 * scale);
            if (why)
              throw new Error(
                `∂f/∂${x.name}, ${why}\n  f = ${printExpr(f, 'unicode')}\n  ∂f/∂${x.name} = ${printExpr(gs[i]!, 'unicode')}`,
              );
          });
          checked++;
        },
      ),
      runs(100, 42),
    );
    expect(checked).toBe(RUNS);
  });

  it('on smooth formulas, at the same points as the property above plus more', () => {
    fc.assert(
      fc.property(
        arbExpr({ target: SCALAR, safe: true, smooth: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: f }, seed) => {
          const xs = varsOf(f);
          fc.pre(xs.length > 0);
          const env = randomEnv(seed);
          fc.pre(unsafePoint([f], env) === undefined);
          const values = evaluate(grads(f, xs), env);
          const scale = 1 + Math.abs(value(f, env).data[0]!) + Math.max(...values.map(maxAbs));
          xs.forEach((x, i) => {
            const fd = fdGradient(f, x.name!, env);
            const why = gradMismatch(values[i]!, fd, 1e-6 * scale);
            if (why) throw new Error(`∂f/∂${x.name}, ${why}\n  f = ${printExpr(f, 'unicode')}`);
          });
        },
      ),
      runs(100, 7),
    );
  });
});

describe('the VJP check ⟨c, J·t⟩ = ⟨Jᵀ·c, t⟩ for vector- and matrix-valued pieces', () => {
  it('on random expressions of any shape', () => {
    fc.assert(
      fc.property(
        arbExpr({ target: 'any', safe: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: F }, seed) => {
          const xs = varsOf(F);
          fc.pre(xs.length > 0);
          const env = randomEnv(seed);
          fc.pre(unsafePoint([F], env) === undefined);
          const rnd = prng(seed * 7 + 1);
          const rows = dimValue(F.shape.rows, env.dims);
          const cols = dimValue(F.shape.cols, env.dims);
          const cVar = b.variable('c̄', F.shape);
          const c = mat(
            rows,
            cols,
            Float64Array.from({ length: rows * cols }, () => normal(rnd)),
          );
          const t = new Map(
            xs.map((x) => [x.name!, Float64Array.from(env.vars.get(x.name!)!.data, () => normal(rnd))]),
          );

          // ⟨Jᵀ·c, t⟩ by reverse mode on sum(c ⊙ F).
          const cenv: Env = { vars: new Map([...env.vars, ['c̄', c]]), dims: env.dims };
          const gs = evaluate(grads(b.sum(b.mul(cVar, F)), xs), cenv);
          let reverse = 0;
          let magnitude = 0;
          xs.forEach((x, i) => {
            const tx = t.get(x.name!)!;
            gs[i]!.data.forEach((g, k) => {
              reverse += g * tx[k]!;
              magnitude += Math.abs(g * tx[k]!);
            });
          });

          // ⟨c, J·t⟩ by central differences along t.
          const along = (h: number): Env => {
            let e = env;
            for (const x of xs) {
              const tx = t.get(x.name!)!;
              for (let k = 0; k < tx.length; k++) e = perturbed(e, x.name!, k, h * tx[k]!);
            }
            return e;
          };
          const jt = (h: number) => (dot(c, value(F, along(h))) - dot(c, value(F, along(-h)))) / (2 * h);
          const [forward, coarse] = [jt(1e-5), jt(1e-4)];
          const tol = 1e-5 * (Math.abs(forward) + Math.abs(reverse) + magnitude) + 1e-8;
          fc.pre(Math.abs(forward - coarse) <= 10 * tol);
          if (!(Math.abs(forward - reverse) <= tol))
            throw new Error(`⟨c, J·t⟩ = ${forward} but ⟨Jᵀ·c, t⟩ = ${reverse}\n  F = ${printExpr(F, 'unicode')}`);
        },
      ),
      runs(100, 3),
    );
  });
});

describe('the simplifier', () => {
  it('reaches a fixed point and never throws', () => {
    fc.assert(
      fc.property(arbExpr({ target: 'any', maxDepth: 5 }), ({ node }) => {
        const once = simplify(node);
        const twice = simplify(once);
        if (twice !== once)
          throw new Error(`not a fixed point:\n  ${printExpr(once, 'unicode')}\n  ${printExpr(twice, 'unicode')}`);
      }),
      runs(100),
    );
  });

  it('does not change values', () => {
    fc.assert(
      fc.property(
        arbExpr({ target: 'any', safe: true, maxDepth: 4 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node }, seed) => {
          const env = randomEnv(seed);
          fc.pre(unsafePoint([node], env) === undefined);
          const s = simplify(node);
          const [before, after] = evaluate([node, s], env);
          const err = relErr(before!, after!, 1e-6);
          if (!(err < 1e-8))
            throw new Error(`relative error ${err}\n  ${printExpr(node, 'unicode')}\n  → ${printExpr(s, 'unicode')}`);
        },
      ),
      runs(100),
    );
  });

  it('leaves gradients as they are: grads returns simplified graphs', () => {
    fc.assert(
      fc.property(arbExpr({ target: SCALAR, maxDepth: 4 }), ({ node: f }) => {
        const xs = varsOf(f);
        for (const g of grads(f, xs)) expect(simplify(g)).toBe(g);
      }),
      runs(100),
    );
  });

  it('simplifies gradients of every operator without throwing, and they re-simplify to themselves', () => {
    // Second derivatives too: the gradient graph is itself differentiated.
    fc.assert(
      fc.property(arbExpr({ target: SCALAR, safe: true, maxDepth: 3 }), ({ node: f }) => {
        const xs = varsOf(f);
        const gs = grads(f, xs);
        const again = gs.map((g, i) => grads(b.sum(b.mul(g, g)), [xs[i]!])[0]!);
        for (const g of again) expect(simplify(g)).toBe(g);
      }),
      runs(50),
    );
  });
});
