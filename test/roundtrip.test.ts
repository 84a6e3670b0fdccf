/**
 * Printing and parsing are inverses on the interned graph: a random expression printed
 * in Unicode or ASCII parses back to the identical node (===). And every spelling of
 * LANGUAGE.md §2 parses to the expected graph, with the documented precedence.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { printExpr } from '../src/index.js';
import * as b from '../src/graph/build.js';
import type { Node } from '../src/graph/node.js';
import { OPS } from '../src/ops/registry.js';
import { arbExpr, exprFromSeed, opsOf, reparse, runs, v } from './gen.js';

const [A, B, C, D, x, y, z, s, t, q] = ['A', 'B', 'C', 'D', 'x', 'y', 'z', 's', 't', 'q'].map(v) as Node[] as [
  Node,
  Node,
  Node,
  Node,
  Node,
  Node,
  Node,
  Node,
  Node,
  Node,
];
const S = v('S');

describe('print → parse round trip', () => {
  for (const fmt of ['unicode', 'ascii'] as const)
    it(`random expressions re-parse from ${fmt} to the identical node`, () => {
      fc.assert(
        fc.property(arbExpr({ maxDepth: 5 }), ({ node }) => {
          const text = printExpr(node, fmt);
          const back = reparse(text);
          if (back !== node) throw new Error(`${text}\n  re-parsed as\n${printExpr(back, fmt)}`);
        }),
        runs(100),
      );
    });

  it('LaTeX printing never throws and never prints the ASCII operators', () => {
    fc.assert(
      fc.property(arbExpr({ maxDepth: 4 }), ({ node }) => {
        const text = printExpr(node, 'latex');
        expect(text).not.toMatch(/\.\*|\.\/|⊙|⊘|ᵀ|⁻¹|⁻ᵀ/);
      }),
      runs(100),
    );
  });

  it('the generator reaches every operator of the registry', () => {
    const seen = new Set<string>();
    // 2000 seeds: commutation(m, n) is drawn only where a size is a product (m·n), about 1 in 300.
    for (let seed = 0; seed < 2000; seed++) for (const op of opsOf([exprFromSeed(seed, 4)])) seen.add(op);
    expect(Object.keys(OPS).filter((op) => !seen.has(op))).toEqual([]);
  });

  it('canonical forms that once printed ambiguously', () => {
    // −1·(−1·s) and −(−s): constants fold between scalars.
    expect(b.mul(b.constant(-1), b.mul(b.constant(-1), s))).toBe(s);
    expect(b.mul(s, b.constant(2))).toBe(b.mul(b.constant(2), s));
    // 1⁻¹ is 1, so X / 1 is X.
    expect(b.div(A, b.pow(b.constant(1), 0.5))).toBe(A);
    // (t⁻¹·s⁻¹)·X: both scalars are reciprocals.
    for (const node of [
      b.mul(b.mul(b.recip(t), b.recip(s)), A),
      b.mul(b.mul(b.constant(-1), b.mul(b.constant(0.5), b.recip(t))), x),
    ])
      for (const fmt of ['unicode', 'ascii'] as const) expect(reparse(printExpr(node, fmt))).toBe(node);
  });
});

describe('every spelling of LANGUAGE.md §2', () => {
  const same: [string, string[], Node][] = [
    ['matrix product', ['A*B', 'A@B', 'A·B', 'A⋅B'], b.matmul(A, B)],
    ['Hadamard product', ['A.*A', 'A⊙A'], b.mul(A, A)],
    ['elementwise division', ['A./A', 'A⊘A', 'A ./ A'], b.div(A, A)],
    ['division by a scalar', ['A/s', 'A / s', 'A ./ s', 'A ⊘ s'], b.div(A, s)],
    ['sum', ['A+A', 'A + A'], b.add(A, A)],
    ['difference', ['A-A', 'A − A', 'A+(-A)', 'A + −1·A'], b.sub(A, A)],
    ['negation', ['-A', '−A', '-1*A', '(-1)·A'], b.neg(A)],
    ['transpose', ["A'", 'A^T', 'Aᵀ', 'A^ T'], b.T(A)],
    ['inverse', ['C^-1', 'C⁻¹', 'inv(C)', 'C^(-1)', 'C^−1'], b.inv(C)],
    ['inverse transposed', ['C⁻ᵀ', 'C⁻¹ᵀ', "C^-1'", 'inv(C)^T'], b.T(b.inv(C))],
    ['elementwise power', ['x.^-0.5', 'x.^(-0.5)', 'x .^ -0.5', 'x.^−0.5'], b.pow(x, -0.5)],
    ['elementwise square', ['x.^2', 'x .^ 2', 'x.^(2)'], b.pow(x, 2)],
    ['power of a scalar', ['s²', 's^2', 's .^ 2', 's^(2)'], b.pow(s, 2)],
    ['cube of a scalar', ['s³', 's^3'], b.pow(s, 3)],
    ['inverse of a scalar', ['s⁻¹', 's^-1', 'inv(s)', 's.^-1'], b.recip(s)],
    ['square root', ['sqrt(q)', 'q.^0.5'], b.sqrt(q)],
    ['norm', ['‖A‖', 'norm(A)', 'sqrt(sum(A.^2))'], b.norm(A)],
    ['sigmoid', ['σ(x)', 'sigmoid(x)'], b.fn('sigmoid', x)],
    ['mean', ['mean(A)', 'sum(A) / (m·n)', 'sum(A)/(m*n)'], b.mean(A)],
    ['trace', ['tr(C)'], b.tr(C)],
    ['a dimension is a scalar', ['sum(x) / m'], b.div(b.sum(x), b.dimValue(x.shape.rows))],
    ['ones and zeros', ['ones(m)', 'ones(m, 1)'], b.ones(x.shape.rows)],
    ['zeros', ['zeros(m, n)'], b.zeros(A.shape)],
    ['identity', ['I(n)'], b.eye(y.shape.rows)],
    ['diag of a vector', ['diag(y)'], b.diag(y)],
    ['diag of a matrix', ['diag(C)'], b.diag(C)],
    ['vec and unvec', ['unvec(vec(A), m)'], b.unvec(b.vec(A), A.shape.rows)],
    ['softmax and logsumexp', ['logsumexp(softmax(A))'], b.logsumexp(b.softmax(A))],
    ['det and logdet', ['det(C) + logdet(S)'], b.add(b.det(C), b.logdet(S))],
    [
      'the elementwise functions',
      ['exp(log(abs(sin(cos(tanh(relu(softplus(step(sign(x))))))))))'],
      ['exp', 'log', 'abs', 'sin', 'cos', 'tanh', 'relu', 'softplus', 'step', 'sign'].reduceRight(
        (acc, f) => b.fn(f as Parameters<typeof b.fn>[0], acc),
        x,
      ),
    ],
  ];
  for (const [what, spellings, expected] of same)
    it(`${what}: ${spellings.join('  ')}`, () => {
      for (const text of spellings) expect(reparse(text), text).toBe(expected);
    });

  it('a number never ends in ".": 1./x is 1 ./ x and 2.*A is 2 .* A', () => {
    expect(reparse('1./x')).toBe(reparse('1 ./ x'));
    expect(reparse('1./x')).toBe(b.div(b.constant(1), x));
    expect(reparse('2.*A')).toBe(reparse('2 .* A'));
    expect(reparse('2.*A')).toBe(b.mul(b.constant(2), A));
    expect(reparse('2.5*A')).toBe(b.mul(b.constant(2.5), A));
    expect(reparse('1e-3*A')).toBe(b.mul(b.constant(0.001), A));
    expect(reparse('.5*A')).toBe(b.mul(b.constant(0.5), A));
  });

  it('a newline inside parentheses continues the statement', () => {
    expect(reparse('(A\n + A)')).toBe(b.add(A, A));
    expect(reparse('sum(\n  A # a comment\n)')).toBe(b.sum(A));
  });
});

describe('precedence (LANGUAGE.md §2)', () => {
  const cases: [string, Node][] = [
    // postfix binds tighter than unary minus
    ['-s²', b.neg(b.pow(s, 2))],
    ['-x.^2', b.neg(b.pow(x, 2))],
    ['(-s)²', b.pow(b.neg(s), 2)],
    ['-Aᵀ', b.neg(b.T(A))],
    ["-A'", b.neg(b.T(A))],
    // postfix binds tighter than products
    ['Dᵀ·D', b.matmul(b.T(D), D)],
    ['D·Dᵀ', b.matmul(D, b.T(D))],
    ['(D·D)ᵀ', b.T(b.matmul(D, D))],
    ['x·yᵀ', b.matmul(x, b.T(y))],
    ['C⁻¹·y', b.matmul(b.inv(C), y)],
    ['s·x.^2', b.mul(s, b.pow(x, 2))],
    // unary minus binds tighter than products: −A·B is (−A)·B
    ['-D·x ⊙ x', b.mul(b.matmul(b.neg(D), x), x)],
    // · ⊙ ⊘ / are one left-associative level
    ['D·x ⊙ x', b.mul(b.matmul(D, x), x)],
    ['x ⊙ (D·x)', b.mul(x, b.matmul(D, x))],
    ['y ⊘ q ⊙ q', b.mul(b.div(y, q), q)],
    ['A ⊙ A / s', b.div(b.mul(A, A), s)],
    ['A / s / t', b.div(b.div(A, s), t)],
    ['A / s·B', b.matmul(b.div(A, s), B)],
    ['yᵀ·C·z', b.matmul(b.matmul(b.T(y), C), z)],
    // + − below the products, left-associative
    ['x - x - x', b.sub(b.sub(x, x), x)],
    ['x - (x - x)', b.sub(x, b.sub(x, x))],
    ['A·B + A·B', b.add(b.matmul(A, B), b.matmul(A, B))],
    ['y + C·y', b.add(y, b.matmul(C, y))],
    ['(y + C·y)⊙y', b.mul(b.add(y, b.matmul(C, y)), y)],
    ['y ⊙ y + y', b.add(b.mul(y, y), y)],
    ['y ⊙ (y + y)', b.mul(y, b.add(y, y))],
    // postfix runs apply left to right
    ["A''", b.T(b.T(A))],
    ['x.^2.^3', b.pow(b.pow(x, 2), 3)],
    ['C⁻¹ᵀ', b.T(b.inv(C))],
  ];
  for (const [text, expected] of cases) it(text, () => expect(reparse(text)).toBe(expected));
});

describe('a 1×1 is a scalar wherever one is needed', () => {
  it('(xᵀ·x)·A scales A', () => {
    const inner = b.matmul(b.T(x), x);
    expect(reparse('(xᵀ·x)·A')).toBe(b.mul(inner, A));
    expect(reparse('A / (yᵀ·z)')).toBe(b.div(A, b.matmul(b.T(y), z)));
    expect(reparse('(yᵀ·z)^2')).toBe(b.pow(b.matmul(b.T(y), z), 2));
  });
});
