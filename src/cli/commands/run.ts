/**
 * `matdiff run FILE --inputs DATA.json [--wrt W,b] [--backend ts|wgsl] [--dtype f32|f64]`:
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
import { type BoundData, bindData, parseData, requireDims, toJson } from '../../../codegen/data.js';

/** What a backend returns: numbers for 1×1 values, row-major arrays otherwise. */
export interface RunResult {
  value: number | ArrayLike<number>;
  grad?: Record<string, number | ArrayLike<number>>;
}

export async function runCommand(args: Args): Promise<string> {
  onlyFlags(args, ['inputs', 'wrt', 'backend', 'dtype', 'of', 'dims']);
  const backend = flag(args, 'backend', ['ts', 'wgsl'] as const, 'ts');
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
    const k = compile(p, { dtype });
    result = p.valueAndGrad ? k.valueAndGrad(inputs, dims) : { value: k.forward(inputs, dims) };
  }
  return JSON.stringify(layout(p, data, result));
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

/** The result in the data JSON layout. */
function layout(p: Program, data: BoundData, r: RunResult): { value: unknown; grad?: Record<string, unknown> } {
  const json = (v: number | ArrayLike<number>, node: Node) => {
    const rows = dimValue(node.shape.rows, data.dims);
    const cols = dimValue(node.shape.cols, data.dims);
    return toJson(typeof v === 'number' ? [v] : v, rows, cols);
  };
  const value = json(r.value, p.output.node);
  if (!p.valueAndGrad) return { value };
  const grad: Record<string, unknown> = {};
  for (const w of p.wrt)
    Object.defineProperty(grad, w.name, { value: json(r.grad![w.name]!, w.node), enumerable: true });
  return { value, grad };
}
