/**
 * Derivatives as textbooks print them (issue 16): the Matrix Cookbook (Petersen &
 * Pedersen, 2012, §2; equation numbers as SymPy's tests cite them), SymPy's
 * matrices/expressions/tests/test_derivatives.py, Magnus & Neudecker (Matrix
 * Differential Calculus, 3rd ed., ch. 8–10) and standard ML losses. Each case is a
 * model, a derivative of its output `L`, and the textbook's closed form `TB` in the
 * model's own variables (and definitions). `measure` prints matdiff's derivative as
 * `matdiff grad`/`hess` does (the model's definitions and spelling reused) and counts
 * both forms in parse-tree nodes, the model's names inlined on both sides.
 */
import { parse, grad, hess, printExpr, simplify, type Model, type Node } from '../src/index.js';
import { parseProgram } from '../src/parse/parser.js';
import type { Expr } from '../src/parse/ast.js';
import { preferModelForms } from '../src/simplify/prefer-names.js';

export interface TextbookCase {
  /** Where the form comes from. */
  source: 'Cookbook' | 'SymPy' | 'Magnus–Neudecker' | 'ML' | 'issue 16';
  /** Declarations and definitions; the output is `L`. */
  model: string;
  wrt: string;
  kind?: 'grad' | 'hess';
  /** The derivative as the textbook writes it, in matdiff syntax. */
  textbook: string;
}

const sq = 'A: [n, n]; B: [n, n]; C: [n, n]; D: [n, n]; X: [n, n]';
const vecs = 'a: [n]; b: [n]; c: [n]; d: [n]; x: [n]; y: [n]';

export const CASES: TextbookCase[] = [
  // ── Matrix Cookbook §2.5: traces ──
  { source: 'Cookbook', model: 'X: [n, n]\nL = tr(X)', wrt: 'X', textbook: 'I(n)' },
  { source: 'Cookbook', model: 'A: [n, m]; X: [m, n]\nL = tr(A·X)', wrt: 'X', textbook: 'Aᵀ' },
  { source: 'Cookbook', model: 'A: [n, m]; X: [m, n]\nL = tr(X·A)', wrt: 'X', textbook: 'Aᵀ' },
  { source: 'Cookbook', model: 'A: [m, n]; X: [m, n]\nL = tr(Xᵀ·A)', wrt: 'X', textbook: 'A' },
  { source: 'Cookbook', model: 'A: [m, n]; X: [m, n]\nL = tr(A·Xᵀ)', wrt: 'X', textbook: 'A' },
  { source: 'Cookbook', model: 'A: [p, m]; X: [m, n]; B: [n, p]\nL = tr(A·X·B)', wrt: 'X', textbook: 'Aᵀ·Bᵀ' },
  { source: 'Cookbook', model: 'A: [p, n]; X: [m, n]; B: [m, p]\nL = tr(A·Xᵀ·B)', wrt: 'X', textbook: 'B·A' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = tr(Xᵀ·X)', wrt: 'X', textbook: '2·X' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = tr(X·Xᵀ)', wrt: 'X', textbook: '2·X' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = tr(X·X)', wrt: 'X', textbook: '2·Xᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = tr(X·X·B)`, wrt: 'X', textbook: '(X·B + B·X)ᵀ' },
  { source: 'Cookbook', model: 'B: [m, m]; X: [m, n]\nL = tr(Xᵀ·B·X)', wrt: 'X', textbook: '(B + Bᵀ)·X' },
  { source: 'Cookbook', model: 'B: [m, m]; X: [m, n]\nL = tr(B·X·Xᵀ)', wrt: 'X', textbook: '(B + Bᵀ)·X' },
  { source: 'Cookbook', model: 'B: [n, n]; X: [m, n]\nL = tr(X·B·Xᵀ)', wrt: 'X', textbook: 'X·(B + Bᵀ)' },
  { source: 'Cookbook', model: 'B: [n, n]; X: [m, n]\nL = tr(B·Xᵀ·X)', wrt: 'X', textbook: 'X·(B + Bᵀ)' },
  { source: 'Cookbook', model: 'S: [m, m] sym; X: [m, n]\nL = tr(Xᵀ·S·X)', wrt: 'X', textbook: '2·S·X' },
  {
    source: 'Cookbook',
    model: 'B: [n, p]; C: [m, m]; X: [m, n]\nL = tr(Bᵀ·Xᵀ·C·X·B)',
    wrt: 'X',
    textbook: '(C + Cᵀ)·X·B·Bᵀ',
  },
  { source: 'Cookbook', model: `${sq}\nL = tr(Xᵀ·B·X·C)`, wrt: 'X', textbook: 'B·X·C + Bᵀ·X·Cᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = tr(A·X·B·Xᵀ·C)`, wrt: 'X', textbook: 'Aᵀ·Cᵀ·X·Bᵀ + C·A·X·B' },
  {
    source: 'Cookbook',
    model: 'A: [p, m]; X: [m, n]; B: [n, p]; C: [p, p]\nL = tr((A·X·B + C)·(A·X·B + C)ᵀ)',
    wrt: 'X',
    textbook: '2·Aᵀ·(A·X·B + C)·Bᵀ',
  },
  { source: 'Cookbook', model: `${sq}\nL = tr(A·X·B·X)`, wrt: 'X', textbook: 'Aᵀ·Xᵀ·Bᵀ + Bᵀ·Xᵀ·Aᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = tr(inv(X)·A)`, wrt: 'X', textbook: '−X⁻ᵀ·Aᵀ·X⁻ᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = tr(A·inv(X)·B)`, wrt: 'X', textbook: '−X⁻ᵀ·Aᵀ·Bᵀ·X⁻ᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = tr(inv(X + A))`, wrt: 'X', textbook: '−(X + A)⁻ᵀ·(X + A)⁻ᵀ' },
  // ── §2.1: determinants ──
  { source: 'Cookbook', model: 'X: [n, n]\nL = det(X)', wrt: 'X', textbook: 'det(X)·X⁻ᵀ' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = logdet(X)', wrt: 'X', textbook: 'X⁻ᵀ' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = det(inv(X))', wrt: 'X', textbook: '−det(inv(X))·X⁻ᵀ' },
  { source: 'Cookbook', model: `${sq}\nL = det(A·X·B)`, wrt: 'X', textbook: 'det(A·X·B)·X⁻ᵀ' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = logdet(X·Xᵀ)', wrt: 'X', textbook: '2·X⁻ᵀ' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = logdet(Xᵀ·X)', wrt: 'X', textbook: '2·X·inv(Xᵀ·X)' },
  {
    source: 'Cookbook',
    model: 'S: [m, m] sym; X: [m, n]\nL = det(Xᵀ·S·X)',
    wrt: 'X',
    textbook: '2·det(Xᵀ·S·X)·S·X·inv(Xᵀ·S·X)',
  },
  { source: 'Cookbook', model: 'X: [n, n]\nL = det(X)²', wrt: 'X', textbook: '2·det(X)²·X⁻ᵀ' },
  // ── §2.2: inverses ──
  { source: 'Cookbook', model: `${sq}; ${vecs}\nL = aᵀ·inv(X)·b`, wrt: 'X', textbook: '−X⁻ᵀ·a·bᵀ·X⁻ᵀ' },
  // ── §2.4: linear and quadratic forms ──
  { source: 'Cookbook', model: `${vecs}\nL = xᵀ·a`, wrt: 'x', textbook: 'a' },
  { source: 'Cookbook', model: 'a: [m]; b: [n]; X: [m, n]\nL = aᵀ·X·b', wrt: 'X', textbook: 'a·bᵀ' },
  { source: 'Cookbook', model: 'a: [n]; b: [m]; X: [m, n]\nL = aᵀ·Xᵀ·b', wrt: 'X', textbook: 'b·aᵀ' },
  { source: 'Cookbook', model: `${sq}; ${vecs}\nL = aᵀ·X·a`, wrt: 'X', textbook: 'a·aᵀ' },
  { source: 'Cookbook', model: 'b: [n]; c: [n]; X: [m, n]\nL = bᵀ·Xᵀ·X·c', wrt: 'X', textbook: 'X·b·cᵀ + X·c·bᵀ' },
  {
    source: 'Cookbook',
    model: `${sq}; ${vecs}\nL = (B·x + b)ᵀ·C·(D·x + d)`,
    wrt: 'x',
    textbook: 'Bᵀ·C·(D·x + d) + Dᵀ·Cᵀ·(B·x + b)',
  },
  { source: 'Cookbook', model: `${sq}; ${vecs}\nL = xᵀ·B·x`, wrt: 'x', textbook: '(B + Bᵀ)·x' },
  {
    source: 'Cookbook',
    model: 'b: [n]; c: [n]; D: [m, m]; X: [m, n]\nL = bᵀ·Xᵀ·D·X·c',
    wrt: 'X',
    textbook: 'Dᵀ·X·b·cᵀ + D·X·c·bᵀ',
  },
  {
    source: 'Cookbook',
    model: 'X: [m, n]; b: [n]; c: [m]; D: [m, m]\nL = (X·b + c)ᵀ·D·(X·b + c)',
    wrt: 'X',
    textbook: '(D + Dᵀ)·(X·b + c)·bᵀ',
  },
  {
    source: 'Cookbook',
    model: 'W: [n, n] sym; x: [n]; s: [n]\nL = (x − s)ᵀ·W·(x − s)',
    wrt: 'x',
    textbook: '2·W·(x − s)',
  },
  {
    source: 'Cookbook',
    model: 'W: [m, m] sym; x: [m]; A: [m, n]; s: [n]\nL = (x − A·s)ᵀ·W·(x − A·s)',
    wrt: 's',
    textbook: '−2·Aᵀ·W·(x − A·s)',
  },
  { source: 'Cookbook', model: 'a: [n]; x: [n]\nL = xᵀ·diag(a)·x', wrt: 'x', textbook: '2·a ⊙ x' },
  // ── §2.6: norms ──
  { source: 'Cookbook', model: 'x: [n]\nL = ‖x‖²', wrt: 'x', textbook: '2·x' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = ‖X‖²', wrt: 'X', textbook: '2·X' },
  { source: 'Cookbook', model: 'x: [n]; a: [n]\nL = ‖x − a‖', wrt: 'x', textbook: '(x − a) / ‖x − a‖' },
  { source: 'Cookbook', model: 'A: [m, n]; b: [m]; x: [n]\nL = ‖A·x − b‖²', wrt: 'x', textbook: '2·Aᵀ·(A·x − b)' },
  { source: 'Cookbook', model: 'X: [m, n]; B: [n, p]\nL = ‖X·B‖²', wrt: 'X', textbook: '2·X·B·Bᵀ' },
  // ── SymPy test_derivatives.py ──
  { source: 'SymPy', model: 'x: [n] pos; y: [n] pos\nL = sqrt(xᵀ·y)', wrt: 'x', textbook: 'y / (2·sqrt(xᵀ·y))' },
  { source: 'SymPy', model: 'x: [n]\nL = sqrt(xᵀ·x)', wrt: 'x', textbook: 'x / sqrt(xᵀ·x)' },
  {
    source: 'SymPy',
    model: 'a: [n] pos; b: [n] pos; c: [n] pos; x: [n] pos\nL = sqrt(cᵀ·a·xᵀ·b)',
    wrt: 'x',
    textbook: 'b·aᵀ·c / (2·sqrt(cᵀ·a·xᵀ·b))',
  },
  {
    source: 'SymPy',
    model: 'a: [n] pos; b: [n] pos; X: [n, n] pos\nL = sqrt(aᵀ·X·b)',
    wrt: 'X',
    textbook: 'a·bᵀ / (2·sqrt(aᵀ·X·b))',
  },
  { source: 'SymPy', model: `${sq}; ${vecs}\nL = aᵀ·sin(X)·b`, wrt: 'X', textbook: 'diag(a)·cos(X)·diag(b)' },
  {
    source: 'SymPy',
    model: `${sq}; ${vecs}\nL = aᵀ·sin(A·X·B)·b`,
    wrt: 'X',
    textbook: 'Aᵀ·diag(a)·cos(A·X·B)·diag(b)·Bᵀ',
  },
  { source: 'SymPy', model: `${sq}; ${vecs}\nL = aᵀ·A·sin(X)·B·b`, wrt: 'X', textbook: 'Aᵀ·a·bᵀ·Bᵀ ⊙ cos(X)' },
  { source: 'SymPy', model: `${vecs}\nL = sin(x)ᵀ·y`, wrt: 'x', textbook: 'diag(cos(x))·y' },
  {
    source: 'SymPy',
    model: `${sq}; ${vecs}; k: []\nL = xᵀ·A·x + k·sin(y)ᵀ·x`,
    wrt: 'x',
    textbook: 'Aᵀ·x + A·x + k·sin(y)',
  },
  { source: 'SymPy', model: `${sq}; ${vecs}\nL = aᵀ·(A ⊙ X ⊙ B)·b`, wrt: 'X', textbook: 'a·bᵀ ⊙ A ⊙ B' },
  { source: 'SymPy', model: `${sq}; ${vecs}\nL = (aᵀ·X·b)²`, wrt: 'X', textbook: '2·a·aᵀ·X·b·bᵀ' },
  { source: 'SymPy', model: 'A: [n, n]\nL = tr(A)²', wrt: 'A', textbook: '2·tr(A)·I(n)' },
  { source: 'SymPy', model: 'A: [n, n]\nL = 3·tr(A)', wrt: 'A', textbook: '3·I(n)' },
  { source: 'SymPy', model: 'A: [n, n]\nL = tr(tr(A)·A)', wrt: 'A', textbook: '2·tr(A)·I(n)' },
  // ── Magnus–Neudecker ──
  { source: 'Magnus–Neudecker', model: 'K: [n, n] spd\nL = logdet(K)', wrt: 'K', textbook: 'K⁻¹' },
  { source: 'Magnus–Neudecker', model: 'S: [n, n] spd\nL = tr(inv(S))', wrt: 'S', textbook: '−S⁻¹·S⁻¹' },
  { source: 'Magnus–Neudecker', model: 'X: [m, n]; a: [n]\nL = aᵀ·Xᵀ·X·a', wrt: 'X', textbook: '2·X·a·aᵀ' },
  { source: 'Magnus–Neudecker', model: 'X: [m, n]\nL = tr(Xᵀ·X)²', wrt: 'X', textbook: '4·tr(Xᵀ·X)·X' },
  {
    source: 'Magnus–Neudecker',
    model: 'K: [n, n] spd; s: [] pos\nL = logdet(K + s·I(n))',
    wrt: 's',
    textbook: 'tr(inv(K + s·I(n)))',
  },
  { source: 'Magnus–Neudecker', model: 'S: [n, n] spd; x: [n]\nL = xᵀ·inv(S)·x', wrt: 'x', textbook: '2·S⁻¹·x' },
  { source: 'Magnus–Neudecker', model: 'S: [n, n] spd; x: [n]\nL = xᵀ·inv(S)·x', wrt: 'S', textbook: '−S⁻¹·x·xᵀ·S⁻¹' },
  {
    source: 'Magnus–Neudecker',
    model: 'x: [n]; μ: [n]; Σ: [n, n] spd\nr = x − μ\nL = (logdet(Σ) + rᵀ·inv(Σ)·r) / 2',
    wrt: 'Σ',
    textbook: '(Σ⁻¹ − Σ⁻¹·r·rᵀ·Σ⁻¹) / 2',
  },
  { source: 'Magnus–Neudecker', model: 'A: [m, n]; x: [n]\nL = ‖A·x‖²', wrt: 'x', kind: 'hess', textbook: '2·Aᵀ·A' },
  { source: 'Magnus–Neudecker', model: 'A: [n, n]; x: [n]\nL = xᵀ·A·x', wrt: 'x', kind: 'hess', textbook: 'A + Aᵀ' },
  // ── ML losses ──
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(softplus(X·w) − y ⊙ (X·w))',
    wrt: 'w',
    textbook: 'Xᵀ·(σ(X·w) − y)',
  },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(softplus(X·w) − y ⊙ (X·w))',
    wrt: 'w',
    kind: 'hess',
    textbook: 'Xᵀ·diag(σ(X·w) ⊙ (1 − σ(X·w)))·X',
  },
  {
    source: 'issue 16',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(log(1 + exp(−y ⊙ (X·w))))',
    wrt: 'w',
    textbook: '−Xᵀ·(y ⊙ σ(−y ⊙ (X·w)))',
  },
  {
    source: 'issue 16',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(log(1 + exp(−y ⊙ (X·w))))',
    wrt: 'w',
    kind: 'hess',
    textbook: 'Xᵀ·diag(y.^2 ⊙ σ(−y ⊙ (X·w)) ⊙ σ(y ⊙ (X·w)))·X',
  },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(exp(X·w) − y ⊙ (X·w))',
    wrt: 'w',
    textbook: 'Xᵀ·(exp(X·w) − y)',
  },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]\nL = sum(exp(X·w) − y ⊙ (X·w))',
    wrt: 'w',
    kind: 'hess',
    textbook: 'Xᵀ·diag(exp(X·w))·X',
  },
  { source: 'ML', model: 'X: [m, d]; y: [m]; w: [d]\nL = ‖X·w − y‖²', wrt: 'w', kind: 'hess', textbook: '2·Xᵀ·X' },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]; λ: [] pos\nL = ‖X·w − y‖² + λ·‖w‖²',
    wrt: 'w',
    textbook: '2·(Xᵀ·(X·w − y) + λ·w)',
  },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]; λ: [] pos\nL = ‖X·w − y‖² + λ·‖w‖²',
    wrt: 'w',
    kind: 'hess',
    textbook: '2·(Xᵀ·X + λ·I(d))',
  },
  {
    source: 'ML',
    model: 'X: [m, d]; y: [m]; w: [d]; λ: [] pos\nL = ‖X·w − y‖² + λ·‖w‖²',
    wrt: 'λ',
    textbook: '‖w‖²',
  },
  { source: 'ML', model: 'y: [n]; z: [n]\nL = −yᵀ·log(softmax(z))', wrt: 'z', textbook: 'sum(y)·softmax(z) − y' },
  { source: 'ML', model: 'z: [n]\nL = logsumexp(z)', wrt: 'z', textbook: 'softmax(z)' },
  {
    source: 'ML',
    model: 'W: [m, n]; x: [n]; y: [m]\nh = σ(W·x)\nL = ‖h − y‖²',
    wrt: 'W',
    textbook: '2·((h − y) ⊙ h ⊙ (1 − h))·xᵀ',
  },
  { source: 'ML', model: 'W: [m, n]; x: [n]; t: [m]\nL = tᵀ·relu(W·x)', wrt: 'W', textbook: '(t ⊙ step(W·x))·xᵀ' },
  { source: 'ML', model: 'a: [n]; x: [n]\nL = aᵀ·tanh(x)', wrt: 'x', textbook: 'a ⊙ (1 − tanh(x).^2)' },
  { source: 'ML', model: 'x: [n]\nL = sum(exp(x))', wrt: 'x', textbook: 'exp(x)' },
  { source: 'ML', model: 'x: [n] pos\nL = sum(log(x))', wrt: 'x', textbook: '1 ⊘ x' },
  { source: 'ML', model: 'x: [n]\nL = sum(softplus(x))', wrt: 'x', textbook: 'σ(x)' },
  { source: 'ML', model: 'x: [n]\nL = sum(σ(x))', wrt: 'x', textbook: 'σ(x) ⊙ (1 − σ(x))' },
  // Layer norm over a vector, with an upstream gradient t.
  ...(['g', 'c', 'x'] as const).map((wrt): TextbookCase => ({
    source: 'ML',
    model:
      'x: [n]; g: [n]; c: [n]; t: [n]\nμ = mean(x)\nxc = x − μ\nv = mean(xc ⊙ xc)\ns = sqrt(v + 1e-5)\nxh = xc / s\ny = g ⊙ xh + c\nL = tᵀ·y',
    wrt,
    textbook: {
      g: 't ⊙ xh',
      c: 't',
      x: '(g ⊙ t − mean(g ⊙ t) − xh·mean(g ⊙ t ⊙ xh)) / s',
    }[wrt],
  })),
  // Attention of one query over n keys and values, with an upstream gradient t.
  {
    source: 'ML',
    model: 'K: [n, d]; V: [n, p]; q: [d]; t: [p]\na = softmax(K·q)\nL = tᵀ·Vᵀ·a',
    wrt: 'q',
    textbook: 'Kᵀ·(diag(a) − a·aᵀ)·V·t',
  },
  {
    source: 'ML',
    model: 'K: [n, d]; V: [n, p]; q: [d]; t: [p]\na = softmax(K·q)\nL = tᵀ·Vᵀ·a',
    wrt: 'V',
    textbook: 'a·tᵀ',
  },
  // ── the rest of test/cookbook.test.ts ──
  { source: 'Cookbook', model: 'X: [n, n]\nL = det(Xᵀ)', wrt: 'X', textbook: 'det(X)·X⁻ᵀ' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = logdet(inv(X))', wrt: 'X', textbook: '−X⁻ᵀ' },
  { source: 'Cookbook', model: `${vecs}\nL = aᵀ·x`, wrt: 'x', textbook: 'a' },
  { source: 'Cookbook', model: 'A: [m, n]; b: [m]; x: [n]\nL = bᵀ·A·x', wrt: 'x', textbook: 'Aᵀ·b' },
  { source: 'Cookbook', model: 'A: [m, n]; X: [m, n]\nL = sum(X ⊙ A)', wrt: 'X', textbook: 'A' },
  { source: 'Cookbook', model: 'A: [m, n]; X: [n, p]\nL = sum(A·X)', wrt: 'X', textbook: 'Aᵀ·ones(m, p)' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = mean(X)', wrt: 'X', textbook: 'ones(m, n) / (m·n)' },
  { source: 'Cookbook', model: 'A: [n, n]; x: [n]\nL = xᵀ·A·x', wrt: 'x', textbook: '(A + Aᵀ)·x' },
  { source: 'Cookbook', model: 'S: [n, n] sym; x: [n]\nL = xᵀ·S·x', wrt: 'x', textbook: '2·S·x' },
  { source: 'Cookbook', model: 'x: [n]\nL = xᵀ·x', wrt: 'x', textbook: '2·x' },
  {
    source: 'Cookbook',
    model: 'A: [m, n]; b: [m]; x: [n]\nL = (A·x − b)ᵀ·(A·x − b)',
    wrt: 'x',
    textbook: '2·Aᵀ·(A·x − b)',
  },
  { source: 'Cookbook', model: 'a: [n]; x: [n]\nL = (aᵀ·x)²', wrt: 'x', textbook: '2·(aᵀ·x)·a' },
  { source: 'Cookbook', model: 'a: [m]; X: [m, n]\nL = tr(Xᵀ·diag(a)·X)', wrt: 'X', textbook: '2·diag(a)·X' },
  { source: 'Cookbook', model: 'X: [m, n]\nL = ‖X‖', wrt: 'X', textbook: 'X / ‖X‖' },
  { source: 'Cookbook', model: 'a: [n]; x: [n]; b: [n] pos\nL = aᵀ·(x ⊘ b)', wrt: 'x', textbook: 'a ⊘ b' },
  { source: 'Cookbook', model: 'X: [m, n]; A: [m, m]\nL = tr(Xᵀ·A·X)', wrt: 'X', textbook: '(A + Aᵀ)·X' },
  { source: 'Cookbook', model: 'X: [n, n]\nL = tr(inv(X))', wrt: 'X', textbook: '−X⁻ᵀ·X⁻ᵀ' },
  { source: 'Cookbook', model: 'B: [m, n]; x: [n]\nL = ‖B·x‖²', wrt: 'x', textbook: '2·Bᵀ·B·x' },
  // ── the examples ──
  { source: 'issue 16', model: 'A: [m, n]; C: [m, n]\nL = vec(A)ᵀ·vec(C)', wrt: 'A', textbook: 'C' },
  { source: 'issue 16', model: `${sq}\nL = det(A·X)`, wrt: 'X', textbook: 'det(A·X)·X⁻ᵀ' },
  { source: 'issue 16', model: `${sq}\nL = det(A·X)`, wrt: 'A', textbook: 'det(A·X)·A⁻ᵀ' },
  { source: 'issue 16', model: 'x: [n]; C: [n, n]\nL = sum(diag(x)·ones(n)·xᵀ ⊙ C)', wrt: 'C', textbook: 'x·xᵀ' },
  { source: 'issue 16', model: 'z: [n]\nL = sum(relu(z).^2) / 2', wrt: 'z', textbook: 'relu(z)' },
  { source: 'issue 16', model: 'r: [n]\nL = sum(abs(r) − log(1 + abs(r)))', wrt: 'r', textbook: 'r ⊘ (1 + abs(r))' },
  { source: 'issue 16', model: 'x: [n]\nL = sum(x ⊙ abs(x))', wrt: 'x', textbook: '2·abs(x)' },
];

export interface Measured {
  case: TextbookCase;
  model: Model;
  /** matdiff's derivative, as derived. */
  derived: Node;
  /** The textbook's form, as a node of the model. */
  closed: Node;
  /** matdiff's derivative as printed (ASCII, the model's names inlined). */
  printed: string;
  ours: number;
  theirs: number;
}

export const label = (c: TextbookCase): string =>
  `${c.source}: ${c.kind === 'hess' ? '∂²' : '∂'}(${c.model.split('\n').at(-1)!.replace(/^L = /, '')})/∂${c.wrt}${c.kind === 'hess' ? '²' : ''}`;

export function measure(c: TextbookCase): Measured {
  const model = parse(`${c.model}\nTB = ${c.textbook}`, 'textbook.mdf');
  const L = model.defs.get('L')!.node;
  const x = model.vars.get(c.wrt)!.node;
  const derived = c.kind === 'hess' ? hess(L, x) : grad(L, x);
  const defs = [...model.defs.values()].filter((d) => d.name !== 'TB');
  const [shown] = preferModelForms([derived], defs);
  // As `matdiff grad` prints it: definitions by their names (then inlined below, as in
  // the textbook's form), but no where-lines.
  const names = new Map<Node, string>();
  for (const d of defs) {
    for (const n of [d.node, simplify(d.node)]) if (n.args.length && !names.has(n)) names.set(n, d.name);
  }
  const printed = printExpr(shown!, 'ascii', names);
  const program = parseProgram(`${c.model}\nTB = ${c.textbook}\nOURS = ${printed}`, 'textbook.mdf');
  const exprs = new Map<string, Expr>();
  for (const s of program.statements) if (s.kind === 'def') exprs.set(s.name, s.expr);
  const size = treeSize(exprs);
  return {
    case: c,
    model,
    derived,
    closed: model.defs.get('TB')!.node,
    printed,
    ours: size(exprs.get('OURS')!),
    theirs: size(exprs.get('TB')!),
  };
}

/** Parse-tree nodes of an expression, each use of a definition counted as its own tree. */
function treeSize(defs: ReadonlyMap<string, Expr>): (e: Expr) => number {
  const memo = new Map<string, number>();
  const size = (e: Expr): number => {
    switch (e.kind) {
      case 'num':
        return 1;
      case 'ident': {
        const d = defs.get(e.name);
        if (!d || e.name === 'TB' || e.name === 'OURS') return 1;
        if (!memo.has(e.name)) memo.set(e.name, size(d));
        return memo.get(e.name)!;
      }
      case 'binary':
        return 1 + size(e.left) + size(e.right);
      case 'neg':
      case 'postfix':
        return 1 + size(e.arg);
      case 'call':
        return 1 + e.args.reduce((s, a) => s + size(a), 0);
    }
  };
  return size;
}
