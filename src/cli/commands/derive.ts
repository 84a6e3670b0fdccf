/** `matdiff grad`, `hess` and `jac`: derivatives printed in matrix notation, shared parts named once. */
import type { Args } from '../args.js';
import { UsageError, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { outputOf, wrtOf } from '../select.js';
import { FORMATS } from '../../print/context.js';
import { derivativeLines } from '../../print/gradients.js';
import { derivative, grads, type DerivativeKind } from '../../diff/derivative.js';
import { type Node, ShapeError } from '../../graph/node.js';
import { MatdiffError } from '../../errors.js';
import { placeOf } from '../../model/model.js';

export function deriveCommand(kind: DerivativeKind, args: Args): string {
  onlyFlags(args, ['wrt', 'of', 'format', 'dims']);
  const format = flag(args, 'format', FORMATS, 'unicode');
  const model = loadModel(args);
  const out = outputOf(model, args);
  const wrt = wrtOf(model, args, out.node);
  if (wrt.length === 0) throw new UsageError(`${out.name} depends on no variable; name one with --wrt`);
  if (kind !== 'grad' && wrt.length > 1 && flag(args, 'wrt') === undefined)
    throw new UsageError(`${kind} needs --wrt: ${out.name} depends on ${wrt.map((w) => w.name).join(', ')}`);

  let results: Node[];
  try {
    results =
      kind === 'grad'
        ? grads(
            out.node,
            wrt.map((w) => w.node),
          )
        : wrt.map((w) => derivative(kind, out.node, w.node));
  } catch (e) {
    if (e instanceof ShapeError)
      throw new MatdiffError(kind === 'grad' ? 'E013' : 'E014', e.message, placeOf(model, out.span));
    throw e;
  }
  return derivativeLines(model, kind, out, wrt, results, format).join('\n');
}
