/**
 * A compiled program: the schedules and memory plans of its two entry points, built
 * once from a model, an output and the variables to differentiate by. Every backend
 * (TypeScript, WGSL, WASM) renders a `Program`.
 *
 *   forward       roots [f]                value only
 *   valueAndGrad  roots [f, ∂f/∂x₁, …]     f scalar; gradients share the forward's nodes
 */
import type { Model } from '../src/model/model.js';
import { nodeNamesAsWritten } from '../src/model/model.js';
import type { Node } from '../src/graph/node.js';
import { grads } from '../src/diff/derivative.js';
import { isScalar, shapeText } from '../src/shape/shape.js';
import { printExpr } from '../src/print/printer.js';
import { derivativeLines } from '../src/print/gradients.js';
import type { MemoryPlan, Schedule } from './ir.js';
import { schedule } from './schedule.js';
import { planMemory } from './memory.js';

export interface Entry {
  readonly schedule: Schedule;
  readonly plan: MemoryPlan;
}

export interface Program {
  /** The model's file name, for headers. */
  readonly file: string;
  /** The output's definition name and node. */
  readonly output: { readonly name: string; readonly node: Node };
  /** The variables differentiated by, in order, with their gradient nodes. */
  readonly wrt: readonly { readonly name: string; readonly node: Node; readonly grad: Node }[];
  readonly forward: Entry;
  /** Absent when the output is not a scalar (no gradient exists). */
  readonly valueAndGrad?: Entry;
  /** Names of the model's definitions, for printing formulas in comments. */
  readonly names: ReadonlyMap<Node, string>;
  /** The output and its gradients as `matdiff grad` prints them (Unicode), for module headers. */
  readonly formulas: readonly string[];
  /** Every symbolic dimension either entry needs, sorted. */
  readonly dims: readonly string[];
  /** Every variable either entry reads, in declaration order. */
  readonly inputs: readonly { readonly name: string; readonly node: Node }[];
}

export interface ProgramSpec {
  model: Model;
  output: { name: string; node: Node };
  wrt: readonly { name: string; node: Node }[];
  /** false: form every inverse, even one only products read (schedule.ts); for comparisons. */
  solve?: boolean;
}

export function buildProgram({ model, output, wrt, solve }: ProgramSpec): Program {
  const names = nodeNamesAsWritten(model);
  const labels = new Map(names);
  const entry = (roots: Node[]): Entry => {
    const s = schedule(roots, { names: labels, ...(solve === false && { solve }) });
    return { schedule: s, plan: planMemory(s) };
  };
  const forward = entry([output.node]);
  let valueAndGrad: Entry | undefined;
  let withGrads: Program['wrt'] = [];
  if (isScalar(output.node.shape)) {
    const gs = wrt.length
      ? grads(
          output.node,
          wrt.map((w) => w.node),
        )
      : [];
    withGrads = wrt.map((w, i) => ({ ...w, grad: gs[i]! }));
    for (const w of withGrads) if (!labels.has(w.grad)) labels.set(w.grad, `d${output.name}_d${w.name}`);
    valueAndGrad = entry([output.node, ...gs]);
  }
  const used = new Set<string>();
  for (const e of [forward, valueAndGrad]) for (const i of e?.schedule.inputs ?? []) used.add(i.name);
  const inputs = [...model.vars.values()].filter((v) => used.has(v.name)).map((v) => ({ name: v.name, node: v.node }));
  const dims = [...new Set([...forward.schedule.dims, ...(valueAndGrad?.schedule.dims ?? [])])].sort();
  const formulas = [
    `${output.name} = ${printExpr(output.node, 'unicode', names)}   ${shapeText(output.node.shape)}`,
    ...derivativeLines(
      model,
      'grad',
      output,
      withGrads,
      withGrads.map((w) => w.grad),
      'unicode',
    ),
  ];
  return {
    file: model.file,
    output,
    wrt: withGrads,
    forward,
    ...(valueAndGrad && { valueAndGrad }),
    names,
    formulas,
    dims,
    inputs,
  };
}
