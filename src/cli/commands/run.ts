/**
 * `matdiff run FILE --inputs DATA.json [--wrt W,b] [--backend ts|wgsl] [--dtype f32|f64]`:
 * compiles the model and runs it on the data, printing
 *   {"value": V, "grad": {"W": G_W, …}}
 * in the data layout (LANGUAGE.md §4). `grad` holds the gradients by --wrt, or by every
 * declared variable the output depends on (as `matdiff grad`); a non-scalar output has
 * no gradient and prints only its value.
 * `--backend wgsl` runs the same program on WebGPU (codegen/wgsl/run.ts).
 */
import { type Args, UsageError, flag, onlyFlags } from '../args.js';
import { readSource } from '../load.js';
import { maxMemory } from '../limits.js';
import { MatdiffError } from '../../errors.js';
import { tooLargeText } from '../../util/memory.js';
import { MAX_WORK, programMemory, programWork } from '../../../codegen/estimate.js';
import { programOf } from '../select.js';
import { dimValue } from '../../shape/dim.js';
import type { Node } from '../../graph/node.js';
import type { Program } from '../../../codegen/program.js';
import { type BoundData, bindData, parseData, requireDims, requireFinite, toJson } from '../../../codegen/data.js';
import { type Dtype, instantiate } from '../../../codegen/compile.js';
import { runWgsl } from '../../../codegen/wgsl/run.js';

/** What a backend returns: numbers for 1×1 values, row-major arrays otherwise. */
export interface RunResult {
  value: number | ArrayLike<number>;
  grad?: Record<string, number | ArrayLike<number>>;
}

export async function runCommand(args: Args): Promise<string> {
  onlyFlags(args, ['inputs', 'wrt', 'backend', 'dtype', 'of', 'dims', 'max-memory']);
  const backend = flag(args, 'backend', ['ts', 'wgsl'] as const, 'ts');
  const dtype = flag(args, 'dtype', ['f64', 'f32'] as const, backend === 'wgsl' ? 'f32' : 'f64');
  const dataPath = flag(args, 'inputs');
  if (dataPath === undefined) throw new UsageError('missing --inputs DATA.json');

  const { model, program } = programOf(args);

  const dataFile = dataPath === '-' ? '<stdin>' : dataPath;
  const data = bindData(
    model,
    parseData(readSource(dataPath), dataFile),
    dataFile,
    program.inputs.map((i) => i.name),
  );
  requireDims(program.dims, data.dims, dataFile);
  // Sizes are known now: refuse what cannot fit before allocating any of it.
  const limit = maxMemory(args);
  const need = programMemory(program, data.dims, dtype);
  if (need.bytes > limit) throw new MatdiffError('E046', tooLargeText(need, limit, 'running this model'));
  const work = programWork(program, data.dims);
  if (work.ops > MAX_WORK) {
    const c = work.costliest!;
    const sci = (x: number) => x.toExponential(1).replace('e+', 'e');
    throw new MatdiffError(
      'E046',
      `running this model needs about ${sci(work.ops)} operations, more than ${sci(MAX_WORK)} (about a day at 1e10 a ` +
        `second): its costliest step, ${c.what}, ${c.space}, takes ${sci(c.ops)}. Use smaller sizes`,
    );
  }

  const result = backend === 'wgsl' ? await runWgsl(program, data, { dtype }) : runTs(program, data, dtype);
  return JSON.stringify(layout(program, data, result));
}

function runTs(p: Program, data: BoundData, dtype: Dtype): RunResult {
  const k = instantiate(p, dtype);
  const inputs = Object.fromEntries(data.values);
  const dims = Object.fromEntries(data.dims);
  if (!p.valueAndGrad) return { value: k.forward(inputs, dims) };
  const r = k.valueAndGrad(inputs, dims);
  return { value: r.value, grad: r.grad };
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
