/**
 * Text from a user's model enters generated code in three forms only, each made safe
 * here: identifiers (sanitised and prefixed, so that `let`, `constructor`, `__proto__`
 * or `π` name ordinary locals), string literals (JSON-quoted: property keys of the
 * input and gradient objects), and comments (single-line, without comment terminators).
 */

/** Characters kept in an identifier: ASCII word characters, `$`, and letters that may continue a JS identifier. */
const KEEP = /^[A-Za-z0-9_$]$|^(?=\p{L})\p{ID_Continue}$/u;

/**
 * A JavaScript identifier derived from `name`, beginning with `prefix` (which must be an
 * identifier ending in `_`): disallowed characters become `_`, and the prefix keeps the
 * result clear of reserved words, of digits in first place, and of the module's own names.
 */
export function identifier(prefix: string, name: string): string {
  const body = [...name].map((c) => (KEEP.test(c) ? c : '_')).join('');
  return prefix + body;
}

/** Hands out distinct identifiers: a second `v_x` becomes `v_x_2`. */
export class NameTable {
  private readonly used = new Set<string>();
  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }
  take(prefix: string, name: string): string {
    const base = identifier(prefix, name);
    let id = base;
    for (let k = 2; this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    return id;
  }
}

/** A string literal: JSON quoting escapes quotes, backslashes and control characters. */
export const quote = (s: string): string =>
  JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/**
 * Text for a `//` comment: on one line (every JS line terminator removed), without `*\/`
 * (so it may sit in a block comment too) and without the emitter's type markers.
 */
export function commentText(s: string, max = 160): string {
  const one = s
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/\*\//g, '* /')
    .replace(/[«»]/g, '')
    .trim();
  const chars = [...one];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : one;
}
