/** `matdiff print`: the model back, each definition with its shape. */
import { type Args, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { FORMATS } from '../../print/context.js';
import { print } from '../../api.js';

export function printCommand(args: Args): string {
  onlyFlags(args, ['format', 'dims']);
  const format = flag(args, 'format', FORMATS, 'unicode');
  return print(loadModel(args), format);
}
