/**
 * examples/iris: the Iris data and its split, an MLP trained through the generated
 * TypeScript kernels (the loss falls, the accuracy reaches 90%), the SVG loss curve, the
 * progress bar and the command line; and the same training steps on the WGSL kernels,
 * matching the TypeScript ones.
 *
 * The WGSL tests SKIP with the reason when there is no WebGPU adapter, except when the
 * CI environment variable is set: then they FAIL (CI installs the software adapter), as
 * in wgsl-device.test.ts.
 */
import { afterAll, describe, expect, it, vi, type TestContext } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PARAMS,
  loadIris,
  lossPlot,
  main,
  progressBar,
  progressLine,
  split,
  train,
  type Iris,
  type Progress,
  type TrainResult,
} from '../examples/iris/train.js';
import { linePlot, niceTicks } from '../examples/iris/plot.js';
import { acquireGpu } from '../codegen/wgsl/device.js';

const onCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const iris = loadIris();

/** A multiset key of a flower: its measurements and species. */
const keys = (d: Iris): string[] => d.features.map((f, i) => `${f.join(',')}:${d.labels[i]}`).sort();

const count = (labels: readonly number[], c: number) => labels.filter((l) => l === c).length;

describe('Iris data', () => {
  it('iris.csv holds the 150 flowers, 50 of each species, 4 measurements each', () => {
    expect(iris.features).toHaveLength(150);
    expect(iris.labels).toHaveLength(150);
    expect([0, 1, 2].map((c) => count(iris.labels, c))).toEqual([50, 50, 50]);
    expect(iris.features.every((r) => r.length === 4 && r.every((v) => v > 0 && v < 8))).toBe(true);
    expect(iris.features[0]).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(iris.features[149]).toEqual([5.9, 3.0, 5.1, 1.8]);
  });

  it('split is stratified (10 test flowers per species), a partition, and seeded', () => {
    const a = split(iris, { seed: 3 });
    expect(a.train.labels).toHaveLength(120);
    expect(a.test.labels).toHaveLength(30);
    expect([0, 1, 2].map((c) => count(a.test.labels, c))).toEqual([10, 10, 10]);
    expect([...keys(a.train), ...keys(a.test)].sort()).toEqual(keys(iris));
    expect(split(iris, { seed: 3 })).toEqual(a);
    expect(split(iris, { seed: 4 }).test).not.toEqual(a.test);
  });
});

describe('training on the TypeScript kernels', () => {
  let result: TrainResult;

  it('150 epochs: the loss falls and the test accuracy reaches 90%', async () => {
    const seen: Progress[] = [];
    result = await train({ epochs: 150, seed: 1, onEpoch: (p) => seen.push(p) });
    expect(result.losses).toHaveLength(150);
    expect(seen.map((p) => p.epoch)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(result.evaluations.map((e) => e.epoch)).toEqual(Array.from({ length: 151 }, (_, i) => i));
    const L = result.evaluations.map((e) => e.trainLoss);
    expect(L[0]).toBeGreaterThan(0.5); // about log 3 at the start
    expect(L[150]).toBeLessThan(L[0]! / 10);
    // Full-batch descent with momentum: the loss goes down, bar the odd small bump.
    expect(L[10]!).toBeLessThan(L[0]!);
    expect(L[50]!).toBeLessThan(L[10]!);
    expect(L[150]!).toBeLessThan(L[50]!);
    expect(result.trainAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('is reproducible: the same seed gives the same run', async () => {
    const again = await train({ epochs: 20, seed: 1 });
    const first = await train({ epochs: 20, seed: 1 });
    expect(again.losses).toEqual(first.losses);
    expect(again.params).toEqual(first.params);
  });

  it('trains on minibatches and in f64 as well', async () => {
    const mini = await train({ epochs: 40, seed: 2, batch: 16 });
    expect(mini.evaluations.at(-1)!.trainLoss).toBeLessThan(mini.evaluations[0]!.trainLoss / 4);
    expect(mini.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const f64 = await train({ epochs: 30, seed: 1, dtype: 'f64' });
    const f32 = await train({ epochs: 30, seed: 1, dtype: 'f32' });
    expect(f64.params.W1).toBeInstanceOf(Float64Array);
    expect(relDiff(f32.losses, f64.losses)).toBeLessThan(1e-4);
  });

  it('the loss curve is a well-formed SVG with one point per evaluated epoch', () => {
    const svg = lossPlot(result);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg).toMatch(/<title>Iris: a 4–16–3 MLP/);
    expect(svg).toContain('>epoch</text>');
    expect(svg).toContain('>cross-entropy loss</text>');
    const [W, H] = svg
      .match(/viewBox="0 0 (\d+) (\d+)"/)!
      .slice(1)
      .map(Number) as [number, number];
    const lines = [...svg.matchAll(/<polyline class="series"[^>]*points="([^"]*)"/g)].map((m) =>
      m[1]!.split(' ').map((p) => p.split(',').map(Number)),
    );
    expect(lines).toHaveLength(2); // training and test loss
    for (const pts of lines) {
      expect(pts).toHaveLength(151);
      for (const [x, y] of pts) {
        expect(x! >= 0 && x! <= W && y! >= 0 && y! <= H).toBe(true);
      }
      // x grows with the epoch; the loss falls, so the line ends lower (larger y) than it starts.
      expect(pts.every((p, i) => i === 0 || p[0]! > pts[i - 1]![0]!)).toBe(true);
      expect(pts.at(-1)![1]!).toBeGreaterThan(pts[0]![1]!);
    }
    // Axis tick labels: 0 … 150 along x, 0 and up along y.
    expect(svg).toMatch(/text-anchor="middle">0<\/text>/);
    expect(svg).toMatch(/text-anchor="middle">150<\/text>/);
  });
});

describe('plot.ts', () => {
  it('niceTicks steps by 1, 2, 2.5 or 5 × 10ᵏ', () => {
    expect(niceTicks(0, 200, 8).ticks).toEqual([0, 50, 100, 150, 200]);
    expect(niceTicks(0, 100, 5).ticks).toEqual([0, 25, 50, 75, 100]);
    expect(niceTicks(0, 1.1, 6).ticks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0.03, 0.31, 5).ticks).toEqual([0.1, 0.2, 0.3]);
  });

  it('escapes text and leaves out non-finite points', () => {
    const svg = linePlot(
      [
        {
          label: 'a < b & c',
          points: [
            [0, 1],
            [1, NaN],
            [2, 0.5],
          ],
        },
      ],
      {
        title: '"quoted" & <odd>',
        xLabel: 'x',
        yLabel: 'y',
      },
    );
    expect(unbalancedTags(svg)).toEqual([]);
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).toContain('&quot;quoted&quot; &amp; &lt;odd&gt;');
    const pts = svg.match(/<polyline class="series"[^>]*points="([^"]*)"/)![1]!.split(' ');
    expect(pts).toHaveLength(2);
  });
});

describe('progress bar and command line', () => {
  const p = (epoch: number): Progress => ({ epoch, epochs: 200, loss: 0.1234 });

  it('draws `epoch 120/200 [###…...] loss 0.1234`', () => {
    expect(progressLine(p(120), 10)).toBe('epoch 120/200 [######....] loss 0.1234');
    const last = { epoch: 120, trainLoss: 0.1, testLoss: 0.1, trainAccuracy: 0.975, testAccuracy: 1 };
    expect(progressLine({ ...p(120), last }, 10)).toBe(
      'epoch 120/200 [######....] loss 0.1234 · accuracy train  97.5% test 100.0%',
    );
  });

  it('writes one line per 10 epochs when stderr is not a terminal, one redrawn line when it is', () => {
    const written: string[] = [];
    const stream = { isTTY: false, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const bar = progressBar(stream);
    for (let e = 1; e <= 200; e++) bar(p(e));
    expect(written).toHaveLength(20);
    expect(written[11]).toMatch(/^epoch 120\/200 \[#{18}\.{12}\] loss 0\.1234\n$/);

    const tty: string[] = [];
    const term = { isTTY: true, columns: 200, write: (s: string) => tty.push(s) } as unknown as NodeJS.WriteStream;
    const redraw = progressBar(term);
    for (let e = 1; e <= 200; e++) redraw(p(e));
    expect(tty.every((s) => s.startsWith('\r'))).toBe(true);
    expect(tty.at(-1)).toMatch(/^\repoch 200\/200 \[#{30}\] loss 0\.1234\x1b\[K\n$/);
    expect(tty.slice(0, -1).every((s) => !s.includes('\n'))).toBe(true);
  });

  it('main: trains, prints the accuracies, writes the SVG; a bad flag is a usage error (2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iris-'));
    const out: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--epochs', '30', '--seed', '2', '--svg', join(dir, 'loss.svg')])).toBe(0);
      expect(out.join('')).toMatch(/accuracy: training \d+\.\d% \(\d+\/120\), test \d+\.\d% \(\d+\/30\)/);
      expect(readFileSync(join(dir, 'loss.svg'), 'utf8')).toMatch(/^<svg /);
      expect(await main(['--backend', 'cuda'])).toBe(2);
      expect(await main(['--epochs', '0'])).toBe(2);
      expect(await main(['--backend', 'wgsl', '--dtype', 'f64'])).toBe(2);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ── WGSL ──

const acquired = await acquireGpu();
const unavailable = 'reason' in acquired ? acquired.reason : undefined;
if (unavailable && !onCi) console.warn(`[iris] skipping WGSL training: ${unavailable}`);

function requireGpu(ctx: TestContext): void {
  if ('gpu' in acquired) return;
  if (onCi) throw new Error(`a WebGPU adapter is required when CI is set, but none is available: ${unavailable}`);
  ctx.skip(`no WebGPU adapter: ${unavailable}`);
}

afterAll(() => {
  if ('gpu' in acquired) acquired.gpu.destroy();
});

/** max |a − b| / max(max |b|, floor): the error of a relative to b, elementwise in scale. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = floor;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return err / scale;
}

describe('training on the WGSL kernels', () => {
  it('a few steps match the TypeScript (f32) steps within 1e-4', async (ctx) => {
    requireGpu(ctx);
    const opts = { epochs: 8, seed: 5 } as const;
    const [ts, gpu] = [
      await train({ ...opts, backend: 'ts', dtype: 'f32' }),
      await train({ ...opts, backend: 'wgsl' }),
    ];
    expect(gpu.engine).toMatch(/^WGSL kernels/);
    expect(relDiff(gpu.losses, ts.losses)).toBeLessThan(1e-4);
    for (const k of ['trainLoss', 'testLoss'] as const)
      expect(
        relDiff(
          gpu.evaluations.map((e) => e[k]),
          ts.evaluations.map((e) => e[k]),
        ),
      ).toBeLessThan(1e-4);
    for (const k of PARAMS) expect(relDiff(gpu.params[k], ts.params[k]), k).toBeLessThan(1e-4);
  });

  it('reaches the same accuracy as the TypeScript kernels', async (ctx) => {
    requireGpu(ctx);
    const gpu = await train({ epochs: 100, seed: 1, backend: 'wgsl', evalEvery: 25 });
    expect(gpu.evaluations.at(-1)!.trainLoss).toBeLessThan(gpu.evaluations[0]!.trainLoss / 10);
    expect(gpu.testAccuracy).toBeGreaterThanOrEqual(0.9);
    const ts = await train({ epochs: 100, seed: 1, evalEvery: 25 });
    expect(gpu.testAccuracy).toBe(ts.testAccuracy);
    expect(gpu.trainAccuracy).toBe(ts.trainAccuracy);
  });
});

/** Tags of an XML text that do not balance (empty when well-formed as far as tags go). */
function unbalancedTags(xml: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (!close) stack.push(name!);
    else if (stack.pop() !== name) problems.push(`</${name}> at ${m.index}`);
  }
  problems.push(...stack.map((n) => `<${n}> not closed`));
  // Everything that looks like a tag must have been matched: no stray '<'.
  const stray = xml.replace(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g, '').match(/[<>]/g);
  if (stray) problems.push(`stray ${stray.join('')}`);
  return problems;
}
