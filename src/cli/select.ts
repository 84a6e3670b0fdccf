/** Choosing what to differentiate and compile: `--of NAME` and `--wrt W,b`. */
import type { Model, Definition } from '../model/model.js';
import type { Node } from '../graph/node.js';
import { topoOrder } from '../graph/node.js';
import { MatdiffError, didYouMean, fail } from '../errors.js';
import { type Args, UsageError, flag } from './args.js';
import { placeOf } from '../model/model.js';
import { isScalar, shapeBrief } from '../shape/shape.js';
import { type Program, buildProgram } from '../../codegen/program.js';
import { loadModel } from './load.js';

export function outputOf(model: Model, args: Args): Definition {
  const name = flag(args, 'of') ?? model.output;
  if (!name) throw fail('E015', placeOf(model, { start: 0, end: 0 }), 'the model defines nothing to differentiate');
  const def = model.defs.get(name);
  if (!def)
    throw new UsageError(`--of: '${name}' is not a definition of the model${didYouMean(name, model.defs.keys())}`);
  return def;
}

/** The variables of `--wrt`, or every declared variable the output depends on. */
export function wrtOf(model: Model, args: Args, output: Node): { name: string; node: Node }[] {
  const list = flag(args, 'wrt');
  if (list === undefined) {
    const reach = new Set(topoOrder([output])); // one walk, not one per variable
    return [...model.vars.values()].filter((v) => reach.has(v.node)).map((v) => ({ name: v.name, node: v.node }));
  }
  return list.split(',').map((raw) => {
    const name = raw.trim();
    const v = model.vars.get(name);
    if (!v) throw new UsageError(`--wrt: '${name}' is not a declared variable${didYouMean(name, model.vars.keys())}`);
    return { name, node: v.node };
  });
}

/**
 * The compiled program of FILE for `run` and `emit`: the output (--of), differentiated by
 * --wrt (or every variable it depends on) when it is a scalar; a non-scalar output has
 * no gradient, and asking for one is an error.
 */
export function programOf(args: Args): { model: Model; program: Program } {
  const model = loadModel(args);
  const out = outputOf(model, args);
  const scalar = isScalar(out.node.shape);
  if (!scalar && flag(args, 'wrt') !== undefined)
    throw new MatdiffError(
      'E013',
      `gradients need a scalar output; ${out.name} is ${shapeBrief(out.node.shape)}`,
      placeOf(model, out.span),
    );
  const wrt = scalar ? wrtOf(model, args, out.node) : [];
  return { model, program: buildProgram({ model, output: { name: out.name, node: out.node }, wrt }) };
}
