/**
 * `matdiff run FILE --inputs DATA.json [--wrt W,b] [--backend ts|wgsl] [--dtype f32|f64] [--threads N]`:
 * compiles the model and runs it on the data, printing
 *   {"value": V, "grad": {"W": G_W, …}}
 * in the data layout (LANGUAGE.md §4). `grad` holds the gradients by --wrt, or by every
 * declared variable the output depends on (as `matdiff grad`); a non-scalar output has
 * no gradient and prints only its value. The kernels are the library's `compile`
 * (`--backend ts`) or `compileWgsl` (`--backend wgsl`, WebGPU).
 */
import { type Args, UsageError, flag, onlyFlags } from '../args.js';
import { fileOf, loadModel, readSource } from '../load.js';
import { selectOptions } from '../select.js';
import { type Model, compile, compileWgsl, program } from '../../api.js';
import { dimValue } from '../../shape/dim.js';
import type { Node } from '../../graph/node.js';
import type { Program } from '../../../codegen/program.js';
import { type BoundData, bindData, parseData, requireDims, requireFinite, toJson } from '../../../codegen/data.js';
import { maxMemory } from '../limits.js';
import { threadsFlag } from '../threads.js';
import { fail } from '../../errors.js';
import { tooLargeText } from '../../util/memory.js';
import { MAX_WORK, programMemory, programWork } from '../../../codegen/estimate.js';

/** What a backend returns: numbers for 1×1 values, row-major arrays otherwise. */
export interface RunResult {
  value: number | ArrayLike<number>;
  grad?: Record<string, number | ArrayLike<number>>;
}

export async function runCommand(args: Args): Promise<string> {
  onlyFlags(args, ['inputs', 'wrt', 'backend', 'dtype', 'of', 'dims', 'max-memory', 'threads']);
  const backend = flag(args, 'backend', ['ts', 'wgsl'] as const, 'ts');
  const threads = threadsFlag(args, backend === 'ts', '--backend ts');
  const dtype = flag(args, 'dtype', ['f64', 'f32'] as const, backend === 'wgsl' ? 'f32' : 'f64');
  const dataPath = flag(args, 'inputs');
  if (dataPath === undefined) throw new UsageError('missing --inputs DATA.json');
  if (dataPath === '-' && fileOf(args) === '-')
    throw new UsageError(
      'the model and the data cannot both come from standard input (-); name a file for one of them',
    );

  const model = loadModel(args);
  const p = program(model, selectOptions(args));
  const data = dataFor(model, p, dataPath);
  // Sizes are known now: refuse what cannot fit before allocating any of it.
  requireFits(p, data, dtype, maxMemory(args));
  const inputs = Object.fromEntries(data.values);
  const dims = Object.fromEntries(data.dims);
  let result: RunResult;
  if (backend === 'wgsl') {
    const k = await compileWgsl(p, { dtype });
    try {
      result = p.valueAndGrad ? await k.valueAndGrad(inputs, dims) : { value: await k.forward(inputs, dims) };
    } finally {
      k.destroy();
    }
  } else {
    const k = compile(p, { dtype, threads });
    // One call: let the workers start first, or it would run on one thread.
    if (threads !== undefined && threads > 1) await k.threadsReady();
    result = p.valueAndGrad ? k.valueAndGrad(inputs, dims) : { value: k.forward(inputs, dims) };
  }
  return JSON.stringify(layout(p, data, result));
}

/** Refuses a run whose memory (over `limit` bytes) or work (over MAX_WORK operations) cannot fit (E046). */
function requireFits(p: Program, data: BoundData, dtype: 'f32' | 'f64', limit: number): void {
  const need = programMemory(p, data.dims, dtype);
  if (need.bytes > limit) throw fail('E046', undefined, 'memory', tooLargeText(need, limit, 'running this model'));
  const work = programWork(p, data.dims);
  if (work.ops > MAX_WORK) {
    const c = work.costliest!;
    const sci = (x: number) => x.toExponential(1).replace('e+', 'e');
    throw fail('E046', undefined, 'work', sci(work.ops), sci(MAX_WORK), c.what, c.space, sci(c.ops));
  }
}

/** The data file, bound to the program's inputs and sizes. */
function dataFor(model: Model, p: Program, path: string): BoundData {
  const file = path === '-' ? '<stdin>' : path;
  const data = bindData(
    model,
    parseData(readSource(path), file),
    file,
    p.inputs.map((i) => i.name),
  );
  requireDims(p.dims, data.dims, file);
  return data;
}

/**
 * The result in the data JSON layout. JSON has no infinity or NaN: a result with such an
 * entry is an error (E045) that names it and its first such entry, never a silent null.
 */
function layout(p: Program, data: BoundData, r: RunResult): { value: unknown; grad?: Record<string, unknown> } {
  const json = (v: number | ArrayLike<number>, node: Node, what?: string) => {
    const rows = dimValue(node.shape.rows, data.dims);
    const cols = dimValue(node.shape.cols, data.dims);
    const entries = typeof v === 'number' ? [v] : v;
    requireFinite(entries, rows, cols, what ?? p.output.name, what ? 'gradient' : 'value');
    return toJson(entries, rows, cols);
  };
  const value = json(r.value, p.output.node);
  if (!p.valueAndGrad) return { value };
  const grad: Record<string, unknown> = {};
  for (const w of p.wrt)
    Object.defineProperty(grad, w.name, {
      value: json(r.grad![w.name]!, w.node, `∂${p.output.name}/∂${w.name}`),
      enumerable: true,
    });
  return { value, grad };
}
