/**
 * Text from a user's model enters generated code in three forms only, each made safe
 * here: identifiers (sanitised and prefixed, so that `let`, `constructor`, `__proto__`
 * or `π` name ordinary locals), string literals (JSON-quoted: property keys of the
 * input and gradient objects), and comments (single-line, without comment terminators).
 */

/**
 * Characters kept in an identifier: ASCII word characters, `$`, and the letters of
 * long-standing scripts (Latin, Greek, Cyrillic, kana, the CJK ideographs of Unicode 1.1,
 * Hangul) that may continue a JS identifier. Newer letters are left out: TypeScript,
 * prettier and V8 each read identifiers by their own Unicode version (TypeScript rejects
 * U+323B0, a CJK letter of Unicode 15, that V8 accepts).
 */
const KEEP =
  /^[A-Za-z0-9_$]$|^(?=[\u00aa-\u024f\u0370-\u04ff\u1e00-\u1fff\u3041-\u30ff\u4e00-\u9fa5\uac00-\ud7a3])(?=\p{L})\p{ID_Continue}$/u;

/**
 * The languages generated code is written in. Each keeps a character of a user's name
 * only where it may continue an identifier of that language:
 *   js     — ECMAScript ID_Continue (the grammar accepts every Unicode letter, and some,
 *            such as ⸯ U+2E2F, a Pattern_Syntax modifier letter, are not identifier characters);
 *   python — as js, but only characters that NFKC leaves alone (Python normalises
 *            identifiers with NFKC, so `ﬁ` and `fi` would be one name), and no `$`;
 *   ascii  — [A-Za-z0-9_] only (WGSL, whose identifiers must not begin with `__`).
 */
export type IdentifierTarget = 'js' | 'python' | 'ascii';

const keeps: Record<IdentifierTarget, (c: string) => boolean> = {
  js: (c) => KEEP.test(c),
  python: (c) => c !== '$' && KEEP.test(c) && c.normalize('NFKC') === c,
  ascii: (c) => /^[A-Za-z0-9_]$/.test(c),
};

/**
 * An identifier derived from `name`, beginning with `prefix` (which must be an
 * identifier ending in `_`): disallowed characters become `_`, and the prefix keeps the
 * result clear of reserved words, of digits in first place, and of the module's own names.
 */
export function identifier(prefix: string, name: string, target: IdentifierTarget = 'js'): string {
  const keep = keeps[target];
  const body = [...name].map((c) => (keep(c) ? c : '_')).join('');
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

/**
 * A string literal: JSON quoting escapes quotes, backslashes and control characters; a
 * non-ASCII character that may not continue an identifier is written as a `\u` escape
 * (the same string), so that prettier, whose test of "needs no quotes" is older Unicode's,
 * never turns the property key `"ⸯ"` into the invalid identifier `ⸯ`.
 */
export const quote = (s: string): string =>
  JSON.stringify(s).replace(/[^\x00-\x7f]/gu, (c) =>
    KEEP.test(c)
      ? c
      : [...Array(c.length).keys()].map((i) => `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
  );

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
