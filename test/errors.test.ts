/**
 * Every error a user can cause is a located message from the catalogue: the exact text
 * of `err.format()` — `FILE:LINE:COL: error[CODE]: …`, the source line, a caret underline —
 * for a table of bad inputs, and the CLI's exit statuses (1 for a bad model, 2 for a bad
 * invocation), never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, ModelErrors, MatdiffError } from '../src/index.js';
import { main } from '../src/cli/main.js';

/** All messages of a bad model, as the CLI prints them. */
function messages(source: string, file = 'bad.mdf'): string {
  try {
    parse(source, file);
  } catch (e) {
    if (e instanceof ModelErrors) return e.errors.map((x) => x.format()).join('\n\n');
    if (e instanceof MatdiffError) return e.format();
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(source)}`);
}

// [what, source, the exact message]
const BAD: [string, string, string][] = [
  [
    'syntax: missing operand',
    'A: [m, n]\nB = A +',
    `bad.mdf:2:8: error[E001]: expected an expression
  |
2 | B = A +
  |        ^`,
  ],
  [
    'syntax: unclosed parenthesis',
    'A: [m, n]\nB = (A',
    `bad.mdf:2:7: error[E001]: expected an operator or ")"
  |
2 | B = (A
  |       ^`,
  ],
  [
    'syntax: missing comma in a declaration',
    'A: [m n]',
    `bad.mdf:1:7: error[E001]: expected "," or "]"
  |
1 | A: [m n]
  |       ^`,
  ],
  [
    'syntax: doubled operator',
    'x: [n]\ny = x ++ x',
    `bad.mdf:2:8: error[E001]: expected an expression
  |
2 | y = x ++ x
  |        ^`,
  ],
  [
    'syntax: stray character',
    'A: [m, n]\nB = A $ A',
    `bad.mdf:2:7: error[E001]: expected an operator, ";" or a newline
  |
2 | B = A $ A
  |       ^`,
  ],
  [
    'syntax: juxtaposition is not a product',
    'x: [n]\ny = 2x',
    `bad.mdf:2:6: error[E001]: expected an operator, ";" or a newline
  |
2 | y = 2x
  |      ^`,
  ],
  [
    'syntax: three dimensions',
    'x: [n, m, k]',
    `bad.mdf:1:9: error[E001]: expected "]"
  |
1 | x: [n, m, k]
  |         ^`,
  ],
  [
    'syntax: unknown property',
    'x: [n] foo',
    `bad.mdf:1:8: error[E001]: expected a property, ";" or a newline
  |
1 | x: [n] foo
  |        ^`,
  ],
  [
    'syntax: neither declaration nor definition',
    'a b = 2',
    `bad.mdf:1:3: error[E001]: expected ":" or "="
  |
1 | a b = 2
  |   ^`,
  ],
  [
    'syntax: unclosed norm',
    'x: [n]\nL = ‖x',
    `bad.mdf:2:7: error[E001]: expected an operator or "‖"
  |
2 | L = ‖x
  |       ^`,
  ],
  [
    'syntax: minus with no operand',
    'x: [n]\ny = -',
    `bad.mdf:2:6: error[E001]: expected an expression
  |
2 | y = -
  |      ^`,
  ],
  [
    'unknown name with did-you-mean',
    'x: [n]\nL = sum(xx)',
    `bad.mdf:2:9: error[E003]: unknown name 'xx'; did you mean 'x'?
  |
2 | L = sum(xx)
  |         ^^`,
  ],
  [
    'unknown name without a near one',
    'x: [n]\nL = sum(q)',
    `bad.mdf:2:9: error[E003]: unknown name 'q'
  |
2 | L = sum(q)
  |         ^`,
  ],
  [
    'use before definition',
    'L = M + 1\nM = 2',
    `bad.mdf:1:5: error[E004]: 'M' is used before its definition
  |
1 | L = M + 1
  |     ^`,
  ],
  [
    'redeclaration',
    'x: [n]\nx: [m]',
    `bad.mdf:2:1: error[E005]: 'x' is already defined
  |
2 | x: [m]
  | ^`,
  ],
  [
    'redefinition',
    'x: [n]\ny = x\ny = x',
    `bad.mdf:3:1: error[E005]: 'y' is already defined
  |
3 | y = x
  | ^`,
  ],
  [
    'wrong arity',
    'x: [n]\nL = sum(x, x)',
    `bad.mdf:2:5: error[E008]: sum takes 1 argument, got 2
  |
2 | L = sum(x, x)
  |     ^^^^^^^^^`,
  ],
  [
    'wrong arity, two accepted',
    'L = ones()',
    `bad.mdf:1:5: error[E008]: ones takes 1 argument or 2 arguments, got 0
  |
1 | L = ones()
  |     ^^^^^^`,
  ],
  [
    'reserved word as a variable',
    'exp: [n]',
    `bad.mdf:1:1: error[E006]: 'exp' is a reserved word and cannot name a variable
  |
1 | exp: [n]
  | ^^^`,
  ],
  [
    'reserved T',
    'T: [n]',
    `bad.mdf:1:1: error[E006]: 'T' is a reserved word and cannot name a variable
  |
1 | T: [n]
  | ^`,
  ],
  [
    'reserved word as a definition',
    'x: [n]\nsum = x',
    `bad.mdf:2:1: error[E006]: 'sum' is a reserved word and cannot name a variable
  |
2 | sum = x
  | ^^^`,
  ],
  [
    'zero dimension',
    'x: [0]',
    `bad.mdf:1:5: error[E007]: a dimension must be a positive integer, got 0
  |
1 | x: [0]
  |     ^`,
  ],
  [
    'fractional dimension',
    'x: [2.5]',
    `bad.mdf:1:5: error[E007]: a dimension must be a positive integer, got 2.5
  |
1 | x: [2.5]
  |     ^^^`,
  ],
  [
    'dimension and variable',
    'x: [n]\nn: [m]',
    `bad.mdf:2:1: error[E011]: 'n' is both a dimension and a variable
  |
2 | n: [m]
  | ^`,
  ],
  [
    'dimension and definition',
    'x: [n]\nL = sum(x) / n\nn = 3',
    `bad.mdf:3:1: error[E011]: 'n' is both a dimension and a variable
  |
3 | n = 3
  | ^`,
  ],
  [
    'shape: matrix times vector',
    'A: [m, n]\nx: [m]\ny = A·x',
    `bad.mdf:3:5: error[E010]: cannot multiply [m,n] by [m]: inner dimensions n and m differ
  |
3 | y = A·x
  |     ^^^`,
  ],
  [
    'shape: numeric sizes',
    'A: [3, 4]\nB: [5, 2]\nC = A·B',
    `bad.mdf:3:5: error[E010]: cannot multiply [3,4] by [5,2]: inner dimensions 4 and 5 differ
  |
3 | C = A·B
  |     ^^^`,
  ],
  [
    'shape: vector times vector',
    'x: [n]\ny = x·x',
    `bad.mdf:2:5: error[E010]: cannot multiply [n] by [n]: inner dimensions 1 and n differ; for an inner product transpose the left vector (uᵀ·v), for an elementwise one use ⊙
  |
2 | y = x·x
  |     ^^^`,
  ],
  [
    'shape: sum',
    'A: [m, n]\nB: [n, m]\nC = A + B',
    `bad.mdf:3:5: error[E010]: cannot add [m,n] and [n,m]: shapes differ and do not broadcast
  |
3 | C = A + B
  |     ^^^^^`,
  ],
  [
    'shape: Hadamard',
    'A: [m, n]\nB: [m, k]\nC = A ⊙ B',
    `bad.mdf:3:5: error[E010]: cannot multiply elementwise [m,n] and [m,k]: shapes differ and do not broadcast
  |
3 | C = A ⊙ B
  |     ^^^^^`,
  ],
  [
    'shape: elementwise division',
    'A: [m, n]\nB: [n, n]\nC = A ⊘ B',
    `bad.mdf:3:5: error[E010]: cannot divide [m,n] elementwise by [n,n]: shapes differ and do not broadcast
  |
3 | C = A ⊘ B
  |     ^^^^^`,
  ],
  [
    'not broadcastable: a column of the wrong length',
    'A: [m, n]\nx: [n]\nC = A + x',
    `bad.mdf:3:5: error[E010]: cannot add [m,n] and [n]: shapes differ and do not broadcast
  |
3 | C = A + x
  |     ^^^^^`,
  ],
  [
    'not broadcastable: a row of the wrong length',
    'A: [m, n]\nr: [1, m]\nC = A - r',
    `bad.mdf:3:5: error[E010]: cannot subtract [1,m] from [m,n]: shapes differ and do not broadcast
  |
3 | C = A - r
  |     ^^^^^`,
  ],
  [
    'matrix square',
    'A: [m, n]\nB = A²',
    `bad.mdf:2:5: error[E012]: a matrix power is not defined for [m,n]: write .^2 for the elementwise power or A·A for the matrix product
  |
2 | B = A²
  |     ^^`,
  ],
  [
    'matrix power',
    'A: [n, n]\nB = A^3',
    `bad.mdf:2:5: error[E012]: a matrix power is not defined for [n,n]: write .^3 for the elementwise power
  |
2 | B = A^3
  |     ^^^`,
  ],
  [
    'division by a non-scalar',
    'A: [m, n]\nx: [n]\nB = A / x',
    `bad.mdf:3:5: error[E013]: cannot divide [m,n] by [n]: '/' needs a scalar divisor; use ⊘ (./) to divide elementwise
  |
3 | B = A / x
  |     ^^^^^`,
  ],
  [
    'trace of a non-square',
    'A: [m, n]\nL = tr(A)',
    `bad.mdf:2:5: error[E010]: tr needs a square matrix, got [m,n] (m ≠ n)
  |
2 | L = tr(A)
  |     ^^^^^`,
  ],
  [
    'inverse of a non-square',
    'A: [m, n]\nB = A⁻¹',
    `bad.mdf:2:5: error[E010]: inverse needs a square matrix, got [m,n] (m ≠ n)
  |
2 | B = A⁻¹
  |     ^^^`,
  ],
  [
    'det of a vector',
    'x: [n]\ny = det(x)',
    `bad.mdf:2:5: error[E010]: det needs a square matrix, got [n] (n ≠ 1)
  |
2 | y = det(x)
  |     ^^^^^^`,
  ],
  [
    'grad of a non-scalar',
    'x: [n]\nG = grad(x, x)',
    `bad.mdf:2:5: error[E014]: grad needs a scalar function, got [n]; use jac for a vector
  |
2 | G = grad(x, x)
  |     ^^^^^^^^^^`,
  ],
  [
    'grad with respect to an expression',
    'x: [n]\nG = grad(sum(x), 3)',
    `bad.mdf:2:18: error[E015]: expected a declared variable to differentiate with respect to
  |
2 | G = grad(sum(x), 3)
  |                  ^`,
  ],
  [
    'hvp with a direction not shaped like the variable',
    'A: [n, n]; V: [n]\nf = sum(A)\nH = hvp(f, A, V)',
    `bad.mdf:3:5: error[E014]: hvp needs a direction shaped like the variable: [n,n], got [n]
  |
3 | H = hvp(f, A, V)
  |     ^^^^^^^^^^^^`,
  ],
  [
    'hess of a vector',
    'x: [n]\nH = hess(exp(x), x)',
    `bad.mdf:2:5: error[E014]: hess needs a scalar function, got [n]; use jac for a vector
  |
2 | H = hess(exp(x), x)
  |     ^^^^^^^^^^^^^^^`,
  ],
  [
    'jvp with a direction not shaped like the variable',
    'x: [n]\nA: [n, n]\nJ = jvp(A·x, A, x)',
    `bad.mdf:3:5: error[E014]: jvp needs a direction shaped like the variable: [n,n], got [n]
  |
3 | J = jvp(A·x, A, x)
  |     ^^^^^^^^^^^^^^`,
  ],
  [
    'assert sides of different shapes',
    'A: [n, n]\nx: [n]\nassert A = x',
    `bad.mdf:3:1: error[E010]: the sides of the assert differ in shape: [n,n] and [n]
  |
3 | assert A = x
  | ^^^^^^^^^^^^`,
  ],
  [
    'unknown function',
    'x: [n]\ny = foo(x)',
    `bad.mdf:2:5: error[E009]: unknown function 'foo'
  |
2 | y = foo(x)
  |     ^^^`,
  ],
  [
    'unknown function with did-you-mean',
    'x: [n]\ny = sofmax(x)',
    `bad.mdf:2:5: error[E009]: unknown function 'sofmax'; did you mean 'softmax'?
  |
2 | y = sofmax(x)
  |     ^^^^^^`,
  ],
  [
    'a function used as a value',
    'x: [n]\nL = sum',
    `bad.mdf:2:5: error[E015]: 'sum' is a function: call it, as in sum(…)
  |
2 | L = sum
  |     ^^^`,
  ],
  [
    'a variable called as a function',
    'x: [n]\ny = x(2)',
    `bad.mdf:2:5: error[E015]: 'x' is a variable, not a function; write x·(…) to multiply
  |
2 | y = x(2)
  |     ^`,
  ],
  [
    'a variable where a dimension is expected',
    'x: [n]\ny = ones(x)',
    `bad.mdf:2:10: error[E015]: expected a dimension here: a positive integer or a dimension name
  |
2 | y = ones(x)
  |          ^`,
  ],
  [
    'unvec that does not divide',
    'x: [n]\ny = unvec(x, 2)',
    `bad.mdf:2:5: error[E010]: cannot unvec [n] into 2 rows: 2 does not divide n
  |
2 | y = unvec(x, 2)
  |     ^^^^^^^^^^^`,
  ],
  [
    'sym on a non-square',
    'A: [m, n] sym',
    `bad.mdf:1:11: error[E017]: 'sym' needs a square matrix, but A is [m,n]
  |
1 | A: [m, n] sym
  |           ^^^`,
  ],
  [
    'spd on a vector',
    'x: [n] spd',
    `bad.mdf:1:8: error[E017]: 'spd' needs a square matrix, but x is [n]
  |
1 | x: [n] spd
  |        ^^^`,
  ],
  [
    'several independent errors',
    'A: [m, n]\nB = A + x\nC = A·A\nD = tr(A)',
    `bad.mdf:2:9: error[E003]: unknown name 'x'
  |
2 | B = A + x
  |         ^

bad.mdf:3:5: error[E010]: cannot multiply [m,n] by [m,n]: inner dimensions n and m differ
  |
3 | C = A·A
  |     ^^^

bad.mdf:4:5: error[E010]: tr needs a square matrix, got [m,n] (m ≠ n)
  |
4 | D = tr(A)
  |     ^^^^^`,
  ],
  [
    'a failed definition is reported once',
    'A: [m, n]\nB = A·A\nC = B + 1\nD = C·C',
    `bad.mdf:2:5: error[E010]: cannot multiply [m,n] by [m,n]: inner dimensions n and m differ
  |
2 | B = A·A
  |     ^^^`,
  ],
];

describe('error messages (LANGUAGE.md §3)', () => {
  it('the table has at least 30 cases', () => expect(BAD.length).toBeGreaterThanOrEqual(30));
  for (const [what, source, expected] of BAD) it(what, () => expect(messages(source)).toBe(expected));

  it('a shape mismatch names the operator and both shapes', () => {
    expect(messages('A: [m, n]\nx: [m]\ny = A·x')).toMatch(
      /cannot multiply \[m,n\] by \[m\]: inner dimensions n and m differ/,
    );
  });

  it('columns count in code points and the underline covers the offending text', () => {
    const msg = messages('α: [n]; β: [m]\nγ = α + β');
    expect(msg.split('\n')[0]).toBe(
      'bad.mdf:2:5: error[E010]: cannot add [n] and [m]: shapes differ and do not broadcast',
    );
    expect(msg.split('\n')[3]).toBe('  |     ^^^^^');
  });

  it('an error on a line ≥ 10 widens the gutter', () => {
    const msg = messages('x: [n]\n' + '\n'.repeat(9) + 'y = x·x');
    expect(msg.split('\n').slice(1)).toEqual(['   |', '11 | y = x·x', '   |     ^^^']);
  });
});

describe('the CLI on bad input', () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'matdiff-errors-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const noStack = (err: string) => {
    expect(err).not.toMatch(/\n\s+at /);
    expect(err).not.toMatch(/matdiff bug/);
  };

  it('print of a bad model: exit 1, every message on stderr, nothing on stdout', async () => {
    const path = file('bad.mdf', 'x: [n]\ny = x·x\nz = sum(q)\n');
    const r = await main(['print', path]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `${path}:2:5: error[E010]: cannot multiply [n] by [n]: inner dimensions 1 and n differ; for an inner product transpose the left vector (uᵀ·v), for an elementwise one use ⊙
  |
2 | y = x·x
  |     ^^^

${path}:3:9: error[E003]: unknown name 'q'
  |
3 | z = sum(q)
  |         ^`,
    );
    noStack(r.err);
  });

  it('grad of a vector output: exit 1, located at the definition', async () => {
    const path = file('vec.mdf', 'x: [n]\nF = exp(x)\n');
    const r = await main(['grad', path]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`${path}:2:1: error[E013]: grad needs a scalar function, got [n]; use jac for a vector
  |
2 | F = exp(x)
  | ^^^^^^^^^^`);
    noStack(r.err);
    const h = await main(['hess', path, '--wrt', 'x']);
    expect(h.code).toBe(1);
    expect(h.err.split('\n')[0]).toBe(
      `${path}:2:1: error[E014]: hess needs a scalar function, got [n]; use jac for a vector`,
    );
  });

  it('hess of a matrix with respect to a matrix (a tensor of order 4): exit 1', async () => {
    const path = file('mat.mdf', 'A: [n, n]\nL = A ⊙ A\n');
    const r = await main(['hess', path, '--wrt', 'A']);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')[0]).toBe(
      `${path}:2:1: error[E014]: hess needs a scalar function, got [n,n]: the Hessian of a matrix would be a tensor of order above 2 (jac gives its flattened Jacobian)`,
    );
    noStack(r.err);
  });

  it('a syntax error: exit 1', async () => {
    const r = await main(['print', file('syntax.mdf', 'A: [m, n]\nB = (A\n')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/syntax\.mdf:2:7: error\[E001\]: expected an operator or "\)"/);
    noStack(r.err);
  });

  const usage: [string, () => string[], RegExp][] = [
    ['no command', () => [], /Usage: matdiff <command> FILE/],
    ['an unknown command', () => ['frobnicate', 'x'], /unknown command 'frobnicate'/],
    ['a missing FILE', () => ['print'], /missing FILE/],
    ['a file that does not exist', () => ['print', join(dir, 'nope.mdf')], /cannot read .*nope\.mdf: no such file/],
    ['two files', () => ['print', 'a.mdf', 'b.mdf'], /unexpected argument 'b\.mdf'/],
    [
      'a bad --format',
      () => ['print', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--format', 'klingon'],
      /--format must be one of unicode, ascii, latex; got 'klingon'/,
    ],
    ['an unknown flag', () => ['print', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--bogus', '1'], /unknown flag --bogus/],
    ['a flag without its value', () => ['grad', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--wrt'], /--wrt needs a value/],
    [
      '--wrt of an undeclared name',
      () => ['grad', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--wrt', 'xx'],
      /--wrt: 'xx' is not a declared variable; did you mean 'x'\?/,
    ],
    [
      '--of of an undefined name',
      () => ['grad', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--of', 'M'],
      /--of: 'M' is not a definition of the model/,
    ],
    [
      'bad --dims',
      () => ['print', file('ok.mdf', 'x: [n]\nL = sum(x)'), '--dims', 'n=0'],
      /--dims takes NAME=SIZE pairs/,
    ],
  ];
  for (const [what, argv, message] of usage)
    it(`usage error, exit 2: ${what}`, async () => {
      const r = await main(argv());
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      noStack(r.err);
    });
});
