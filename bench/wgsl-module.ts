/**
 * What `matdiff emit --target wgsl` writes for a model (default examples/mlp.mdf), and
 * what its shaders cost to set up on the WebGPU adapter device.ts finds (without a GPU:
 * Dawn on Mesa llvmpipe through OpenGL ES):
 *
 *   - shaders: distinct WGSL shaders in the module, kernels per entry, steps with more
 *     than one variant (specialisations chosen at run time by the sizes);
 *   - module: bytes and lines of the prettier-formatted TypeScript module;
 *   - pipelines (all): createShaderModule + createComputePipelineAsync for every shader of
 *     the module, each compiled afresh (a comment with a nonce defeats Dawn's cache);
 *   - first call / warm call: valueAndGrad at the given sizes through the in-process
 *     runner, which creates the pipelines of the variants the sizes select on first use.
 *
 *   npm run bench:wgsl-module
 *   npm run bench:wgsl-module -- examples/mlp.mdf --dims n=64,B=128,h=32,k=10 --rounds 3
 *
 * Timings are medians over --rounds rounds; one line of JSON follows the table.
 */
import { readFileSync } from 'node:fs';
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitWgsl } from '../codegen/wgsl/emit.js';
import { lowerProgram } from '../codegen/wgsl/lower.js';
import { acquireGpu } from '../codegen/wgsl/device.js';
import { instantiateWgsl } from '../codegen/wgsl/run.js';
import { randomEnv } from '../test/gen.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? 'examples/mlp.mdf';
const rounds = Number(opt('rounds') ?? 3);
const dims = new Map(
  (opt('dims') ?? 'n=64,B=128,h=32,k=10')
    .split(',')
    .map((kv) => kv.split('='))
    .map(([k, v]) => [k!, Number(v)] as const),
);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (t: number): string => `${t.toFixed(1)} ms`;

async function main(): Promise<void> {
  const model = parse(readFileSync(file, 'utf8'), file);
  const program = programOf(model);
  const programs = lowerProgram(program);
  const entries = [programs.forward, programs.valueAndGrad].filter((e) => e !== undefined);
  const shaders = [...new Set(entries.flatMap((e) => e.kernels.map((k) => k.code)))];
  const specialised = entries.flatMap((e) => e.steps).filter((s) => s.variants.length > 1).length;
  const module = await emitWgsl(program);
  const bytes = Buffer.byteLength(module, 'utf8');
  const lines = module.split('\n').length - 1;

  const acquired = await acquireGpu();
  if ('reason' in acquired) throw new Error(acquired.reason);
  const { device, adapterInfo } = acquired.gpu;

  // Every pipeline of the module, compiled afresh each round.
  const allPipelines: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const nonce = `// round ${r} ${Date.now()}\n`;
    const t0 = performance.now();
    await Promise.all(
      shaders.map((code) =>
        device.createComputePipelineAsync({
          layout: 'auto',
          compute: { module: device.createShaderModule({ code: nonce + code }), entryPoint: 'main' },
        }),
      ),
    );
    allPipelines.push(performance.now() - t0);
  }

  // The in-process runner: the first call creates the pipelines its sizes select.
  const env = randomEnv(
    1,
    [...model.vars.values()].map((v) => v.node),
    dims,
  );
  const inputs = Object.fromEntries([...env.vars].map(([k, m]) => [k, m.data]));
  const first: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // A different size each round defeats Dawn's pipeline cache between rounds only partly;
    // the first round is the one a new page pays.
    const k = await instantiateWgsl(program);
    const t0 = performance.now();
    if (program.valueAndGrad) await k.valueAndGrad(inputs, Object.fromEntries(dims));
    else await k.forward(inputs, Object.fromEntries(dims));
    first.push(performance.now() - t0);
    const t1 = performance.now();
    if (program.valueAndGrad) await k.valueAndGrad(inputs, Object.fromEntries(dims));
    else await k.forward(inputs, Object.fromEntries(dims));
    warm.push(performance.now() - t1);
    k.destroy();
  }

  const result = {
    file,
    adapter: adapterInfo,
    dims: Object.fromEntries(dims),
    shaders: shaders.length,
    kernels: entries.map((e) => e.kernels.length),
    steps: entries.map((e) => e.steps.length),
    specialisedSteps: specialised,
    moduleBytes: bytes,
    moduleLines: lines,
    allPipelinesMs: median(allPipelines),
    firstCallMs: first[0]!,
    warmCallMs: median(warm),
  };
  console.log(`${file} on ${adapterInfo}`);
  console.log(`  shaders            ${result.shaders} (kernels per entry: ${result.kernels.join(', ')})`);
  console.log(`  steps              ${result.steps.join(', ')}; ${specialised} with variants chosen at run time`);
  console.log(`  module             ${(bytes / 1024).toFixed(0)} KiB, ${lines} lines`);
  console.log(`  all pipelines      ${ms(result.allPipelinesMs)} (median of ${rounds})`);
  console.log(`  first call         ${ms(result.firstCallMs)} (pipelines of the selected variants included)`);
  console.log(`  warm call          ${ms(result.warmCallMs)}`);
  console.log(JSON.stringify(result));
  acquired.gpu.destroy();
}

await main();
