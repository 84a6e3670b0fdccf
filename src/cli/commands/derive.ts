/** `matdiff grad`, `hess` and `jac`: derivatives printed in matrix notation, shared parts named once. */
import { type Args, flag, onlyFlags, switchOn } from '../args.js';
import { loadModel } from '../load.js';
import { selectOptions } from '../select.js';
import { FORMATS } from '../../print/context.js';
import { derivatives } from '../../api.js';
import type { DerivativeKind } from '../../diff/derivative.js';
import { derivativesJson } from '../json.js';

export function deriveCommand(kind: DerivativeKind, args: Args): string {
  onlyFlags(args, ['wrt', 'of', 'format', 'dims', 'json', ...(kind === 'grad' ? [] : ['direction'])]);
  const format = flag(args, 'format', FORMATS, 'unicode');
  const json = switchOn(args, 'json');
  const model = loadModel(args);
  const d = derivatives(model, kind, { ...selectOptions(args), direction: flag(args, 'direction') });
  return json ? derivativesJson(model, d, format) : d.lines(format).join('\n');
}
