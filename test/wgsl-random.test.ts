/**
 * Random formulas (test/gen.ts) of random sizes, through the WGSL backend on the WebGPU
 * adapter and the reference interpreter: the value and every gradient of a scalar
 * formula, the value of a formula of any shape. Every shader is validated by Tint first.
 * Few runs (each compiles its pipelines on a software adapter); fast-check prints the
 * seed of a counterexample, and `exprFromSeed` rebuilds it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '../src/index.js';
import type { Node } from '../src/graph/node.js';
import { DECLS, SCALAR, arbExpr, randomEnv, unsafePoint } from './gen.js';
import { checkParsed, requireGpu } from './wgsl-util.js';

function modelWith(node: Node) {
  const model = parse(DECLS, 'random.mdf');
  model.defs.set('E', { name: 'E', node, span: { start: 0, end: 0 } });
  model.output = 'E';
  return model;
}

const arbDims = fc.record({
  m: fc.integer({ min: 1, max: 6 }),
  n: fc.integer({ min: 1, max: 6 }),
  p: fc.integer({ min: 1, max: 7 }),
});

/** Random formulas cancel more often than hand-written ones: results near 0 are judged against this floor. */
const FLOOR = 1e-2;

async function check(node: Node, dims: Record<string, number>, seed: number, grads: boolean): Promise<void> {
  const model = modelWith(node);
  const env = randomEnv(
    seed,
    [...model.vars.values()].map((v) => v.node),
    new Map(Object.entries(dims)),
  );
  // f32 cannot follow f64 through a near-singular inverse or an overflowing exp: such points are not the backend's fault.
  if (unsafePoint([node], env)) return;
  const r = await checkParsed(model, dims, { env, floor: FLOOR, ...(grads ? {} : { wrt: [] }) });
  expect(r.failures).toEqual([]);
}

describe('random formulas on WebGPU', () => {
  it('scalar: value and gradients', async (ctx) => {
    requireGpu(ctx);
    await fc.assert(
      fc.asyncProperty(arbExpr({ target: SCALAR, safe: true, maxDepth: 4 }), arbDims, fc.nat(1000), (s, dims, seed) =>
        check(s.node, dims, seed, true),
      ),
      { numRuns: 15 },
    );
  });

  it('any shape: value', async (ctx) => {
    requireGpu(ctx);
    await fc.assert(
      fc.asyncProperty(arbExpr({ safe: true, maxDepth: 4 }), arbDims, fc.nat(1000), (s, dims, seed) =>
        check(s.node, dims, seed, false),
      ),
      { numRuns: 15 },
    );
  });
});
