/**
 * The semantic actions: Ohm's concrete syntax tree → syntax tree (ast.ts).
 *
 * Long operator chains (`a + a + … + a`), prefix-minus runs and postfix runs are
 * iterations in the grammar and are folded into left-associative trees by loops, so
 * their length costs no stack.
 */
import type { ActionDict, IterationNode, Node, NonterminalNode } from 'ohm-js';
import type { BinaryOp, DimAst, Expr, PostfixOp, Property, Span, Statement } from './ast.js';
import { fail } from '../errors.js';
import type { MatDiffActionDict } from './matdiff.ohm-bundle.js';

/** The file being parsed and where the stretch being matched starts in it, for spans
 * and for errors raised inside semantic actions (parsing is synchronous, so a
 * module-level slot is safe; the parser's `withPlace` saves and restores it). */
export const current = { file: '', source: '', offset: 0 };

function spanOf(node: Node): Span {
  return { start: current.offset + node.source.startIdx, end: current.offset + node.source.endIdx };
}

function ast<T>(node: Node): T {
  return node['toAst']() as T;
}

/** The AST of an expression node. (Hot paths call `toAst` directly: one stack frame
 * fewer per nesting level.) */
const expr = (node: Node): Expr => node['toAst']() as Expr;

const BINARY: Record<string, BinaryOp> = {
  '·': 'matmul',
  '⋅': 'matmul',
  '*': 'matmul',
  '@': 'matmul',
  '⊙': 'hadamard',
  '.*': 'hadamard',
  '⊘': 'ediv',
  './': 'ediv',
  '/': 'div',
  '⊗': 'kron',
  '+': 'add',
  '-': 'sub',
  '−': 'sub',
};

/** A postfix operator as read: which, its exponent, and where. */
interface PostOpAst {
  op: PostfixOp;
  exponent?: number;
  span: Span;
  /** `⁻ᵀ`: the inverse, then its transpose. */
  thenTranspose?: boolean;
}

function parseNumber(text: string): number {
  return Number(text.replace(/−/g, '-'));
}

/** The value of the number literal `node` (or of `text` within it); E018 where it overflows float64, as 1e309 does. */
function finiteNumber(node: Node, text = node.sourceString): number {
  const value = parseNumber(text);
  if (!Number.isFinite(value))
    throw fail('E018', { file: current.file, source: current.source, span: spanOf(node) }, node.sourceString.trim());
  return value;
}

function binary(op: BinaryOp, left: Expr, right: Expr, opNode: Node): Expr {
  return {
    kind: 'binary',
    op,
    left,
    right,
    span: { start: left.span.start, end: right.span.end },
    opSpan: spanOf(opNode),
  };
}

/**
 * Folds the flat run `first (op rest)*` into a tree: the multiplicative operators
 * bind tighter than `+ -`, and both levels associate to the left. A loop, so that a
 * chain of any length costs no stack.
 */
function foldOperators(first: Node, ops: IterationNode, rests: IterationNode): Expr {
  const terms: Expr[] = [];
  const addOps: Node[] = [];
  let term = first['toAst']() as Expr;
  for (let i = 0; i < ops.numChildren; i++) {
    const opNode = ops.child(i);
    const op = BINARY[opNode.sourceString]!;
    const right = rests.child(i)['toAst']() as Expr;
    if (op === 'add' || op === 'sub') {
      terms.push(term);
      addOps.push(opNode);
      term = right;
    } else {
      term = binary(op, term, right, opNode);
    }
  }
  let sum = terms.length > 0 ? terms[0]! : term;
  for (let i = 0; i < addOps.length; i++) {
    const opNode = addOps[i]!;
    sum = binary(BINARY[opNode.sourceString]!, sum, i + 1 < terms.length ? terms[i + 1]! : term, opNode);
  }
  return sum;
}

function postOp(node: NonterminalNode, op: PostfixOp, exponent?: number): PostOpAst {
  return exponent === undefined ? { op, span: spanOf(node) } : { op, exponent, span: spanOf(node) };
}

/** The number in a `signedNumber` or `( signedNumber )` exponent. */
function exponentValue(arg: Node): number {
  return finiteNumber(arg, arg.sourceString.replace(/[()\s]/g, ''));
}

const toAst: MatDiffActionDict<unknown> = {
  Program(items) {
    const statements: Statement[] = [];
    for (const item of items.children) {
      const s = ast<Statement | undefined>(item);
      if (s) statements.push(s);
    }
    return statements;
  },
  Item_statement(statement, _terminator) {
    return ast<Statement>(statement);
  },
  Item_empty(_sep) {
    return undefined;
  },
  Statement(s) {
    return ast<Statement>(s);
  },
  Assert(_kw, left, _eq, right): Statement {
    return { kind: 'assert', left: expr(left), right: expr(right), span: spanOf(this) };
  },
  Decl(name, _colon, _open, dims, _close, props): Statement {
    return {
      kind: 'decl',
      name: name.sourceString,
      nameSpan: spanOf(name),
      dims: ast<DimAst[]>(dims),
      props: props.children.map((p) => ({ prop: p.sourceString as Property, span: spanOf(p) })),
      span: spanOf(this),
    };
  },
  Dims_two(a, _comma, b) {
    return [ast<DimAst>(a), ast<DimAst>(b)];
  },
  Dims_one(a) {
    return [ast<DimAst>(a)];
  },
  Dims_none() {
    return [];
  },
  Dim(d): DimAst {
    const span = spanOf(d);
    if (d.ctorName === 'name') return { kind: 'name', name: d.sourceString, span };
    const value = parseNumber(d.sourceString);
    if (!Number.isInteger(value) || value < 1) {
      throw fail('E007', { file: current.file, source: current.source, span }, d.sourceString);
    }
    // 99999999999999999999 reads as 1e20: a size must be exact, so at most 2⁵³ − 1.
    if (!Number.isSafeInteger(value))
      throw fail(
        'E007',
        { file: current.file, source: current.source, span },
        `${d.sourceString}, larger than ${Number.MAX_SAFE_INTEGER} (a dimension must be a safe integer)`,
      );
    return { kind: 'num', value, span };
  },
  Def(where, name, _eq, e): Statement {
    const def = {
      kind: 'def',
      name: name.sourceString,
      nameSpan: spanOf(name),
      expr: expr(e),
      span: spanOf(this),
    } as const;
    return where.numChildren > 0 ? { ...def, where: true } : def;
  },

  Expr(first, ops, rests) {
    return foldOperators(first, ops, rests);
  },
  Operand(negs, primary, ops): Expr {
    let e = primary['toAst']() as Expr;
    for (const opNode of ops.children) {
      const { op, exponent, span, thenTranspose } = ast<PostOpAst>(opNode);
      const node: Expr = { kind: 'postfix', op, arg: e, span: { start: e.span.start, end: span.end }, opSpan: span };
      if (exponent !== undefined) node.exponent = exponent;
      e = thenTranspose ? { kind: 'postfix', op: 'transpose', arg: node, span: node.span, opSpan: span } : node;
    }
    for (let i = negs.numChildren - 1; i >= 0; i--) {
      e = { kind: 'neg', arg: e, span: { start: spanOf(negs.child(i)).start, end: e.span.end } };
    }
    return e;
  },
  PostOp(op) {
    switch (op.sourceString) {
      case 'ᵀ':
      case "'":
        return postOp(this, 'transpose');
      case '⁻¹':
        return postOp(this, 'inverse');
      case '⁻ᵀ':
        return { ...postOp(this, 'inverse'), thenTranspose: true };
      case '²':
        return postOp(this, 'power', 2);
      case '³':
        return postOp(this, 'power', 3);
      default:
        return op['toAst']() as PostOpAst; // caretOp | dotCaretOp
    }
  },
  caretOp(_caret, _spaces, arg) {
    const inner = arg.child(0); // powerArg_t | powerArg_num | powerArg_paren
    if (inner.ctorName === 'powerArg_t') return postOp(this, 'transpose');
    const p = exponentValue(inner);
    // `^-1` is the inverse (of a scalar, that is 1/s; of a matrix, A⁻¹), never "power -1".
    return p === -1 ? postOp(this, 'inverse') : postOp(this, 'power', p);
  },
  dotCaretOp(_caret, _spaces, arg) {
    return postOp(this, 'epower', exponentValue(arg));
  },
  Paren(_open, e, _close): Expr {
    // The node keeps its own kind; its span grows to take in the parentheses, so that
    // messages about `(A + B)·C` underline `(A + B)`.
    return { ...(e['toAst']() as Expr), span: spanOf(this) };
  },
  Norm(open, e, _close): Expr {
    return { kind: 'call', fn: 'norm', args: [e['toAst']() as Expr], span: spanOf(this), nameSpan: spanOf(open) };
  },
  Call(name, _open, first, _commas, rests, _close): Expr {
    const fn = name.sourceString === 'σ' ? 'sigmoid' : name.sourceString;
    const args = first.children.map(expr);
    for (const more of rests.children) args.push(...more.children.map(expr));
    return {
      kind: 'call',
      fn,
      args,
      span: spanOf(this),
      nameSpan: spanOf(name),
    };
  },
  number(_n): Expr {
    return { kind: 'num', value: finiteNumber(this), span: spanOf(this) };
  },
  name(_start, _rest): Expr {
    return { kind: 'ident', name: this.sourceString, span: spanOf(this) };
  },
};

/**
 * The `toAst` actions, checked above against the grammar's own action types
 * (matdiff.ohm-bundle.d.ts, a build-time file) and exported as ohm-js's general type, so
 * that the published declarations need only ohm-js.
 */
export const actions = toAst as ActionDict<unknown>;
