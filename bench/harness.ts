/**
 * The benchmark harness: statistics, timing and table formatting.
 *
 * Everything above `measure` is pure and is exercised by test/bench-smoke.test.ts;
 * `measure` is the only part that reads a clock.
 */

// ───────────────────────────── statistics ─────────────────────────────

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The q-quantile (0 ≤ q ≤ 1) by linear interpolation between order statistics. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) throw new Error('quantile of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const pos = Math.min(Math.max(q, 0), 1) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface Stats {
  /** Median time of one call, milliseconds. */
  medianMs: number;
  /** Fastest and slowest sample (per call), milliseconds. */
  minMs: number;
  maxMs: number;
  /** Interquartile range relative to the median: a noise indicator. */
  relIqr: number;
  /** Number of samples the median is taken over. */
  samples: number;
  /** Calls per sample (short calls are batched so a sample lasts ≥ minSampleMs). */
  repsPerSample: number;
}

export function stats(perCallMs: readonly number[], repsPerSample = 1): Stats {
  const med = median(perCallMs);
  return {
    medianMs: med,
    minMs: Math.min(...perCallMs),
    maxMs: Math.max(...perCallMs),
    relIqr: med > 0 ? (quantile(perCallMs, 0.75) - quantile(perCallMs, 0.25)) / med : 0,
    samples: perCallMs.length,
    repsPerSample,
  };
}

/** Floating-point operations of an [m,k]·[k,n] product (one multiply and one add per term). */
export function matmulFlops(m: number, k: number = m, n: number = m): number {
  return 2 * m * k * n;
}

/** GFLOP/s of `flops` operations done in `ms` milliseconds. */
export function gflops(flops: number, ms: number): number {
  if (!(ms > 0)) return NaN;
  return flops / (ms * 1e6);
}

/**
 * How many times faster `ours` is than `theirs` (theirs / ours): > 1 means ours is
 * faster. Both are times.
 */
export function speedup(oursMs: number, theirsMs: number): number {
  if (!(oursMs > 0) || !(theirsMs > 0)) return NaN;
  return theirsMs / oursMs;
}

/**
 * Normwise relative difference max|a−b| / max|b| (b the reference), so entries near
 * zero do not blow the measure up. Lengths must agree.
 */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) return NaN;
    if (d > num) num = d;
    den = Math.max(den, Math.abs(b[i]!));
  }
  return den === 0 ? num : num / den;
}

/** Number of calls per timed sample so that a sample lasts at least `minSampleMs`. */
export function repsFor(estimatedCallMs: number, minSampleMs: number, maxReps = 1000): number {
  if (!(estimatedCallMs > 0)) return maxReps;
  return Math.max(1, Math.min(maxReps, Math.ceil(minSampleMs / estimatedCallMs)));
}

// ───────────────────────────── formatting ─────────────────────────────

export type Cell = string | number | null | undefined;

/** A number with `digits` significant digits, without exponent for ordinary sizes; '—' for missing. */
export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const mag = Math.floor(Math.log10(Math.abs(x)));
  if (mag >= 6 || mag < -4) return x.toExponential(digits - 1);
  const decimals = Math.max(0, digits - 1 - mag);
  return x.toFixed(decimals);
}

export function fmtMs(ms: number | null | undefined): string {
  return ms === null || ms === undefined || Number.isNaN(ms) ? '—' : `${fmtNum(ms, 3)} ms`;
}

export function fmtRatio(r: number | null | undefined): string {
  return r === null || r === undefined || Number.isNaN(r) ? '—' : `${fmtNum(r, 3)}×`;
}

/**
 * A plain-text table: a header row, a rule, then the rows. Columns are as wide as their
 * widest cell; the first column is left-aligned, the others right-aligned. Missing cells
 * print as '—'.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (c: Cell): string => (c === null || c === undefined ? '—' : typeof c === 'number' ? fmtNum(c) : c);
  const cells = [headers.map(String), ...rows.map((r) => headers.map((_, i) => text(r[i])))];
  const width = headers.map((_, i) => Math.max(...cells.map((r) => [...r[i]!].length)));
  const pad = (s: string, i: number): string => {
    const fill = ' '.repeat(width[i]! - [...s].length);
    return i === 0 ? s + fill : fill + s;
  };
  const line = (r: readonly string[]): string => r.map(pad).join('  ').trimEnd();
  const rule = width.map((w) => '─'.repeat(w)).join('  ');
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join('\n');
}

/** YYYY-MM-DD in local time, for result file names. */
export function dateStamp(d: Date): string {
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export interface BenchArgs {
  quick: boolean;
  /** Timed samples per implementation (≥ 5). */
  runs: number;
  /** Matrix sizes for the product benchmark. */
  sizes: number[];
  /** Only these sections (a, b, c, alloc), or all. */
  only: Set<string> | null;
  /** Where to write the JSON; default bench/results/cpu-<date>.json. */
  out: string | null;
}

/** `--quick`, `--runs N` (≥5), `--sizes 128,256`, `--only a,b`, `--out FILE`. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const quick = argv.includes('--quick');
  const args: BenchArgs = {
    quick,
    runs: quick ? 5 : 21,
    sizes: quick ? [128, 256] : [128, 256, 512],
    only: null,
    out: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--quick') continue;
    else if (a === '--runs') args.runs = Math.max(5, parseInt(next(), 10) || 5);
    else if (a === '--sizes')
      args.sizes = next()
        .split(',')
        .map((s) => parseInt(s, 10))
        .filter((n) => n > 0);
    else if (a === '--only') args.only = new Set(next().split(','));
    else if (a === '--out') args.out = next();
    else
      throw new Error(`unknown argument ${a} (known: --quick, --runs N, --sizes a,b, --only a,b,c,alloc, --out FILE)`);
  }
  return args;
}

// ───────────────────────────── timing ─────────────────────────────

export interface Contender {
  name: string;
  /** One call of the measured work, results read back into JS memory. */
  run: () => void;
  /** Untimed set-up before each sample (e.g. switching the tfjs backend). */
  before?: () => void | Promise<void>;
}

export interface MeasureOptions {
  runs: number;
  /** Warm-up: at least this long and at least `warmupCalls` calls. */
  warmupMs: number;
  warmupCalls: number;
  minSampleMs: number;
  /** Stop early (fewer samples, never fewer than 5) when a contender has used this long. */
  maxMsPerContender?: number;
}

/**
 * Times the contenders in interleaved rounds (round r samples each contender once), so
 * slow drift of the machine affects them all alike; returns per-call statistics. A
 * contender that throws is reported as an error and dropped.
 */
export async function measure(
  contenders: readonly Contender[],
  opt: MeasureOptions,
): Promise<Map<string, Stats | { error: string }>> {
  const out = new Map<string, Stats | { error: string }>();
  const live: { c: Contender; reps: number; samples: number[]; spent: number }[] = [];
  for (const c of contenders) {
    try {
      await c.before?.();
      let calls = 0;
      const t0 = performance.now();
      while (calls < opt.warmupCalls || performance.now() - t0 < opt.warmupMs) {
        c.run();
        calls++;
      }
      const est = (performance.now() - t0) / calls;
      live.push({ c, reps: repsFor(est, opt.minSampleMs), samples: [], spent: 0 });
    } catch (e) {
      out.set(c.name, { error: errorText(e) });
    }
  }
  for (let r = 0; r < opt.runs; r++) {
    for (const l of live) {
      if (out.has(l.c.name)) continue;
      if (opt.maxMsPerContender && l.samples.length >= 5 && l.spent > opt.maxMsPerContender) continue;
      try {
        await l.c.before?.();
        const t0 = performance.now();
        for (let i = 0; i < l.reps; i++) l.c.run();
        const dt = performance.now() - t0;
        l.spent += dt;
        l.samples.push(dt / l.reps);
      } catch (e) {
        out.set(l.c.name, { error: errorText(e) });
      }
    }
  }
  for (const l of live) if (!out.has(l.c.name)) out.set(l.c.name, stats(l.samples, l.reps));
  // keep the caller's order
  return new Map(contenders.filter((c) => out.has(c.name)).map((c) => [c.name, out.get(c.name)!]));
}

export function errorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 300);
}
