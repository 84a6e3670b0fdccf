/**
 * Shared vocabulary of the printers. Each operator prints itself (in its OpDef) through a
 * `PrintCtx`, which prints sub-expressions with just the parentheses precedence needs.
 */
import type { Node } from '../graph/node.js';

export type Format = 'unicode' | 'ascii' | 'latex';
export const FORMATS: readonly Format[] = ['unicode', 'ascii', 'latex'];

/** Binding strength, loosest first; an operand printed below the strength its slot needs gets parentheses. */
export const PREC = { ADD: 1, MUL: 2, NEG: 3, POST: 4, ATOM: 5 } as const;

export interface Printed {
  text: string;
  prec: number;
}

export interface PrintCtx {
  readonly fmt: Format;
  /** `n` printed, parenthesised unless it binds at least as tightly as `minPrec`. */
  sub(n: Node, minPrec: number): string;
}

/** One spelling per format. */
export interface Spelling {
  unicode: string;
  ascii: string;
  latex: string;
}

export const spell = (unicode: string, ascii = unicode, latex = `\\operatorname{${ascii}}`): Spelling => ({
  unicode,
  ascii,
  latex,
});

/** `f(a, b)` in unicode and ascii, `\f\left(a, b\right)` in LaTeX. */
export function call(ctx: PrintCtx, name: Spelling, args: readonly (Node | string)[]): Printed {
  const parts = args.map((a) => (typeof a === 'string' ? a : ctx.sub(a, PREC.ADD)));
  const text =
    ctx.fmt === 'latex' ? `${name.latex}\\left(${parts.join(', ')}\\right)` : `${name[ctx.fmt]}(${parts.join(', ')})`;
  return { text, prec: PREC.ATOM };
}

export function paren(ctx: PrintCtx, text: string): string {
  return ctx.fmt === 'latex' ? `\\left(${text}\\right)` : `(${text})`;
}

/** A number as it parses back: no trailing `.`, exponent form when JavaScript uses it. */
export function numberText(v: number, fmt: Format): string {
  const s = String(v);
  if (fmt === 'unicode') return s.replace(/^-/, '−');
  if (fmt !== 'latex') return s;
  const m = /^(-?[\d.]+)e([+-]?\d+)$/.exec(s);
  return m ? `${m[1]} \\cdot 10^{${Number(m[2])}}` : s;
}

const GREEK: Record<string, string> = Object.fromEntries(
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega'
    .split(' ')
    .map((name, i) => [String.fromCodePoint(0x3b1 + i + (i >= 17 ? 1 : 0)), name]),
);

const CAPITAL_GREEK: Record<string, string> = {
  Γ: 'Gamma',
  Δ: 'Delta',
  Θ: 'Theta',
  Λ: 'Lambda',
  Ξ: 'Xi',
  Π: 'Pi',
  Σ: 'Sigma',
  Υ: 'Upsilon',
  Φ: 'Phi',
  Ψ: 'Psi',
  Ω: 'Omega',
};

/** A variable name in LaTeX: bold for matrices and vectors, italic for scalars; Greek as macros; `_` subscripts. */
export function latexName(name: string, bold: boolean): string {
  const greek = [...name].some((c) => GREEK[c] || CAPITAL_GREEK[c]);
  const chars = [...name]
    .map((c) => (GREEK[c] ? `\\${GREEK[c]} ` : CAPITAL_GREEK[c] ? `\\${CAPITAL_GREEK[c]} ` : c === '_' ? '\\_' : c))
    .join('')
    .trim();
  const m = /^([A-Za-z]+)(\d+)$/.exec(name);
  const body = m ? `${m[1]}_{${m[2]}}` : chars;
  if (!bold) return body;
  if (greek) return `\\boldsymbol{${chars}}`;
  return m ? `\\mathbf{${m[1]}}_{${m[2]}}` : `\\mathbf{${chars}}`;
}
