/**
 * The threshold for splitting a product among worker threads (codegen/wasm/pool.ts,
 * THREAD_MIN): the generated module's f32 product C = A·B on 1 and 2 threads, every
 * product split (threadMin 1), square sizes from 32 to 512. Run `npx tsx bench/threads.ts`
 * (optionally `--sizes 64,128`); medians of 7 samples, each a batch of calls.
 */
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitModule } from '../codegen/ts/emit.js';
import { rng, uniform } from './data.js';

const flag = process.argv.indexOf('--sizes');
const sizes = flag > 0 ? process.argv[flag + 1]!.split(',').map(Number) : [32, 48, 64, 80, 96, 128, 192, 256, 512];

interface Module {
  forward(inputs: object): unknown;
  threadsReady?(): Promise<number>;
}

/** Median time of one call, ms. */
function time(run: () => void, calls: number): number {
  for (let i = 0; i < calls; i++) run();
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    const t = performance.now();
    for (let i = 0; i < calls; i++) run();
    samples.push((performance.now() - t) / calls);
  }
  return samples.sort((x, y) => x - y)[3]!;
}

console.log('n     m·n·k       1 thread           2 threads          2t ÷ 1t');
for (const n of sizes) {
  const program = programOf(parse('A: [n, n]; B: [n, n]\nC = A·B\n', 'matmul.mdf', { dims: new Map([['n', n]]) }));
  const r = rng(n);
  const inputs = { A: uniform(n * n, r), B: uniform(n * n, r) };
  const calls = Math.max(5, Math.round(1e8 / n ** 3));
  const ms: number[] = [];
  for (const threads of [1, 2]) {
    const mod = new Function(emitModule(program, { dtype: 'f32', lang: 'js', threads, threadMin: 1 }))() as Module;
    const got = (await mod.threadsReady?.()) ?? 1;
    if (got !== threads) console.log(`  (${threads} threads requested, ${got} available)`);
    ms.push(time(() => void mod.forward(inputs), calls));
  }
  const g = (t: number) =>
    `${(t * 1000).toFixed(1).padStart(8)} µs ${((2 * n ** 3) / t / 1e6).toFixed(1).padStart(5)} GF/s`;
  console.log(
    `${String(n).padEnd(5)} ${String(n ** 3).padEnd(11)} ${g(ms[0]!)}  ${g(ms[1]!)}  ${(ms[0]! / ms[1]!).toFixed(2)}×`,
  );
}
