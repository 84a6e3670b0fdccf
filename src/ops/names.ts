/** Every primitive of the graph. Sugar (`-`, `/`, `⊘`, `sqrt`, `mean`, `norm`, …) is rewritten into these. */
export const UNARY_FNS = [
  'exp',
  'log',
  'abs',
  'sin',
  'cos',
  'tanh',
  'erf',
  'sigmoid',
  'relu',
  'softplus',
  'step',
  'sign',
] as const;
export type UnaryFn = (typeof UNARY_FNS)[number];

export type OpName =
  | 'var' // a declared variable
  | 'const' // a scalar number
  | 'dimval' // the size of a dimension, as a scalar value
  | 'fill' // ones(m, n) / zeros(m, n)
  | 'eye' // I(n)
  | 'add' // elementwise sum, broadcasting
  | 'mul' // Hadamard product, broadcasting (a scalar factor scales)
  | 'pow' // elementwise power by a constant exponent
  | UnaryFn
  | 'matmul'
  | 'transpose'
  | 'sum' // sum of all entries
  | 'tr'
  | 'softmax' // column-wise
  | 'logsumexp' // column-wise: [m, B] → [1, B]
  | 'inv'
  | 'det'
  | 'logdet' // log |det A|
  | 'diag' // vector → diagonal matrix
  | 'diagvec' // square matrix → its diagonal
  | 'vec' // column-stacking
  | 'unvec' // inverse of vec: [m·n] → [m, n]
  | 'kron' // Kronecker product A ⊗ B: [m,n]⊗[p,q] → [mp, nq]
  | 'commutation'; // commutation(m, n), [mn, mn]: commutation(m, n)·vec(A) = vec(Aᵀ)
