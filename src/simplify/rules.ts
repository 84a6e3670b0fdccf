/**
 * The simplifier's rewrite rules, in the order they are tried. Each rule looks at the
 * root of an expression whose arguments are already simplified, and returns a rewritten
 * expression or nothing. Every rule is an identity of matrix calculus (named in its
 * comment) oriented towards a smaller or more canonical form, so rewriting terminates.
 */
import type { Node } from '../graph/node.js';
import { UNARY_FNS, type UnaryFn } from '../ops/names.js';
import { fnRow } from '../ops/elementwise.js';
import { isColumn, isRow, isScalar, isSquare, shape, shapeEq } from '../shape/shape.js';
import { type Dim, dimDiv, dimEq, dimMul } from '../shape/dim.js';
import * as b from '../graph/build.js';
import { normalProduct, normalSum } from './normal.js';
import { TEXTBOOK_ELEMENTWISE, TEXTBOOK_LINEAR } from './textbook.js';
import { expandIfShorter } from './expand.js';

export type Rule = (n: Node) => Node | undefined;

const UNARY = new Set<string>(UNARY_FNS);
/** f(0) = 0, a fact of the function's registry row. */
const zeroAtZero = (n: Node): boolean => UNARY.has(n.op) && fnRow(n.op as UnaryFn).facts.zeroAtZero;
const is = (n: Node | undefined, op: string): boolean => n?.op === op;
const a0 = (n: Node) => n.args[0]!;
const a1 = (n: Node) => n.args[1]!;

const symMemo = new WeakMap<Node, boolean>();
/**
 * Is `n` symmetric by construction: a sym/spd variable, I, diag(x), a square fill, Aᵀ·A,
 * A·Aᵀ, A·S·Aᵀ, Aᵀ·S·A, and sums, scalings, Hadamard products, inverses, transposes and
 * elementwise functions of symmetric matrices.
 */
function symmetric(n: Node): boolean {
  if (!isSquare(n.shape)) return false;
  let s = symMemo.get(n);
  if (s === undefined) symMemo.set(n, (s = symmetricBy(n)));
  return s;
}
function symmetricBy(n: Node): boolean {
  const symOrScalar = (x: Node) => isScalar(x.shape) || symmetric(x);
  switch (n.op) {
    case 'var':
      return !!(n.props?.includes('sym') || n.props?.includes('spd'));
    case 'eye':
    case 'diag':
    case 'fill':
      return true;
    case 'matmul': {
      const [l, r] = n.args as [Node, Node];
      const tOf = (x: Node) => (is(x, 'transpose') ? a0(x) : undefined);
      // Aᵀ·A, A·Aᵀ, A·S·Aᵀ, and Aᵀ·S·A.
      return (
        tOf(l) === r ||
        tOf(r) === l ||
        (is(l, 'matmul') && tOf(r) === a0(l) && symmetric(a1(l))) ||
        (is(l, 'matmul') && tOf(a0(l)) === r && symmetric(a1(l)))
      );
    }
    case 'add':
    case 'mul':
      return n.args.every(symOrScalar);
    case 'inv':
    case 'transpose':
    case 'pow':
      return symmetric(a0(n));
    default:
      return UNARY.has(n.op) && symmetric(a0(n));
  }
}

/** P·Q = I: A·A⁻¹, A⁻¹·A, and their transposes Aᵀ·A⁻ᵀ, A⁻ᵀ·Aᵀ. */
const inversePair = (p: Node, q: Node): boolean =>
  (is(q, 'inv') && a0(q) === p) ||
  (is(p, 'inv') && a0(p) === q) ||
  (is(p, 'transpose') && is(q, 'transpose') && inversePair(a0(p), a0(q)));

/** A ones vector or row: ones(n), ones(n)ᵀ, ones(1, n). */
const isOnes = (n: Node): boolean => (is(n, 'fill') && n.num === 1) || (is(n, 'transpose') && isOnes(a0(n)));

// ═══ Kronecker products and commutation matrices (issue 11) ═══════════════════════════
// vec stacks columns; commutation(m, n)·vec(A) = vec(Aᵀ) for A: [m, n]. A product of a
// Kronecker factor with vec(X) is turned back into matrix products (vec(A·X·B) read right
// to left), so that a flattened derivative applied to vec(V) needs no [mn, mn] matrix.

/** The (m, n) of commutation(m, n). */
const commSizes = (k: Node): [Dim, Dim] => [k.dim!, dimDiv(k.shape.rows, k.dim!)!];
const isVecOf = (x: Node): boolean => is(x, 'vec') || (isColumn(x.shape) && !isScalar(x.shape));
/** X with vec(X) = x, given X's row count m. */
const unvecOf = (x: Node, m: Dim): Node => (is(x, 'vec') && dimEq(a0(x).shape.rows, m) ? a0(x) : b.unvec(x, m));

const KRONECKER_RULES: [string, Rule][] = [
  [
    '(A⊗B)·(C⊗D) = (A·C)⊗(B·D) when shapes allow',
    (n) => {
      if (!is(n, 'matmul')) return undefined;
      const mixed = (l: Node, r: Node): Node | undefined =>
        is(l, 'kron') &&
        is(r, 'kron') &&
        dimEq(a0(l).shape.cols, a0(r).shape.rows) &&
        dimEq(a1(l).shape.cols, a1(r).shape.rows)
          ? b.kron(b.matmul(a0(l), a0(r)), b.matmul(a1(l), a1(r)))
          : undefined;
      const [l, r] = n.args as [Node, Node];
      const direct = mixed(l, r);
      if (direct) return direct;
      // inside a left-associated chain: (P·(A⊗B))·(C⊗D)
      const inner = is(l, 'matmul') ? mixed(a1(l), r) : undefined;
      return inner && b.matmul(a0(l), inner);
    },
  ],
  [
    '(A⊗B)ᵀ = Aᵀ⊗Bᵀ',
    (n) => (is(n, 'transpose') && is(a0(n), 'kron') ? b.kron(b.T(a0(a0(n))), b.T(a1(a0(n)))) : undefined),
  ],
  [
    '(A⊗B)⁻¹ = A⁻¹⊗B⁻¹',
    (n) =>
      is(n, 'inv') && is(a0(n), 'kron') && isSquare(a0(a0(n)).shape) && isSquare(a1(a0(n)).shape)
        ? b.kron(b.inv(a0(a0(n))), b.inv(a1(a0(n))))
        : undefined,
  ],
  [
    'tr(A⊗B) = tr(A)·tr(B)',
    (n) =>
      is(n, 'tr') && is(a0(n), 'kron') && isSquare(a0(a0(n)).shape) && isSquare(a1(a0(n)).shape)
        ? b.mul(b.tr(a0(a0(n))), b.tr(a1(a0(n))))
        : undefined,
  ],
  [
    'I(m)⊗I(n) = I(mn), 0⊗B = A⊗0 = 0',
    (n) => {
      if (!is(n, 'kron')) return undefined;
      if (is(a0(n), 'eye') && is(a1(n), 'eye')) return b.eye(n.shape.rows);
      return n.args.some((x) => is(x, 'fill') && x.num === 0) ? b.fill(0, n.shape) : undefined;
    },
  ],
  [
    'commutation(m,n)ᵀ = commutation(n,m)',
    (n) =>
      is(n, 'transpose') && is(a0(n), 'commutation')
        ? b.commutation(commSizes(a0(n))[1], commSizes(a0(n))[0])
        : undefined,
  ],
  [
    'commutation(n,m)·commutation(m,n) = I',
    (n) => {
      if (!is(n, 'matmul') || !is(a0(n), 'commutation') || !is(a1(n), 'commutation')) return undefined;
      const [[p, q], [m, k]] = [commSizes(a0(n)), commSizes(a1(n))];
      return dimEq(p, k) && dimEq(q, m) ? b.eye(n.shape.rows) : undefined;
    },
  ],
  [
    'commutation(p,m)·(A⊗B)·commutation(n,q) = B⊗A for A: [m,n], B: [p,q]',
    (n) => {
      if (!is(n, 'matmul') || !is(a1(n), 'commutation') || !is(a0(n), 'matmul')) return undefined;
      const [k1, ab] = a0(n).args as [Node, Node];
      if (!is(k1, 'commutation') || !is(ab, 'kron')) return undefined;
      const [A, B] = ab.args as [Node, Node];
      const [p, m] = commSizes(k1);
      const [nn, q] = commSizes(a1(n));
      return dimEq(p, B.shape.rows) && dimEq(m, A.shape.rows) && dimEq(nn, A.shape.cols) && dimEq(q, B.shape.cols)
        ? b.kron(B, A)
        : undefined;
    },
  ],
  [
    'vec(A·X·B) = (Bᵀ⊗A)·vec(X), read right to left: (C⊗A)·vec(X) = vec(A·X·Cᵀ)',
    (n) => {
      if (!is(n, 'matmul') || !is(a0(n), 'kron') || !isVecOf(a1(n))) return undefined;
      const [C, A] = a0(n).args as [Node, Node];
      return b.vec(b.matmul(b.matmul(A, unvecOf(a1(n), A.shape.cols)), b.T(C)));
    },
  ],
  [
    'commutation(m,n)·vec(X) = vec(Xᵀ)',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'commutation') && isVecOf(a1(n))
        ? b.vec(b.T(unvecOf(a1(n), commSizes(a0(n))[0])))
        : undefined,
  ],
  [
    'diag(vec(M))·vec(X) = vec(M ⊙ X)',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'diag') && is(a0(a0(n)), 'vec') && isVecOf(a1(n))
        ? b.vec(b.mul(a0(a0(a0(n))), unvecOf(a1(n), a0(a0(a0(n))).shape.rows)))
        : undefined,
  ],
  [
    'vec(M)ᵀ·vec(X) = sum(M ⊙ X)',
    (n) =>
      is(n, 'matmul') &&
      is(a0(n), 'transpose') &&
      is(a0(a0(n)), 'vec') &&
      is(a1(n), 'vec') &&
      shapeEq(a0(a0(a0(n))).shape, a0(a1(n)).shape)
        ? b.sum(b.mul(a0(a0(a0(n))), a0(a1(n))))
        : undefined,
  ],
  [
    '(P + Q)·vec(X) = P·vec(X) + Q·vec(X) for Kronecker terms',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'add') && is(a1(n), 'vec') && a0(n).args.some((t) => kronTerm(t))
        ? b.add(b.matmul(a0(a0(n)), a1(n)), b.matmul(a1(a0(n)), a1(n)))
        : undefined,
  ],
  [
    '(A⊗B)·(P + Q) = (A⊗B)·P + (A⊗B)·Q, and (P + Q)·(A⊗B), when every product merges',
    (n) => {
      if (!is(n, 'matmul')) return undefined;
      const [l, r] = n.args as [Node, Node];
      const merges = (x: Node, y: Node): boolean =>
        is(x, 'kron') && is(y, 'kron') && dimEq(a0(x).shape.cols, a0(y).shape.rows);
      const terms = (t: Node): Node[] => (is(t, 'add') ? [...terms(a0(t)), ...terms(a1(t))] : [t]);
      const bare = (t: Node): Node => (is(t, 'mul') && isScalar(a0(t).shape) ? a1(t) : t);
      if (is(l, 'kron') && is(r, 'add') && terms(r).every((t) => merges(l, bare(t))))
        return terms(r)
          .map((t) => b.matmul(l, t))
          .reduce((p, q) => b.add(p, q));
      if (is(r, 'kron') && is(l, 'add') && terms(l).every((t) => merges(bare(t), r)))
        return terms(l)
          .map((t) => b.matmul(t, r))
          .reduce((p, q) => b.add(p, q));
      return undefined;
    },
  ],
  [
    'ones(k)ᵀ·diag(x) = xᵀ, diag(x)·ones(k) = x',
    (n) =>
      is(n, 'matmul') && is(a1(n), 'diag') && is(a0(n), 'transpose') && isOnes(a0(n)) && isRow(a0(n).shape)
        ? b.T(a0(a1(n)))
        : is(n, 'matmul') && is(a0(n), 'diag') && isOnes(a1(n)) && isColumn(a1(n).shape)
          ? a0(a0(n))
          : undefined,
  ],
  // Hadamard terms of a flattened derivative: diagonal matrices of vec's merge.
  [
    'vec(A) + c·vec(B) = vec(A + c·B), vec(A) ⊙ vec(B) = vec(A ⊙ B)',
    (n) => {
      if (!is(n, 'add') && !(is(n, 'mul') && !isScalar(a0(n).shape))) return undefined;
      const inner = (t: Node): Node | undefined =>
        is(t, 'vec')
          ? a0(t)
          : is(n, 'add') && is(t, 'mul') && isScalar(a0(t).shape) && is(a1(t), 'vec')
            ? b.mul(a0(t), a0(a1(t)))
            : undefined;
      const [x, y] = [inner(a0(n)), inner(a1(n))];
      if (!x || !y || !shapeEq(x.shape, y.shape)) return undefined;
      return b.vec(is(n, 'add') ? b.add(x, y) : b.mul(x, y));
    },
  ],
  [
    'diag(x) + c·diag(y) = diag(x + c·y)',
    (n) => {
      if (!is(n, 'add')) return undefined;
      const inner = (t: Node): Node | undefined =>
        is(t, 'diag')
          ? a0(t)
          : is(t, 'mul') && isScalar(a0(t).shape) && is(a1(t), 'diag')
            ? b.mul(a0(t), a0(a1(t)))
            : undefined;
      const [x, y] = [inner(a0(n)), inner(a1(n))];
      return x && y ? b.diag(b.add(x, y)) : undefined;
    },
  ],
  [
    '(A + Aᵀ)ᵀ = A + Aᵀ',
    (n) =>
      is(n, 'transpose') && is(a0(n), 'add') && (a1(a0(n)) === b.T(a0(a0(n))) || a0(a0(n)) === b.T(a1(a0(n))))
        ? a0(n)
        : undefined,
  ],
  [
    'c·((−P − Q)·R) = (−c)·((P + Q)·R) for Kronecker terms',
    (n) => {
      if (!is(n, 'mul') || !is(a0(n), 'const') || !is(a1(n), 'matmul') || !is(a0(a1(n)), 'add')) return undefined;
      const terms = (t: Node): Node[] => (is(t, 'add') ? [...terms(a0(t)), ...terms(a1(t))] : [t]);
      const ts = terms(a0(a1(n)));
      if (!ts.every((t) => b.isNegated(t) && kronTerm(t))) return undefined;
      const sum = ts.map(b.neg).reduce((p, q) => b.add(p, q));
      return b.mul(b.constant(-a0(n).num!), b.matmul(sum, a1(a1(n))));
    },
  ],
  [
    'unvec(s·x, m) = s·unvec(x, m), vec(s·A) = s·vec(A)',
    (n) =>
      (is(n, 'unvec') || is(n, 'vec')) && is(a0(n), 'mul') && isScalar(a0(a0(n)).shape) && !isScalar(a0(n).shape)
        ? b.mul(a0(a0(n)), is(n, 'vec') ? b.vec(a1(a0(n))) : b.unvec(a1(a0(n)), n.dim!))
        : undefined,
  ],
  [
    'unvec(vec(X), m) = X',
    (n) => (is(n, 'unvec') && is(a0(n), 'vec') && dimEq(a0(a0(n)).shape.rows, n.dim!) ? a0(a0(n)) : undefined),
  ],
  ['vec(unvec(x, m)) = x', (n) => (is(n, 'vec') && is(a0(n), 'unvec') ? a0(a0(n)) : undefined)],
];

/** A Kronecker product or commutation matrix, possibly scaled or in a product chain. */
function kronTerm(t: Node): boolean {
  if (is(t, 'kron') || is(t, 'commutation')) return true;
  if (is(t, 'mul') && isScalar(a0(t).shape)) return kronTerm(a1(t));
  return is(t, 'matmul') && (kronTerm(a0(t)) || kronTerm(a1(t)));
}
// ═══ end of the Kronecker section ═════════════════════════════════════════════════════

export const RULES: [string, Rule][] = [
  // ── transpose: pushed down to the leaves ──
  ['(Aᵀ)ᵀ = A', (n) => (is(n, 'transpose') && is(a0(n), 'transpose') ? a0(a0(n)) : undefined)],
  [
    'Sᵀ = S for symmetric S',
    (n) =>
      is(n, 'transpose') && symmetric(a0(n))
        ? a0(n).op === 'fill'
          ? b.fill(a0(n).num as 0 | 1, shape(n.shape.rows, n.shape.cols))
          : a0(n)
        : undefined,
  ],
  [
    'ones(m,n)ᵀ = ones(n,m)',
    (n) =>
      is(n, 'transpose') && is(a0(n), 'fill') && !isColumn(a0(n).shape)
        ? b.fill(a0(n).num as 0 | 1, n.shape)
        : undefined,
  ],
  [
    '(A + B)ᵀ = Aᵀ + Bᵀ when each term transposes simply',
    (n) =>
      is(n, 'transpose') && is(a0(n), 'add') && a0(n).args.every(transposesSimply)
        ? b.add(b.T(a0(a0(n))), b.T(a1(a0(n))))
        : undefined,
  ],
  [
    '(A·B)ᵀ = Bᵀ·Aᵀ',
    (n) => (is(n, 'transpose') && is(a0(n), 'matmul') ? b.matmul(b.T(a1(a0(n))), b.T(a0(a0(n)))) : undefined),
  ],
  [
    '(s·A)ᵀ = s·Aᵀ',
    (n) =>
      is(n, 'transpose') && is(a0(n), 'mul') && isScalar(a0(a0(n)).shape)
        ? b.mul(a0(a0(n)), b.T(a1(a0(n))))
        : undefined,
  ],
  [
    '(S⁻¹)ᵀ = S⁻¹ for symmetric S',
    (n) => (is(n, 'transpose') && is(a0(n), 'inv') && symmetric(a0(a0(n))) ? a0(n) : undefined),
  ],
  // ── inverse and determinant ──
  ['(Aᵀ)⁻¹ = (A⁻¹)ᵀ', (n) => (is(n, 'inv') && is(a0(n), 'transpose') ? b.T(b.inv(a0(a0(n)))) : undefined)],
  ['(A⁻¹)⁻¹ = A', (n) => (is(n, 'inv') && is(a0(n), 'inv') ? a0(a0(n)) : undefined)],
  ['I⁻¹ = I', (n) => (is(n, 'inv') && is(a0(n), 'eye') ? a0(n) : undefined)],
  ['det(Aᵀ) = det(A)', (n) => (is(n, 'det') && is(a0(n), 'transpose') ? b.det(a0(a0(n))) : undefined)],
  ['logdet(Aᵀ) = logdet(A)', (n) => (is(n, 'logdet') && is(a0(n), 'transpose') ? b.logdet(a0(a0(n))) : undefined)],
  ['A·A⁻¹ = I', (n) => (is(n, 'matmul') && is(a1(n), 'inv') && a0(a1(n)) === a0(n) ? b.eye(n.shape.rows) : undefined)],
  ['A⁻¹·A = I', (n) => (is(n, 'matmul') && is(a0(n), 'inv') && a0(a0(n)) === a1(n) ? b.eye(n.shape.rows) : undefined)],
  [
    'P·A·A⁻¹ = P, A⁻¹·A·Q = Q, A⁻ᵀ·Aᵀ = I: inverses cancel inside a chain',
    (n) => {
      if (!is(n, 'matmul')) return undefined;
      const [l, r] = n.args as [Node, Node];
      if (inversePair(l, r)) return b.eye(n.shape.rows);
      if (is(l, 'matmul') && inversePair(a1(l), r)) return a0(l);
      if (is(r, 'matmul') && inversePair(l, a0(r))) return a1(r);
      return undefined;
    },
  ],
  // ── textbook forms of products, inverses and reshapes (textbook.ts) ──
  ...TEXTBOOK_LINEAR,
  // ── matrix products ──
  ['I·A = A', (n) => (is(n, 'matmul') && is(a0(n), 'eye') ? a1(n) : undefined)],
  ['A·I = A', (n) => (is(n, 'matmul') && is(a1(n), 'eye') ? a0(n) : undefined)],
  [
    '0·A = A·0 = 0',
    (n) => (is(n, 'matmul') && n.args.some((a) => a.op === 'fill' && a.num === 0) ? b.fill(0, n.shape) : undefined),
  ],
  [
    'x ⊙ diag(y) = diag(x ⊙ y) for a column x',
    (n) =>
      is(n, 'mul') && is(a1(n), 'diag') && isColumn(a0(n).shape) && !isScalar(a0(n).shape)
        ? b.diag(b.mul(a0(n), a0(a1(n))))
        : undefined,
  ],
  [
    'diag(y) ⊙ x = diag(y ⊙ x) for a column x',
    (n) =>
      is(n, 'mul') && is(a0(n), 'diag') && isColumn(a1(n).shape) && !isScalar(a1(n).shape)
        ? b.diag(b.mul(a0(a0(n)), a1(n)))
        : undefined,
  ],
  [
    'diag(x)·diag(y) = diag(x ⊙ y)',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'diag') && is(a1(n), 'diag') ? b.diag(b.mul(a0(a0(n)), a0(a1(n)))) : undefined,
  ],
  [
    '(A·diag(x))·diag(y) = A·diag(x ⊙ y)',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'matmul') && is(a1(a0(n)), 'diag') && is(a1(n), 'diag')
        ? b.matmul(a0(a0(n)), b.diag(b.mul(a0(a1(a0(n))), a0(a1(n)))))
        : undefined,
  ],
  [
    'ones(m,k)·ones(k,n) = k·ones(m,n)',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'fill') && is(a1(n), 'fill') && a0(n).num === 1 && a1(n).num === 1
        ? b.mul(b.dimValue(a0(n).shape.cols), b.fill(1, n.shape))
        : undefined,
  ],
  // Chains associate to the left, as they parse — except that a chain ending in a column
  // multiplies from the right, so that it never forms a matrix-matrix product: Aᵀ·(B·x).
  [
    'A·(B·C) = (A·B)·C unless C is a column',
    (n) =>
      is(n, 'matmul') && is(a1(n), 'matmul') && !isColumn(a1(a1(n)).shape)
        ? b.matmul(b.matmul(a0(n), a0(a1(n))), a1(a1(n)))
        : undefined,
  ],
  [
    '(A·B)·x = A·(B·x) for a column x',
    (n) =>
      is(n, 'matmul') && is(a0(n), 'matmul') && isColumn(a1(n).shape)
        ? b.matmul(a0(a0(n)), b.matmul(a1(a0(n)), a1(n)))
        : undefined,
  ],
  [
    '1ᵀ·x = xᵀ·1 = sum(x)',
    (n) =>
      is(n, 'matmul') && isScalar(n.shape)
        ? isOnes(a0(n))
          ? b.sum(a1(n))
          : isOnes(a1(n))
            ? b.sum(a0(n))
            : undefined
        : undefined,
  ],
  // ── reductions ──
  [
    'sum(s·A) = s·sum(A)',
    (n) =>
      is(n, 'sum') && is(a0(n), 'mul') && isScalar(a0(a0(n)).shape) ? b.mul(a0(a0(n)), b.sum(a1(a0(n)))) : undefined,
  ],
  [
    'sum(ones(m,n)) = m·n',
    (n) =>
      is(n, 'sum') && is(a0(n), 'fill')
        ? b.mul(b.constant(a0(n).num!), b.dimValue(dimMul(a0(n).shape.rows, a0(n).shape.cols)))
        : undefined,
  ],
  [
    'sum(A ⊙ I) = sum(I ⊙ A) = tr(A)',
    (n) =>
      is(n, 'sum') && is(a0(n), 'mul') && is(a1(a0(n)), 'eye') && shapeEq(a0(a0(n)).shape, n.args[0]!.shape)
        ? b.tr(a0(a0(n)))
        : is(n, 'sum') && is(a0(n), 'mul') && is(a0(a0(n)), 'eye') && shapeEq(a1(a0(n)).shape, n.args[0]!.shape)
          ? b.tr(a1(a0(n)))
          : undefined,
  ],
  ['sum(Aᵀ) = sum(A)', (n) => (is(n, 'sum') && is(a0(n), 'transpose') ? b.sum(a0(a0(n))) : undefined)],
  ['tr(Aᵀ) = tr(A)', (n) => (is(n, 'tr') && is(a0(n), 'transpose') ? b.tr(a0(a0(n))) : undefined)],
  [
    'tr(s·A) = s·tr(A)',
    (n) =>
      is(n, 'tr') && is(a0(n), 'mul') && isScalar(a0(a0(n)).shape) ? b.mul(a0(a0(n)), b.tr(a1(a0(n)))) : undefined,
  ],
  ['tr(I(n)) = n', (n) => (is(n, 'tr') && is(a0(n), 'eye') ? b.dimValue(a0(n).dim!) : undefined)],
  ['tr(0) = 0', (n) => (is(n, 'tr') && is(a0(n), 'fill') && a0(n).num === 0 ? b.constant(0) : undefined)],
  ['tr(A·B·C) = tr(B·C·A): the rotation with the earliest-built factors first', cyclicTrace],
  [
    'tr(x·yᵀ) = yᵀ·x',
    (n) =>
      is(n, 'tr') && is(a0(n), 'matmul') && isColumn(a0(a0(n)).shape) && isRow(a1(a0(n)).shape)
        ? b.matmul(a1(a0(n)), a0(a0(n)))
        : undefined,
  ],
  // ── elementwise ──
  // (The reciprocal 1 / A.^p stays: it is how products print their divisors.)
  [
    '(A.^p).^q = A.^(p·q), q an integer',
    (n) =>
      is(n, 'pow') && is(a0(n), 'pow') && Number.isInteger(n.num) && n.num !== -1
        ? b.pow(a0(a0(n)), a0(n).num! * n.num!)
        : undefined,
  ],
  ['A.^0 = ones', (n) => (is(n, 'pow') && n.num === 0 ? b.fill(1, n.shape) : undefined)],
  [
    'c^p folds',
    (n) =>
      is(n, 'pow') && is(a0(n), 'const') && Number.isInteger(a0(n).num! ** n.num!)
        ? b.constant(a0(n).num! ** n.num!)
        : undefined,
  ],
  ['log(exp(x)) = x', (n) => (is(n, 'log') && is(a0(n), 'exp') ? a0(a0(n)) : undefined)],
  ['exp(log(x)) = x', (n) => (is(n, 'exp') && is(a0(n), 'log') ? a0(a0(n)) : undefined)],
  ['f(0) for f(0) = 0', (n) => (zeroAtZero(n) && is(a0(n), 'fill') && a0(n).num === 0 ? a0(n) : undefined)],
  // ── textbook forms of elementwise functions (textbook.ts) ──
  ...TEXTBOOK_ELEMENTWISE,
  ['a ⊙ (b + c) = a⊙b + a⊙c when a cancels', distributeToCancel],
  ['elementwise polynomials expanded when shorter', expandIfShorter],
  [
    'products: constants first, like factors merged, ones dropped',
    (n) => (is(n, 'mul') ? normalProduct(n) : undefined),
  ],
  ['sums: like terms combined, common factors out', (n) => (is(n, 'add') ? normalSum(n) : undefined)],
  // ── Kronecker products (the section above RULES) ──
  ...KRONECKER_RULES,
];

/** The factors of a matrix-product chain, left to right. */
function chain(n: Node): Node[] {
  return is(n, 'matmul') ? [...chain(a0(n)), ...chain(a1(n))] : [n];
}

/**
 * tr(X₁·X₂·…·Xₖ) is invariant under rotation; the canonical rotation is the one whose
 * sequence of node ids is smallest (declared variables are built first, so tr(A·X)
 * keeps its written order), so that tr(A·B) and tr(B·A) are one node.
 */
function cyclicTrace(n: Node): Node | undefined {
  if (!is(n, 'tr') || !is(a0(n), 'matmul')) return undefined;
  const xs = chain(a0(n));
  let best = 0;
  const key = (r: number) => xs.map((_, i) => xs[(r + i) % xs.length]!.id);
  const less = (p: number[], q: number[]) => {
    for (let i = 0; i < p.length; i++) if (p[i] !== q[i]) return p[i]! < q[i]!;
    return false;
  };
  for (let r = 1; r < xs.length; r++) if (less(key(r), key(best))) best = r;
  if (best === 0) return undefined;
  const rotated = [...xs.slice(best), ...xs.slice(0, best)];
  return b.tr(rotated.reduce((p, x) => b.matmul(p, x)));
}

/** Is tᵀ no longer than t: a symmetric term, a transpose, a product, or a sum or scaling of such? */
function transposesSimply(t: Node): boolean {
  if (isScalar(t.shape) || symmetric(t) || t.op === 'transpose' || t.op === 'matmul') return true;
  if (t.op === 'add') return t.args.every(transposesSimply);
  return t.op === 'mul' && isScalar(a0(t).shape) && transposesSimply(a1(t));
}

/** p ⊙ (x ⊘ p + y) → x + p ⊙ y: distribute a factor over a sum when a term divides by it. */
function distributeToCancel(n: Node): Node | undefined {
  if (!is(n, 'mul')) return undefined;
  const [a, s] = is(a1(n), 'add') ? [a0(n), a1(n)] : is(a0(n), 'add') ? [a1(n), a0(n)] : [];
  if (!a || !s || isScalar(a.shape)) return undefined;
  const terms: Node[] = [];
  const walk = (x: Node): void => (is(x, 'add') ? (walk(a0(x)), walk(a1(x))) : void terms.push(x));
  walk(s);
  const divides = (t: Node): boolean => {
    const found = (x: Node): boolean =>
      is(x, 'mul') ? found(a0(x)) || found(a1(x)) : is(x, 'pow') && x.num! < 0 && a0(x) === a;
    return found(t);
  };
  if (!terms.some(divides)) return undefined;
  return terms.map((t) => b.mul(a, t)).reduce((p, q) => b.add(p, q));
}
