/**
 * The textbook rules (src/simplify/textbook.ts) and the model's own words in printed
 * derivatives (src/simplify/prefer-names.ts), one example each: the rule fires (as the
 * simplifier's trace names it), the result prints as shown, and it equals the written
 * expression on random data respecting the declared facts — also where arguments are 0,
 * since step(0) = sign(0) = 0 decide which of the elementwise kin are identities.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { evaluate, parse, printExpr, simplify, grads } from '../src/index.js';
import { TEXTBOOK_ELEMENTWISE, TEXTBOOK_LINEAR } from '../src/simplify/textbook.js';
import { RULES } from '../src/simplify/rules.js';
import { derivativeLines } from '../src/print/gradients.js';
import { mat } from '../src/eval/mat.js';
import { randomEnv, relErr } from './gen.js';

const DIMS = new Map([
  ['m', 4],
  ['n', 3],
]);

/** [rule, declarations, expression, printed after simplification] */
const EXAMPLES: [string, string, string, string][] = [
  ['unvec(vec(A), m) = A', 'A: [m, n]', 'unvec(vec(A), m)', 'A'],
  ['vec(unvec(v, m)) = v', 'v: [6]', 'vec(unvec(v, 2))', 'v'],
  [
    '(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels',
    'A: [n, n]; X: [n, n]',
    'inv(A·X)·A',
    'X⁻¹',
  ],
  [
    '(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels',
    'A: [n, n]; X: [n, n]',
    'X·inv(A·X)',
    'A⁻¹',
  ],
  [
    '(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels',
    'A: [n, n]; X: [n, n]',
    'Aᵀ·(A·X)⁻ᵀ',
    'X⁻ᵀ',
  ],
  [
    '(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels',
    'A: [n, n]; X: [n, n]',
    '(A·X)⁻ᵀ·Xᵀ',
    'A⁻ᵀ',
  ],
  [
    '(F·R)⁻¹·F = R⁻¹ and kin, F square: the inverse of a product split where it cancels',
    'X: [n, n]',
    '2·inv(X·Xᵀ)·X',
    '2·X⁻ᵀ',
  ],
  ['diag(x)·1 = x, 1ᵀ·diag(x) = xᵀ', 'x: [n]; y: [n]', 'diag(x)·ones(n)·yᵀ', 'x·yᵀ'],
  ['diag(x)·1 = x, 1ᵀ·diag(x) = xᵀ', 'x: [n]; Y: [n, m]', 'ones(n)ᵀ·diag(x)·Y', 'xᵀ·Y'],
  ['diag(x)·1 = x, 1ᵀ·diag(x) = xᵀ', 'x: [n]; y: [n]', 'y·ones(n)ᵀ·diag(x)', 'y·xᵀ'],
  ['diag(a)·x = a ⊙ x for a column x', 'a: [n]; x: [n]', 'diag(a)·x', 'a ⊙ x'],
  ['s·diag(a) + t·diag(b) = diag(s·a + t·b)', 'a: [n]; b: [n]; s: []', 'diag(a) − s·diag(b)', 'diag(a − s·b)'],
  ['c·T + d·T = (c + d)·T before expanding', 'x: [n]; a: []; k: []', 'k·(x − a) / 2 + k·(x − a) / 2', 'k·(x − a)'],
  ['log(1 + exp(t)) = softplus(t)', 'x: [n]', 'log(1 + exp(x))', 'softplus(x)'],
  ['(1 + exp(t)).^−k = σ(−t).^k', 'x: [n]', '1 ⊘ (1 + exp(x))', 'σ(−x)'],
  ['(1 + exp(t)).^−k = σ(−t).^k', 'x: [n]', '(1 + exp(−x)).^-2', 'σ(x).^2'],
  ['1 − (1 + x)⁻¹ = x ⊘ (1 + x)', 'r: [n]', '1 − 1 ⊘ (1 + abs(r))', 'abs(r) ⊘ (1 + abs(r))'],
  ['1 − σ(−u) = σ(u)', 'x: [n]; y: [n]', '1 − σ(−y ⊙ x)', 'σ(y ⊙ x)'],
  [
    'sum(A + k·(x − mean(x))) = sum(A): a centred vector sums to 0',
    'a: [n]; x: [n]; k: []',
    'sum(a + k·(x − mean(x)))',
    'sum(a)',
  ],
  [
    'sum(A + k·(x − mean(x))) = sum(A): a centred vector sums to 0',
    'a: [m, n]; X: [m, n]',
    'sum(a − (X − mean(X)) / 3)',
    'sum(a)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'relu(z) ⊙ step(z)',
    'relu(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'relu(z) ⊙ sign(z)',
    'relu(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'abs(z) ⊙ sign(z)',
    'z',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'z ⊙ sign(z)',
    'abs(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'z ⊙ step(z)',
    'relu(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'abs(z) ⊙ step(z)',
    'relu(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'sign(z) ⊙ step(z)',
    'step(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]',
    'step(z) ⊙ step(z)',
    'step(z)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'z: [n]; y: [n]',
    'y ⊙ abs(z) ⊙ sign(z) ⊙ 3',
    '3·y ⊙ z',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'x: [n]',
    'exp(x) ⊘ (1 + exp(x))',
    'σ(x)',
  ],
  [
    'relu(z) ⊙ step(z) = relu(z), abs(z) ⊙ sign(z) = z, exp(t) ⊙ σ(−t) = σ(t), det(F·R) / det(F) = det(R), and kin',
    'A: [n, n]; X: [n, n]',
    'det(A·X) / det(X)',
    'det(A)',
  ],
  ['logdet(F·R) − logdet(F) = logdet(R), F, R square', 'A: [n, n]; X: [n, n]', 'logdet(A·X) − logdet(A)', 'logdet(X)'],
  // Aᵀ·S·A is symmetric when S is (here: the inverse transposed is the inverse).
  ['Sᵀ = S for symmetric S', 'X: [m, n]; S: [m, m] sym', '(Xᵀ·S·X)⁻ᵀ', '(Xᵀ·S·X)⁻¹'],
];

/** Not identities (sign(0)² = 0 ≠ 1; X·Xᵀ is not square-factored when X is not square): left alone. */
const LEFT_ALONE: [string, string, string][] = [
  ['z: [n]', 'sign(z) ⊙ sign(z)', 'sign(z).^2'],
  ['B: [m, n]', 'inv(Bᵀ·B)·Bᵀ', '(Bᵀ·B)⁻¹·Bᵀ'],
  ['x: [n]; y: [n]', 'sum(y ⊙ (x − mean(x)))', 'sum(y ⊙ (x − sum(x) / n))'],
  ['A: [m, n]; X: [n, m]', 'det(A·X) / det(X·A)', 'det(A·X) / det(X·A)'],
];

/** Random data, and the same with a zero in each variable's first entry (where not declared pos/spd). */
function envs(decl: string) {
  const model = parse(decl, 'env.mdf');
  const vars = [...model.vars.values()].map((v) => v.node);
  const out = [1, 2, 3].map((seed) => randomEnv(seed, vars, DIMS));
  const zeroed = randomEnv(4, vars, DIMS);
  for (const v of vars) {
    if (v.props?.length) continue;
    const m = zeroed.vars.get(v.name!)!;
    const data = Float64Array.from(m.data);
    data[0] = 0;
    zeroed.vars.set(v.name!, mat(m.rows, m.cols, data));
  }
  return [...out, zeroed];
}

/** The rule names the simplifier's trace reports while simplifying `n`. */
function fired(run: () => void): string[] {
  const names: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((name: unknown) => void names.push(String(name)));
  process.env.MATDIFF_TRACE = '1';
  try {
    run();
  } finally {
    delete process.env.MATDIFF_TRACE;
    spy.mockRestore();
  }
  return names;
}

afterEach(() => {
  delete process.env.MATDIFF_TRACE;
});

describe('textbook rules', () => {
  it('every rule of the two tables is in the simplifier and has an example', () => {
    const all = RULES.map(([name]) => name);
    for (const [name] of [...TEXTBOOK_LINEAR, ...TEXTBOOK_ELEMENTWISE]) {
      expect(all).toContain(name);
      expect(EXAMPLES.map(([r]) => r)).toContain(name);
    }
  });

  for (const [rule, decl, expr, printed] of EXAMPLES)
    it(`${rule}: ${expr} → ${printed}`, () => {
      const model = parse(`${decl}\nE = ${expr}`, 'rule.mdf');
      const e = model.defs.get('E')!.node;
      let s = e;
      expect(fired(() => (s = simplify(e)))).toContain(rule);
      expect(printExpr(s, 'unicode')).toBe(printed);
      for (const env of envs(decl)) {
        const [a, b] = evaluate([e, s], env);
        expect(relErr(a!, b!)).toBeLessThan(1e-10);
      }
    });

  for (const [decl, expr, printed] of LEFT_ALONE)
    it(`${expr} stays ${printed}`, () => {
      const e = parse(`${decl}\nE = ${expr}`, 'rule.mdf').defs.get('E')!.node;
      expect(printExpr(simplify(e), 'unicode')).toBe(printed);
    });
});

/** `matdiff grad` of a model, as printed. */
function gradLines(source: string, wrt: string[]): string[] {
  const model = parse(source, 'model.mdf');
  const out = { name: model.output!, node: model.defs.get(model.output!)!.node };
  const xs = wrt.map((w) => ({ name: w, node: model.vars.get(w)!.node }));
  const gs = grads(
    out.node,
    xs.map((x) => x.node),
  );
  return derivativeLines(model, 'grad', out, xs, gs, 'unicode');
}

describe('printed derivatives in the model’s own words', () => {
  const LAYER_NORM =
    'x: [n]; g: [n]; c: [n]; t: [n]\nμ = mean(x)\nxc = x − μ\nv = mean(xc ⊙ xc)\ns = sqrt(v + 1e-5)\nxh = xc / s\ny = g ⊙ xh + c\nL = tᵀ·y';

  it('a product the model named prints by its name: ∂L/∂g = xh ⊙ t', () => {
    expect(gradLines(LAYER_NORM, ['g'])).toEqual(['∂L/∂g = xh ⊙ t']);
  });

  it('the model’s spelling: ‖w‖² where it wrote a norm, sqrt where it took a root', () => {
    expect(gradLines('w: [n]; λ: []\nL = λ·‖w‖²', ['λ'])).toEqual(['∂L/∂λ = ‖w‖²']);
    const source = 'x: [n]; v: [n] pos\nL = sum(x ⊘ sqrt(v + 1e-5))';
    expect(gradLines(source, ['v'])).toEqual(['∂L/∂v = −0.5·x ⊙ sqrt(v + 0.00001).^-3']);
    // The simplified node itself is a power of v.
    const model = parse(source, 'm.mdf');
    const [g] = grads(model.defs.get('L')!.node, [model.vars.get('v')!.node]);
    expect(printExpr(g!, 'unicode')).toBe('−0.5·x ⊙ (v + 0.00001).^-1.5');
  });

  it('a definition that simplifies to a variable does not rename it', () => {
    expect(gradLines('A: [n, n]; x: [n]\nK = inv(inv(A))\nL = xᵀ·A·x + sum(K)', ['x'])).toEqual(['∂L/∂x = (A + Aᵀ)·x']);
  });

  it('the layer norm, as printed, parses back to the same values', () => {
    const lines = gradLines(LAYER_NORM, ['x', 'g', 'c']);
    const defs = lines.map((l) => l.replace(/^∂L\/∂(\w+) = /, 'd_$1 = ').replace(/^ +where /, ''));
    const again = parse(`${LAYER_NORM}\n${[...defs].reverse().join('\n')}`, 'again.mdf');
    const model = parse(LAYER_NORM, 'm.mdf');
    const gs = grads(
      model.defs.get('L')!.node,
      ['x', 'g', 'c'].map((w) => model.vars.get(w)!.node),
    );
    const env = randomEnv(
      1,
      [...model.vars.values()].map((v) => v.node),
      DIMS,
    );
    const printed = evaluate(
      ['x', 'g', 'c'].map((w) => again.defs.get(`d_${w}`)!.node),
      env,
    );
    evaluate(gs, env).forEach((g, i) => expect(relErr(printed[i]!, g)).toBeLessThan(1e-10));
  });
});
