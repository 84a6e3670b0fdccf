/**
 * The parser: model source text → syntax tree (ast.ts). The grammar is
 * grammar/matdiff.ohm (its text is compiled in as grammar-source.ts); this module adds
 * what Ohm cannot express or does poorly:
 *
 * - newlines (and comments) inside brackets continue the statement: a linear scan
 *   (`maskBracketedNewlines`) blanks them out before matching, keeping every offset;
 * - nesting depth: Ohm matches, and semantic actions run, recursively, so the same scan
 *   refuses brackets nested deeper than `MAX_NESTING` with E002 instead of letting a
 *   stack overflow escape;
 * - error messages: Ohm's list of expected tokens is folded into a short phrase such as
 *   `expected an expression` or `expected an operator, ";" or a newline` (E001).
 *
 * Long operator chains (`a + a + … + a`), prefix-minus runs and postfix runs are
 * iterations in the grammar and are folded into left-associative trees by loops, so
 * their length costs no stack.
 */
import * as ohm from 'ohm-js';
import type { IterationNode, Node, NonterminalNode } from 'ohm-js';
import type { BinaryOp, DimAst, Expr, PostfixOp, Program, Property, Span, Statement } from './ast.js';
import { fail, MatdiffError } from '../errors.js';
import { fastStatement } from './fast.js';
import { GRAMMAR_RECIPE, GRAMMAR_SOURCE } from './grammar-source.js';
import type { MatDiffActionDict, MatDiffGrammar, MatDiffSemantics } from './matdiff.ohm-bundle.js';

/**
 * The deepest bracket nesting accepted (`(`, `[`, `‖`, call parentheses, counted
 * together). Ohm matches recursively (some 25 JavaScript frames per level) and the
 * `toAst` operation recurses again; with Node's default stack (~984 KiB) and a shallow
 * caller, parsing survives about 400 levels (measured: 402 for `((…))`, 439 for
 * `f(f(…))`, 487 for `‖‖…‖‖`). 200 keeps half the stack for callers that are already
 * deep and for the later recursive passes over the tree; no real formula comes
 * anywhere near it. (Should the stack still run out, the overflow is reported as E002
 * too, never as a RangeError.)
 */
export const MAX_NESTING = 200;

let grammarCache: MatDiffGrammar | undefined;
let semanticsCache: MatDiffSemantics | undefined;

/**
 * The grammar, built once on first use from its precompiled recipe (about 1 ms; compiling
 * the text with `ohm.grammar` takes about 90 ms, which every run of the CLI would pay).
 */
export function matdiffGrammar(): ohm.Grammar {
  return typedGrammar();
}

function typedGrammar(): MatDiffGrammar {
  if (!grammarCache) {
    // `makeRecipe` is exported by ohm-js (generated bundles use it) but not typed.
    const { makeRecipe } = ohm as unknown as { makeRecipe?: (recipe: unknown) => ohm.Grammar };
    grammarCache = (makeRecipe ? makeRecipe(GRAMMAR_RECIPE) : ohm.grammar(GRAMMAR_SOURCE)) as MatDiffGrammar;
  }
  return grammarCache;
}

/**
 * Parses a model file. Throws a `MatdiffError`: E001 for a syntax error (pointing at
 * the first character that cannot be read), E002 for brackets nested too deeply,
 * E007 for a dimension literal that is not a positive integer.
 *
 * The grammar's start rule `Program` is matched once per statement — on each stretch
 * of the text between top-level newlines and `;` — rather than once on the whole file.
 * That gives the same trees and the same errors (a statement never spans a top-level
 * separator, and the first statement that fails is where a whole-file match would
 * fail), but Ohm's memo table then stays small and short-lived: on a 10,000-line model
 * this is several times faster than one big match. `parseProgramWhole` is the one-match
 * reference.
 *
 * Before Ohm, each statement is offered to a hand-written reader (fast.ts) that builds
 * the same tree in one pass, many times faster; it gives up on anything it does not
 * expect, and Ohm then reads that statement (so every syntax error is still the
 * grammar's). `ohmOnly` skips the fast reader (the tests compare the two).
 */
export function parseProgram(source: string, file: string, options: { ohmOnly?: boolean } = {}): Program {
  const useFast = !options.ohmOnly;
  const scan = maskBracketedNewlines(source, file);
  const text = scan.text;
  const matcher = typedGrammar().matcher();
  const statements: Statement[] = [];
  return withPlace(file, source, scan.deepest, () => {
    let start = 0;
    for (let k = 0; k <= scan.breaks.length; k++) {
      const end = k < scan.breaks.length ? scan.breaks[k]! : text.length;
      const fast = useFast ? fastStatement(text, start, end) : undefined;
      if (fast) statements.push(...fast);
      else if (!BLANK.test(text.slice(start, end))) {
        matcher.setInput(text.slice(start, end));
        const match = matcher.match('Program');
        if (match.failed()) throw syntaxError(match, start, source, text, file);
        current.offset = start;
        statements.push(...(semantics()(match)['toAst']() as Statement[]));
      }
      start = end + 1;
    }
    return { statements, source, file };
  });
}

/** Blank or comment-only stretches need no matching. */
const BLANK = /^[ \t\r]*(#.*)?$/;

/** `parseProgram` by a single match of the whole file (slower on long files; used by
 * the tests to check that statement-wise matching changes nothing). */
export function parseProgramWhole(source: string, file: string): Program {
  const scan = maskBracketedNewlines(source, file);
  return withPlace(file, source, scan.deepest, () => {
    const match = typedGrammar().match(scan.text, 'Program');
    if (match.failed()) throw syntaxError(match, 0, source, scan.text, file);
    current.offset = 0;
    const statements = semantics()(match)['toAst']() as Statement[];
    return { statements, source, file };
  });
}

/**
 * Runs `body` with `current` describing the file (for errors raised inside semantic
 * actions), and turns a stack overflow into E002 — a safety net only: the depth limit
 * is chosen so that this cannot happen from a normal call site, but a caller already
 * deep in its own recursion could still exhaust the stack.
 */
function withPlace<T>(file: string, source: string, deepest: Span, body: () => T): T {
  const saved = { ...current };
  Object.assign(current, { file, source, offset: 0 });
  try {
    return body();
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof MatdiffError)) {
      throw fail('E002', { file, source, span: deepest }, MAX_NESTING);
    }
    throw e;
  } finally {
    Object.assign(current, saved);
  }
}

/** The file being parsed and where the stretch being matched starts in it (parsing is
 * synchronous, so a module-level slot is safe; `withPlace` saves and restores it). */
const current = { file: '', source: '', offset: 0 };

// ---------------------------------------------------------------------------------
// Pre-scan: newlines inside brackets, nesting depth

/**
 * Returns `source` with every newline and every comment that lies inside an open
 * bracket — `(`, `[` or `‖` — replaced by spaces (one per UTF-16 unit, so offsets are
 * unchanged), and refuses nesting deeper than `MAX_NESTING` with E002 at the bracket
 * that crosses the limit.
 *
 * `‖` both opens and closes a norm; it closes when it follows an operand (a name,
 * number, `)`, `]`, a closing `‖` or a postfix operator) and opens otherwise — the
 * same reading the grammar gives it. Unbalanced closers are ignored here; the grammar
 * reports them.
 */
export function maskBracketedNewlines(source: string, file: string): { text: string; deepest: Span; breaks: number[] } {
  const stack: string[] = [];
  const breaks: number[] = []; // top-level newlines and `;`: where statements end
  let out: string[] | undefined; // copy-on-write: most sources have nothing to mask
  let afterOperand = false; // does the last token end an operand?
  let word = ''; // the identifier (or number) being read, to recognise `assert`
  let deepest: Span = { start: 0, end: Math.min(1, source.length) };
  let maxDepth = 0;
  const blank = (i: number): void => {
    out ??= source.split('');
    out[i] = ' ';
  };

  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const code = source.charCodeAt(i);
    if (c === '#') {
      let j = i;
      while (j < source.length && source[j] !== '\n') {
        if (stack.length > 0) blank(j);
        j++;
      }
      i = j - 1;
      word = '';
      continue;
    }
    if (c === '\n' || (c === ';' && stack.length === 0)) {
      if (stack.length > 0) blank(i);
      else {
        breaks.push(i);
        afterOperand = false;
      }
      word = '';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      word = '';
      continue;
    }
    let opens = false;
    if (c === '(' || c === '[') {
      opens = true;
    } else if (c === '‖') {
      if (afterOperand && word !== 'assert') {
        if (stack[stack.length - 1] === '‖') stack.pop();
        afterOperand = true;
        word = '';
        continue;
      }
      opens = true;
    } else if (c === ')' || c === ']') {
      const want = c === ')' ? '(' : '[';
      const at = stack.lastIndexOf(want);
      if (at >= 0) stack.length = at;
      afterOperand = true;
      word = '';
      continue;
    }
    if (opens) {
      stack.push(c);
      if (stack.length > maxDepth) {
        maxDepth = stack.length;
        deepest = { start: i, end: i + 1 };
      }
      if (stack.length > MAX_NESTING) {
        throw fail('E002', { file, source, span: { start: i, end: i + 1 } }, MAX_NESTING);
      }
      afterOperand = false;
      word = '';
      continue;
    }
    // Letters, digits, `_` and the postfix operators end an operand; anything else
    // (binary operators, `,`, `=`, `:`, `;`) does not.
    if (isWordUnit(c, code)) {
      word = c === '_' || isDigit(code) || isLetterUnit(c) ? word + c : '';
      afterOperand = true;
    } else if (c === "'" || c === 'ᵀ' || c === '¹' || c === '²' || c === '³') {
      afterOperand = true;
      word = '';
    } else {
      afterOperand = false;
      word = '';
    }
  }
  return { text: out ? out.join('') : source, deepest, breaks };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const LETTER = /\p{L}/u;

function isLetterUnit(c: string): boolean {
  return LETTER.test(c);
}

/** Part of a name or number (surrogate halves count: they only occur in letters here). */
function isWordUnit(c: string, code: number): boolean {
  return (
    isDigit(code) || c === '_' || c === '.' || (code >= 0xd800 && code <= 0xdfff) || (c !== 'ᵀ' && isLetterUnit(c))
  );
}

// ---------------------------------------------------------------------------------
// Syntax errors

/** What Ohm records about one thing it expected (not in ohm-js's typings). */
interface OhmFailure {
  getText(): string;
  getType(): 'description' | 'string' | 'code';
}

const OPERATORS = new Set([
  'ᵀ',
  "'",
  '⁻¹',
  '²',
  '³',
  '^',
  '.^', // postfix
  '·',
  '⊗',
  '⋅',
  '*',
  '@',
  '⊙',
  '.*',
  '⊘',
  './',
  '/', // multiplicative
  '+',
  '-',
  '−', // additive
]);
const OPERAND_STARTS = new Set(['-', '−', '(', '‖']);

/**
 * Folds Ohm's expected items into a short phrase: the ways to start an operand become
 * `an expression`, the operators `an operator`, the ways to start a statement `a
 * statement`; other tokens are quoted; `";" or a newline` comes last. Lookahead
 * guards, blanks and character ranges are dropped: they never help a reader.
 */
export function describeExpected(failures: readonly OhmFailure[]): string {
  const descriptions: string[] = [];
  const strings: string[] = [];
  // Ohm lists the most recently recorded failure first; read them in grammar order.
  for (const f of [...failures].reverse()) {
    const text = f.getText();
    if (f.getType() === 'code') continue; // character ranges
    if (f.getType() === 'description' && (text.startsWith('not ') || text === 'a space')) continue;
    if (f.getType() === 'string' && (text.trim() === '' || text === '#')) continue;
    const list = f.getType() === 'string' ? strings : descriptions;
    if (!list.includes(text)) list.push(text);
  }
  const has = (list: string[], x: string) => list.includes(x);
  const drop = (list: string[], pred: (x: string) => boolean) => {
    for (let i = list.length - 1; i >= 0; i--) if (pred(list[i]!)) list.splice(i, 1);
  };
  const items: string[] = [];
  if (has(descriptions, 'a name')) {
    if (has(strings, '-')) {
      // where an operand may start: a name, a number, `-`, `(`, `‖`
      items.push('an expression');
      drop(descriptions, (d) => d === 'a name' || d === 'a number');
      drop(strings, (s) => OPERAND_STARTS.has(s));
    } else if (has(strings, ';') || has(descriptions, 'a newline') || has(descriptions, 'end of input')) {
      // where a statement may start (or a blank line, which is not worth saying)
      items.push('a statement');
      drop(strings, (s) => s === 'assert' || s === 'where' || s === ';');
      drop(descriptions, (d) => d === 'a name' || d === 'a newline' || d === 'end of input');
    }
  }
  if (strings.some((s) => OPERATORS.has(s))) {
    items.push('an operator');
    // `(` after a name would make it a call; not worth mentioning next to operators.
    drop(strings, (s) => OPERATORS.has(s) || s === '(');
  }
  const newline = has(descriptions, 'a newline');
  const semicolon = has(strings, ';');
  for (const d of descriptions) {
    if (d !== 'a newline' && !(d === 'end of input' && (newline || semicolon))) items.push(d);
  }
  for (const s of strings) if (s !== ';') items.push(JSON.stringify(s));
  if (semicolon) items.push('";"');
  if (newline) items.push('a newline');
  if (items.length === 0) return 'something else';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function syntaxError(
  match: ohm.FailedMatchResult,
  offset: number,
  source: string,
  masked: string,
  file: string,
): MatdiffError {
  let pos = Math.min(offset + match.getRightmostFailurePosition(), masked.length);
  // At the end of a line or of the input, point just after the last thing written
  // rather than at trailing blanks or an empty last line.
  if (pos === masked.length || masked[pos] === '\n') {
    while (pos > 0 && /\s/.test(masked[pos - 1]!)) pos--;
  }
  const failures = (match as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  return fail('E001', { file, source, span: { start: pos, end: pos + 1 } }, describeExpected(failures));
}

// ---------------------------------------------------------------------------------
// Semantics: concrete syntax tree → ast.ts

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

const actions: MatDiffActionDict<unknown> = {
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

function semantics(): MatDiffSemantics {
  semanticsCache ??= typedGrammar().createSemantics().addOperation<unknown>('toAst', actions);
  return semanticsCache;
}
