/**
 * `matdiff emit FILE --target ts|wgsl|numpy [--wrt W,b] [-o OUT] [--dtype f32|f64] [--of NAME] [--threads N]`:
 * writes the generated, prettier-formatted kernel module (forward and valueAndGrad) to
 * OUT, or to standard output. The module is the library's `emit(model, opts)`.
 */
import { writeFileSync } from 'node:fs';
import { type Args, UsageError, flag, onlyFlags } from '../args.js';
import { loadModel, whyNot } from '../load.js';
import { selectOptions } from '../select.js';
import { threadsFlag } from '../threads.js';
import { TARGETS, emit } from '../../api.js';

export async function emitCommand(args: Args): Promise<string> {
  onlyFlags(args, ['target', 'wrt', 'o', 'out', 'dtype', 'of', 'dims', 'threads']);
  const target = flag(args, 'target', TARGETS, 'ts');
  const threads = threadsFlag(args, target === 'ts', '--target ts');
  // Each target has its own default precision (ts: f64, wgsl: f32, numpy: f64 only).
  const dtype = flag(args, 'dtype') === undefined ? undefined : flag(args, 'dtype', ['f64', 'f32'] as const, 'f64');
  const file = flag(args, 'o') ?? flag(args, 'out');
  const lang = file !== undefined && /\.m?js$/.test(file) ? 'js' : 'ts';

  const code = await emit(loadModel(args), { ...selectOptions(args), target, dtype, lang, threads });
  if (file === undefined) return code;
  try {
    writeFileSync(file, code);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${whyNot(e, 'no such directory')}`, false);
  }
  return '';
}
