/**
 * Input helpers for the Unicode spellings (LANGUAGE.md §2), as Julia's REPL has them:
 * `\cdot` then Tab gives `·`; `^T` and `^-1` then Tab give `ᵀ` and `⁻¹`. Each entry is
 * the typed sequence and what it becomes.
 */
const GREEK: [string, string][] = [
  ['alpha', 'α'],
  ['beta', 'β'],
  ['gamma', 'γ'],
  ['delta', 'δ'],
  ['epsilon', 'ε'],
  ['varepsilon', 'ε'],
  ['zeta', 'ζ'],
  ['eta', 'η'],
  ['theta', 'θ'],
  ['iota', 'ι'],
  ['kappa', 'κ'],
  ['lambda', 'λ'],
  ['mu', 'μ'],
  ['nu', 'ν'],
  ['xi', 'ξ'],
  ['pi', 'π'],
  ['rho', 'ρ'],
  ['sigma', 'σ'],
  ['tau', 'τ'],
  ['upsilon', 'υ'],
  ['phi', 'φ'],
  ['chi', 'χ'],
  ['psi', 'ψ'],
  ['omega', 'ω'],
  ['Gamma', 'Γ'],
  ['Delta', 'Δ'],
  ['Theta', 'Θ'],
  ['Lambda', 'Λ'],
  ['Xi', 'Ξ'],
  ['Pi', 'Π'],
  ['Sigma', 'Σ'],
  ['Phi', 'Φ'],
  ['Psi', 'Ψ'],
  ['Omega', 'Ω'],
];

export interface Symbol {
  /** What is typed, with its backslash (or `^…`). */
  typed: string;
  /** What it becomes. */
  text: string;
  /** What it means. */
  info: string;
}

export const SYMBOLS: readonly Symbol[] = [
  { typed: '\\cdot', text: '·', info: 'matrix product' },
  { typed: '\\odot', text: '⊙', info: 'Hadamard product' },
  { typed: '\\oslash', text: '⊘', info: 'elementwise division' },
  { typed: '\\otimes', text: '⊗', info: 'Kronecker product' },
  { typed: '\\^T', text: 'ᵀ', info: 'transpose' },
  { typed: '\\transpose', text: 'ᵀ', info: 'transpose' },
  { typed: '\\^-1', text: '⁻¹', info: 'inverse' },
  { typed: '\\inv', text: '⁻¹', info: 'inverse' },
  { typed: '\\^-T', text: '⁻ᵀ', info: 'inverse transposed' },
  { typed: '\\^2', text: '²', info: 'square of a scalar' },
  { typed: '\\^3', text: '³', info: 'cube of a scalar' },
  { typed: '\\Vert', text: '‖', info: 'norm bars' },
  { typed: '\\|', text: '‖', info: 'norm bars' },
  { typed: '\\norm', text: '‖', info: 'norm bars' },
  { typed: '\\minus', text: '−', info: 'minus sign' },
  ...GREEK.map(([name, text]) => ({ typed: `\\${name}`, text, info: name === 'sigma' ? 'σ, also the sigmoid' : name })),
  // The ASCII postfix spellings, offered too.
  { typed: '^T', text: 'ᵀ', info: 'transpose' },
  { typed: '^-1', text: '⁻¹', info: 'inverse' },
];

const BY_TYPED = new Map(SYMBOLS.map((s) => [s.typed, s]));

/** The symbol whose typed sequence ends `before` exactly (longest first), if any. */
export function symbolEnding(before: string): Symbol | undefined {
  const m = /\\[A-Za-z^\-0-9|]+$/.exec(before);
  if (m) {
    const s = BY_TYPED.get(m[0]);
    if (s) return s;
  }
  if (before.endsWith('^-1')) return BY_TYPED.get('^-1');
  if (before.endsWith('^T')) return BY_TYPED.get('^T');
  return undefined;
}
