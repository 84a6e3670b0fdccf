/**
 * Identities of the Matrix Cookbook (Petersen & Pedersen, §2): for each, the gradient
 * matdiff derives equals the closed form numerically (reference interpreter, random
 * data respecting sym/spd/pos), and, for most, structurally: simplify(closed form) is
 * the very node grad returns, so the printed gradient reads like the Cookbook.
 *
 * Identities whose derived form differs from the Cookbook's (numerically equal):
 *   - ∂tr(AXBX)/∂X: Bᵀ·Xᵀ·Aᵀ + Aᵀ·Xᵀ·Bᵀ — the Cookbook's two terms in the other order.
 *     Sums are not sorted; their order comes from the reverse pass.
 *   - ∂bᵀXᵀXc/∂X: X·b·cᵀ + X·c·bᵀ rather than X·(b·cᵀ + c·bᵀ). A left factor is not
 *     pulled out of two chains; the expanded form is also the cheaper one (two
 *     matrix-vector products and two outer products, no matrix-matrix product).
 *   - Chains ending in a column vector multiply from the right, so ∂‖Bx‖²/∂x prints
 *     2·Bᵀ·(B·x) where the Cookbook writes 2BᵀBx; the closed forms below are written
 *     either way, and simplify to that.
 *   - ∂xᵀdiag(a)x/∂x prints 2·a ⊙ x, as the Cookbook (diag(a)·x = a ⊙ x for a column x;
 *     diag is kept between matrices, so that Hessians read Xᵀ·diag(w)·X).
 *   - ∂‖x − a‖/∂x prints (x − a) / ‖x − a‖, as the Cookbook; ∂‖X‖_F/∂X likewise.
 */
import { describe, expect, it } from 'vitest';
import { parse, grad, simplify, printExpr, evaluate } from '../src/index.js';
import { randomEnv, relErr } from './gen.js';

const DIMS = new Map([
  ['m', 4],
  ['n', 3],
  ['p', 2],
]);

interface Identity {
  name: string;
  decl: string;
  f: string;
  wrt: string;
  /** ∂f/∂wrt as the Cookbook writes it. */
  closed: string;
  /** false when the derived form differs (see the list above). */
  structural?: boolean;
}

const IDENTITIES: Identity[] = [
  // ── traces (Cookbook §2.5) ──
  { name: '∂tr(X)/∂X = I', decl: 'X: [n, n]', f: 'tr(X)', wrt: 'X', closed: 'I(n)' },
  { name: '∂tr(AX)/∂X = Aᵀ', decl: 'A: [n, m]; X: [m, n]', f: 'tr(A·X)', wrt: 'X', closed: 'Aᵀ' },
  { name: '∂tr(XA)/∂X = Aᵀ', decl: 'A: [n, m]; X: [m, n]', f: 'tr(X·A)', wrt: 'X', closed: 'Aᵀ' },
  { name: '∂tr(XᵀA)/∂X = A', decl: 'A: [m, n]; X: [m, n]', f: 'tr(Xᵀ·A)', wrt: 'X', closed: 'A' },
  { name: '∂tr(AXᵀ)/∂X = A', decl: 'A: [m, n]; X: [m, n]', f: 'tr(A·Xᵀ)', wrt: 'X', closed: 'A' },
  { name: '∂tr(AXB)/∂X = AᵀBᵀ', decl: 'A: [p, m]; X: [m, n]; B: [n, p]', f: 'tr(A·X·B)', wrt: 'X', closed: 'Aᵀ·Bᵀ' },
  { name: '∂tr(AXᵀB)/∂X = BA', decl: 'A: [p, n]; X: [m, n]; B: [m, p]', f: 'tr(A·Xᵀ·B)', wrt: 'X', closed: 'B·A' },
  { name: '∂tr(XᵀX)/∂X = 2X', decl: 'X: [m, n]', f: 'tr(Xᵀ·X)', wrt: 'X', closed: '2·X' },
  { name: '∂tr(XXᵀ)/∂X = 2X', decl: 'X: [m, n]', f: 'tr(X·Xᵀ)', wrt: 'X', closed: '2·X' },
  { name: '∂tr(XᵀAX)/∂X = (A + Aᵀ)X', decl: 'A: [m, m]; X: [m, n]', f: 'tr(Xᵀ·A·X)', wrt: 'X', closed: '(A + Aᵀ)·X' },
  {
    name: '∂tr(XᵀSX)/∂X = 2SX, S symmetric',
    decl: 'S: [m, m] sym; X: [m, n]',
    f: 'tr(Xᵀ·S·X)',
    wrt: 'X',
    closed: '2·S·X',
  },
  { name: '∂tr(XAXᵀ)/∂X = X(A + Aᵀ)', decl: 'A: [n, n]; X: [m, n]', f: 'tr(X·A·Xᵀ)', wrt: 'X', closed: 'X·(A + Aᵀ)' },
  { name: '∂tr(BXXᵀ)/∂X = (B + Bᵀ)X', decl: 'B: [m, m]; X: [m, n]', f: 'tr(B·X·Xᵀ)', wrt: 'X', closed: '(B + Bᵀ)·X' },
  {
    name: '∂tr(AXBX)/∂X = AᵀXᵀBᵀ + BᵀXᵀAᵀ',
    decl: 'A: [n, n]; B: [n, n]; X: [n, n]',
    f: 'tr(A·X·B·X)',
    wrt: 'X',
    closed: 'Aᵀ·Xᵀ·Bᵀ + Bᵀ·Xᵀ·Aᵀ',
    structural: false,
  },
  { name: '∂tr(XX)/∂X = 2Xᵀ', decl: 'X: [n, n]', f: 'tr(X·X)', wrt: 'X', closed: '2·Xᵀ' },
  { name: '∂tr(X⁻¹A)/∂X = −X⁻ᵀAᵀX⁻ᵀ', decl: 'A: [n, n]; X: [n, n]', f: 'tr(X⁻¹·A)', wrt: 'X', closed: '-X⁻¹ᵀ·Aᵀ·X⁻¹ᵀ' },
  {
    name: '∂tr(AX⁻¹B)/∂X = −X⁻ᵀAᵀBᵀX⁻ᵀ',
    decl: 'A: [n, n]; B: [n, n]; X: [n, n]',
    f: 'tr(A·X⁻¹·B)',
    wrt: 'X',
    closed: '-X⁻¹ᵀ·Aᵀ·Bᵀ·X⁻¹ᵀ',
  },
  { name: '∂tr(X⁻¹)/∂X = −X⁻ᵀX⁻ᵀ', decl: 'X: [n, n]', f: 'tr(X⁻¹)', wrt: 'X', closed: '-X⁻¹ᵀ·X⁻¹ᵀ' },
  { name: '∂tr(S⁻¹)/∂S = −S⁻², S spd', decl: 'S: [n, n] spd', f: 'tr(S⁻¹)', wrt: 'S', closed: '-S⁻¹·S⁻¹' },
  // ── determinants (§2.1) ──
  { name: '∂det(X)/∂X = det(X)X⁻ᵀ', decl: 'X: [n, n]', f: 'det(X)', wrt: 'X', closed: 'det(X)·X⁻¹ᵀ' },
  { name: '∂det(Xᵀ)/∂X = det(X)X⁻ᵀ', decl: 'X: [n, n]', f: 'det(Xᵀ)', wrt: 'X', closed: 'det(X)·X⁻¹ᵀ' },
  { name: '∂logdet(X)/∂X = X⁻ᵀ', decl: 'X: [n, n]', f: 'logdet(X)', wrt: 'X', closed: 'X⁻¹ᵀ' },
  { name: '∂logdet(K)/∂K = K⁻¹, K spd', decl: 'K: [n, n] spd', f: 'logdet(K)', wrt: 'K', closed: 'K⁻¹' },
  { name: '∂det(X⁻¹)/∂X = −det(X⁻¹)X⁻ᵀ', decl: 'X: [n, n]', f: 'det(X⁻¹)', wrt: 'X', closed: '-det(X⁻¹)·X⁻¹ᵀ' },
  {
    name: '∂logdet(K + sI)/∂s = tr((K + sI)⁻¹)',
    decl: 'K: [n, n] spd; s: [] pos',
    f: 'logdet(K + s·I(n))',
    wrt: 's',
    closed: 'tr(inv(K + s·I(n)))',
  },
  { name: '∂logdet(X⁻¹)/∂X = −X⁻ᵀ', decl: 'X: [n, n]', f: 'logdet(X⁻¹)', wrt: 'X', closed: '-X⁻¹ᵀ' },
  {
    name: '∂det(AXB)/∂X = det(AXB)Aᵀ(AXB)⁻ᵀBᵀ',
    decl: 'A: [n, n]; B: [n, n]; X: [n, n]',
    f: 'det(A·X·B)',
    wrt: 'X',
    closed: 'det(A·X·B)·Aᵀ·(A·X·B)⁻¹ᵀ·Bᵀ',
  },
  { name: '∂logdet(XᵀX)/∂X = 2X(XᵀX)⁻¹', decl: 'X: [m, n]', f: 'logdet(Xᵀ·X)', wrt: 'X', closed: '2·X·(Xᵀ·X)⁻¹' },
  // ── inverses (§2.2) ──
  {
    name: '∂aᵀX⁻¹b/∂X = −X⁻ᵀabᵀX⁻ᵀ',
    decl: 'a: [n]; b: [n]; X: [n, n]',
    f: 'aᵀ·X⁻¹·b',
    wrt: 'X',
    closed: '-X⁻¹ᵀ·a·bᵀ·X⁻¹ᵀ',
  },
  // ── linear forms (§2.4.1) ──
  { name: '∂xᵀa/∂x = a', decl: 'a: [n]; x: [n]', f: 'xᵀ·a', wrt: 'x', closed: 'a' },
  { name: '∂aᵀx/∂x = a', decl: 'a: [n]; x: [n]', f: 'aᵀ·x', wrt: 'x', closed: 'a' },
  { name: '∂aᵀXb/∂X = abᵀ', decl: 'a: [m]; b: [n]; X: [m, n]', f: 'aᵀ·X·b', wrt: 'X', closed: 'a·bᵀ' },
  { name: '∂aᵀXᵀb/∂X = baᵀ', decl: 'a: [n]; b: [m]; X: [m, n]', f: 'aᵀ·Xᵀ·b', wrt: 'X', closed: 'b·aᵀ' },
  { name: '∂aᵀXa/∂X = aaᵀ', decl: 'a: [n]; X: [n, n]', f: 'aᵀ·X·a', wrt: 'X', closed: 'a·aᵀ' },
  { name: '∂bᵀAx/∂x = Aᵀb', decl: 'A: [m, n]; b: [m]; x: [n]', f: 'bᵀ·A·x', wrt: 'x', closed: 'Aᵀ·b' },
  { name: '∂sum(X ⊙ A)/∂X = A', decl: 'A: [m, n]; X: [m, n]', f: 'sum(X ⊙ A)', wrt: 'X', closed: 'A' },
  { name: '∂sum(AX)/∂X = Aᵀ1 1ᵀ', decl: 'A: [m, n]; X: [n, p]', f: 'sum(A·X)', wrt: 'X', closed: 'Aᵀ·ones(m, p)' },
  { name: '∂mean(X)/∂X = 1 1ᵀ / mn', decl: 'X: [m, n]', f: 'mean(X)', wrt: 'X', closed: 'ones(m, n) / (m·n)' },
  // ── quadratic forms (§2.4.2) ──
  { name: '∂xᵀAx/∂x = (A + Aᵀ)x', decl: 'A: [n, n]; x: [n]', f: 'xᵀ·A·x', wrt: 'x', closed: '(A + Aᵀ)·x' },
  { name: '∂xᵀSx/∂x = 2Sx, S symmetric', decl: 'S: [n, n] sym; x: [n]', f: 'xᵀ·S·x', wrt: 'x', closed: '2·S·x' },
  { name: '∂xᵀx/∂x = 2x', decl: 'x: [n]', f: 'xᵀ·x', wrt: 'x', closed: '2·x' },
  {
    name: '∂bᵀXᵀXc/∂X = X(bcᵀ + cbᵀ)',
    decl: 'b: [n]; c: [n]; X: [m, n]',
    f: 'bᵀ·Xᵀ·X·c',
    wrt: 'X',
    closed: 'X·(b·cᵀ + c·bᵀ)',
    structural: false,
  },
  {
    name: '∂(Ax − b)ᵀ(Ax − b)/∂x = 2Aᵀ(Ax − b)',
    decl: 'A: [m, n]; b: [m]; x: [n]',
    f: '(A·x - b)ᵀ·(A·x - b)',
    wrt: 'x',
    closed: '2·Aᵀ·(A·x - b)',
  },
  {
    name: '∂(Xb + c)ᵀD(Xb + c)/∂X = (D + Dᵀ)(Xb + c)bᵀ',
    decl: 'X: [m, n]; b: [n]; c: [m]; D: [m, m]',
    f: '(X·b + c)ᵀ·D·(X·b + c)',
    wrt: 'X',
    closed: '(D + Dᵀ)·(X·b + c)·bᵀ',
  },
  {
    name: '∂(x − s)ᵀW(x − s)/∂x = 2W(x − s), W symmetric',
    decl: 'W: [n, n] sym; x: [n]; s: [n]',
    f: '(x - s)ᵀ·W·(x - s)',
    wrt: 'x',
    closed: '2·W·(x - s)',
  },
  {
    name: '∂(x − As)ᵀW(x − As)/∂s = −2AᵀW(x − As), W symmetric',
    decl: 'W: [m, m] sym; x: [m]; A: [m, n]; s: [n]',
    f: '(x - A·s)ᵀ·W·(x - A·s)',
    wrt: 's',
    closed: '-2·Aᵀ·W·(x - A·s)',
  },
  { name: '∂(aᵀx)²/∂x = 2(aᵀx)a', decl: 'a: [n]; x: [n]', f: '(aᵀ·x)²', wrt: 'x', closed: '2·(aᵀ·x)·a' },
  { name: '∂xᵀdiag(a)x/∂x = 2 diag(a) x', decl: 'a: [n]; x: [n]', f: 'xᵀ·diag(a)·x', wrt: 'x', closed: '2·diag(a)·x' },
  {
    name: '∂xᵀdiag(a)x/∂x = 2 a ⊙ x',
    decl: 'a: [n]; x: [n]',
    f: 'xᵀ·diag(a)·x',
    wrt: 'x',
    closed: '2·a ⊙ x',
    structural: false,
  },
  {
    name: '∂tr(Xᵀdiag(a)X)/∂X = 2 diag(a) X',
    decl: 'a: [m]; X: [m, n]',
    f: 'tr(Xᵀ·diag(a)·X)',
    wrt: 'X',
    closed: '2·diag(a)·X',
  },
  // ── norms (§2.6, §10.2) ──
  { name: '∂‖x‖²/∂x = 2x', decl: 'x: [n]', f: '‖x‖²', wrt: 'x', closed: '2·x' },
  { name: '∂‖X‖_F²/∂X = 2X', decl: 'X: [m, n]', f: '‖X‖²', wrt: 'X', closed: '2·X' },
  {
    name: '∂‖x − a‖/∂x = (x − a)/‖x − a‖',
    decl: 'x: [n]; a: [n]',
    f: '‖x - a‖',
    wrt: 'x',
    closed: '(x - a) / ‖x - a‖',
  },
  { name: '∂‖X‖_F/∂X = X/‖X‖_F', decl: 'X: [m, n]', f: '‖X‖', wrt: 'X', closed: 'X / ‖X‖' },
  {
    name: '∂‖Ax − b‖²/∂x = 2Aᵀ(Ax − b)',
    decl: 'A: [m, n]; b: [m]; x: [n]',
    f: '‖A·x - b‖²',
    wrt: 'x',
    closed: '2·Aᵀ·(A·x - b)',
  },
  { name: '∂‖Bx‖²/∂x = 2BᵀBx', decl: 'B: [m, n]; x: [n]', f: '‖B·x‖²', wrt: 'x', closed: '2·Bᵀ·B·x' },
  { name: '∂‖XB‖_F²/∂X = 2XBBᵀ', decl: 'X: [m, n]; B: [n, p]', f: '‖X·B‖²', wrt: 'X', closed: '2·X·B·Bᵀ' },
  { name: '∂sqrt(xᵀx)/∂x = x/sqrt(xᵀx)', decl: 'x: [n]', f: 'sqrt(xᵀ·x)', wrt: 'x', closed: 'x / sqrt(xᵀ·x)' },
  // ── elementwise functions and the softmax family ──
  { name: '∂sum(exp(x))/∂x = exp(x)', decl: 'x: [n]', f: 'sum(exp(x))', wrt: 'x', closed: 'exp(x)' },
  { name: '∂sum(log(x))/∂x = 1 ⊘ x', decl: 'x: [n] pos', f: 'sum(log(x))', wrt: 'x', closed: 'x.^-1' },
  { name: '∂sum(softplus(x))/∂x = σ(x)', decl: 'x: [n]', f: 'sum(softplus(x))', wrt: 'x', closed: 'σ(x)' },
  { name: '∂sum(σ(x))/∂x = σ(x) ⊙ (1 − σ(x))', decl: 'x: [n]', f: 'sum(σ(x))', wrt: 'x', closed: 'σ(x) ⊙ (1 - σ(x))' },
  {
    name: '∂aᵀtanh(x)/∂x = a ⊙ (1 − tanh²(x))',
    decl: 'a: [n]; x: [n]',
    f: 'aᵀ·tanh(x)',
    wrt: 'x',
    closed: 'a ⊙ (1 - tanh(x).^2)',
  },
  { name: '∂aᵀ(x ⊘ b)/∂x = a ⊘ b', decl: 'a: [n]; x: [n]; b: [n] pos', f: 'aᵀ·(x ⊘ b)', wrt: 'x', closed: 'a ⊘ b' },
  { name: '∂logsumexp(x)/∂x = softmax(x)', decl: 'x: [n]', f: 'logsumexp(x)', wrt: 'x', closed: 'softmax(x)' },
  {
    name: '∂(−yᵀlog softmax(z))/∂z = (1ᵀy)·softmax(z) − y',
    decl: 'y: [n]; z: [n]',
    f: '-yᵀ·log(softmax(z))',
    wrt: 'z',
    closed: 'sum(y)·softmax(z) - y',
  },
];

function check(id: Identity) {
  const model = parse(`${id.decl}\nf = ${id.f}\nC = ${id.closed}`, 'cookbook.mdf');
  const f = model.defs.get('f')!.node;
  const closed = model.defs.get('C')!.node;
  const g = grad(f, model.vars.get(id.wrt)!.node);
  return { model, g, closed };
}

describe('Matrix Cookbook identities', () => {
  it('there are at least 40', () => expect(IDENTITIES.length).toBeGreaterThanOrEqual(40));

  for (const id of IDENTITIES) {
    it(`${id.name}: numerically`, () => {
      const { model, g, closed } = check(id);
      const vars = [...model.vars.values()].map((v) => v.node);
      for (const seed of [1, 2, 3]) {
        const env = randomEnv(seed, vars, DIMS);
        const [gv, cv] = evaluate([g, closed], env);
        expect(relErr(gv!, cv!), `seed ${seed}: ${printExpr(g, 'unicode')} vs ${id.closed}`).toBeLessThan(1e-9);
      }
    });
    if (id.structural !== false)
      it(`${id.name}: structurally, printed ${id.closed}`, () => {
        const { g, closed } = check(id);
        expect(printExpr(g, 'unicode')).toBe(printExpr(simplify(closed), 'unicode'));
        expect(g).toBe(simplify(closed));
      });
  }

  it('most identities hold structurally', () => {
    expect(IDENTITIES.filter((id) => id.structural !== false).length).toBeGreaterThanOrEqual(IDENTITIES.length - 5);
  });

  it('the forms that differ are still what the comment at the top says', () => {
    const printed = (name: string) => printExpr(check(IDENTITIES.find((i) => i.name.startsWith(name))!).g, 'unicode');
    expect(printed('∂tr(AXBX)')).toBe('Bᵀ·Xᵀ·Aᵀ + Aᵀ·Xᵀ·Bᵀ');
    expect(printed('∂bᵀXᵀXc')).toBe('X·b·cᵀ + X·c·bᵀ');
    expect(printed('∂‖Bx‖²')).toBe('2·Bᵀ·(B·x)');
    expect(printed('∂‖x − a‖')).toBe('(x − a) / ‖x − a‖');
  });
});
