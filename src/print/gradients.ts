/**
 * Derivatives as printed lines — `∂L/∂W = …`, then `  where G = …` for the parts they
 * share — for `matdiff grad/hess/jac` and for the headers of generated modules.
 */
import type { Node } from '../graph/node.js';
import type { Model } from '../model/model.js';
import { RESERVED } from '../model/functions.js';
import { isScalar } from '../shape/shape.js';
import { simplifiedSoFar } from '../simplify/simplify.js';
import { stepAdjoints } from '../diff/steps.js';
import type { DerivativeKind } from '../diff/derivative.js';
import { type Format, latexName } from './context.js';
import { nameShared } from './where.js';
import { preferModelForms } from '../simplify/prefer-names.js';

export interface Named {
  name: string;
  node: Node;
}

/** One line per derivative of `output` by each of `wrt` (`results`, in order), then the where-lines. */
export function derivativeLines(
  model: Model,
  kind: DerivativeKind,
  output: Named,
  wrt: readonly Named[],
  results: readonly Node[],
  format: Format,
): string[] {
  return partsLines(derivativeParts(model, kind, output, wrt, results, format), format);
}

/** `∂L/∂W = …` for each result, then `  where G = …` (LaTeX: `  \text{where } \mathbf{G} = …`). */
export function partsLines(parts: DerivativeParts, format: Format): string[] {
  const where = format === 'latex' ? '\\text{where } ' : 'where ';
  return [
    ...parts.lhs.map((l, i) => `${l} = ${parts.texts[i]}`),
    ...parts.where.map((w) => `  ${where}${w.printedName} = ${w.text}`),
  ];
}

/** The printed parts of `derivativeLines`: each left side and expression, and each where-binding. */
export interface DerivativeParts {
  /** `∂L/∂W` (or `d2L/dx2`, `\frac{…}{…}`) for each of `wrt`. */
  lhs: string[];
  /** Each result, its shared parts printed by name. */
  texts: string[];
  /** The shared parts, each after those it uses: the name (`G`), as printed in `format` (`\mathbf{G}`), its text and node. */
  where: { name: string; printedName: string; text: string; node: Node }[];
  /** The results as printed: in the model's own forms (what `matdiff graph --wrt` draws). */
  shown: Node[];
}

export function derivativeParts(
  model: Model,
  kind: DerivativeKind,
  output: Named,
  wrt: readonly Named[],
  results: readonly Node[],
  format: Format,
): DerivativeParts {
  // Name the adjoints of the model's own steps (δ of each layer), however short.
  const hints =
    kind === 'grad'
      ? stepAdjoints(
          output.node,
          [...model.vars.values()].map((v) => v.node),
        )
      : [];
  const shown = preferModelForms(results, model.defs.values()); // the model's own names and spelling
  const named = nameShared(shown, format, nodeNamesWithSimplified(model), takenNames(model), hints);
  return {
    lhs: wrt.map((w) => lhs(kind, output.name, w.name, w.node, format)),
    texts: named.texts,
    where: named.where.map(([name, text], i) => {
      const node = named.shared[i]!;
      const printedName = format === 'latex' ? latexName(name, !isScalar(node.shape)) : name;
      return { name, printedName, text, node };
    }),
    shown,
  };
}

function lhs(kind: DerivativeKind, f: string, x: string, xn: Node, fmt: Format): string {
  if (fmt === 'latex') {
    const [lf, lx] = [latexName(f, false), latexName(x, !isScalar(xn.shape))];
    return kind === 'hess'
      ? `\\frac{\\partial^2 ${lf}}{\\partial ${lx}^2}`
      : `\\frac{\\partial ${lf}}{\\partial ${lx}}`;
  }
  if (fmt === 'ascii') return kind === 'hess' ? `d2${f}/d${x}2` : `d${f}/d${x}`;
  return kind === 'hess' ? `∂²${f}/∂${x}²` : `∂${f}/∂${x}`;
}

/**
 * Each definition's node, and its simplified form, to its name. Only the simplified
 * forms already made count: a gradient simplifies every forward node it reads, and a
 * definition it does not read need not be simplified (on a large model, the cost of
 * simplifying the whole forward pass once more).
 */
export function nodeNamesWithSimplified(model: Model): Map<Node, string> {
  const names = new Map<Node, string>();
  for (const d of model.defs.values()) {
    if (d.node.args.length === 0) continue;
    if (!names.has(d.node)) names.set(d.node, d.name);
    const s = simplifiedSoFar(d.node);
    if (!s) continue;
    if (s.args.length && !names.has(s)) names.set(s, d.name);
  }
  return names;
}

/** Names a where-binding must not take. */
export function takenNames(model: Model): Set<string> {
  return new Set([...model.vars.keys(), ...model.defs.keys(), ...model.dims, ...RESERVED]);
}
