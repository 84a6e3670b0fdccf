/**
 * `matdiff emit FILE --target ts|wgsl|numpy [--wrt W,b] [-o OUT] [--dtype f32|f64] [--of NAME]`:
 * writes the generated, prettier-formatted kernel module (forward and valueAndGrad) to
 * OUT, or to standard output.
 *
 * The WGSL emitter lives in codegen/wgsl/emit.ts, loaded when present. Its contract:
 *   export async function emitWgsl(program: Program, opts: { dtype: Dtype }): Promise<string>
 */
import { writeFileSync } from 'node:fs';
import { type Args, UsageError, flag, onlyFlags } from '../args.js';
import { programOf } from '../select.js';
import { emitTs } from '../../../codegen/ts/emit.js';
import { emitWgsl } from '../../../codegen/wgsl/emit.js';
import { emitNumpy } from '../../../codegen/numpy/emit.js';

export async function emitCommand(args: Args): Promise<string> {
  onlyFlags(args, ['target', 'wrt', 'o', 'out', 'dtype', 'of', 'dims']);
  const target = flag(args, 'target', ['ts', 'wgsl', 'numpy'] as const, 'ts');
  const dtype = flag(args, 'dtype', ['f64', 'f32'] as const, target === 'wgsl' ? 'f32' : 'f64');
  const file = flag(args, 'o') ?? flag(args, 'out');
  if (target === 'numpy' && dtype === 'f32')
    throw new UsageError('--target numpy computes in float64: drop --dtype f32');

  const { model, program } = programOf(args);

  const code =
    target === 'numpy'
      ? emitNumpy(program, { model })
      : target === 'ts'
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
