import { parse } from '../src/index.js';
import { compileWgsl } from '../codegen/wgsl/run.js';
for (const n of [256, 512]) {
  const k = await compileWgsl(parse('A: [n, n]; B: [n, n]\nC = A·B', 'mm.mdf', { dims: new Map([['n', n]]) }));
  const A = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const B = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const ts: number[] = [];
  for (let i = 0; i < 12; i++) { const t0 = performance.now(); await k.forward({ A, B }); ts.push(performance.now() - t0); }
  console.log(n, ts.map((t) => t.toFixed(1)).join(' '), 'GFLOP/s', (2 * n ** 3 / Math.min(...ts.slice(2)) / 1e6).toFixed(2));
  k.destroy();
}
process.exit(0);
