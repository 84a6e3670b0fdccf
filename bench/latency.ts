/**
 * Compile latency (issue 15): parse → compile → first valueAndGrad of examples/mlp.mdf at
 * the benchmark's sizes (784-256-10, batch 256, f32), each stage timed, in a fresh Node
 * process per sample (nothing compiled or JIT-warmed before) — how live the playground can
 * feel. Run as `tsx bench/latency.ts --child` it is one such sample and prints JSON; the
 * benchmark calls `compileLatency` which spawns the samples.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { median } from './harness.js';

export interface LatencySample {
  /** Importing the parser and the compiler (module loading, once per process). */
  importMs: number;
  parseMs: number;
  /** compile(): program, schedule, emitted module, new Function. */
  compileMs: number;
  /** The first valueAndGrad: workspace, WebAssembly instantiation, cold JIT. */
  firstCallMs: number;
  /** parse + compile + first call. */
  totalMs: number;
}

const HERE = fileURLToPath(import.meta.url);
const MODEL = fileURLToPath(new URL('../examples/mlp.mdf', import.meta.url));

async function child(): Promise<LatencySample> {
  const t0 = performance.now();
  const { parse } = await import('../src/index.js');
  const { compile } = await import('../codegen/compile.js');
  const { MLP784, mlpData } = await import('./data.js');
  const text = readFileSync(MODEL, 'utf8');
  const d = mlpData(MLP784);
  const t1 = performance.now();
  const model = parse(text, 'examples/mlp.mdf');
  const t2 = performance.now();
  const k = compile(model, { wrt: ['W1', 'b1', 'W2', 'b2'], dtype: 'f32' });
  const t3 = performance.now();
  const r = k.valueAndGrad({ X: d.X, Y: d.Y, W1: d.W1, b1: d.b1, W2: d.W2, b2: d.b2 });
  const t4 = performance.now();
  if (!Number.isFinite(r.value)) throw new Error(`loss ${r.value}`);
  return { importMs: t1 - t0, parseMs: t2 - t1, compileMs: t3 - t2, firstCallMs: t4 - t3, totalMs: t4 - t1 };
}

/** `samples` fresh processes; the median of each stage, or the reason it failed. */
export function compileLatency(samples: number): { median: LatencySample; samples: number } | { reason: string } {
  const runs: LatencySample[] = [];
  try {
    for (let s = 0; s < samples; s++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', HERE, '--child'], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      runs.push(JSON.parse(out.toString()) as LatencySample);
    }
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return { reason: (err.stderr?.toString().trim() || String(e)).slice(0, 300) };
  }
  const med = (k: keyof LatencySample): number => median(runs.map((r) => r[k]));
  return {
    median: {
      importMs: med('importMs'),
      parseMs: med('parseMs'),
      compileMs: med('compileMs'),
      firstCallMs: med('firstCallMs'),
      totalMs: med('totalMs'),
    },
    samples,
  };
}

if (process.argv.includes('--child')) console.log(JSON.stringify(await child()));
