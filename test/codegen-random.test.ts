/**
 * Random formulas (test/gen.ts) of random sizes, 1 included, through the generated
 * TypeScript and the reference interpreter: the value and every gradient of a scalar
 * formula, the value of a formula of any shape.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse } from '../src/index.js';
import type { Node } from '../src/graph/node.js';
import { DECLS, SCALAR, arbExpr } from './gen.js';
import { compareModel, failures } from './codegen-util.js';

/** The declarations with `E = <node>` as the output. */
function modelWith(node: Node) {
  const model = parse(DECLS, 'random.mdf');
  model.defs.set('E', { name: 'E', node, span: { start: 0, end: 0 } });
  model.output = 'E';
  return model;
}

/** Random formulas cancel more often than hand-written ones (t·(p / t) has a zero derivative in t). */
const floors = { f64: 1e-5, f32: 1e-2 };

const arbDims = fc
  .record({ m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }), p: fc.integer({ min: 1, max: 5 }) })
  .map((d) => new Map(Object.entries(d)));

describe('random formulas', () => {
  it('scalar: value and gradients', () => {
    fc.assert(
      fc.property(arbExpr({ target: SCALAR, safe: true, maxDepth: 4 }), arbDims, fc.nat(1000), (sample, dims, seed) => {
        expect(failures(compareModel(modelWith(sample.node), dims, seed, { floors }))).toEqual([]);
      }),
      { numRuns: 80 },
    );
  });

  it('any shape: value', () => {
    fc.assert(
      fc.property(arbExpr({ safe: true, maxDepth: 4 }), arbDims, fc.nat(1000), (sample, dims, seed) => {
        expect(failures(compareModel(modelWith(sample.node), dims, seed, { floors }))).toEqual([]);
      }),
      { numRuns: 80 },
    );
  });
});
