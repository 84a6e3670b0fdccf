/**
 * The library API: the same engine the CLI drives.
 *
 *   parse → elaborate (names, shapes) → differentiate → simplify → print / compile
 */
import { parseProgram } from './parse/parser.js';
import { elaborate, type ElaborateOptions } from './model/elaborate.js';
import { type Model, definitionNames } from './model/model.js';
import { MatdiffError } from './errors.js';
import type { Node } from './graph/node.js';
import { printExpr } from './print/printer.js';
import type { Format } from './print/context.js';
import { shapeText } from './shape/shape.js';

export class ModelErrors extends Error {
  constructor(readonly errors: MatdiffError[]) {
    super(errors.map((e) => e.format()).join('\n\n'));
  }
}

/** Parses and shape-checks a model; throws ModelErrors listing every problem found. */
export function parse(source: string, file = '<input>', opts: ElaborateOptions = {}): Model {
  const program = parseProgram(source, file);
  const { model, errors } = elaborate(program, opts);
  if (errors.length) throw new ModelErrors(errors);
  return model;
}

/** The model back as text: declarations, then each definition with its shape, then asserts. */
export function print(model: Model, format: Format = 'unicode'): string {
  const lines: string[] = [];
  for (const d of model.vars.values()) {
    const props = d.props.length ? ' ' + d.props.join(' ') : '';
    lines.push(
      format === 'latex'
        ? `${printExpr(d.node, 'latex')} \\in \\mathbb{R}${latexShape(d.node)}`
        : `${d.name}: ${shapeText(d.node.shape)}${props}`,
    );
  }
  const names = new Map<Node, string>();
  for (const d of model.defs.values()) {
    const text = printExpr(d.node, format, names);
    const shape = shapeText(d.node.shape);
    lines.push(format === 'latex' ? `${latexDef(d.name, d.node)} = ${text}` : `${d.name}: ${shape} = ${text}`);
    if (d.node.args.length && !names.has(d.node)) names.set(d.node, d.name);
  }
  const all = definitionNames(model);
  for (const a of model.asserts) {
    const [l, r] = [printExpr(a.left, format, all), printExpr(a.right, format, all)];
    lines.push(format === 'latex' ? `${l} = ${r}` : `assert ${l} = ${r}`);
  }
  return lines.join('\n');
}

function latexShape(n: Node): string {
  const dims = shapeText(n.shape).slice(1, -1).replace(/, /g, ' \\times ');
  return dims ? `^{${dims}}` : '';
}

function latexDef(name: string, n: Node): string {
  return printExpr({ ...n, op: 'var', name, args: [] } as Node, 'latex');
}

export { printExpr };
export type { Model, Format, Node };
