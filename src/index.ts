/** matdiff as a library. */
export { parse, print, printExpr, ModelErrors } from './api.js';
export type { Model, Format, Node } from './api.js';
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
export { compile } from '../codegen/compile.js';
export type { CompileOptions, Compiled, Tensor, Inputs, Dims, Dtype } from '../codegen/compile.js';
export { compileWgsl } from '../codegen/wgsl/run.js';
export type { WgslCompiled, WgslOptions } from '../codegen/wgsl/run.js';
