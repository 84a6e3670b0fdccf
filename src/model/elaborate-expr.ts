/**
 * Expressions: an expression's syntax tree becomes a graph node. Names are resolved by
 * the scope, shapes checked by the smart constructors (graph/build.ts), and a shape
 * error becomes a located error from the catalogue, naming the operator the user wrote.
 */
import type { Expr, Span } from '../parse/ast.js';
import { MatdiffError, didYouMean, fail } from '../errors.js';
import { type Node, ShapeError } from '../graph/node.js';
import { type Dim, dimMul } from '../shape/dim.js';
import { broadcast, isScalar, shapeBrief } from '../shape/shape.js';
import * as b from '../graph/build.js';
import { FUNCTIONS, type ArgKind } from './functions.js';
import type { Scope } from './scope.js';
import { type DerivativeKind, derivative } from '../diff/derivative.js';
import { directional } from '../diff/directional.js';

type Unary = Extract<Expr, { kind: 'neg' | 'postfix' }>;
type Binary = Extract<Expr, { kind: 'binary' }>;
type Call = Extract<Expr, { kind: 'call' }>;

/** The node of expression `e`. */
export function elaborateExpr(scope: Scope, e: Expr): Node {
  switch (e.kind) {
    case 'num':
      return b.constant(e.value);
    case 'ident':
      return scope.lookup(e.name, e.span);
    case 'neg':
    case 'postfix': {
      // A run of prefix and postfix operators (−−x, Aᵀᵀ…) is applied in a loop, innermost first.
      const run: Unary[] = [];
      let inner: Expr = e;
      while (inner.kind === 'neg' || inner.kind === 'postfix') {
        run.push(inner);
        inner = inner.arg;
      }
      let acc = elaborateExpr(scope, inner);
      for (let i = run.length - 1; i >= 0; i--) acc = unary(scope, run[i]!, acc);
      return acc;
    }
    case 'binary': {
      // A long left-associated chain (a + a + … + a) is folded iteratively, not recursively.
      const spine: Binary[] = [];
      let leftmost: Expr = e;
      while (leftmost.kind === 'binary') {
        spine.push(leftmost);
        leftmost = leftmost.left;
      }
      let acc = elaborateExpr(scope, leftmost);
      for (let i = spine.length - 1; i >= 0; i--)
        acc = binary(scope, spine[i]!, acc, elaborateExpr(scope, spine[i]!.right));
      return acc;
    }
    case 'call':
      return call(scope, e);
  }
}

/** Runs a builder; a shape error becomes a located one. */
function shaped(scope: Scope, span: Span, build: () => Node): Node {
  try {
    return build();
  } catch (e) {
    if (e instanceof ShapeError) throw new MatdiffError(e.code, e.message, scope.at(span));
    throw e;
  }
}

/** One prefix or postfix operator applied to its elaborated operand `a`. */
function unary(scope: Scope, e: Unary, a: Node): Node {
  if (e.kind === 'neg') return b.neg(a);
  switch (e.op) {
    case 'transpose':
      return b.transpose(a);
    case 'inverse':
      return shaped(scope, e.span, () => b.inv(a));
    case 'epower':
      return b.pow(a, e.exponent!);
    case 'power':
      if (!isScalar(a.shape)) {
        const p = e.exponent!;
        throw fail('E012', scope.at(e.span), shapeBrief(a.shape), p);
      }
      return b.pow(a, e.exponent!);
  }
}

function fits(scope: Scope, e: Binary, l: Node, r: Node, what: 'subtract' | 'divide'): void {
  if (!broadcast(l.shape, r.shape))
    throw fail('E010', scope.at(e.span), what, shapeBrief(l.shape), shapeBrief(r.shape));
}

function binary(scope: Scope, e: Binary, l: Node, r: Node): Node {
  switch (e.op) {
    case 'add':
      return shaped(scope, e.span, () => b.add(l, r));
    case 'sub':
      // Sugar (a − b = a + (−1)·b, a ⊘ b = a ⊙ b.^−1): name the operator the user wrote.
      fits(scope, e, l, r, 'subtract');
      return shaped(scope, e.span, () => b.sub(l, r));
    case 'hadamard':
      return shaped(scope, e.span, () => b.mul(l, r));
    case 'ediv':
      fits(scope, e, l, r, 'divide');
      return shaped(scope, e.span, () => b.div(l, r));
    case 'matmul':
      return shaped(scope, e.span, () => b.matmul(l, r));
    case 'kron':
      return shaped(scope, e.span, () => b.kron(l, r));
    case 'div':
      if (!isScalar(r.shape)) throw fail('E013', scope.at(e.span), 'divisor', shapeBrief(l.shape), shapeBrief(r.shape));
      return b.div(l, r);
  }
}

function call(scope: Scope, e: Call): Node {
  const { model } = scope;
  const sig = FUNCTIONS[e.fn];
  if (!sig) {
    if (model.vars.has(e.fn) || model.defs.has(e.fn)) throw fail('E015', scope.at(e.nameSpan), 'called', e.fn);
    throw fail('E009', scope.at(e.nameSpan), e.fn, didYouMean(e.fn, Object.keys(FUNCTIONS)));
  }
  const kinds = sig.arities.find((k) => k.length === e.args.length);
  if (!kinds) {
    const want = sig.arities.map((k) => `${k.length} argument${k.length === 1 ? '' : 's'}`).join(' or ');
    throw fail('E008', scope.at(e.span), e.fn, want, e.args.length);
  }
  const args = e.args.map((a, i) => resolveArg(scope, kinds[i]!, a));
  if (e.fn === 'grad' || e.fn === 'hess' || e.fn === 'jac' || e.fn === 'hvp' || e.fn === 'jvp') {
    const [f, x, v] = args as [Node, Node, Node?];
    try {
      return v ? directional(e.fn as 'hvp' | 'jvp', f, x, v) : derivative(e.fn as DerivativeKind, f, x);
    } catch (err) {
      if (err instanceof ShapeError) throw new MatdiffError('E014', err.message, scope.at(e.span));
      throw err;
    }
  }
  return shaped(scope, e.span, () => sig.build(args));
}

function resolveArg(scope: Scope, kind: ArgKind, a: Expr): Node | Dim {
  return kind === 'dim' ? dimArg(scope, a) : kind === 'var' ? varArg(scope, a) : elaborateExpr(scope, a);
}

/** A dimension argument (`zeros(m, n)`, `I(n)`, `unvec(v, m)`): a number, a dimension name, or a product of them. */
function dimArg(scope: Scope, e: Expr): Dim {
  if (e.kind === 'num') return scope.dimOf({ kind: 'num', value: e.value, span: e.span });
  if (e.kind === 'ident' && scope.dimNames.has(e.name))
    return scope.dimOf({ kind: 'name', name: e.name, span: e.span });
  if (e.kind === 'binary' && e.op === 'matmul') return dimMul(dimArg(scope, e.left), dimArg(scope, e.right));
  throw fail('E015', scope.at(e.span), 'dimension');
}

/** The variable a derivative is taken with respect to: a declared name. */
function varArg(scope: Scope, e: Expr): Node {
  if (e.kind === 'ident' && scope.model.vars.has(e.name)) return scope.model.vars.get(e.name)!.node;
  throw fail('E015', scope.at(e.span), 'wrt');
}
