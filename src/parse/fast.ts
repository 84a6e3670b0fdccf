/**
 * A hand-written recursive-descent reader for one statement: the fast path of
 * `parseProgram`. grammar/matdiff.ohm stays the definition of the language; this reader
 * accepts a subset of it — the well-formed statements — and builds exactly the tree the
 * Ohm semantics in semantics.ts build (same node kinds, same fields, same spans). Anything
 * else it does not judge: on the first thing it does not expect (a syntax error, a
 * number that overflows, a dimension that is not a positive integer, a character it does
 * not know) it gives up and returns `undefined`, and the caller matches the statement
 * with Ohm, which reads it or reports the error as before. So every message comes from
 * the grammar, and a statement this reader accepts is one the grammar accepts with the
 * same tree (test/parse-fast.test.ts checks both on random and on every example input).
 *
 * Why: Ohm costs tens of microseconds per statement and builds a memo table and a
 * concrete syntax tree before the semantics run; a 100,000-line model or a 1 MB line
 * took seconds to read, mostly in allocation and garbage collection. This reader makes
 * one pass and allocates only the tree.
 *
 * It reads the text after `maskBracketedNewlines` (newlines and comments inside
 * brackets are already blanks, and nesting is already bounded by `MAX_NESTING`), one
 * stretch between top-level separators at a time; offsets are those of the file.
 */
import type { BinaryOp, DimAst, Expr, PostfixOp, Property, Span, Statement } from './ast.js';

/** Thrown (and caught in `fastStatement`) to give the statement up to Ohm. */
const GIVE_UP: unique symbol = Symbol('give up');

const LETTER = /\p{L}/u;

/**
 * Reads `text[start, end)`, one stretch holding at most one statement. Returns the
 * statements (none for a blank stretch, one otherwise), or `undefined` where Ohm must
 * decide.
 */
export function fastStatement(text: string, start: number, end: number): Statement[] | undefined {
  try {
    return new Reader(text, start, end).stretch();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

function giveUp(): never {
  throw GIVE_UP;
}

const BINARY_1: Record<string, BinaryOp> = {
  '·': 'matmul',
  '⋅': 'matmul',
  '*': 'matmul',
  '@': 'matmul',
  '⊙': 'hadamard',
  '⊘': 'ediv',
  '/': 'div',
  '⊗': 'kron',
  '+': 'add',
  '-': 'sub',
  '−': 'sub',
};

class Reader {
  constructor(
    private readonly s: string,
    private pos: number,
    private readonly end: number,
  ) {}

  private code(i: number): number {
    return i < this.end ? this.s.charCodeAt(i) : -1;
  }

  /** Skips what the grammar's `space` matches: blanks, control characters other than
   * the newline, no-break space, BOM, and a comment. */
  private skip(): void {
    const s = this.s;
    let i = this.pos;
    while (i < this.end) {
      const c = s.charCodeAt(i);
      if (c === 32 || (c <= 0x1f && c !== 10) || c === 0xa0 || c === 0xfeff) i++;
      else if (c === 35 /* # */) {
        while (i < this.end && s.charCodeAt(i) !== 10) i++;
      } else break;
    }
    this.pos = i;
  }

  private span(start: number, end: number): Span {
    return { start, end };
  }

  stretch(): Statement[] {
    this.skip();
    if (this.pos >= this.end) return [];
    const st = this.statement();
    this.skip();
    if (this.pos < this.end) giveUp();
    return [st];
  }

  private statement(): Statement {
    const start = this.pos;
    if (this.keyword('assert')) {
      this.pos += 6;
      const left = this.expr();
      this.skip();
      if (this.code(this.pos) !== 61 /* = */) giveUp();
      this.pos++;
      const right = this.expr();
      return { kind: 'assert', left, right, span: this.span(start, right.span.end) };
    }
    const first = this.name();
    this.skip();
    if (this.code(this.pos) === 58 /* : */) return this.decl(first, start);
    let where = false;
    let name = first;
    if (first.text === 'where') {
      where = true;
      name = this.name();
      this.skip();
    }
    if (this.code(this.pos) !== 61 /* = */) giveUp();
    this.pos++;
    const expr = this.expr();
    const def = {
      kind: 'def',
      name: name.text,
      nameSpan: name.span,
      expr,
      span: this.span(start, expr.span.end),
    } as const;
    return where ? { ...def, where: true } : def;
  }

  /** `word` at the current position, not followed by a part of a name. */
  private keyword(word: string): boolean {
    if (!this.s.startsWith(word, this.pos) || this.pos + word.length > this.end) return false;
    const next = this.code(this.pos + word.length);
    if (next >= 0x80) giveUp(); // a non-ASCII letter might continue the word: Ohm decides
    return !isIdentAscii(next);
  }

  private decl(name: { text: string; span: Span }, start: number): Statement {
    this.pos++; // ':'
    this.skip();
    if (this.code(this.pos) !== 91 /* [ */) giveUp();
    this.pos++;
    const dims: DimAst[] = [];
    this.skip();
    if (this.code(this.pos) !== 93 /* ] */) {
      dims.push(this.dim());
      this.skip();
      if (this.code(this.pos) === 44 /* , */) {
        this.pos++;
        this.skip();
        dims.push(this.dim());
        this.skip();
      }
      if (this.code(this.pos) !== 93) giveUp();
    }
    this.pos++; // ']'
    let end = this.pos;
    const props: { prop: Property; span: Span }[] = [];
    for (;;) {
      this.skip();
      const at = this.pos;
      const word = this.s.slice(at, at + 3);
      if ((word === 'sym' || word === 'spd' || word === 'pos') && this.keyword(word)) {
        this.pos += 3;
        end = this.pos;
        props.push({ prop: word, span: this.span(at, end) });
      } else break;
    }
    return { kind: 'decl', name: name.text, nameSpan: name.span, dims, props, span: this.span(start, end) };
  }

  private dim(): DimAst {
    const c = this.code(this.pos);
    if ((c >= 48 && c <= 57) || c === 46) {
      const start = this.pos;
      const value = this.number();
      if (!Number.isInteger(value) || value < 1 || !Number.isSafeInteger(value)) giveUp(); // E007: Ohm reports it
      return { kind: 'num', value, span: this.span(start, this.pos) };
    }
    const n = this.name();
    return { kind: 'name', name: n.text, span: n.span };
  }

  /** A name at the current position (no blanks skipped), or give up. */
  private name(): { text: string; span: Span } {
    const s = this.s;
    const start = this.pos;
    let i = start;
    for (; i < this.end; i++) {
      const c = s.charCodeAt(i);
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) continue;
      if (i > start && ((c >= 48 && c <= 57) || c === 95)) continue;
      if (c >= 0x80) {
        if (c >= 0xd800 && c <= 0xdfff) giveUp(); // outside the BMP: Ohm decides
        if (c !== 0x1d40 /* ᵀ */ && LETTER.test(s[i]!)) continue;
      }
      break;
    }
    if (i === start) giveUp();
    this.pos = i;
    return { text: s.slice(start, i), span: this.span(start, i) };
  }

  /** The `number` rule, lexical, at the current position; its value. Gives up where
   * it does not match or does not fit a float64 (E018, which Ohm reports). */
  private number(): number {
    const s = this.s;
    const start = this.pos;
    let i = start;
    const digits = (): boolean => {
      const from = i;
      while (i < this.end && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
      return i > from;
    };
    if (digits()) {
      if (s.charCodeAt(i) === 46 && i + 1 < this.end) {
        const dot = i;
        i++;
        if (!digits()) i = dot;
      }
    } else if (this.code(i) === 46) {
      i++;
      if (!digits()) giveUp();
    } else giveUp();
    const e = this.code(i);
    if (e === 101 || e === 69) {
      const mark = i;
      i++;
      const sign = this.code(i);
      if (sign === 43 || sign === 45 || sign === 0x2212) i++;
      if (!digits()) i = mark;
    }
    this.pos = i;
    const value = Number(s.slice(start, i).replace(/−/g, '-'));
    if (!Number.isFinite(value)) giveUp();
    return value;
  }

  /** Expr = Operand (binOp Operand)*, folded as semantics.ts's `foldOperators` does. */
  private expr(): Expr {
    const terms: Expr[] = [];
    const addOps: { op: BinaryOp; span: Span }[] = [];
    let term = this.operand();
    for (;;) {
      this.skip();
      const op = this.binOp();
      if (!op) break;
      const right = this.operand();
      if (op.op === 'add' || op.op === 'sub') {
        terms.push(term);
        addOps.push(op);
        term = right;
      } else {
        term = binary(op.op, term, right, op.span);
      }
    }
    let sum = terms.length > 0 ? terms[0]! : term;
    for (let i = 0; i < addOps.length; i++) {
      const op = addOps[i]!;
      sum = binary(op.op, sum, i + 1 < terms.length ? terms[i + 1]! : term, op.span);
    }
    return sum;
  }

  /** A binary operator at the current position, consumed; none (nothing consumed) if
   * what follows is not one. */
  private binOp(): { op: BinaryOp; span: Span } | undefined {
    const at = this.pos;
    if (at >= this.end) return undefined;
    const c = this.s[at]!;
    if (c === '.') {
      const d = this.s[at + 1];
      if (at + 1 < this.end && (d === '*' || d === '/')) {
        this.pos += 2;
        return { op: d === '*' ? 'hadamard' : 'ediv', span: this.span(at, at + 2) };
      }
      return undefined;
    }
    const op = BINARY_1[c];
    if (!op) return undefined;
    this.pos++;
    return { op, span: this.span(at, at + 1) };
  }

  /** Operand = ("-" | "−")* primary PostOp*. */
  private operand(): Expr {
    const negs: number[] = [];
    for (;;) {
      this.skip();
      const c = this.code(this.pos);
      if (c !== 45 && c !== 0x2212) break;
      negs.push(this.pos);
      this.pos++;
    }
    let e = this.primary();
    for (;;) {
      const save = this.pos;
      this.skip();
      const post = this.postOp();
      if (!post) {
        this.pos = save;
        break;
      }
      const node: Expr = {
        kind: 'postfix',
        op: post.op,
        arg: e,
        span: this.span(e.span.start, post.span.end),
        opSpan: post.span,
      };
      if (post.exponent !== undefined) node.exponent = post.exponent;
      e = post.thenTranspose
        ? { kind: 'postfix', op: 'transpose', arg: node, span: node.span, opSpan: post.span }
        : node;
    }
    for (let i = negs.length - 1; i >= 0; i--) {
      e = { kind: 'neg', arg: e, span: this.span(negs[i]!, e.span.end) };
    }
    return e;
  }

  private primary(): Expr {
    const start = this.pos;
    const c = this.code(start);
    if (c === 40 /* ( */) {
      this.pos++;
      const e = this.expr();
      this.skip();
      if (this.code(this.pos) !== 41) giveUp();
      this.pos++;
      return { ...e, span: this.span(start, this.pos) };
    }
    if (c === 0x2016 /* ‖ */) {
      this.pos++;
      const e = this.expr();
      this.skip();
      if (this.code(this.pos) !== 0x2016) giveUp();
      this.pos++;
      return {
        kind: 'call',
        fn: 'norm',
        args: [e],
        span: this.span(start, this.pos),
        nameSpan: this.span(start, start + 1),
      };
    }
    if ((c >= 48 && c <= 57) || c === 46) {
      const value = this.number();
      return { kind: 'num', value, span: this.span(start, this.pos) };
    }
    const n = this.name();
    const afterName = this.pos;
    this.skip();
    if (this.code(this.pos) !== 40 /* ( */) {
      this.pos = afterName;
      return { kind: 'ident', name: n.text, span: n.span };
    }
    this.pos++;
    const args: Expr[] = [];
    this.skip();
    if (this.code(this.pos) !== 41) {
      args.push(this.expr());
      this.skip();
      while (this.code(this.pos) === 44 /* , */) {
        this.pos++;
        args.push(this.expr());
        this.skip();
      }
      if (this.code(this.pos) !== 41) giveUp();
    }
    this.pos++;
    return {
      kind: 'call',
      fn: n.text === 'σ' ? 'sigmoid' : n.text,
      args,
      span: this.span(start, this.pos),
      nameSpan: n.span,
    };
  }

  /** A postfix operator at the current position, consumed; none (nothing consumed)
   * where none begins here. Gives up where one begins but does not match. */
  private postOp(): { op: PostfixOp; exponent?: number; span: Span; thenTranspose?: boolean } | undefined {
    const s = this.s;
    const at = this.pos;
    if (at >= this.end) return undefined;
    const c = s[at]!;
    const one = (op: PostfixOp, exponent?: number) => {
      this.pos = at + 1;
      const span = this.span(at, at + 1);
      return exponent === undefined ? { op, span } : { op, exponent, span };
    };
    switch (c) {
      case 'ᵀ':
      case "'":
        return one('transpose');
      case '²':
        return one('power', 2);
      case '³':
        return one('power', 3);
      case '⁻': {
        const d = at + 1 < this.end ? s[at + 1] : undefined;
        if (d !== '¹' && d !== 'ᵀ') giveUp();
        this.pos = at + 2;
        const span = this.span(at, at + 2);
        return d === '¹' ? { op: 'inverse', span } : { op: 'inverse', span, thenTranspose: true };
      }
      case '^': {
        this.pos = at + 1;
        this.plainBlanks();
        if (this.code(this.pos) === 84 /* T */ && this.keyword('T')) {
          this.pos++;
          return { op: 'transpose', span: this.span(at, this.pos) };
        }
        const p = this.exponent();
        const span = this.span(at, this.pos);
        return p === -1 ? { op: 'inverse', span } : { op: 'power', exponent: p, span };
      }
      case '.': {
        if (s[at + 1] !== '^' || at + 1 >= this.end) return undefined;
        this.pos = at + 2;
        this.plainBlanks();
        return { op: 'epower', exponent: this.exponent(), span: this.span(at, this.pos) };
      }
      default:
        return undefined;
    }
  }

  /** Blanks inside a power's exponent: only plain spaces and tabs here (the grammar's
   * `spaces` allows more; Ohm reads those). */
  private plainBlanks(): void {
    while (this.code(this.pos) === 32 || this.code(this.pos) === 9) this.pos++;
  }

  /** `signedNumber` or `( signedNumber )` after `^` / `.^`. */
  private exponent(): number {
    const paren = this.code(this.pos) === 40;
    if (paren) {
      this.pos++;
      this.plainBlanks();
    }
    const sign = this.code(this.pos);
    let negative = false;
    if (sign === 43 || sign === 45 || sign === 0x2212) {
      negative = sign !== 43;
      this.pos++;
    }
    const c = this.code(this.pos);
    if (!((c >= 48 && c <= 57) || c === 46)) giveUp();
    const value = this.number();
    if (paren) {
      this.plainBlanks();
      if (this.code(this.pos) !== 41) giveUp();
      this.pos++;
    }
    return negative ? -value : value;
  }
}

function isIdentAscii(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function binary(op: BinaryOp, left: Expr, right: Expr, opSpan: Span): Expr {
  return { kind: 'binary', op, left, right, span: { start: left.span.start, end: right.span.end }, opSpan };
}
