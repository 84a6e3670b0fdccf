/** `matdiff grad`, `hess` and `jac`: derivatives printed in matrix notation, shared parts named once. */
import type { Args } from '../args.js';
import { UsageError, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { outputOf, wrtOf } from '../select.js';
import { FORMATS } from '../../print/context.js';
import { derivativeLines } from '../../print/gradients.js';
import { derivative, grads, hvp, jvp, type DerivativeKind } from '../../diff/derivative.js';
import type { Definition, Model } from '../../model/model.js';
import { RESERVED } from '../../model/functions.js';
import { variable } from '../../graph/build.js';
import { isScalar, shapeBrief, shapeEq } from '../../shape/shape.js';
import { type Format, latexName } from '../../print/context.js';
import { type Node, ShapeError } from '../../graph/node.js';
import { MatdiffError } from '../../errors.js';
import { placeOf } from '../../model/model.js';

export function deriveCommand(kind: DerivativeKind, args: Args): string {
  onlyFlags(args, ['wrt', 'of', 'format', 'dims', ...(kind === 'grad' ? [] : ['direction'])]);
  const format = flag(args, 'format', FORMATS, 'unicode');
  const model = loadModel(args);
  const out = outputOf(model, args);
  const wrt = wrtOf(model, args, out.node);
  if (wrt.length === 0) throw new UsageError(`${out.name} depends on no variable; name one with --wrt`);
  if (kind !== 'grad' && wrt.length > 1 && flag(args, 'wrt') === undefined)
    throw new UsageError(`${kind} needs --wrt: ${out.name} depends on ${wrt.map((w) => w.name).join(', ')}`);
  const direction = kind === 'grad' ? undefined : flag(args, 'direction');
  if (direction !== undefined) return operatorLine(kind as 'hess' | 'jac', model, out, wrt, direction, format);

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

/**
 * `--direction V`: the second derivative as an operator, one line `∂²L/∂X²[V] = …` (the
 * matrix form of hvp(L, X, V)) or `∂F/∂X[V] = …` (of jvp(F, X, V)), shaped like X or F.
 * V is the model's variable of that name, or a new one shaped like X.
 */
function operatorLine(
  kind: 'hess' | 'jac',
  model: Model,
  out: Definition,
  wrt: readonly { name: string; node: Node }[],
  direction: string,
  format: Format,
): string {
  if (wrt.length !== 1) throw new UsageError(`--direction needs exactly one variable in --wrt`);
  const x = wrt[0]!;
  if (!/^[\p{L}][\p{L}\p{N}_]*$/u.test(direction) || RESERVED.has(direction))
    throw new UsageError(`--direction: '${direction}' is not a name`);
  const declared = model.vars.get(direction)?.node;
  if (!declared && (model.defs.has(direction) || model.dims.includes(direction)))
    throw new UsageError(
      `--direction: '${direction}' is already a ${model.defs.has(direction) ? 'definition' : 'dimension'} of the model`,
    );
  if (declared && !shapeEq(declared.shape, x.node.shape))
    throw new UsageError(
      `--direction: ${direction} is ${shapeBrief(declared.shape)}, but a direction for ${x.name} must be ${shapeBrief(x.node.shape)}`,
    );
  const v = declared ?? variable(direction, x.node.shape);
  let result: Node;
  try {
    result = kind === 'hess' ? hvp(out.node, x.node, v) : jvp(out.node, x.node, v);
  } catch (e) {
    if (e instanceof ShapeError) throw new MatdiffError('E014', e.message, placeOf(model, out.span));
    throw e;
  }
  const [first, ...rest] = derivativeLines(model, kind, out, [x], [result], format);
  const mark = format === 'latex' ? `\\left[${latexName(direction, !isScalar(v.shape))}\\right]` : `[${direction}]`;
  const at = first!.indexOf(' = ');
  return [first!.slice(0, at) + mark + first!.slice(at), ...rest].join('\n');
}
