/**
 * Every WGSL kernel variant, executed on the WebGPU adapter (the software one without a
 * GPU) and compared with the reference interpreter: matrix products (one invocation per
 * entry; 4×4 register tiles with vec4 or scalar operands, transposed or not, at sizes
 * that are and are not multiples of 4), sums (serial, tree, two-pass; all entries, rows,
 * columns, diagonal), column-wise softmax and log-sum-exp (per invocation, per
 * workgroup), LU and Cholesky with the inverse, det and logdet, and a grid of more
 * workgroups than one dimension allows. The last test checks that each variant ran.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';
import { mat } from '../src/eval/mat.js';
import { checkModel, checkParsed, requireGpu } from './wgsl-util.js';
import { prng, normal } from './gen.js';

const ran = new Set<string>();
const note = (variants: string[]) =>
  variants.forEach((v) => ran.add(v.replace(/, \d+×\d+ invocations per workgroup/, '')));

describe('matrix products', () => {
  const products = ['A·B', 'Aᵀ·B', 'A·Bᵀ', 'Aᵀ·Bᵀ'];
  const decls: Record<string, string> = {
    'A·B': 'A: [m, k]; B: [k, n]',
    'Aᵀ·B': 'A: [k, m]; B: [k, n]',
    'A·Bᵀ': 'A: [m, k]; B: [n, k]',
    'Aᵀ·Bᵀ': 'A: [k, m]; B: [n, k]',
  };
  // (m, k, n): dot products (small, and a long k), then tiles with both, one, the other
  // and neither leading dimension a multiple of 4 (A·Bᵀ: both are k) — 8×8 per invocation
  // when m, n ≥ 64, else 4×4.
  const dot = [
    [2, 5, 3],
    [12, 300, 9],
  ];
  const tiled: Record<string, number[][]> = {
    'A·B': [
      [70, 36, 68],
      [71, 36, 69],
      [70, 37, 68],
      [71, 37, 69],
      [40, 36, 120],
      [41, 36, 121],
      [40, 37, 120],
      [41, 37, 121],
    ],
    'Aᵀ·B': [
      [72, 36, 68],
      [72, 37, 69],
      [71, 36, 68],
      [71, 37, 69],
      [40, 36, 120],
      [40, 37, 121],
      [41, 36, 120],
      [41, 37, 121],
    ],
    'A·Bᵀ': [
      [70, 36, 68],
      [71, 37, 69],
      [40, 36, 120],
      [41, 37, 121],
    ],
    'Aᵀ·Bᵀ': [
      [72, 36, 68],
      [72, 37, 69],
      [71, 36, 67],
      [71, 37, 69],
      [40, 36, 121],
      [40, 37, 121],
      [41, 36, 121],
      [41, 37, 121],
    ],
  };
  for (const prod of products)
    it(`${prod} at ${[...dot, ...tiled[prod]!].map((s) => s.join('×')).join(', ')}`, async (ctx) => {
      requireGpu(ctx);
      for (const [m, k, n] of [...dot, ...tiled[prod]!] as [number, number, number][]) {
        const r = await checkModel(`${decls[prod]}\nC = ${prod}`, { m, k, n }, { seed: m + k + n });
        expect(r.failures, `${prod} at m=${m} k=${k} n=${n}`).toEqual([]);
        note(r.variants);
      }
    });

  it('numeric shapes get shape-specific tiles (short and wide, tall and narrow)', async (ctx) => {
    requireGpu(ctx);
    for (const src of [
      'A: [10, 64]; B: [64, 256]\nC = A·B',
      'A: [256, 64]; B: [64, 6]\nC = A·B',
      'A: [64, 64]; B: [64, 64]\nC = Aᵀ·B',
    ]) {
      const r = await checkModel(src, {});
      expect(r.failures, src).toEqual([]);
      note(r.variants);
    }
  });
});

describe('sums', () => {
  // (m, n): serial (≤ 64 terms), tree, two-pass.
  const sizes = [
    [3, 5],
    [37, 45],
    [130, 131],
  ] as const;
  const cases: [string, string][] = [
    ['all entries', 'A: [m, n]\nS = sum(exp(A) ⊙ A)'],
    ['rows', 'A: [m, n]\nS = sin(A)·ones(n)'],
    ['columns', 'A: [m, n]\nS = ones(m)ᵀ·cos(A)'],
    ['diagonal', 'A: [m, m]\nS = tr(A ⊙ A)'],
  ];
  for (const [what, src] of cases)
    it(`${what} at ${sizes.map((s) => s.join('×')).join(', ')}`, async (ctx) => {
      requireGpu(ctx);
      for (const [m, n] of sizes) {
        const r = await checkModel(src, { m, n }, { seed: m * n, tol: 1e-3 });
        expect(r.failures, `${what} at m=${m} n=${n}`).toEqual([]);
        note(r.variants);
      }
    });

  it('a long sum of a few outputs takes two passes (rows of 9000)', async (ctx) => {
    requireGpu(ctx);
    const r = await checkModel('A: [m, n]\nS = A·ones(n)', { m: 3, n: 9000 }, { tol: 1e-3 });
    expect(r.failures).toEqual([]);
    note(r.variants);
  });
});

describe('column-wise softmax and log-sum-exp', () => {
  for (const op of ['softmax', 'logsumexp'])
    it(`${op}: one invocation per column (5 rows), one workgroup per column (300 rows)`, async (ctx) => {
      requireGpu(ctx);
      for (const [m, n] of [
        [5, 7],
        [300, 6],
      ] as const) {
        const r = await checkModel(`Z: [m, n]; Y: [m, n]\nL = sum(Y ⊙ ${op}(3·Z))`, { m, n }, { seed: m, tol: 1e-3 });
        expect(r.failures, `${op} at m=${m} n=${n}`).toEqual([]);
        note(r.variants);
      }
    });

  it('a transposed input is read in place', async (ctx) => {
    requireGpu(ctx);
    const r = await checkModel('Z: [n, m]; Y: [m, n]\nL = sum(Y ⊙ softmax(Zᵀ)) + sum(logsumexp(Zᵀ))', { m: 4, n: 6 });
    expect(r.failures).toEqual([]);
  });
});

describe('factorisations', () => {
  /** Diagonally dominant A, so that f32 LU is accurate; symmetric positive definite for spd. */
  function envFor(n: number, spd: boolean, seed: number) {
    const rnd = prng(seed);
    const a = mat(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j] = normal(rnd) / Math.sqrt(n);
    if (spd) for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[i * n + j] = a.data[j * n + i]!;
    for (let i = 0; i < n; i++) a.data[i * n + i]! += 3;
    const y = mat(n, 1);
    for (let i = 0; i < n; i++) y.data[i] = normal(rnd);
    return {
      vars: new Map([
        ['A', a],
        ['y', y],
      ]),
      dims: new Map([['n', n]]),
    };
  }
  for (const spd of [false, true])
    for (const n of [3, 37, 150])
      it(`${spd ? 'Cholesky' : 'LU'}: inverse, det and logdet, n = ${n}`, async (ctx) => {
        requireGpu(ctx);
        const model = parse(
          `A: [n, n]${spd ? ' spd' : ''}; y: [n]\nL = yᵀ·inv(A)·y + logdet(A) + det(A) / 1000`,
          'factor.mdf',
        );
        const env = envFor(n, spd, n);
        // The determinant grows like 3ⁿ: for n = 150 keep only the rest.
        const m =
          n > 40 ? parse(`A: [n, n]${spd ? ' spd' : ''}; y: [n]\nL = yᵀ·inv(A)·y + logdet(A)`, 'factor.mdf') : model;
        const r = await checkParsed(m, { n }, { env, tol: 1e-3 });
        expect(r.failures).toEqual([]);
        note(r.variants);
      });
});

describe('epilogues: an elementwise step fused into the product or sum it reads', () => {
  const cases: [string, Record<string, number>][] = [
    ['A: [m, k]; B: [k, n]; X: [m, n]\nC = 2·(A·B) + X', { m: 3, k: 5, n: 4 }],
    ['A: [m, k]; B: [k, n]; X: [m, n]\nC = 2·(A·B) + X', { m: 70, k: 37, n: 69 }],
    ['A: [m, k]; B: [n, k]; X: [m, n]\nC = tanh(A·Bᵀ) ⊙ X', { m: 40, k: 36, n: 120 }],
    ['A: [m, n]\nS = 0.5·(sin(A)·ones(n)) + 1', { m: 5, n: 7 }],
    ['A: [m, n]\nS = exp(0.01·(ones(m)ᵀ·A))', { m: 200, n: 3 }],
    ['A: [m, n]\nS = sum(A ⊙ A) / 2 + 1', { m: 130, n: 131 }],
  ];
  for (const [src, dims] of cases)
    it(`${src.split('\n')[1]} at ${JSON.stringify(dims)}`, async (ctx) => {
      requireGpu(ctx);
      const r = await checkModel(src, dims, { tol: 1e-3 });
      expect(r.failures).toEqual([]);
      const fwd = r.compiled.programs.forward;
      expect(fwd.steps.length).toBe(1);
      expect(fwd.kernels.every((k) => k.label.includes('elementwise epilogue'))).toBe(true);
      note(r.variants);
    });
});

describe('limits', () => {
  it('more workgroups than one dimension allows: the grid is folded into two', async (ctx) => {
    const gpu = requireGpu(ctx);
    const n = gpu.limits.maxComputeWorkgroupsPerDimension! * 128 + 1000;
    const r = await checkModel('x: [n]\ny = exp(x) ⊙ x', { n }, { seed: 3 });
    expect(r.failures).toEqual([]);
  });
});

describe('coverage', () => {
  it('every kernel variant ran', () => {
    const want = [
      'matrix product A·B, one invocation per entry',
      'matrix product Aᵀ·Bᵀ, one invocation per entry',
      ...['A·B', 'Aᵀ·B', 'A·Bᵀ', 'Aᵀ·Bᵀ'].flatMap((p) =>
        // One vec4 operand alone is not specialised (codegen/wgsl/lower.ts): both or neither.
        ['vec4/vec4', 'scalar/scalar'].flatMap((o) =>
          ['4×4', '8×8'].map((t) => `matrix product ${p}, ${t} per invocation, operands ${o}`),
        ),
      ),
      'sum over all entries, serial',
      'sum over all entries, tree',
      'sum over all entries, split',
      'sum over all entries, combine',
      'sum over rows, serial',
      'sum over rows, tree',
      'sum over rows, split',
      'sum over rows, combine',
      'sum over cols, serial',
      'sum over cols, tree',
      'sum over the diagonal, serial',
      'sum over the diagonal, tree',
      'column-wise softmax, one invocation per column',
      'column-wise softmax, one workgroup per column',
      'column-wise logsumexp, one invocation per column',
      'column-wise logsumexp, one workgroup per column',
      'LU factorisation with partial pivoting, P·A = L·U, in one workgroup',
      'Cholesky factorisation A = L·Lᵀ in one workgroup',
      'inverse from the LU factors, one column per invocation',
      'inverse from the Cholesky factors, one column per invocation',
      'det from the LU factors',
      'det from the Cholesky factors',
      'logdet from the LU factors',
      'logdet from the Cholesky factors',
    ];
    if (ran.size === 0) return; // every GPU test was skipped
    expect(want.filter((w) => !ran.has(w))).toEqual([]);
  });
});
