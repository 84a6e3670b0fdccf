/**
 * Kronecker products, commutation matrices and second derivatives with respect to
 * matrices (LANGUAGE.md §2, vec = column stacking):
 *   - a table of textbook second derivatives (Matrix Cookbook §2, Magnus–Neudecker, the
 *     matrix-variable cases of SymPy's test_derivatives): the printed Kronecker form, no
 *     longer than the textbook's; the ASCII form re-parses to the same node; the value
 *     equals finite differences in float64 through the interpreter, the generated
 *     TypeScript (f64 and f32) and WGSL (f32, skipped without an adapter);
 *   - every Kronecker rule of the simplifier, numerically and symbolically;
 *   - the reverse mode of ⊗ against finite differences.
 */
import { describe, expect, it } from 'vitest';
import { parse, printExpr, simplify, evaluate, grad } from '../src/index.js';
import type { Node } from '../src/graph/node.js';
import * as b from '../src/graph/build.js';
import type { Model } from '../src/model/model.js';
import { programOf } from '../codegen/compile.js';
import { type Env, fdGradient, randomEnv, relErr } from './gen.js';
import { compareProgram } from './codegen-util.js';
import { checkParsed, requireGpu } from './wgsl-util.js';
import { fdVecJacobian, relDiffMat } from './kron-util.js';

const DIMS = new Map([
  ['m', 3],
  ['n', 2],
  ['k', 4],
  ['p', 5],
]);
const DECLS = 'X: [m, n]; Y: [n, n]; A: [k, m]; B: [k, n]; C: [n, n]; D: [m, m]; E: [n, p]';

/** Random data; Y made diagonally dominant, so that its inverse and determinant are tame. */
function envOf(model: Model, seed: number): Env {
  const env = randomEnv(
    seed,
    [...model.vars.values()].map((v) => v.node),
    DIMS,
  );
  const y = env.vars.get('Y');
  if (y) {
    const data = Float64Array.from(y.data);
    for (let i = 0; i < y.rows; i++) data[i * y.cols + i]! += 3;
    env.vars.set('Y', { ...y, data });
  }
  return env;
}

/** [source, hess or jac, function, variable, printed form, the textbook's form in this notation]. */
const TABLE: [string, 'hess' | 'jac', string, string, string, string][] = [
  ['Cookbook: ‖X‖²', 'hess', 'sum(X ⊙ X)', 'X', '2·I(m·n)', '2·I(m·n)'],
  ['least squares', 'hess', '‖A·X − B‖²', 'X', '2·I(n) ⊗ (Aᵀ·A)', '2·(I(n) ⊗ (Aᵀ·A))'],
  ['Cookbook: tr(XᵀDX)', 'hess', 'tr(Xᵀ·D·X)', 'X', 'I(n) ⊗ (D + Dᵀ)', 'I(n) ⊗ (D + Dᵀ)'],
  ['Cookbook: tr(XCXᵀ)', 'hess', 'tr(X·C·Xᵀ)', 'X', '(C + Cᵀ) ⊗ I(m)', '(C + Cᵀ) ⊗ I(m)'],
  ['Cookbook: tr(XᵀDXC)', 'hess', 'tr(Xᵀ·D·X·C)', 'X', 'C ⊗ Dᵀ + Cᵀ ⊗ D', 'Cᵀ ⊗ D + C ⊗ Dᵀ'],
  ['Cookbook: tr(YY)', 'hess', 'tr(Y·Y)', 'Y', '2·commutation(n, n)', '2·commutation(n, n)'],
  [
    'Magnus–Neudecker: tr(YCYC)',
    'hess',
    'tr(Y·C·Y·C)',
    'Y',
    '2·(C ⊗ Cᵀ)·commutation(n, n)',
    'commutation(n, n)·(Cᵀ ⊗ C) + (C ⊗ Cᵀ)·commutation(n, n)',
  ],
  [
    'Magnus–Neudecker: log|Y|',
    'hess',
    'logdet(Y)',
    'Y',
    '−(Y⁻¹ ⊗ Y⁻ᵀ)·commutation(n, n)',
    '−commutation(n, n)·(Y⁻ᵀ ⊗ Y⁻¹)',
  ],
  [
    'Magnus–Neudecker: det(Y)',
    'hess',
    'det(Y)',
    'Y',
    'det(Y)·(vec(Y⁻ᵀ)·vec(Y⁻ᵀ)ᵀ − (Y⁻¹ ⊗ Y⁻ᵀ)·commutation(n, n))',
    'det(Y)·(vec(Y⁻ᵀ)·vec(Y⁻ᵀ)ᵀ − commutation(n, n)·(Y⁻ᵀ ⊗ Y⁻¹))',
  ],
  ['Magnus–Neudecker: tr(Y)²', 'hess', 'tr(Y)^2', 'Y', '2·vec(I(n))·vec(I(n))ᵀ', '2·vec(I(n))·vec(I(n))ᵀ'],
  ['Magnus–Neudecker: tr(CY)²', 'hess', 'tr(C·Y)^2', 'Y', '2·vec(Cᵀ)·vec(Cᵀ)ᵀ', '2·vec(Cᵀ)·vec(Cᵀ)ᵀ'],
  [
    'Magnus–Neudecker: tr(Y³)',
    'hess',
    'tr(Y·Y·Y)',
    'Y',
    '3·(I(n) ⊗ Yᵀ + Y ⊗ I(n))·commutation(n, n)',
    '3·(commutation(n, n)·(Yᵀ ⊗ I(n)) + (Y ⊗ I(n))·commutation(n, n))',
  ],
  [
    'Magnus–Neudecker: tr(Y⁻¹)',
    'hess',
    'tr(Y⁻¹)',
    'Y',
    '(Y⁻¹ ⊗ (Y⁻ᵀ·Y⁻ᵀ) + (Y⁻¹·Y⁻¹) ⊗ Y⁻ᵀ)·commutation(n, n)',
    'commutation(n, n)·(Y⁻ᵀ ⊗ (Y⁻¹·Y⁻¹) + (Y⁻ᵀ·Y⁻ᵀ) ⊗ Y⁻¹)',
  ],
  ['Cookbook: sum(exp(X))', 'hess', 'sum(exp(X))', 'X', 'diag(vec(exp(X)))', 'diag(vec(exp(X)))'],
  ['SymPy: D·X·E', 'jac', 'D·X·E', 'X', 'Eᵀ ⊗ D', 'Eᵀ ⊗ D'],
  ['SymPy: X·C', 'jac', 'X·C', 'X', 'Cᵀ ⊗ I(m)', 'Cᵀ ⊗ I(m)'],
  ['SymPy: D·X', 'jac', 'D·X', 'X', 'I(n) ⊗ D', 'I(n) ⊗ D'],
  ['SymPy: Xᵀ', 'jac', 'Xᵀ', 'X', 'commutation(m, n)', 'commutation(m, n)'],
  ['SymPy: Y⁻¹', 'jac', 'Y⁻¹', 'Y', '−Y⁻ᵀ ⊗ Y⁻¹', '−(Y⁻ᵀ ⊗ Y⁻¹)'],
  ['SymPy: Y·Y', 'jac', 'Y·Y', 'Y', 'I(n) ⊗ Y + Yᵀ ⊗ I(n)', 'Yᵀ ⊗ I(n) + I(n) ⊗ Y'],
  [
    'SymPy: X·Xᵀ',
    'jac',
    'X·Xᵀ',
    'X',
    'X ⊗ I(m) + (I(m) ⊗ X)·commutation(m, n)',
    '(I(m·m) + commutation(m, m))·(X ⊗ I(m))',
  ],
  [
    'SymPy: Xᵀ·D·X',
    'jac',
    'Xᵀ·D·X',
    'X',
    '((Xᵀ·Dᵀ) ⊗ I(n))·commutation(m, n) + I(n) ⊗ (Xᵀ·D)',
    'I(n) ⊗ (Xᵀ·D) + ((Xᵀ·Dᵀ) ⊗ I(n))·commutation(m, n)',
  ],
  ['SymPy: X ⊙ X', 'jac', 'X ⊙ X', 'X', '2·diag(vec(X))', '2·diag(vec(X))'],
  ['SymPy: exp(X)', 'jac', 'exp(X)', 'X', 'diag(vec(exp(X)))', 'diag(vec(exp(X)))'],
  ['SymPy: tr(Y)·Y', 'jac', 'tr(Y)·Y', 'Y', 'vec(Y)·vec(I(n))ᵀ + tr(Y)·I(n·n)', 'vec(Y)·vec(I(n))ᵀ + tr(Y)·I(n·n)'],
  [
    'Cookbook: det(Y)·Y',
    'jac',
    'det(Y)·Y',
    'Y',
    'det(Y)·(vec(Y)·vec(Y⁻ᵀ)ᵀ + I(n·n))',
    'det(Y)·(vec(Y)·vec(Y⁻ᵀ)ᵀ + I(n·n))',
  ],
];

/** The model: f = the function, H = its flattened second derivative. */
const modelOf = (kind: 'hess' | 'jac', fn: string, x: string) =>
  parse(`${DECLS}\nf = ${fn}\nH = ${kind}(f, ${x})`, 'kron.mdf');

describe('second derivatives with respect to matrices, in Kronecker form', () => {
  for (const [name, kind, fn, x, printed, textbook] of TABLE) {
    describe(`${name}: ${kind}(${fn}, ${x})`, () => {
      const model = modelOf(kind, fn, x);
      const H = model.defs.get('H')!.node;

      it(`prints ${printed}, no longer than the textbook's, and re-parses`, () => {
        expect(printExpr(H, 'unicode')).toBe(printed);
        expect([...printed].length).toBeLessThanOrEqual([...textbook].length);
        for (const fmt of ['ascii', 'unicode'] as const) {
          const again = parse(`${DECLS}\nQ = ${printExpr(H, fmt)}`, 'again.mdf').defs.get('Q')!.node;
          expect(simplify(again)).toBe(H);
        }
        // The textbook's form is the same matrix.
        const book = parse(`${DECLS}\nQ = ${textbook}`, 'book.mdf').defs.get('Q')!.node;
        const env = envOf(model, 3);
        const [h, t] = evaluate([H, book], env);
        expect(relErr(h!, t!)).toBeLessThan(1e-12);
      });

      it('equals finite differences (float64, interpreter)', () => {
        // For a Hessian, the Jacobian of the gradient; for a Jacobian, of the function.
        const f = model.defs.get('f')!.node;
        const xn = model.vars.get(x)!.node;
        const target = kind === 'hess' ? grad(f, xn) : f;
        for (const seed of [1, 2]) {
          const env = envOf(model, seed);
          const fd = fdVecJacobian(target, x, env);
          const [h] = evaluate([H], env);
          expect(relDiffMat(h!.data, fd.data)).toBeLessThan(1e-6);
        }
      });

      if (kind === 'hess')
        it('is symmetric', () => {
          const [h, ht] = evaluate([H, b.T(H)], envOf(model, 6));
          expect(relErr(h!, ht!)).toBeLessThan(1e-12);
        });

      it('compiles: the generated TypeScript agrees with the interpreter (f64 and f32)', () => {
        const program = programOf(model, { of: 'H' });
        const [out] = compareProgram(program, envOf(model, 4));
        expect(out!.f64).toBeLessThan(1e-10);
        expect(out!.f32).toBeLessThan(1e-4);
      });

      it('through WGSL (f32)', async (ctx) => {
        requireGpu(ctx);
        const r = await checkParsed(model, Object.fromEntries(DIMS), { of: 'H', env: envOf(model, 5) });
        expect(r.failures).toEqual([]);
      });
    });
  }
});

const RULE_DECLS = [
  'A: [m, n]; B: [p, q]; C: [n, r]; D: [q, s]; X: [n, p]; M: [m, n]; W: [m, n]',
  'S: [m, m]; U: [n, n]; Sa: [m, m]; Ua: [n, n]; c: []',
].join('\n');
const RULE_DIMS = new Map([
  ['m', 2],
  ['n', 3],
  ['p', 4],
  ['q', 2],
  ['r', 3],
  ['s', 2],
]);

/** Each Kronecker rule of the simplifier: [left, right]. */
const RULES: [string, string][] = [
  ['(A ⊗ B)·(C ⊗ D)', '(A·C) ⊗ (B·D)'],
  ['(A ⊗ B)ᵀ', 'Aᵀ ⊗ Bᵀ'],
  ['((S + 3·I(m)) ⊗ (U + 3·I(n)))⁻¹', '(S + 3·I(m))⁻¹ ⊗ (U + 3·I(n))⁻¹'],
  ['vec(A·X·B)', '(Bᵀ ⊗ A)·vec(X)'],
  ['commutation(m, n)ᵀ', 'commutation(n, m)'],
  ['commutation(p, m)·(A ⊗ B)·commutation(n, q)', 'B ⊗ A'],
  ['tr(S ⊗ U)', 'tr(S)·tr(U)'],
  ['(c·A) ⊗ B', 'c·(A ⊗ B)'],
  ['A ⊗ (c·B)', 'c·(A ⊗ B)'],
  ['I(m) ⊗ I(n)', 'I(m·n)'],
  ['zeros(m, n) ⊗ B', 'zeros(m·p, n·q)'],
  ['commutation(m, n)·vec(A)', 'vec(Aᵀ)'],
  ['commutation(n, m)·commutation(m, n)', 'I(m·n)'],
  ['diag(vec(M))·vec(W)', 'vec(M ⊙ W)'],
  ['vec(M)ᵀ·vec(W)', 'sum(M ⊙ W)'],
  ['(S ⊗ U)·(Sa ⊗ Ua + 2·(S ⊗ Ua))', '(S·Sa) ⊗ (U·Ua) + 2·(S·S) ⊗ (U·Ua)'],
];

describe('the Kronecker rules of the simplifier', () => {
  const model = parse(
    [RULE_DECLS, ...RULES.flatMap(([l, r], i) => [`L${i} = ${l}`, `R${i} = ${r}`])].join('\n'),
    'rules.mdf',
  );
  const node = (name: string): Node => model.defs.get(name)!.node;
  RULES.forEach(([l, r], i) =>
    it(`${l} = ${r}`, () => {
      for (const seed of [1, 2, 3]) {
        const env = randomEnv(
          seed,
          [...model.vars.values()].map((v) => v.node),
          RULE_DIMS,
        );
        const [a, b] = evaluate([node(`L${i}`), node(`R${i}`)], env);
        expect(relErr(a!, b!)).toBeLessThan(1e-12);
      }
      expect(simplify(node(`L${i}`))).toBe(simplify(node(`R${i}`)));
    }),
  );

  it('a Kronecker operand of a product prints in parentheses; ASCII spells kron(A, B)', () => {
    expect(printExpr(node('L0'), 'unicode')).toBe('(A ⊗ B)·(C ⊗ D)');
    expect(printExpr(node('L0'), 'ascii')).toBe('kron(A, B)*kron(C, D)');
    expect(printExpr(node('R0'), 'latex')).toBe(
      '\\left(\\mathbf{A} \\mathbf{C}\\right) \\otimes \\left(\\mathbf{B} \\mathbf{D}\\right)',
    );
    expect(printExpr(node('L4'), 'latex')).toBe('\\mathbf{K}_{m,n}^\\top');
  });
});

describe('reverse mode through ⊗', () => {
  const model = parse('A: [m, n]; B: [p, q]\nL = sum(sin(A ⊗ B)) + sum((A ⊗ Bᵀ)ᵀ.^2) / 2', 'vjp.mdf');
  const L = model.defs.get('L')!.node;
  for (const x of ['A', 'B'])
    it(`∂L/∂${x} equals finite differences`, () => {
      const env = randomEnv(
        7,
        [...model.vars.values()].map((v) => v.node),
        RULE_DIMS,
      );
      const [g] = evaluate([grad(L, model.vars.get(x)!.node)], env);
      expect(relErr(g!, fdGradient(L, x, env))).toBeLessThan(1e-7);
    });
});
