/**
 * Smoke test of the benchmark harness's pure parts (bench/): statistics, FLOP counts,
 * formatting, argument parsing and the reference product. No timing assertions.
 */
import { describe, expect, it } from 'vitest';
import {
  dateStamp,
  fmtNum,
  fmtRatio,
  formatTable,
  gflops,
  matmulFlops,
  median,
  parseArgs,
  quantile,
  relDiff,
  repsFor,
  speedup,
  stats,
} from '../bench/harness.js';
import { MLP784, mlpData, mlpForwardFlops, mlpStepFlops, rng, uniform } from '../bench/data.js';
import { makeTiledMatmul, naiveMatmul } from '../bench/ref-matmul.js';

describe('statistics', () => {
  it('median of odd and even counts, unsorted input left alone', () => {
    const xs = [5, 1, 3];
    expect(median(xs)).toBe(3);
    expect(xs).toEqual([5, 1, 3]);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });

  it('quantiles interpolate', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([0, 10], 0.5)).toBe(5);
    expect(quantile([3, 1, 2], 1)).toBe(3);
  });

  it('stats summarise per-call samples', () => {
    const s = stats([2, 4, 3, 100, 3], 7);
    expect(s.medianMs).toBe(3);
    expect(s.minMs).toBe(2);
    expect(s.maxMs).toBe(100);
    expect(s.samples).toBe(5);
    expect(s.repsPerSample).toBe(7);
    expect(s.relIqr).toBeCloseTo((4 - 3) / 3);
  });

  it('GFLOP/s and speed-ups', () => {
    expect(matmulFlops(512)).toBe(2 * 512 ** 3);
    expect(matmulFlops(2, 3, 4)).toBe(48);
    // 2·512³ flops in 100 ms = 2.68 GFLOP/s
    expect(gflops(matmulFlops(512), 100)).toBeCloseTo(2.68435456, 6);
    expect(gflops(1e9, 1000)).toBe(1);
    expect(gflops(1, 0)).toBeNaN();
    expect(speedup(10, 30)).toBe(3); // ours 10 ms, theirs 30 ms: 3× faster
    expect(speedup(NaN, 3)).toBeNaN();
  });

  it('normwise relative difference', () => {
    expect(relDiff([1, 2, 4], [1, 2, 4])).toBe(0);
    expect(relDiff([1, 2, 4.004], [1, 2, 4])).toBeCloseTo(1e-3, 9);
    expect(relDiff([0.001], [0])).toBe(0.001); // absolute when the reference is 0
    expect(relDiff([NaN, 1], [1, 1])).toBeNaN();
    expect(() => relDiff([1], [1, 2])).toThrow();
  });

  it('samples batch short calls', () => {
    expect(repsFor(0.1, 20)).toBe(200);
    expect(repsFor(50, 20)).toBe(1);
    expect(repsFor(0, 20)).toBe(1000);
  });

  it('MLP FLOP counts', () => {
    expect(mlpForwardFlops(MLP784)).toBe(2 * 256 * 784 * 256 + 2 * 10 * 256 * 256);
    expect(mlpStepFlops(MLP784)).toBe(mlpForwardFlops(MLP784) + 4 * 10 * 256 * 256 + 2 * 256 * 784 * 256);
  });
});

describe('formatting', () => {
  it('numbers to three significant digits', () => {
    expect(fmtNum(1234.5)).toBe('1235');
    expect(fmtNum(12.345)).toBe('12.3');
    expect(fmtNum(0.012345)).toBe('0.0123');
    expect(fmtNum(2.5e-7, 2)).toBe('2.5e-7');
    expect(fmtNum(0)).toBe('0');
    expect(fmtNum(NaN)).toBe('—');
    expect(fmtNum(null)).toBe('—');
    expect(fmtRatio(3)).toBe('3.00×');
  });

  it('tables align columns: first left, the rest right', () => {
    const t = formatTable(
      ['impl', 'ms', 'GFLOP/s'],
      [
        ['matdiff', '1.5 ms', 2.25],
        ['tfjs-cpu', '30 ms', null],
      ],
    );
    expect(t.split('\n')).toEqual([
      'impl          ms  GFLOP/s',
      '────────  ──────  ───────',
      'matdiff   1.5 ms     2.25',
      'tfjs-cpu   30 ms        —',
    ]);
  });

  it('dates for file names', () => {
    expect(dateStamp(new Date(2025, 0, 9))).toBe('2025-01-09');
  });
});

describe('arguments', () => {
  it('full and quick defaults', () => {
    expect(parseArgs([])).toMatchObject({ quick: false, runs: 21, sizes: [128, 256, 512], only: null });
    expect(parseArgs(['--quick'])).toMatchObject({ quick: true, runs: 5, sizes: [128, 256] });
  });

  it('flags; never fewer than 5 runs', () => {
    const a = parseArgs(['--runs', '2', '--sizes', '64,96', '--only', 'a,alloc', '--out', 'x.json']);
    expect(a.runs).toBe(5);
    expect(a.sizes).toEqual([64, 96]);
    expect([...a.only!]).toEqual(['a', 'alloc']);
    expect(a.out).toBe('x.json');
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown argument/);
  });
});

describe('reference product and data', () => {
  it('the register-tiled loop equals the naive one, edges included', () => {
    for (const [m, k, n] of [
      [4, 4, 4],
      [7, 5, 9],
      [13, 300, 6], // k spans two blocks
      [1, 1, 1],
    ] as const) {
      const r = rng(m * 1000 + k * 10 + n);
      const a = uniform(m * k, r);
      const b = uniform(k * n, r);
      const want = new Float32Array(m * n);
      const got = new Float32Array(m * n).fill(99); // stale output must be overwritten
      naiveMatmul(m, k, n)(a, b, want);
      makeTiledMatmul(m, k, n)(a, b, got);
      expect(relDiff(got, want)).toBeLessThan(1e-5);
    }
  });

  it('seeded data is deterministic and well-formed', () => {
    const d1 = mlpData({ n: 6, h: 4, k: 3, B: 5 }, 1);
    const d2 = mlpData({ n: 6, h: 4, k: 3, B: 5 }, 1);
    expect(d1.W1).toEqual(d2.W1);
    expect(d1.X.length).toBe(30);
    // one-hot columns of Y [k, B]
    for (let j = 0; j < 5; j++) expect([0, 1, 2].reduce((s, i) => s + d1.Y[i * 5 + j]!, 0)).toBe(1);
  });
});
