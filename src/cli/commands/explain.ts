/** `matdiff explain CODE`: the longer explanation of an error code, with an example. */
import { type Args, UsageError, onlyFlags } from '../args.js';
import { ERRORS } from '../../errors.js';
import { explainText, isErrorCode } from '../../errors-explain.js';

export function explainCommand(args: Args): string {
  onlyFlags(args, []);
  const [given, ...more] = args.positionals;
  if (given === undefined) throw new UsageError('expected an error code, as in matdiff explain E010');
  if (more.length) throw new UsageError(`expected one error code, got ${args.positionals.length}`);
  const code = given.toUpperCase();
  if (!isErrorCode(code))
    throw new UsageError(`unknown error code '${given}'; the codes are ${Object.keys(ERRORS).sort().join(', ')}`);
  return explainText(code);
}
