/**
 * The compiler as the page uses it: the same phases the CLI runs, imported module by
 * module (never src/index.ts, which also brings the Node-only WebGPU loader).
 *
 *   parse → elaborate → shapes; grads / hess / jac → printed lines (Unicode, ASCII, LaTeX)
 *
 * Every failure is a located MatdiffError, reported as the CLI prints it and as an
 * editor diagnostic over the same span.
 */
import { parseProgram } from '../../src/parse/parser.js';
import { elaborate } from '../../src/model/elaborate.js';
import type { Definition, Model } from '../../src/model/model.js';
import { placeOf } from '../../src/model/model.js';
import { MatdiffError, lineAt } from '../../src/errors.js';
import { type Node, ShapeError, dependsOn } from '../../src/graph/node.js';
import { shapeText } from '../../src/shape/shape.js';
import { derivative, grads, hvp, jvp, type DerivativeKind } from '../../src/diff/derivative.js';
import { derivativeLines, derivativeParts, partsLines } from '../../src/print/gradients.js';
import { type Format, latexName } from '../../src/print/context.js';
import { variable as newVariable } from '../../src/graph/build.js';
import { RESERVED } from '../../src/model/functions.js';
import { check } from '../../src/check/check.js';
import { formatResult } from '../../src/check/report.js';

/** The name models get in messages, as a file would on the command line. */
export const FILE = 'model.mdf';

export interface Problem {
  /** Offsets into the source (UTF-16), for the editor. */
  from: number;
  to: number;
  line: number;
  column: number;
  message: string;
  /** As the CLI prints it: `model.mdf:LINE:COL: error[CODE]: …`, the line and a caret underline. */
  text: string;
}

export interface Named {
  name: string;
  node: Node;
}

export interface Analysis {
  model?: Model;
  problems: Problem[];
  output?: Definition;
  /** Declared variables, and whether the output depends on each. */
  variables: { name: string; shape: string; props: string; used: boolean }[];
  definitions: { name: string; shape: string; line: number }[];
}

/** One printed derivative: a result line per variable, then the shared `where` parts. */
export interface Printed {
  kind: DerivativeKind;
  lines: { unicode: string; ascii: string; latex: string; where: boolean }[];
}

export function analyse(source: string, of?: string): Analysis {
  const none: Analysis = { problems: [], variables: [], definitions: [] };
  let model: Model;
  try {
    const { model: m, errors } = elaborate(parseProgram(source, FILE));
    if (errors.length) return { ...none, problems: errors.map(problem) };
    model = m;
  } catch (e) {
    return { ...none, problems: [problem(e)] };
  }
  const outName = of && model.defs.has(of) ? of : model.output;
  const output = outName === undefined ? undefined : model.defs.get(outName);
  return {
    model,
    problems: [],
    output,
    variables: [...model.vars.values()].map((v) => ({
      name: v.name,
      shape: shapeText(v.node.shape),
      props: v.props.join(' '),
      used: output ? dependsOn(output.node, v.node) : false,
    })),
    definitions: [...model.defs.values()].map((d) => ({
      name: d.name,
      shape: shapeText(d.node.shape),
      line: lineAt(source, d.span.start).line,
    })),
  };
}

/** Any exception as a problem; one without a place points at the start. */
export function problem(e: unknown): Problem {
  const err = e instanceof MatdiffError ? e : new MatdiffError('E030', e instanceof Error ? e.message : String(e));
  const place = err.place;
  if (!place) return { from: 0, to: 0, line: 1, column: 1, message: err.message, text: err.format() };
  const { line, column } = lineAt(place.source, place.span.start);
  return {
    from: place.span.start,
    to: Math.max(place.span.end, place.span.start),
    line,
    column,
    message: err.message,
    text: err.format(),
  };
}

const FORMATS: Format[] = ['unicode', 'ascii', 'latex'];

/** The printed lines of `kind` derivatives of the output by `wrt` (grad: all at once, sharing parts). */
export function derivatives(model: Model, output: Named, wrt: readonly Named[], kind: DerivativeKind): Printed {
  let results: Node[];
  try {
    results =
      kind === 'grad'
        ? grads(
            output.node,
            wrt.map((w) => w.node),
          )
        : wrt.map((w) => derivative(kind, output.node, w.node));
  } catch (e) {
    if (e instanceof ShapeError) {
      const span = model.defs.get(output.name)?.span ?? { start: 0, end: 0 };
      throw new MatdiffError(kind === 'grad' ? 'E013' : 'E014', e.message, placeOf(model, span));
    }
    throw e;
  }
  const [u, a, l] = FORMATS.map((f) => derivativeLines(model, kind, output, wrt, results, f)) as [
    string[],
    string[],
    string[],
  ];
  return {
    kind,
    lines: u.map((unicode, i) => ({
      unicode,
      ascii: a[i]!,
      latex: l[i]!,
      where: unicode.startsWith('  where '),
    })),
  };
}

/**
 * The operator form of a second derivative by a matrix X, as `matdiff hess|jac --wrt X
 * --direction V` prints it: `∂²L/∂X²[V] = …` (hvp) or `∂F/∂X[V] = …` (jvp), for a new
 * name V shaped like X.
 */
export function operatorForm(model: Model, output: Named, x: Named, kind: 'hess' | 'jac'): Printed {
  const taken = new Set([...model.vars.keys(), ...model.defs.keys(), ...model.dims, ...RESERVED]);
  let name = 'V';
  for (let k = 2; taken.has(name); k++) name = `V${k}`;
  const v = { name, node: newVariable(name, x.node.shape) };
  let node: Node;
  try {
    node = kind === 'hess' ? hvp(output.node, x.node, v.node) : jvp(output.node, x.node, v.node);
  } catch (e) {
    if (e instanceof ShapeError) {
      const span = model.defs.get(output.name)?.span ?? { start: 0, end: 0 };
      throw new MatdiffError('E014', e.message, placeOf(model, span));
    }
    throw e;
  }
  const lines = FORMATS.map((f) => {
    const parts = derivativeParts(model, kind, output, [x], [node], f);
    parts.lhs[0] += f === 'latex' ? `\\left[${latexName(name, true)}\\right]` : `[${name}]`;
    return partsLines(parts, f);
  }) as [string[], string[], string[]];
  return {
    kind,
    lines: lines[0].map((unicode, i) => ({
      unicode,
      ascii: lines[1][i]!,
      latex: lines[2][i]!,
      where: unicode.startsWith('  where '),
    })),
  };
}

/** The verdict on each assert, as `matdiff check` prints it. */
export function checks(model: Model): { line: number; holds: boolean; text: string }[] {
  return check(model, { trials: 20, seed: 1 }).map((r) => ({
    line: r.line,
    holds: r.verdict.status === 'holds',
    text: formatResult(r),
  }));
}

export function variable(model: Model, name: string): Named | undefined {
  const v = model.vars.get(name);
  return v && { name, node: v.node };
}
