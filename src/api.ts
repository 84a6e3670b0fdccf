/**
 * The library API: the same engine, and the same output, as the CLI — every `matdiff`
 * command is a thin layer over one function here.
 *
 *   parse → elaborate (names, shapes) → differentiate → simplify → print / compile / emit
 *
 *   const model = parse(source, 'mlp.mdf');
 *   const d = derivatives(model, 'grad', { wrt: ['W1', 'b1'] });
 *   d.lines('unicode');                 // exactly what `matdiff grad` prints
 *   d.results[0].node;                  // ∂L/∂W1 as a graph node
 *   d.results[0].text.latex;            // … and as LaTeX, shared parts by name
 *   d.where;                            // the where-bindings: G = …, G2 = …
 *
 * Errors: a model with problems throws `ModelErrors` (every problem, located); a bad
 * option (an unknown `of` or `wrt` name) throws `OptionError`; everything else a user
 * can cause is a `MatdiffError` with a code from the catalogue (src/errors.ts).
 */
import type { ElaborateOptions } from './model/elaborate.js';
import { type Model, type Definition, nodeNamesAsWritten, placeOf } from './model/model.js';
import { MatdiffError, ModelErrors, OptionError, fail } from './errors.js';
import {
  type Named,
  type SelectOptions,
  type Target,
  TARGETS,
  differentiate,
  elaborate,
  emit as emitModule,
  outputOf,
  parse as parseSource,
  programOf,
  wrtOf,
} from './pipeline.js';
import { type Node, ShapeError } from './graph/node.js';
import { printExpr } from './print/printer.js';
import { type Format, FORMATS, latexName } from './print/context.js';
import { type DerivativeParts, derivativeParts, partsLines } from './print/gradients.js';
import { isScalar, shapeBrief, shapeEq, shapeText } from './shape/shape.js';
import { type DerivativeKind, derivative, hvp, jvp } from './diff/derivative.js';
import { RESERVED } from './model/functions.js';
import { variable } from './graph/build.js';
import { type AssertResult, type CheckOptions, check } from './check/check.js';
import { formatReport } from './check/report.js';
import { computationGraph } from './graph-draw/graph.js';
import { toMermaid } from './graph-draw/mermaid.js';
import { toDot } from './graph-draw/dot.js';
import type { Program } from '../codegen/program.js';
import { type Compiled, type Dtype, instantiate } from '../codegen/compile.js';
import { type WgslCompiled, instantiateWgsl } from '../codegen/wgsl/run.js';
import { requireF32 } from '../codegen/wgsl/lower.js';
import { lineNumbers } from './util/lines.js';

/**
 * Parses and shape-checks a model.
 * @param source the model's text (LANGUAGE.md)
 * @param file the name its errors are located in
 * @param opts `dims`: sizes to fix symbolic dimensions to
 * @throws ModelErrors listing every problem found, each located
 */
export function parse(source: string, file = '<input>', opts: ElaborateOptions = {}): Model {
  return elaborate(parseSource(source, file), opts);
}

// ---------------------------------------------------------------------------
// print

/** A model as `matdiff print` shows it, in one format, part by part. */
export interface PrintedModel {
  format: Format;
  /** Symbolic dimension names, in order of first use. */
  dims: string[];
  declarations: { name: string; shape: string; properties: string[]; text: string }[];
  /** Each definition: its shape and its expression, earlier definitions used by name. */
  definitions: { name: string; shape: string; expression: string; line: number; text: string }[];
  asserts: { left: string; right: string; line: number; text: string }[];
  /** The whole print-out, one line per declaration, definition and assert (`text` of each). */
  lines: string[];
}

/** The model back as text: declarations, then each definition with its shape, then asserts. */
export function print(model: Model, format: Format = 'unicode'): string {
  return printModel(model, format).lines.join('\n');
}

/** `print`, part by part (what `matdiff print --json` writes). */
export function printModel(model: Model, format: Format = 'unicode'): PrintedModel {
  const latex = format === 'latex';
  const declarations = [...model.vars.values()].map((d) => {
    const shape = shapeText(d.node.shape);
    const props = d.props.length ? ' ' + d.props.join(' ') : '';
    const text = latex
      ? `${printExpr(d.node, 'latex')} \\in \\mathbb{R}${latexShape(shape)}`
      : `${d.name}: ${shape}${props}`;
    return { name: d.name, shape, properties: [...d.props], text };
  });
  const names = new Map<Node, string>();
  const lineOf = lineNumbers(model.source);
  const definitions = [...model.defs.values()].map((d) => {
    const expression = printExpr(d.node, format, names);
    const shape = shapeText(d.node.shape);
    const text = latex
      ? `${latexName(d.name, !isScalar(d.node.shape))} = ${expression}`
      : `${d.name}: ${shape} = ${expression}`;
    if (d.node.args.length && !names.has(d.node)) names.set(d.node, d.name);
    return { name: d.name, shape, expression, line: lineOf(d.span.start), text };
  });
  const all = nodeNamesAsWritten(model);
  const asserts = model.asserts.map((a) => {
    const [left, right] = [printExpr(a.left, format, all), printExpr(a.right, format, all)];
    return {
      left,
      right,
      line: lineOf(a.span.start),
      text: latex ? `${left} = ${right}` : `assert ${left} = ${right}`,
    };
  });
  const lines = [...declarations, ...definitions, ...asserts].map((p) => p.text);
  return { format, dims: [...model.dims], declarations, definitions, asserts, lines };
}

/** `[m, n]` → `^{m \times n}`; `[]` → nothing. */
function latexShape(shape: string): string {
  const dims = shape.slice(1, -1).replace(/, /g, ' \\times ');
  return dims ? `^{${dims}}` : '';
}

// ---------------------------------------------------------------------------
// Choosing the output and the variables

/** Which definition to differentiate or compile, and by which variables. */

/** Options of `derivatives`: the selection, and for `hess`/`jac` the operator form's direction. */
export interface DerivativeOptions extends SelectOptions {
  /**
   * `hess`/`jac` only: print the second derivative as an operator applied to this
   * direction, `∂²L/∂X²[V] = …` (the matrix form of `hvp(L, X, V)`) or `∂F/∂X[V] = …`
   * (of `jvp(F, X, V)`). The model's variable of that name, or a new one shaped like X.
   */
  direction?: string;
}

// ---------------------------------------------------------------------------
// Derivatives by name, printed as the CLI prints them

/** A text in each output format. */
export type Printed = Readonly<Record<Format, string>>;

/** One derivative: `∂L/∂W = …`. */
export interface DerivativeResult {
  /** The variable differentiated by. */
  wrt: string;
  /** The simplified derivative, as a graph node (print it, evaluate it, compile it). */
  node: Node;
  /** Its shape, `[h, n]`. */
  shape: string;
  /** The left side, `∂L/∂W` (ascii `dL/dW`, LaTeX `\frac{\partial L}{\partial \mathbf{W}}`). */
  lhs: Printed;
  /** The expression, its shared parts printed by their `where` names. */
  text: Printed;
}

/** A shared part, named once: `where G = …`. */
export interface WhereBinding {
  /** `G`, `G2`, …: never a name of the model. */
  name: string;
  node: Node;
  shape: string;
  /** The name as the expressions print it (LaTeX: `\mathbf{G}` for a matrix). */
  printedName: Printed;
  text: Printed;
}

/** What `matdiff grad`, `hess` or `jac` prints, structured. */
export interface Derivatives {
  kind: DerivativeKind;
  /** The definition differentiated. */
  output: string;
  results: DerivativeResult[];
  /** The shared parts, each after the bindings it uses. */
  where: WhereBinding[];
  /** The printed lines, exactly as the CLI prints them: one per result, then the where-lines. */
  lines(format?: Format): string[];
}

/**
 * Derivatives of a definition by variables named in the model, simplified, with their
 * shared parts named once — what `matdiff grad|hess|jac` prints.
 * - `grad`: ∂L/∂x of a scalar L, for each variable (default: every one L depends on).
 * - `hess`: ∂²L/∂x² of a scalar L in a vector or scalar x.
 * - `jac`: ∂F/∂x [m, n] of a vector F [m] in a vector x [n].
 * For `hess` and `jac`, `wrt` is required when the output depends on several variables.
 * @throws OptionError for an unknown name or a missing `wrt`; MatdiffError (E013, E014) for a shape with no such derivative
 */
export function derivatives(model: Model, kind: DerivativeKind, opts: DerivativeOptions = {}): Derivatives {
  const out = outputOf(model, opts.of);
  const wrt = wrtOf(model, out.node, opts.wrt);
  if (wrt.length === 0) throw new OptionError('wrt', `${out.name} depends on no variable; name one`);
  if (kind !== 'grad' && wrt.length > 1 && opts.wrt === undefined)
    throw new OptionError('wrt', `required for ${kind}: ${out.name} depends on ${wrt.map((w) => w.name).join(', ')}`);
  const direction = opts.direction === undefined ? undefined : directionOf(model, kind, wrt, opts.direction);
  let nodes: Node[];
  try {
    nodes = direction
      ? [kind === 'hess' ? hvp(out.node, wrt[0]!.node, direction.node) : jvp(out.node, wrt[0]!.node, direction.node)]
      : kind === 'grad'
        ? differentiate({ model, output: out, wrt })
        : wrt.map((w) => derivative(kind, out.node, w.node));
  } catch (e) {
    // A shape rule's refusal is about the derivative (E013, E014); a constant with no
    // finite value (E018) keeps its own code.
    if (e instanceof ShapeError)
      throw new MatdiffError(
        e.code === 'E018' ? 'E018' : kind === 'grad' ? 'E013' : 'E014',
        e.message,
        placeOf(model, out.span),
      );
    throw e;
  }
  // Each format printed on first use: names are chosen alike in every format.
  const cache = new Map<Format, DerivativeParts>();
  const parts = (f: Format): DerivativeParts => {
    let p = cache.get(f);
    if (!p) {
      p = derivativeParts(model, kind, out, wrt, nodes, f);
      if (direction) p.lhs[0] += directionMark(direction, f);
      cache.set(f, p);
    }
    return p;
  };
  const printed = (pick: (p: DerivativeParts) => string): Printed =>
    Object.defineProperties(
      {} as Record<Format, string>,
      Object.fromEntries(FORMATS.map((f) => [f, { get: () => pick(parts(f)), enumerable: true }])),
    );
  const results = wrt.map((w, i) => ({
    wrt: w.name,
    node: nodes[i]!,
    shape: shapeText(nodes[i]!.shape),
    lhs: printed((p) => p.lhs[i]!),
    text: printed((p) => p.texts[i]!),
  }));
  // The bindings are the same in every format: read them off whichever was printed first.
  let where: WhereBinding[] | undefined;
  const bindings = (): WhereBinding[] =>
    (where ??= (cache.values().next().value ?? parts('unicode')).where.map((b, i) => ({
      name: b.name,
      node: b.node,
      shape: shapeText(b.node.shape),
      printedName: printed((p) => p.where[i]!.printedName),
      text: printed((p) => p.where[i]!.text),
    })));
  const lines = (format: Format = 'unicode'): string[] => partsLines(parts(format), format);
  return {
    kind,
    output: out.name,
    results,
    get where() {
      return bindings();
    },
    lines,
  };
}

/**
 * The direction of an operator form: the model's variable of that name, or a new one
 * shaped like the single variable differentiated by.
 */
function directionOf(model: Model, kind: DerivativeKind, wrt: readonly Named[], name: string): Named {
  if (kind === 'grad') throw new OptionError('direction', 'only hess and jac take a direction');
  if (wrt.length !== 1) throw new OptionError('direction', 'needs exactly one variable in --wrt');
  const x = wrt[0]!;
  if (!/^[\p{L}][\p{L}\p{N}_]*$/u.test(name) || RESERVED.has(name))
    throw new OptionError('direction', `'${name}' is not a name`);
  const declared = model.vars.get(name)?.node;
  if (!declared && (model.defs.has(name) || model.dims.includes(name)))
    throw new OptionError(
      'direction',
      `'${name}' is already a ${model.defs.has(name) ? 'definition' : 'dimension'} of the model`,
    );
  if (declared && !shapeEq(declared.shape, x.node.shape))
    throw new OptionError(
      'direction',
      `${name} is ${shapeBrief(declared.shape)}, but a direction for ${x.name} must be ${shapeBrief(x.node.shape)}`,
    );
  return { name, node: declared ?? variable(name, x.node.shape) };
}

/** `[V]` after the left side: `∂²L/∂X²[V]`. */
function directionMark(v: Named, format: Format): string {
  return format === 'latex' ? `\\left[${latexName(v.name, !isScalar(v.node.shape))}\\right]` : `[${v.name}]`;
}

/** `derivatives(model, 'grad', opts)`: the gradients of a scalar definition. */
export const gradients = (model: Model, opts: SelectOptions = {}): Derivatives => derivatives(model, 'grad', opts);
/** `derivatives(model, 'hess', opts)`: the Hessian of a scalar definition in each (vector) variable. */
export const hessian = (model: Model, opts: DerivativeOptions = {}): Derivatives => derivatives(model, 'hess', opts);
/** `derivatives(model, 'jac', opts)`: the Jacobian of a vector definition in each (vector) variable. */
export const jacobian = (model: Model, opts: DerivativeOptions = {}): Derivatives => derivatives(model, 'jac', opts);

// ---------------------------------------------------------------------------
// check

/** What `matdiff check` reports. */
export interface CheckReport {
  /** One result per `assert`, in file order. */
  results: AssertResult[];
  /** How many hold, fail, and could not be decided. */
  counts: { hold: number; fail: number; unchecked: number };
  /** Every assert holds. */
  ok: boolean;
  /** The closing line, `57 hold, 0 fail` (`, 1 could not be decided` when one could not be). */
  summary: string;
  /** The report as `matdiff check` prints it, the summary line last. */
  text: string;
}

/** Checks every `assert L = R` of the model: symbolically, else on random draws. */
export function checkModel(model: Model, opts: CheckOptions = {}): CheckReport {
  const results = check(model, opts);
  const counts = { hold: 0, fail: 0, unchecked: 0 };
  for (const r of results) {
    const s = r.verdict.status;
    if (s === 'holds') counts.hold++;
    else if (s === 'fails') counts.fail++;
    else counts.unchecked++;
  }
  const summary =
    `${counts.hold} hold, ${counts.fail} fail` + (counts.unchecked ? `, ${counts.unchecked} could not be decided` : '');
  const text = results.length ? `${formatReport(results)}\n${summary}` : summary;
  return { results, counts, ok: counts.hold === results.length, summary, text };
}

// ---------------------------------------------------------------------------
// graph

/** Draws the computation graph of a definition (and, with `wrt`, its backward pass). */
export function graph(model: Model, opts: SelectOptions & { format?: 'mermaid' | 'dot' } = {}): string {
  const out = outputOf(model, opts.of);
  const wrt = opts.wrt === undefined ? [] : wrtOf(model, out.node, opts.wrt);
  try {
    const drawing = computationGraph(model, out, wrt);
    return opts.format === 'dot' ? toDot(drawing) : toMermaid(drawing);
  } catch (e) {
    if (e instanceof ShapeError)
      throw new MatdiffError(e.code === 'E018' ? 'E018' : 'E013', e.message, placeOf(model, out.span));
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Kernels: compile, compileWgsl, emit

/** The program `compile`, `compileWgsl` and `emit` build: the pipeline's `programOf` (select, then lower). */
export const program = (model: Model, opts: SelectOptions = {}): Program => programOf(model, opts);

export interface CompileOptions extends SelectOptions {
  /** Arithmetic: 'f64' (default) or 'f32'. */
  dtype?: Dtype;
  /**
   * Threads for the large matrix products of the TypeScript kernels (default 1): worker
   * threads on a shared WebAssembly memory, where the host has them (codegen/compile.ts).
   */
  threads?: number;
}

/**
 * The output and its gradients as fast in-process functions: the module `emit` writes,
 * instantiated. `valueAndGrad` needs a scalar output. Takes a model (and `of`, `wrt`),
 * or a program already built by `program()` (then only `dtype` applies).
 */
export function compile(model: Model | Program, opts: CompileOptions = {}): Compiled {
  return instantiate(programFrom(model, opts), opts.dtype ?? 'f64', opts.threads);
}

/**
 * `compile` on WebGPU: the same program as WGSL kernels. Needs `navigator.gpu`, or in
 * Node the optional package `webgpu`; f32 only. Call `destroy()` when done.
 */
export async function compileWgsl(model: Model | Program, opts: CompileOptions = {}): Promise<WgslCompiled> {
  requireF32(opts.dtype);
  return instantiateWgsl(programFrom(model, opts));
}

const programFrom = (m: Model | Program, opts: SelectOptions): Program => ('vars' in m ? program(m, opts) : m);

export interface EmitOptions extends CompileOptions {
  /**
   * 'ts' (default): a standalone TypeScript module; 'wgsl': WGSL shaders with their host
   * code; 'numpy': a Python module that needs only NumPy (float64).
   */
  target?: Target;
  /** For 'wgsl': the host code as TypeScript (default) or JavaScript. */
  lang?: 'ts' | 'js';
}

/** The generated kernel module's text, prettier-formatted: what `matdiff emit` writes. */
export async function emit(model: Model | Program, opts: EmitOptions = {}): Promise<string> {
  return emitModule(programFrom(model, opts), opts.target ?? 'ts', opts, 'vars' in model ? model : undefined);
}

export { printExpr, ModelErrors, OptionError, outputOf, wrtOf, TARGETS };
export type { SelectOptions, Named, Target };
export type { Program };
export type {
  Model,
  Format,
  Node,
  DerivativeKind,
  Definition,
  AssertResult,
  CheckOptions,
  Compiled,
  WgslCompiled,
  Dtype,
};
