/**
 * Extents: sizes, strides and offsets of the generated code, as sums of dimension
 * monomials (Σ kᵢ·symsᵢ). A dimension (`src/shape/dim.ts`) is one monomial; strides need
 * sums too: the diagonal of an [n, n] buffer steps by n + 1. An extent is kept
 * normalised — like monomials merged, zero terms dropped, terms sorted — so two extents
 * are equal exactly when their keys are. The empty extent is 0.
 */
import { type Dim, dimKey, dimMul, dimValue, isNumeric } from '../src/shape/dim.js';

export type Extent = readonly Dim[];

export const ZERO_EXT: Extent = [];
export const ONE_EXT: Extent = [{ k: 1, syms: [] }];

/** Like monomials merged and sorted, zeros dropped. */
export function normExt(terms: readonly Dim[]): Extent {
  const by = new Map<string, { k: number; syms: readonly string[] }>();
  for (const t of terms) {
    if (t.k === 0) continue;
    const key = t.syms.join('·');
    const prev = by.get(key);
    by.set(key, { k: (prev?.k ?? 0) + t.k, syms: t.syms });
  }
  return [...by.entries()]
    .filter(([, t]) => t.k !== 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, t]) => t);
}

export const ext = (d: Dim): Extent => normExt([d]);
export const extAdd = (...xs: Extent[]): Extent => normExt(xs.flat());
/** e·d: every term multiplied by the monomial d. */
export const extMul = (e: Extent, d: Dim): Extent => normExt(e.map((t) => dimMul(t, d)));

export const extKey = (e: Extent): string => (e.length ? e.map(dimKey).join('+') : '0');
export const extEq = (a: Extent, b: Extent): boolean => extKey(a) === extKey(b);
export const isZeroExt = (e: Extent): boolean => e.length === 0;
export const isOneExt = (e: Extent): boolean => e.length === 1 && isNumeric(e[0]!) && e[0]!.k === 1;

/** The symbols an extent mentions. */
export const extSyms = (e: Extent): string[] => [...new Set(e.flatMap((t) => t.syms))];

/** Its value under a binding of the symbols. */
export const extValue = (e: Extent, env: ReadonlyMap<string, number>): number =>
  e.reduce((s, t) => s + dimValue(t, env), 0);

/**
 * As code: `dim(s)` spells a symbol's run-time size (`d_n` in TypeScript, `dims.n` in
 * WGSL); products use `*`, sums `+`. `0` for the empty extent.
 */
export function extCode(e: Extent, dim: (sym: string) => string): string {
  if (!e.length) return '0';
  return e
    .map((t) => {
      const parts = t.syms.map(dim);
      if (t.k !== 1 || !parts.length) parts.unshift(String(t.k));
      return parts.join(' * ');
    })
    .join(' + ');
}
