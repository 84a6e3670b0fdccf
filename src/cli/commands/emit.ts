/**
 * `matdiff emit FILE --target ts|wgsl [--wrt W,b] [-o OUT] [--dtype f32|f64] [--of NAME]`:
 * writes the generated, prettier-formatted kernel module (forward and valueAndGrad) to
 * OUT, or to standard output.
 *
 * The WGSL emitter lives in codegen/wgsl/emit.ts, loaded when present. Its contract:
 *   export async function emitWgsl(program: Program, opts: { dtype: Dtype }): Promise<string>
 */
import { writeFileSync } from 'node:fs';
import { type Args, UsageError, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { outputOf, wrtOf } from '../select.js';
import { MatdiffError } from '../../errors.js';
import { placeOf } from '../../model/model.js';
import { isScalar, shapeBrief } from '../../shape/shape.js';
import { type Program, buildProgram } from '../../../codegen/program.js';
import { type Dtype, emitTs } from '../../../codegen/ts/emit.js';
import { emitWgsl } from '../../../codegen/wgsl/emit.js';

export async function emitCommand(args: Args): Promise<string> {
  onlyFlags(args, ['target', 'wrt', 'o', 'out', 'dtype', 'of', 'dims']);
  const target = flag(args, 'target', ['ts', 'wgsl'] as const, 'ts');
  const dtype = flag(args, 'dtype', ['f64', 'f32'] as const, target === 'wgsl' ? 'f32' : 'f64');
  const file = flag(args, 'o') ?? flag(args, 'out');

  const model = loadModel(args);
  const out = outputOf(model, args);
  const scalar = isScalar(out.node.shape);
  if (!scalar && flag(args, 'wrt') !== undefined)
    throw new MatdiffError(
      'E013',
      `gradients need a scalar output; ${out.name} is ${shapeBrief(out.node.shape)}`,
      placeOf(model, out.span),
    );
  const program = buildProgram({
    model,
    output: { name: out.name, node: out.node },
    wrt: scalar ? wrtOf(model, args, out.node) : [],
  });

  const code =
    target === 'ts'
      ? await emitTs(program, { dtype })
      : await emitWgsl(program, { dtype, lang: file !== undefined && /\.m?js$/.test(file) ? 'js' : 'ts' });
  if (file === undefined) return code;
  try {
    writeFileSync(file, code);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return '';
}
