/** `matdiff print`: the model back, each definition with its shape. */
import { type Args, flag, onlyFlags, switchOn } from '../args.js';
import { loadModel } from '../load.js';
import { FORMATS } from '../../print/context.js';
import { printModel } from '../../api.js';
import { printJson } from '../json.js';

export function printCommand(args: Args): string {
  onlyFlags(args, ['format', 'dims', 'json']);
  const format = flag(args, 'format', FORMATS, 'unicode');
  const json = switchOn(args, 'json');
  const model = loadModel(args);
  const printed = printModel(model, format);
  return json ? printJson(model, printed) : printed.lines.join('\n');
}
