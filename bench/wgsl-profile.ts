/**
 * Per-kernel timings of a model's WGSL program: each dispatch submitted alone and timed
 * to onSubmittedWorkDone (median of 7), on the adapter device.ts finds. A tool for
 * choosing kernel variants, not a benchmark (bench/wgsl.ts is). Sizes must be numeric:
 * pass symbolic ones with --dims. Buffers hold zeros (timings do not depend on values).
 *
 *   npx tsx bench/wgsl-profile.ts [FILE] [--wrt W1,b1] [--dims n=3,B=4] [--forward]
 *
 * FILE defaults to bench/mlp784.mdf with --wrt W1,b1,W2,b2.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { lowerProgram } from '../codegen/wgsl/lower.js';
import { acquireGpu } from '../codegen/wgsl/device.js';
import { evalSize } from '../codegen/wgsl/sizes.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { wrt: { type: 'string' }, dims: { type: 'string' }, forward: { type: 'boolean' } },
});
const file = positionals[0] ?? 'bench/mlp784.mdf';
const wrt = values.wrt ?? (positionals[0] ? undefined : 'W1,b1,W2,b2');
const dims = new Map(
  (values.dims ?? '')
    .split(',')
    .filter(Boolean)
    .map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])] as const),
);

const acquired = await acquireGpu();
if (!('gpu' in acquired)) throw new Error(acquired.reason);
const { device } = acquired.gpu;
const program = programOf(parse(readFileSync(file, 'utf8'), file, { dims }), wrt ? { wrt: wrt.split(',') } : {});
const lowered = lowerProgram(program);
const prog = values.forward || !lowered.valueAndGrad ? lowered.forward : lowered.valueAndGrad;
if (prog.dims.length) throw new Error(`symbolic sizes ${prog.dims.join(', ')}: pass them with --dims`);

const buffer = (words: number) =>
  device.createBuffer({ size: Math.max(16, Math.ceil(words / 4) * 16), usage: 0x80 | 0x8 | 0x4 });
const inputs = prog.inputs.map((i) => buffer(i.rows.k * i.cols.k));
const slots = prog.slots.map((s) => buffer(evalSize(s.size, [])));
const partials = buffer(1 << 16);
let total = 0;
console.log(`${acquired.gpu.adapterInfo}\n${file}: ${prog.steps.length} steps\n`);
for (const st of prog.steps) {
  const v = st.variants.find((x) => evalSize(x.when, []) !== 0)!;
  for (const k of v.kernels.map((i) => prog.kernels[i]!)) {
    const module = device.createShaderModule({ code: k.code });
    const pipe = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const entries = k.bindings.map((r, binding) => {
      if (r.kind === 'params') throw new Error('numeric sizes have no parameters');
      return {
        binding,
        resource: { buffer: r.kind === 'input' ? inputs[r.index]! : r.kind === 'slot' ? slots[r.index]! : partials },
      };
    });
    const group = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries });
    const times: number[] = [];
    for (let i = 0; i < 9; i++) {
      const t0 = performance.now();
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipe);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(evalSize(k.grid[0], []), evalSize(k.grid[1], []));
      pass.end();
      device.queue.submit([enc.finish()]);
      await device.queue.onSubmittedWorkDone();
      if (i >= 2) times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[times.length >> 1]!;
    total += ms;
    const kind = k.code.split('\n')[1]!.replace(/^\/\/ /, '');
    console.log(`${ms.toFixed(2).padStart(8)} ms  ${k.label.replace(`${file}, `, '')}\n             ${kind}`);
  }
}
console.log(`\n${total.toFixed(2).padStart(8)} ms  in all (each dispatch alone, so with its submission overhead)`);
process.exit(0);
