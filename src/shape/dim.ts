/**
 * Dimensions: a positive integer, a symbolic size (`n`), or a product of them (`m·n`,
 * from `vec`). A dimension is kept as a canonical monomial — an integer coefficient
 * times a sorted list of symbols — so two dimensions are equal exactly when their
 * keys are. Symbols are rigid: `m` and `n` are different sizes, even if the data
 * later binds them to the same number.
 */
export interface Dim {
  readonly k: number;
  readonly syms: readonly string[];
}

export const dimNum = (k: number): Dim => ({ k, syms: [] });
export const dimSym = (name: string): Dim => ({ k: 1, syms: [name] });
export const ONE: Dim = dimNum(1);

export function dimKey(d: Dim): string {
  if (d.syms.length === 0) return String(d.k);
  return (d.k === 1 ? '' : `${d.k}·`) + d.syms.join('·');
}

/** Prints as it parses in an expression: `n`, `3`, `(m·n)` when `parens` and a product. */
export function dimText(d: Dim, ascii = false): string {
  const parts = [...(d.k === 1 && d.syms.length ? [] : [String(d.k)]), ...d.syms];
  return parts.join(ascii ? '*' : '·');
}

export const dimEq = (a: Dim, b: Dim): boolean => dimKey(a) === dimKey(b);
export const isOne = (d: Dim): boolean => d.k === 1 && d.syms.length === 0;
export const isNumeric = (d: Dim): boolean => d.syms.length === 0;

export function dimMul(a: Dim, b: Dim): Dim {
  return { k: a.k * b.k, syms: [...a.syms, ...b.syms].sort() };
}

/** a / b when b divides a exactly, else undefined. */
export function dimDiv(a: Dim, b: Dim): Dim | undefined {
  if (a.k % b.k !== 0) return undefined;
  const rest = [...a.syms];
  for (const s of b.syms) {
    const i = rest.indexOf(s);
    if (i < 0) return undefined;
    rest.splice(i, 1);
  }
  return { k: a.k / b.k, syms: rest };
}

/** The size of `d` under a binding of its symbols to numbers. */
export function dimValue(d: Dim, env: ReadonlyMap<string, number>): number {
  let v = d.k;
  for (const s of d.syms) {
    const x = env.get(s);
    if (x === undefined) throw new Error(`unbound dimension ${s}`);
    v *= x;
  }
  return v;
}
