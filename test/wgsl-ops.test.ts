/**
 * Gradient formulas covering every operator, through the WGSL backend on the WebGPU
 * adapter, against the reference interpreter: the value and every gradient, in f32 to
 * 1e-4 relative (normwise per result). The last test checks that the list, with its
 * gradients, uses every operator of the registry.
 */
import { describe, expect, it } from 'vitest';
import { topoOrder } from '../src/graph/node.js';
import { OPS } from '../src/ops/registry.js';
import { checkModel, requireGpu } from './wgsl-util.js';

const DIMS = { m: 3, n: 4, p: 5, k: 3, B: 6 };

export const FORMULAS: [string, string][] = [
  ['matmul, exp, fill', 'A: [m, n]; B: [n, p]; x: [m]\nL = sum(exp(A·B / 4) ⊙ (x·ones(p)ᵀ))'],
  [
    'log and powers',
    'x: [n] pos\nL = sum(log(x)) + sum(sqrt(x)) + sum(x.^-1.5) + sum(x.^3) + sum(x.^-1) + sum(x.^2.5)',
  ],
  ['abs, sin, cos, tanh', 'x: [n]\nL = sum(abs(x)) + sum(sin(x) ⊙ cos(x)) + sum(tanh(x))'],
  ['sigmoid, relu, softplus', 'x: [n]; W: [n, n]\nL = sum(σ(W·x)) + sum(relu(x)) + sum(softplus(W·x))'],
  ['erf (series and fitted branches)', 'x: [n]; W: [n, n]\nL = sum(erf(W·x)) + sum(erf(x) ⊙ x) + sum(erf(4·x))'],
  ['sign and step', 'x: [n]\nL = sum(sign(x) ⊙ x) + sum(step(x) ⊙ x)'],
  ['trace, transpose, a dimension as a value', 'A: [n, n]\nL = tr(A·Aᵀ) + n·tr(A)'],
  ['softmax and logsumexp', 'Z: [k, B]; Y: [k, B]\nL = -sum(Y ⊙ log(softmax(Z))) / B + sum(logsumexp(Z)) / B'],
  [
    'inverse, det, logdet (LU), identity',
    'A: [n, n]; y: [n]\nL = yᵀ·inv(A + 3·I(n))·y + logdet(A + 3·I(n)) + det(A + 3·I(n))',
  ],
  ['inverse, det, logdet (Cholesky)', 'S: [n, n] spd; y: [n]\nL = yᵀ·inv(S)·y + logdet(S) + det(S) / 100'],
  ['diag both ways', 'x: [n]; A: [n, n]\nL = sum(diag(x)·A) + sum(diag(A) ⊙ x)'],
  ['vec and unvec', 'A: [m, n]; B: [m, n]\nL = sum(unvec(vec(A) ⊙ vec(B), m) ⊙ A)'],
  ['norm and mean', 'A: [m, n]\nL = ‖A‖ + mean(A)'],
  ['scalars', 'X: [m, n]; w: [n]; s: []\nL = sum((X·w).^2)·s + s² + s'],
  ['broadcasting rows and columns', 'X: [m, n]; c: [m]; r: [1, n]\nL = sum(tanh(X + c) ⊙ (X + r))'],
  ['outer product, inner product', 'x: [m]; y: [n]; A: [m, n]\nL = sum((x·yᵀ) ⊙ A) + (xᵀ·x)·(yᵀ·y)'],
  [
    'Kronecker product, commutation matrix',
    'A: [m, n]; B: [n, p]; x: [m]\nL = sum((A ⊗ Bᵀ) ⊙ (exp(A) ⊗ Bᵀ)ᵀᵀ) + sum(commutation(m, n)·vec(A) ⊙ vec(Aᵀ)) + sum(x ⊗ x)',
  ],
];

const used = new Set<string>();

describe('WGSL gradients of every operator', () => {
  for (const [what, src] of FORMULAS)
    it(what, async (ctx) => {
      requireGpu(ctx);
      const r = await checkModel(src, DIMS, { seed: src.length });
      expect(r.failures).toEqual([]);
      const roots = [r.program.output.node, ...r.program.wrt.map((w) => w.grad)];
      for (const n of topoOrder(roots)) used.add(n.op);
    });

  it('the list covers every operator', (ctx) => {
    if (used.size === 0) return ctx.skip('no GPU test ran');
    expect(Object.keys(OPS).filter((op) => !used.has(op))).toEqual([]);
  });
});
