/**
 * matdiff as a library: the functions every `matdiff` command is built on (src/api.ts),
 * and the graph-level operators beneath them. Reference: docs/api.md.
 */
export {
  parse,
  print,
  printModel,
  printExpr,
  derivatives,
  gradients,
  hessian,
  jacobian,
  checkModel,
  graph,
  program,
  compile,
  compileWgsl,
  emit,
  outputOf,
  wrtOf,
  TARGETS,
  ModelErrors,
  OptionError,
} from './api.js';
export type {
  Model,
  Definition,
  Format,
  Node,
  Named,
  DerivativeKind,
  PrintedModel,
  SelectOptions,
  DerivativeOptions,
  Printed,
  Derivatives,
  DerivativeResult,
  WhereBinding,
  CheckReport,
  CompileOptions,
  EmitOptions,
  Target,
  Compiled,
  WgslCompiled,
  Dtype,
} from './api.js';
export { MatdiffError } from './errors.js';
export { grad, grads, hess, jac } from './diff/derivative.js';
export { hvp, jvp, hessMatrix, jacMatrix } from './diff/directional.js';
export { simplify } from './simplify/simplify.js';
export { evaluate } from './eval/interpret.js';
export { check } from './check/check.js';
export type { CheckOptions, AssertResult, Verdict, Counterexample } from './check/check.js';
export { formatReport } from './check/report.js';
export { computationGraph } from './graph-draw/graph.js';
export { toMermaid } from './graph-draw/mermaid.js';
export { toDot } from './graph-draw/dot.js';
export type { Tensor, Inputs, Dims } from '../codegen/compile.js';
export type { WgslOptions } from '../codegen/wgsl/run.js';
