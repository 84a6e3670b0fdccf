/**
 * The pipeline of matdiff, one stage a function, each the one the API (src/api.ts) calls:
 *
 *   const model = elaborate(parse(source, file), opts);  // text → syntax tree → names, shapes
 *   const selection = select(model, opts);               // the output and its variables
 *   const gradients = differentiate(selection);          // reverse mode, then simplify
 *   const program = lower(selection);                    // the same gradients, scheduled, fused, memory planned
 *   const module = await emit(program, 'ts', opts);      // the kernel module's text
 *
 * `compileSource` below is these lines (`lower` differentiates the selection itself:
 * `differentiate` alone is what `matdiff grad` prints).
 */
import { parseProgram } from './parse/parser.js';
import type { Program as Ast } from './parse/ast.js';
import { elaborate as elaborateProgram, type ElaborateOptions } from './model/elaborate.js';
import { type Model, type Definition, placeOf } from './model/model.js';
import { MatdiffError, ModelErrors, OptionError, didYouMean, fail } from './errors.js';
import { ShapeError } from './graph/node.js';
import { isScalar, shapeBrief } from './shape/shape.js';
import { type Node, topoOrder } from './graph/node.js';
import { grads } from './diff/derivative.js';
import { type Program, buildProgram } from '../codegen/program.js';
import type { Dtype } from '../codegen/compile.js';

/** Parses a model's text (LANGUAGE.md §1); a syntax error is thrown, located. */
export const parse = (source: string, file = '<input>'): Ast => parseProgram(source, file);

/** Resolves names and checks shapes; every problem found is thrown at once, as `ModelErrors`. */
export function elaborate(ast: Ast, opts: ElaborateOptions = {}): Model {
  const { model, errors } = elaborateProgram(ast, opts);
  if (errors.length) throw new ModelErrors(errors);
  return model;
}

export interface SelectOptions {
  /** The definition; default: the model's output (its last definition). */
  of?: string;
  /** Variables by name; default: every declared variable the output depends on. */
  wrt?: readonly string[];
}

/** A named graph node: a definition or a declared variable. */
export interface Named {
  name: string;
  node: Node;
}

/** What is differentiated: a definition of a model, by some of its variables. */
export interface Selection {
  model: Model;
  output: Definition;
  wrt: Named[];
}

/** The output `of` names and the variables `wrt` names (defaults: the output, every variable it depends on). */
export function select(model: Model, opts: SelectOptions = {}): Selection {
  const output = outputOf(model, opts.of);
  return { model, output, wrt: wrtOf(model, output.node, opts.wrt) };
}

/** The definition `of` names, or the model's output. */
export function outputOf(model: Model, of?: string): Definition {
  const name = of ?? model.output;
  if (name === undefined) throw fail('E016', placeOf(model, { start: 0, end: 0 }));
  const def = model.defs.get(name);
  if (!def)
    throw new OptionError('of', `'${name}' is not a definition of the model${didYouMean(name, model.defs.keys())}`);
  return def;
}

/** The variables `wrt` names, or every declared variable `output` depends on, in declaration order. */
export function wrtOf(model: Model, output: Node, wrt?: readonly string[]): Named[] {
  if (wrt === undefined) {
    const reach = new Set(topoOrder([output])); // one walk, not one per variable
    return [...model.vars.values()].filter((v) => reach.has(v.node)).map((v) => ({ name: v.name, node: v.node }));
  }
  return wrt.map((raw) => {
    const name = raw.trim();
    const v = model.vars.get(name);
    if (!v) throw new OptionError('wrt', `'${name}' is not a declared variable${didYouMean(name, model.vars.keys())}`);
    return { name, node: v.node };
  });
}

/** The gradients of a scalar output by each selected variable: one reverse pass, each simplified. */
export const differentiate = (s: Selection): Node[] =>
  grads(
    s.output.node,
    s.wrt.map((w) => w.node),
  );

/** The kernels' program: the output and (for a scalar) its gradients, scheduled, fused, memory planned. */
export const lower = (s: Selection): Program =>
  buildProgram({ model: s.model, output: { name: s.output.name, node: s.output.node }, wrt: s.wrt });

/**
 * The program `compile`, `compileWgsl` and `emit` build: `select`, then `lower`. The output
 * (`of`), and its gradients by `wrt` (default: every variable it depends on) when it is a
 * scalar; a non-scalar output has no gradient, and asking for one is an error (E013).
 */
export function programOf(model: Model, opts: SelectOptions = {}): Program {
  const output = outputOf(model, opts.of);
  const scalar = isScalar(output.node.shape);
  if (!scalar && opts.wrt !== undefined && opts.wrt.length)
    throw fail('E013', placeOf(model, output.span), 'gradient', output.name, shapeBrief(output.node.shape));
  const wrt = scalar ? wrtOf(model, output.node, opts.wrt) : [];
  try {
    return lower({ model, output, wrt });
  } catch (e) {
    if (e instanceof ShapeError)
      throw new MatdiffError(e.code === 'E018' ? 'E018' : 'E013', e.message, placeOf(model, output.span));
    throw e;
  }
}

export interface EmitterOptions {
  /** Arithmetic; each target has its default. */
  dtype?: Dtype;
  /** For 'wgsl': the host code as TypeScript (default) or JavaScript. */
  lang?: 'ts' | 'js';
  /** For 'ts': threads for the large products (default 1; codegen/ts/emit.ts). */
  threads?: number;
}

/** The module targets of `emit`; each loaded only when used. */
const EMITTERS = {
  ts: async (p: Program, o: EmitterOptions) =>
    (await import('../codegen/ts/emit.js')).emitTs(p, { dtype: o.dtype ?? 'f64', threads: o.threads }),
  wgsl: async (p: Program, o: EmitterOptions) =>
    (await import('../codegen/wgsl/emit.js')).emitWgsl(p, { dtype: o.dtype ?? 'f32', lang: o.lang ?? 'ts' }),
  numpy: async (p: Program, o: EmitterOptions, model?: Model) => {
    if (o.dtype === 'f32') throw new OptionError('dtype', '--target numpy computes in float64: drop --dtype f32');
    return (await import('../codegen/numpy/emit.js')).emitNumpy(p, { model });
  },
} satisfies Record<string, (p: Program, o: EmitterOptions, model?: Model) => Promise<string>>;

export type Target = keyof typeof EMITTERS;
export const TARGETS = Object.keys(EMITTERS) as Target[];

/** The generated kernel module's text for `target`, prettier-formatted. */
export async function emit(
  program: Program,
  target: Target,
  opts: EmitterOptions = {},
  model?: Model,
): Promise<string> {
  const emitter = EMITTERS[target];
  if (!emitter) throw new OptionError('target', `must be one of ${TARGETS.join(', ')}; got '${String(target)}'`);
  return emitter(program, opts, model);
}

/** Source text to kernel module: the whole pipeline, as the header draws it. */
export async function compileSource(
  source: string,
  file: string,
  opts: ElaborateOptions & SelectOptions & EmitterOptions & { target?: Target } = {},
): Promise<string> {
  const model = elaborate(parse(source, file), opts);
  const selection = select(model, opts);
  const program = lower(selection);
  return emit(program, opts.target ?? 'ts', opts, model);
}
