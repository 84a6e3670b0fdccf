/**
 * Text from a user's model enters a generated Python module in three forms only, each
 * made safe here: identifiers (valid, never a keyword, never one of the module's own
 * names, distinct), string literals (dictionary keys and messages) and comments (one line).
 */

/** Python's keywords: never usable as names. */
export const PY_KEYWORDS: readonly string[] = [
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
];

/**
 * Characters kept in an identifier: ASCII word characters, and letters that may continue
 * a Python identifier and that NFKC normalisation leaves alone (Python normalises
 * identifiers, so `ℓ` would silently be `l`).
 */
const KEEP = /^[A-Za-z0-9_]$|^(?=\p{L})\p{ID_Continue}$/u;
const keep = (c: string): boolean => KEEP.test(c) && c.normalize('NFKC') === c;

/** A Python identifier for `name`: other characters become `_`, a leading digit gets a `_` before it. */
export function pyIdentifier(name: string): string {
  const body = [...name].map((c) => (keep(c) ? c : '_')).join('') || '_';
  return /^[0-9]/.test(body) ? `_${body}` : body;
}

/** Hands out distinct Python identifiers: a keyword or taken name gets `_`, then `_2`, `_3`, …. */
export class PyNames {
  private readonly used = new Set<string>(PY_KEYWORDS);
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  take(name: string): string {
    let base = pyIdentifier(name);
    if (this.used.has(base)) base += '_';
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}${k}`;
    this.used.add(id);
    return id;
  }
}

/** A Python string literal: JSON's quoting is valid Python (no `\/` is ever produced). */
export const pyString = (s: string): string => JSON.stringify(s);

/** Text for a `#` comment or a docstring line: one line, no backslashes or quotes that could end a docstring. */
export function pyComment(s: string, max = 200): string {
  const one = s
    .replace(/[\r\n\f\v\u0085\u2028\u2029\0]+/g, ' ')
    .replace(/\\/g, '\\\\')
    .replace(/"""/g, '"\u200b""')
    .trimEnd();
  const chars = [...one];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : one;
}
