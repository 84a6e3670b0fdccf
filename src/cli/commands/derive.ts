/** `matdiff grad`, `hess` and `jac`: derivatives printed in matrix notation, shared parts named once. */
import type { Args } from '../args.js';
import { UsageError, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { outputOf, wrtOf } from '../select.js';
import { FORMATS, type Format, latexName } from '../../print/context.js';
import { nameShared } from '../../print/where.js';
import { derivative, type DerivativeKind } from '../../diff/derivative.js';
import { grads } from '../../diff/derivative.js';
import { stepAdjoints } from '../../diff/steps.js';
import { type Node, ShapeError } from '../../graph/node.js';
import { MatdiffError } from '../../errors.js';
import { placeOf, type Model } from '../../model/model.js';
import { isScalar } from '../../shape/shape.js';
import { simplify } from '../../simplify/simplify.js';
import { RESERVED } from '../../model/functions.js';

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
    results = kind === 'grad' ? grads(out.node, wrt.map((w) => w.node)) : wrt.map((w) => derivative(kind, out.node, w.node));
  } catch (e) {
    if (e instanceof ShapeError) throw new MatdiffError(kind === 'grad' ? 'E013' : 'E014', e.message, placeOf(model, out.span));
    throw e;
  }
  const hints = kind === 'grad' ? stepAdjoints(out.node, [...model.vars.values()].map((v) => v.node)) : [];
  const named = nameShared(results, format, definedNames(model), takenNames(model), hints);
  const lines = wrt.map((w, i) => `${lhs(kind, out.name, w.name, w.node, format)} = ${named.texts[i]}`);
  for (const [name, text] of named.where) lines.push(`  where ${name} = ${text}`);
  return lines.join('\n');
}

function lhs(kind: DerivativeKind, f: string, x: string, xn: Node, fmt: Format): string {
  if (fmt === 'latex') {
    const [lf, lx] = [latexName(f, false), latexName(x, !isScalar(xn.shape))];
    return kind === 'hess' ? `\\frac{\\partial^2 ${lf}}{\\partial ${lx}^2}` : `\\frac{\\partial ${lf}}{\\partial ${lx}}`;
  }
  if (fmt === 'ascii') return kind === 'hess' ? `d2${f}/d${x}2` : `d${f}/d${x}`;
  return kind === 'hess' ? `∂²${f}/∂${x}²` : `∂${f}/∂${x}`;
}

/** Each definition's node, and its simplified form, to its name. */
export function definedNames(model: Model): Map<Node, string> {
  const names = new Map<Node, string>();
  for (const d of model.defs.values()) {
    if (d.node.args.length === 0) continue;
    if (!names.has(d.node)) names.set(d.node, d.name);
    const s = simplify(d.node);
    if (s.args.length && !names.has(s)) names.set(s, d.name);
  }
  return names;
}

export function takenNames(model: Model): Set<string> {
  return new Set([...model.vars.keys(), ...model.defs.keys(), ...model.dims, ...RESERVED]);
}
