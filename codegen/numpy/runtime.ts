/**
 * The fixed part of every generated NumPy module: reading inputs (a float, a vector of
 * shape (n,), a matrix) into the module's layout, binding and checking the symbolic
 * sizes, the overflow-free sigmoid and softplus, the column-wise softmax and logsumexp
 * with the column maximum subtracted, and shaping the results.
 *
 * Layout inside a module: every value is 2-D as the formula shapes it (a vector [n] is a
 * column (n, 1), so that it broadcasts over the columns of an [n, B] matrix as the
 * language says) or a NumPy scalar for a scalar; the results are shaped as the contract
 * says (float, (n,), (m, n)).
 */

import type { UnaryFn } from '../../src/ops/names.js';
import { elementwiseHelpers } from '../../src/ops/elementwise.js';

/** The helpers of the elementwise functions (_sigmoid, _softplus, …): their registry rows hold them. */
const FN_HELPERS = elementwiseHelpers('numpy');

/** Names the helpers take: generated code never gives them to a variable. In the order a module carries them. */
export const HELPER_NAMES = [
  '_input',
  '_dim',
  ...FN_HELPERS.map((h) => `_${h.fn}` as const),
  '_softmax',
  '_logsumexp',
  '_commutation',
  '_as_float',
  '_as_vector',
  '_as_matrix',
] as const;

type RuntimeHelper =
  '_input' | '_dim' | '_softmax' | '_logsumexp' | '_commutation' | '_as_float' | '_as_vector' | '_as_matrix';
export type Helper = RuntimeHelper | `_${UnaryFn}`;

/** The runtime's own helpers. */
const RUNTIME_HELPERS: Record<RuntimeHelper, string> = {
  _input: `def _input(inputs, name, shape, size):
    """inputs[name] as declared: a float for shape (), a column (n, 1) for shape (n,), a
    matrix for shape (m, n). Named sizes are bound in \`size\` on first sight, then checked."""
    if name not in inputs:
        raise KeyError(f"missing input {name!r}, declared with shape {shape}")
    x = np.asarray(inputs[name], dtype=np.float64)
    ok = x.ndim == len(shape)
    for want, got in zip(shape, x.shape if ok else ()):
        if isinstance(want, str):
            ok = ok and size.setdefault(want, got) == got
        else:
            ok = ok and want == got
    if not ok:
        bound = tuple(size.get(d, d) if isinstance(d, str) else d for d in shape)
        raise ValueError(f"input {name!r} has shape {x.shape}; declared {shape} = {bound}")
    if x.ndim == 0:
        return x[()]
    return x.reshape(-1, 1) if x.ndim == 1 else x`,
  _dim: `def _dim(size, name):
    """A symbolic size, bound by the inputs or given in dims."""
    if name not in size:
        raise ValueError(f"size {name!r} is not fixed by the inputs; pass dims={{{name!r}: ...}}")
    return int(size[name])`,
  _commutation: `def _commutation(m, n):
    """The commutation matrix K of sizes (m, n): K @ vec(A) = vec(A.T) for A of shape (m, n)."""
    k = np.zeros((m * n, m * n))
    i, j = np.meshgrid(np.arange(m), np.arange(n), indexing="ij")
    k[(j + i * n).ravel(), (i + j * m).ravel()] = 1.0
    return k`,
  _softmax: `def _softmax(z):
    """Column-wise softmax (a vector is one column), the column maximum subtracted first."""
    z = np.atleast_2d(z)
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)`,
  _logsumexp: `def _logsumexp(z):
    """Column-wise log Σ exp (a vector is one column): shape (1, columns), maximum subtracted first."""
    z = np.atleast_2d(z)
    top = np.max(z, axis=0, keepdims=True)
    top = np.where(np.isfinite(top), top, 0)
    return top + np.log(np.sum(np.exp(z - top), axis=0, keepdims=True))`,
  _as_float: `def _as_float(x):
    """A scalar result as a Python float."""
    return float(np.asarray(x).item())`,
  _as_vector: `def _as_vector(x):
    """A column result as shape (n,), a copy."""
    return np.array(x, dtype=np.float64).reshape(-1)`,
  _as_matrix: `def _as_matrix(x):
    """A matrix result, a copy (never one of the inputs)."""
    return np.array(x, dtype=np.float64)`,
};

/** Each helper's Python text; a module carries only those it calls (`_input` and `_dim` use none). */
export const HELPERS: Readonly<Partial<Record<Helper, string>>> = {
  ...RUNTIME_HELPERS,
  ...Object.fromEntries(FN_HELPERS.map((h) => [`_${h.fn}`, h.code])),
};
