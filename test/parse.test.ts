import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ohm from 'ohm-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, Program, Statement } from '../src/parse/ast.js';
import { MatdiffError } from '../src/errors.js';
import { GRAMMAR_RECIPE, GRAMMAR_SOURCE } from '../src/parse/grammar-source.js';
import { MAX_NESTING, matdiffGrammar, parseProgram, parseProgramWhole } from '../src/parse/parser.js';

// ---------------------------------------------------------------------------------
// helpers

/** An expression as an s-expression, spans left out: `(matmul A B)`, `(power x 2)`. */
function sx(e: Expr): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'ident':
      return e.name;
    case 'binary':
      return `(${e.op} ${sx(e.left)} ${sx(e.right)})`;
    case 'neg':
      return `(neg ${sx(e.arg)})`;
    case 'postfix':
      return e.exponent === undefined ? `(${e.op} ${sx(e.arg)})` : `(${e.op} ${sx(e.arg)} ${e.exponent})`;
    case 'call':
      return `(call ${e.fn}${e.args.map((a) => ' ' + sx(a)).join('')})`;
  }
}

function sxStatement(s: Statement): string {
  switch (s.kind) {
    case 'decl': {
      const dims = s.dims.map((d) => (d.kind === 'num' ? String(d.value) : d.name)).join(' ');
      return `(decl ${s.name} [${dims}]${s.props.map((p) => ' ' + p.prop).join('')})`;
    }
    case 'def':
      return `(def ${s.name} ${sx(s.expr)})`;
    case 'assert':
      return `(assert ${sx(s.left)} ${sx(s.right)})`;
  }
}

const parse = (src: string): Program => parseProgram(src, 'm.mdf');
const program = (src: string): string[] => parse(src).statements.map(sxStatement);

/** The expression of `x = <src>`, as an s-expression. */
function ex(src: string): string {
  const p = parse(`x = ${src}`);
  expect(p.statements).toHaveLength(1);
  const s = p.statements[0]!;
  if (s.kind !== 'def') throw new Error('not a definition');
  return sx(s.expr);
}

/** The formatted error that parsing `src` throws (fails the test if it parses). */
function errorOf(src: string, file = 'm.mdf'): MatdiffError {
  try {
    parseProgram(src, file);
  } catch (e) {
    if (e instanceof MatdiffError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(src)} not to parse`);
}

const formatted = (src: string): string => errorOf(src).format();

// ---------------------------------------------------------------------------------

describe('operator spellings (LANGUAGE.md §2 table)', () => {
  const table: [string, string[], string][] = [
    ['matrix product', ['A·B', 'A*B', 'A@B', 'A⋅B'], '(matmul A B)'],
    ['Hadamard product', ['A⊙B', 'A.*B'], '(hadamard A B)'],
    ['elementwise division', ['A⊘B', 'A./B'], '(ediv A B)'],
    ['division by a scalar', ['A/s'], '(div A s)'],
    ['sum', ['A+B'], '(add A B)'],
    ['difference', ['A-B', 'A−B'], '(sub A B)'],
    ['negation', ['-A', '−A'], '(neg A)'],
    ['transpose', ['Aᵀ', "A'", 'A^T', 'A ^ T'], '(transpose A)'],
    ['inverse', ['A⁻¹', 'A^-1', 'A^−1', 'A^(-1)'], '(inverse A)'],
    ['inv() stays a call', ['inv(A)'], '(call inv A)'],
    ['elementwise power', ['A.^2', 'A.^(2)', 'A .^ 2'], '(epower A 2)'],
    ['elementwise power, signed', ['x.^-0.5', 'x.^−0.5', 'x.^(-0.5)'], '(epower x -0.5)'],
    ['power of a scalar', ['s²', 's^2', 's^(2)', 's^+2', 's^2.0'], '(power s 2)'],
    ['cube', ['s³', 's^3'], '(power s 3)'],
    ['fractional power', ['s^0.5', 's^.5'], '(power s 0.5)'],
    ['negative power (not -1)', ['s^-2'], '(power s -2)'],
    ['norm', ['‖A‖', 'norm(A)'], '(call norm A)'],
    ['sigmoid', ['σ(x)', 'sigmoid(x)'], '(call sigmoid x)'],
  ];
  for (const [meaning, spellings, want] of table) {
    for (const spelling of spellings) {
      it(`${meaning}: ${spelling}`, () => expect(ex(spelling)).toBe(want));
    }
  }

  it('both spellings of a whole formula give the same tree', () => {
    const unicode = 'Aᵀ·(B⊙C⊘D)⁻¹ − ‖x‖²/n + σ(y).^-0.5';
    const ascii = "A'*(B.*C./D)^-1 - norm(x)^2/n + sigmoid(y).^-0.5";
    expect(ex(unicode)).toBe(ex(ascii));
    expect(ex('A^T@B')).toBe(ex('Aᵀ·B'));
  });
});

describe('literals and names', () => {
  it.each([
    ['2', '2'],
    ['0.5', '0.5'],
    ['.5', '0.5'],
    ['1e-3', '0.001'],
    ['1E+3', '1000'],
    ['2.5e−1', '0.25'],
    ['10', '10'],
  ])('number %s', (src, want) => expect(ex(src)).toBe(want));

  it('a number never ends in "."', () => {
    expect(ex('1./x')).toBe('(ediv 1 x)');
    expect(ex('2.*A')).toBe('(hadamard 2 A)');
    expect(errorOf('x = 2.^y').code).toBe('E001'); // `.^` takes a number
    expect(ex('2 .^ 3')).toBe('(epower 2 3)');
  });

  it.each([
    ['x', 'x'],
    ['W1', 'W1'],
    ['b_2', 'b_2'],
    ['α', 'α'],
    ['Σβ_1', 'Σβ_1'],
    ['λ2', 'λ2'],
    ['I', 'I'],
    ['T', 'T'],
    ['where', 'where'],
    ['assertion', 'assertion'],
    ['σ', 'σ'],
    ['𝑥', '𝑥'],
  ])('name %s', (src, want) => expect(ex(src)).toBe(want));

  it('ᵀ, ², ³ and ⁻¹ are not part of names', () => {
    expect(ex('Aᵀ')).toBe('(transpose A)');
    expect(errorOf('x = Aᵀx').format().split('\n')[0]).toBe(
      'm.mdf:1:7: error[E001]: expected an operator, ";" or a newline',
    );
    expect(ex('xᵀ·y')).toBe('(matmul (transpose x) y)');
    expect(ex('x²')).toBe('(power x 2)');
    expect(ex('B⁻¹')).toBe('(inverse B)');
    expect(ex('Tᵀ')).toBe('(transpose T)');
  });

  it('calls take any name and any number of arguments', () => {
    expect(ex('f()')).toBe('(call f)');
    expect(ex('ones(m, n)')).toBe('(call ones m n)');
    expect(ex('I(d)')).toBe('(call I d)');
    expect(ex('unvec(v, 3)')).toBe('(call unvec v 3)');
    expect(ex('grad(f(x, y), X)')).toBe('(call grad (call f x y) X)');
    expect(ex('hess(‖x‖, x)')).toBe('(call hess (call norm x) x)');
    expect(ex('foo (x)')).toBe('(call foo x)');
  });
});

describe('precedence and associativity', () => {
  it.each([
    ['a - b - c', '(sub (sub a b) c)'],
    ['a + b - c + d', '(add (sub (add a b) c) d)'],
    ['A·B⊙C/d', '(div (hadamard (matmul A B) C) d)'],
    ['a/b/c', '(div (div a b) c)'],
    ['a + b·c', '(add a (matmul b c))'],
    ['a·b + c·d', '(add (matmul a b) (matmul c d))'],
    ['a - b·c - d', '(sub (sub a (matmul b c)) d)'],
    ['(a + b)·c', '(matmul (add a b) c)'],
    ['-A·B', '(matmul (neg A) B)'],
    ['-x²', '(neg (power x 2))'],
    ['-x^2', '(neg (power x 2))'],
    ['--x', '(neg (neg x))'],
    ['a - -b', '(sub a (neg b))'],
    ['a--b', '(sub a (neg b))'],
    ['a·-b', '(matmul a (neg b))'],
    ['Aᵀ⁻¹', '(inverse (transpose A))'],
    ['A⁻¹ᵀ', '(transpose (inverse A))'],
    ["A''", '(transpose (transpose A))'],
    ["A'^T", '(transpose (transpose A))'],
    ['x.^-0.5', '(epower x -0.5)'],
    ['x.^2ᵀ', '(transpose (epower x 2))'],
    ['s^2^3', '(power (power s 2) 3)'],
    ['1./x', '(ediv 1 x)'],
    ['2.*A', '(hadamard 2 A)'],
    ['-1', '(neg 1)'],
    ['-(a + b)', '(neg (add a b))'],
    ['(Aᵀ·B)⁻¹', '(inverse (matmul (transpose A) B))'],
    ['f(x)ᵀ', '(transpose (call f x))'],
    ['‖x - y‖²', '(power (call norm (sub x y)) 2)'],
    ['‖‖a‖·b‖', '(call norm (matmul (call norm a) b))'],
    ['‖a + ‖b‖‖', '(call norm (add a (call norm b)))'],
    ['a ⊘ b ⊙ c', '(hadamard (ediv a b) c)'],
    ['a @ b * c ./ d .* e', '(hadamard (ediv (matmul (matmul a b) c) d) e)'],
  ])('%s', (src, want) => expect(ex(src)).toBe(want));
});

describe('statements', () => {
  it('declarations: scalar, vector, matrix, symbolic and literal dims, properties', () => {
    expect(program('s: []\nx: [n]\nW: [h, n]\nM: [3, 4]\nS: [n, n] sym\nK: [n,n] spd pos\np: [n] pos')).toEqual([
      '(decl s [])',
      '(decl x [n])',
      '(decl W [h n])',
      '(decl M [3 4])',
      '(decl S [n n] sym)',
      '(decl K [n n] spd pos)',
      '(decl p [n] pos)',
    ]);
  });

  it('the example model of LANGUAGE.md §1', () => {
    const src = [
      '# two-layer network on a batch of B column vectors',
      'X: [n, B]; Y: [k, B]',
      'W1: [h, n]; b1: [h]; W2: [k, h]; b2: [k]',
      '',
      'H = relu(W1·X + b1)            # b1 is broadcast over the B columns',
      'P = softmax(W2·H + b2)         # column-wise',
      'L = -sum(Y ⊙ log(P)) / B       # a dimension name is also a scalar value',
      '',
    ].join('\n');
    expect(program(src)).toEqual([
      '(decl X [n B])',
      '(decl Y [k B])',
      '(decl W1 [h n])',
      '(decl b1 [h])',
      '(decl W2 [k h])',
      '(decl b2 [k])',
      '(def H (call relu (add (matmul W1 X) b1)))',
      '(def P (call softmax (add (matmul W2 H) b2)))',
      '(def L (div (neg (call sum (hadamard Y (call log P)))) B))',
    ]);
  });

  it('assert lines', () => {
    expect(program('assert (A·B)ᵀ = Bᵀ·Aᵀ\nassert tr(A·B) = tr(B·A); assert ‖x‖² = xᵀ·x')).toEqual([
      '(assert (transpose (matmul A B)) (matmul (transpose B) (transpose A)))',
      '(assert (call tr (matmul A B)) (call tr (matmul B A)))',
      '(assert (power (call norm x) 2) (matmul (transpose x) x))',
    ]);
  });

  it('`assert` is only a keyword at the start of a statement', () => {
    expect(program('assert = 1\nassertx = assert + 1')).toEqual(['(def assert 1)', '(def assertx (add assert 1))']);
  });

  it('`;` separates statements; blank lines, comments and empty statements are fine', () => {
    expect(program('\n\n  # only a comment\na = 1;b = 2 ; ;\n\n;c = a+b # trailing\n   \n')).toEqual([
      '(def a 1)',
      '(def b 2)',
      '(def c (add a b))',
    ]);
    expect(program('')).toEqual([]);
    expect(program('# nothing\n')).toEqual([]);
  });

  it('CRLF line endings, tabs, no-break spaces and a BOM are blanks', () => {
    expect(program('\uFEFFa = 1\r\nb =\t2\u00A0+ a\r\n')).toEqual(['(def a 1)', '(def b (add 2 a))']);
  });

  it('a newline inside parentheses, brackets, norm bars or call arguments continues the statement', () => {
    expect(program('y = (a +\n  b)\nz = 1')).toEqual(['(def y (add a b))', '(def z 1)']);
    expect(program('y = f(a,\n      b,   # the second\n      c\n)\n')).toEqual(['(def y (call f a b c))']);
    expect(program('y = ‖a\n - b‖')).toEqual(['(def y (call norm (sub a b)))']);
    expect(program('W: [h,\n   n] sym')).toEqual(['(decl W [h n] sym)']);
    expect(program('y = (a # comment with ) and ‖ and (\n + b)')).toEqual(['(def y (add a b))']);
    expect(program('y = (\n\n a\n\n)')).toEqual(['(def y a)']);
  });

  it('a newline outside brackets ends the statement', () => {
    expect(program('y = a\nb = -1')).toEqual(['(def y a)', '(def b (neg 1))']);
    expect(formatted('y = a\n- b')).toContain('m.mdf:2:1: error[E001]: expected a statement');
  });

  it('dimension literals must be positive integers (E007)', () => {
    expect(errorOf('W: [0, 2]').format()).toBe(
      [
        'm.mdf:1:5: error[E007]: a dimension must be a positive integer, got 0',
        '  |',
        '1 | W: [0, 2]',
        '  |     ^',
      ].join('\n'),
    );
    expect(errorOf('W: [2, 2.5]').code).toBe('E007');
    expect(program('W: [1e3]')).toEqual(['(decl W [1000])']);
  });
});

describe('spans', () => {
  it('point into the original source', () => {
    const src = 'W: [h, n] sym\n  y = (a +\n b)·Wᵀ  # c\nassert ‖x‖ = 1';
    const p = parse(src);
    const text = (s: { start: number; end: number }) => src.slice(s.start, s.end);
    const [decl, def, as] = p.statements;
    if (decl?.kind !== 'decl' || def?.kind !== 'def' || as?.kind !== 'assert') throw new Error('shape');
    expect(text(decl.span)).toBe('W: [h, n] sym');
    expect(text(decl.nameSpan)).toBe('W');
    expect(decl.dims.map((d) => text(d.span))).toEqual(['h', 'n']);
    expect(text(decl.props[0]!.span)).toBe('sym');
    expect(text(def.span)).toBe('y = (a +\n b)·Wᵀ');
    expect(text(def.nameSpan)).toBe('y');
    const e = def.expr;
    if (e.kind !== 'binary') throw new Error('shape');
    expect(text(e.span)).toBe('(a +\n b)·Wᵀ');
    expect(text(e.opSpan)).toBe('·');
    expect(text(e.left.span)).toBe('(a +\n b)'); // parentheses widen the span
    expect(text(e.right.span)).toBe('Wᵀ');
    if (e.right.kind !== 'postfix') throw new Error('shape');
    expect(text(e.right.opSpan)).toBe('ᵀ');
    expect(text(as.span)).toBe('assert ‖x‖ = 1');
    expect(text(as.left.span)).toBe('‖x‖');
    if (as.left.kind !== 'call') throw new Error('shape');
    expect(text(as.left.nameSpan)).toBe('‖');
  });

  it('of postfix powers, negations and calls', () => {
    const src = 'y = -σ(x).^-0.5 + s^(2)';
    const def = parse(src).statements[0]!;
    if (def.kind !== 'def' || def.expr.kind !== 'binary') throw new Error('shape');
    const text = (s: { start: number; end: number }) => src.slice(s.start, s.end);
    const { left, right } = def.expr;
    expect(text(left.span)).toBe('-σ(x).^-0.5');
    if (left.kind !== 'neg' || left.arg.kind !== 'postfix' || left.arg.arg.kind !== 'call') throw new Error('shape');
    expect(text(left.arg.opSpan)).toBe('.^-0.5');
    expect(text(left.arg.arg.nameSpan)).toBe('σ');
    if (right.kind !== 'postfix') throw new Error('shape');
    expect(text(right.opSpan)).toBe('^(2)');
  });

  it('after astral-plane characters (offsets are UTF-16 indices)', () => {
    const src = '𝑥 = 𝑎 + b';
    const def = parse(src).statements[0]!;
    if (def.kind !== 'def' || def.expr.kind !== 'binary') throw new Error('shape');
    expect(src.slice(def.expr.right.span.start, def.expr.right.span.end)).toBe('b');
  });
});

describe('syntax errors (E001): exact messages', () => {
  const cases: [string, string[]][] = [
    ['x = a +', ['m.mdf:1:8: error[E001]: expected an expression', '  |', '1 | x = a +', '  |        ^']],
    [
      'x = a b',
      ['m.mdf:1:7: error[E001]: expected an operator, ";" or a newline', '  |', '1 | x = a b', '  |       ^'],
    ],
    [
      'x = (a + b',
      ['m.mdf:1:11: error[E001]: expected an operator or ")"', '  |', '1 | x = (a + b', '  |           ^'],
    ],
    ['x = (a + )', ['m.mdf:1:10: error[E001]: expected an expression', '  |', '1 | x = (a + )', '  |          ^']],
    [
      'x = f(a b)',
      ['m.mdf:1:9: error[E001]: expected an operator, "," or ")"', '  |', '1 | x = f(a b)', '  |         ^'],
    ],
    ['x = f(a,)', ['m.mdf:1:9: error[E001]: expected an expression', '  |', '1 | x = f(a,)', '  |         ^']],
    ['x = ‖a b‖', ['m.mdf:1:8: error[E001]: expected an operator or "‖"', '  |', '1 | x = ‖a b‖', '  |        ^']],
    ['= 3', ['m.mdf:1:1: error[E001]: expected a statement', '  |', '1 | = 3', '  | ^']],
    ['a = 1\n3', ['m.mdf:2:1: error[E001]: expected a statement', '  |', '2 | 3', '  | ^']],
    ['x', ['m.mdf:1:2: error[E001]: expected ":" or "="', '  |', '1 | x', '  |  ^']],
    ['x = A^x', ['m.mdf:1:7: error[E001]: expected a number or T', '  |', '1 | x = A^x', '  |       ^']],
    ['x = a .^ b', ['m.mdf:1:10: error[E001]: expected a number', '  |', '1 | x = a .^ b', '  |          ^']],
    ['W: [n m]', ['m.mdf:1:7: error[E001]: expected "," or "]"', '  |', '1 | W: [n m]', '  |       ^']],
    ['W: [a, b, c]', ['m.mdf:1:9: error[E001]: expected "]"', '  |', '1 | W: [a, b, c]', '  |         ^']],
    [
      'W: [n] foo',
      ['m.mdf:1:8: error[E001]: expected a property, ";" or a newline', '  |', '1 | W: [n] foo', '  |        ^'],
    ],
    ['W: [-1]', ['m.mdf:1:5: error[E001]: expected a dimension or "]"', '  |', '1 | W: [-1]', '  |     ^']],
    ['W: n', ['m.mdf:1:4: error[E001]: expected "["', '  |', '1 | W: n', '  |    ^']],
    ['x = 1.', ['m.mdf:1:6: error[E001]: expected an operator, ";" or a newline', '  |', '1 | x = 1.', '  |      ^']],
    ['assert x', ['m.mdf:1:9: error[E001]: expected an operator or "="', '  |', '1 | assert x', '  |         ^']],
    [
      'x = a $ b',
      ['m.mdf:1:7: error[E001]: expected an operator, ";" or a newline', '  |', '1 | x = a $ b', '  |       ^'],
    ],
    ['x = (a; b)', ['m.mdf:1:7: error[E001]: expected an operator or ")"', '  |', '1 | x = (a; b)', '  |       ^']],
    ['x = a)', ['m.mdf:1:6: error[E001]: expected an operator, ";" or a newline', '  |', '1 | x = a)', '  |      ^']],
    ['a = 1\nx = (b +\n  c\n\n', ['m.mdf:3:4: error[E001]: expected an operator or ")"', '  |', '3 |   c', '  |    ^']],
    ['x = -\ny = 2', ['m.mdf:1:6: error[E001]: expected an expression', '  |', '1 | x = -', '  |      ^']],
    ['x = A⁻', ['m.mdf:1:6: error[E001]: expected an operator, ";" or a newline', '  |', '1 | x = A⁻', '  |      ^']],
  ];
  for (const [src, lines] of cases) {
    it(JSON.stringify(src), () => {
      const err = errorOf(src);
      expect(err.code).toBe('E001');
      expect(err.format()).toBe(lines.join('\n'));
    });
  }

  it('names the file as given (`-` for standard input)', () => {
    expect(errorOf('x = ', '-').format().split('\n')[0]).toBe('-:1:4: error[E001]: expected an expression');
  });

  it('never throws anything but a MatdiffError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (src) => {
        try {
          parseProgram(src, 'f');
        } catch (e) {
          expect(e).toBeInstanceOf(MatdiffError);
          expect((e as MatdiffError).format()).toMatch(/^f:\d+:\d+: error\[E\d{3}\]: /);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('statement-wise matching is the same as one whole-file match', () => {
  const pieces = [
    'x',
    'y',
    'A',
    'σ',
    'f',
    '1',
    '2.5',
    '.5',
    '1e-3',
    ' ',
    ' ',
    '\n',
    '\n',
    ';',
    '=',
    ':',
    '(',
    ')',
    '[',
    ']',
    ',',
    '‖',
    '+',
    '-',
    '−',
    '·',
    '*',
    '@',
    '⊙',
    '.*',
    '⊘',
    './',
    '/',
    'ᵀ',
    "'",
    '^T',
    '^-1',
    '^2',
    '.^',
    '-0.5',
    '²',
    '⁻¹',
    '# c',
    'assert ',
    'sym',
    'x = ',
    'W: [n, m] ',
  ];
  const outcome = (parse: (s: string, f: string) => Program, src: string): string => {
    try {
      return JSON.stringify(parse(src, 'f').statements);
    } catch (e) {
      if (e instanceof MatdiffError) return e.format();
      throw e;
    }
  };
  it('on random token soup', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const src = parts.join('');
        expect(outcome(parseProgram, src)).toBe(outcome(parseProgramWhole, src));
      }),
      { numRuns: 500 },
    );
  });
  it('on valid programs', () => {
    const src = 'W: [n, m] sym\nx = (a +\n b)·Wᵀ; y = ‖x‖² # c\n\nassert x = y\nz = f(x,\n y)⁻¹\n';
    expect(outcome(parseProgram, src)).toBe(outcome(parseProgramWhole, src));
  });
});

describe('robustness', () => {
  const nested = (depth: number, open: string, close: string) => `x = ${open.repeat(depth)}a${close.repeat(depth)}`;

  it(`accepts ${MAX_NESTING} levels of brackets`, () => {
    expect(ex(`${'('.repeat(MAX_NESTING)}a${')'.repeat(MAX_NESTING)}`)).toBe('a');
    expect(() => parse(nested(MAX_NESTING, 'f(', ')'))).not.toThrow();
    expect(() => parse(nested(MAX_NESTING, '‖', '‖'))).not.toThrow();
  });

  it('refuses deeper nesting with E002 at the bracket that crosses the limit', () => {
    const err = errorOf(nested(MAX_NESTING + 1, '(', ')'));
    expect(err.code).toBe('E002');
    const column = 4 + MAX_NESTING + 1;
    expect(err.format().split('\n')[0]).toBe(
      `m.mdf:1:${column}: error[E002]: expressions nest deeper than ${MAX_NESTING} levels`,
    );
  });

  it('refuses 10,000 nested parentheses, calls or norms with E002, never a stack overflow', () => {
    for (const [open, close] of [
      ['(', ')'],
      ['f(', ')'],
      ['‖', '‖'],
      ['(-', ')ᵀ'],
    ] as const) {
      const err = errorOf(nested(10_000, open, close));
      expect(err.code).toBe('E002');
      expect(err.message).toBe(`expressions nest deeper than ${MAX_NESTING} levels`);
    }
    // unclosed brackets count too
    expect(errorOf('x = ' + '('.repeat(10_000)).code).toBe('E002');
  });

  it('parses a 5,000-term sum and a 5,000-factor product, left-associated', () => {
    const sum = parse(`s = ${Array(5000).fill('a').join(' + ')}`).statements[0]!;
    if (sum.kind !== 'def') throw new Error('shape');
    let e: Expr = sum.expr;
    let terms = 1;
    while (e.kind === 'binary') {
      expect(e.op).toBe('add');
      expect(e.right.kind).toBe('ident');
      e = e.left;
      terms++;
    }
    expect(terms).toBe(5000);
    const product = parse(`p = ${Array(5000).fill('a').join('·')} - ${Array(5000).fill('b').join(' ./ ')}`);
    const p = product.statements[0]!;
    if (p.kind !== 'def' || p.expr.kind !== 'binary') throw new Error('shape');
    expect(p.expr.op).toBe('sub');
  });

  it('parses 10,000 prefix minuses and 10,000 postfix operators', () => {
    let e = (parse(`y = ${'-'.repeat(10_000)}x`).statements[0] as { expr: Expr }).expr;
    let n = 0;
    while (e.kind === 'neg') [e, n] = [e.arg, n + 1];
    expect(n).toBe(10_000);
    e = (parse(`y = x${"'ᵀ".repeat(5_000)}`).statements[0] as { expr: Expr }).expr;
    n = 0;
    while (e.kind === 'postfix') [e, n] = [e.arg, n + 1];
    expect(n).toBe(10_000);
  });

  it('turns a stack overflow into E002 even when the caller is already deep', () => {
    const src = nested(MAX_NESTING, '(', ')');
    const outcomes = new Set<string>();
    const recurse = (n: number): void => {
      if (n > 0) return recurse(n - 1);
      try {
        parseProgram(src, 'deep');
        outcomes.add('ok');
      } catch (e) {
        outcomes.add(e instanceof MatdiffError ? e.code : `other: ${String(e)}`);
      }
    };
    for (let depth = 0; depth <= 12_000; depth += 1_000) {
      try {
        recurse(depth);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e; // our own recursion ran out: fine
      }
    }
    expect([...outcomes].filter((o) => o !== 'ok' && o !== 'E002')).toEqual([]);
    expect(outcomes.has('ok')).toBe(true);
  });

  it('parses a 10,000-line model quickly', () => {
    const lines = ['a: [n, n]; b: [n, n]; c: [n, n]'];
    for (let i = 0; i < 10_000; i++) lines.push(`x${i} = a·b + c`);
    const src = lines.join('\n') + '\n';
    const t0 = performance.now();
    const p = parse(src);
    const ms = performance.now() - t0;
    expect(p.statements).toHaveLength(10_003);
    // Typically ~0.5–0.8 s on a 2.6 GHz server core; the bound only catches a blow-up
    // (e.g. something quadratic), not ordinary machine-to-machine variation.
    expect(ms).toBeLessThan(5_000);
  });
});

describe('grammar files', () => {
  it('src/parse/grammar-source.ts is up to date with grammar/matdiff.ohm', () => {
    const onDisk = readFileSync(fileURLToPath(new URL('../grammar/matdiff.ohm', import.meta.url)), 'utf8');
    expect(GRAMMAR_SOURCE).toBe(onDisk); // else run: node scripts/gen-grammar.mjs
    const compiled = ohm.grammar(onDisk) as ohm.Grammar & { toRecipe(): string }; // untyped in ohm-js
    expect(GRAMMAR_RECIPE).toEqual(JSON.parse(compiled.toRecipe()));
  });

  it('the grammar on its own (without the newline pre-scan) matches the language', () => {
    const g = matdiffGrammar();
    expect(g.match('W: [n, n] sym\nx = Aᵀ·(b + c)⁻¹; assert ‖x‖ = 1 # c\n').succeeded()).toBe(true);
    expect(g.match('x = a +').succeeded()).toBe(false);
    // the one thing the pre-scan adds: a newline inside brackets
    expect(g.match('x = (a\n+ b)').succeeded()).toBe(false);
  });
});
