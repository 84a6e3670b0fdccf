/// <reference types="@webgpu/types" />
/**
 * Helpers of the WGSL tests: the device (skip with the reason locally when there is no
 * WebGPU adapter; FAIL when CI is set, where the software adapter is installed), every
 * shader of a lowered program validated by Tint, and a program run on the GPU compared
 * with the reference interpreter.
 */
import { expect, type TestContext } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import type { Model } from '../src/model/model.js';
import type { Node } from '../src/graph/node.js';
import { programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { acquireGpu, type GpuHandle } from '../codegen/wgsl/device.js';
import { instantiateWgsl, type WgslCompiled } from '../codegen/wgsl/run.js';
import type { WgslProgram } from '../codegen/wgsl/lower.js';
import { evalSize } from '../codegen/wgsl/sizes.js';
import { type Env, randomEnv } from './gen.js';
import { relDiff } from './codegen-util.js';

export const onCi = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

const acquired = await acquireGpu();
export const unavailable = 'reason' in acquired ? acquired.reason : undefined;
if (unavailable && !onCi) console.warn(`[wgsl] skipping GPU tests: ${unavailable}`);

/** The device, or skip (locally) / fail (CI) with the reason. */
export function requireGpu(ctx: TestContext): GpuHandle {
  if ('gpu' in acquired) return acquired.gpu;
  if (onCi) throw new Error(`a WebGPU adapter is required when CI is set, but none is available: ${unavailable}`);
  return ctx.skip(`no WebGPU adapter: ${unavailable}`);
}

/** Tint's errors for every shader of `prog` (all variants, run or not), as readable lines. */
export async function shaderErrors(device: GPUDevice, prog: WgslProgram): Promise<string[]> {
  const out: string[] = [];
  for (const k of prog.kernels) {
    const module = device.createShaderModule({ code: k.code, label: k.label });
    const info = await module.getCompilationInfo();
    for (const m of info.messages)
      if (m.type === 'error')
        out.push(`${k.label}: line ${m.lineNum}: ${m.message}\n${k.code.split('\n')[m.lineNum - 1]}`);
  }
  return out;
}

/** The second comment line of each kernel a program runs for these sizes: its kind and variant. */
export function chosenVariants(prog: WgslProgram, dims: ReadonlyMap<string, number>): string[] {
  const D = prog.dims.map((d) => dims.get(d)!);
  return prog.steps.flatMap((st) => {
    const v = st.variants.find((x) => evalSize(x.when, D) !== 0)!;
    return v.kernels.map((k) => prog.kernels[k]!.code.split('\n')[1]!.replace(/^\/\/ /, ''));
  });
}

export interface Outcome {
  what: string;
  err: number;
}

const flat = (v: number | ArrayLike<number>): ArrayLike<number> => (typeof v === 'number' ? [v] : v);

/** Runs `p` on `env` on the GPU and in the interpreter: one outcome per result (value, then each gradient). */
export async function compareWgsl(k: WgslCompiled, p: Program, env: Env, floor = 1e-3): Promise<Outcome[]> {
  const roots: Node[] = [p.output.node, ...p.wrt.map((w) => w.grad)];
  const names = [p.output.name, ...p.wrt.map((w) => `∂${p.output.name}/∂${w.name}`)];
  const ref = evaluate(roots, env).map((m) => m.data);
  const inputs = Object.fromEntries([...env.vars].map(([key, m]) => [key, m.data]));
  const dims = Object.fromEntries(env.dims);
  let got: ArrayLike<number>[];
  if (!p.valueAndGrad) got = [flat(await k.forward(inputs, dims))];
  else {
    const r = await k.valueAndGrad(inputs, dims);
    got = [flat(r.value), ...p.wrt.map((w) => flat(r.grad[w.name]!))];
  }
  return names.map((what, i) => ({ what, err: relDiff(ref[i]!, got[i]!, floor, true) }));
}

/** Outcomes over `tol`, as lines (empty when all pass). */
export const failures = (outcomes: Outcome[], tol = 1e-4): string[] =>
  outcomes.filter((o) => !(o.err <= tol)).map((o) => `${o.what}: error ${o.err.toExponential(2)}`);

/**
 * The model of `source`, compiled to WGSL (gradients by every variable the output
 * depends on), checked by Tint, run on random data of sizes `dims` and compared.
 */
export async function checkModel(
  source: string,
  dims: Record<string, number>,
  opts: { seed?: number; tol?: number; floor?: number; wrt?: string[]; of?: string; file?: string } = {},
): Promise<{ failures: string[]; variants: string[]; program: Program; compiled: WgslCompiled }> {
  const model = parse(source, opts.file ?? 'test.mdf');
  return checkParsed(model, dims, opts);
}

export async function checkParsed(
  model: Model,
  dims: Record<string, number>,
  opts: { seed?: number; tol?: number; floor?: number; wrt?: string[]; of?: string; env?: Env } = {},
): Promise<{ failures: string[]; variants: string[]; program: Program; compiled: WgslCompiled }> {
  const program = programOf(model, { ...(opts.wrt && { wrt: opts.wrt }), ...(opts.of && { of: opts.of }) });
  const compiled = await instantiateWgsl(program);
  const gpu = (await acquireGpu()) as { gpu: GpuHandle };
  const dimMap = new Map(Object.entries(dims));
  try {
    const progs = [compiled.programs.forward, compiled.programs.valueAndGrad].filter((x): x is WgslProgram => !!x);
    for (const prog of progs) expect(await shaderErrors(gpu.gpu.device, prog)).toEqual([]);
    const variants = progs.flatMap((prog) => chosenVariants(prog, dimMap));
    const env =
      opts.env ??
      randomEnv(
        opts.seed ?? 1,
        [...model.vars.values()].map((v) => v.node),
        dimMap,
      );
    const outcomes = await compareWgsl(compiled, program, env, opts.floor);
    return { failures: failures(outcomes, opts.tol), variants, program, compiled };
  } finally {
    compiled.destroy();
  }
}
