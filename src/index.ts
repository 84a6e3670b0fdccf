/** matdiff as a library. */
export { parse, print, printExpr, ModelErrors } from './api.js';
export type { Model, Format, Node } from './api.js';
export { MatdiffError } from './errors.js';
export { grad, grads, hess, jac } from './diff/derivative.js';
export { simplify } from './simplify/simplify.js';
export { evaluate } from './eval/interpret.js';
