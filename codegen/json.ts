/**
 * A JSON parser that keeps positions, for data files: it returns the value JSON.parse
 * would (numbers, strings, booleans, null, arrays, objects) and, beside it, where each
 * part was in the text, so that an error can point at the offending entry with its line
 * and column. It also refuses what JSON.parse lets through silently: a key given twice
 * (JSON.parse keeps the last). A UTF-8 byte-order mark before the value is skipped.
 *
 * Positions are kept compactly: an array or object has a `Pos` with its children's; a
 * number, string, boolean or null only its start offset (an array of a million numbers
 * costs a million small integers), and `spanOf` finds its end again when needed.
 */
import type { Span } from '../src/parse/ast.js';

export interface Pos {
  start: number;
  end: number;
  /** An array's entries, in order. */
  items?: (Pos | number)[];
  /** An object's keys: where each key and its value are. */
  keys?: Map<string, { key: Span; value: Pos | number }>;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** Nesting deeper than this is refused (data needs 3 levels: object, rows, entries). */
const MAX_DEPTH = 256;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WORD = /true|false|null/y;

/** Parses `text` (after a byte-order mark, if any): the value, and where its parts are. */
export function parseJson(text: string): { value: unknown; pos: Pos | number; offset: number } {
  const offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = offset;

  const blank = () => {
    for (let c = text.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = text.charCodeAt(++i));
  };
  const what = (): string => {
    if (i >= text.length) return 'the end of the file';
    const c = String.fromCodePoint(text.codePointAt(i)!);
    return c === "'" ? 'a single quote (JSON strings use double quotes)' : `'${c}'`;
  };
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(`not valid JSON: expected ${expected}, found ${what()}`, {
      start: i,
      end: Math.min(text.length, i + 1),
    });
  };

  const value = (depth: number): [unknown, Pos | number] => {
    if (depth > MAX_DEPTH)
      throw new JsonSyntaxError(`the data nests deeper than ${MAX_DEPTH} levels`, { start: i, end: i + 1 });
    blank();
    const start = i;
    const c = text[i];
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      const items: (Pos | number)[] = [];
      blank();
      if (text[i] === ']') i++;
      else
        for (;;) {
          const [v, p] = value(depth + 1);
          out.push(v);
          items.push(p);
          blank();
          if (text[i] === ',') i++;
          else if (text[i] === ']') {
            i++;
            break;
          } else fail("',' or ']' after an array entry");
        }
      return [out, { start, end: i, items }];
    }
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      const keys = new Map<string, { key: Span; value: Pos | number }>();
      blank();
      if (text[i] === '}') i++;
      else
        for (;;) {
          blank();
          STRING.lastIndex = i;
          const m = STRING.exec(text);
          if (!m) fail('a key in double quotes');
          const key: Span = { start: i, end: i + m![0].length };
          const name = JSON.parse(m![0]) as string;
          const first = keys.get(name);
          if (first) {
            const { line, column } = lineColumn(text, first.key.start);
            throw new JsonSyntaxError(`the key ${m![0]} is given twice (first at line ${line}, column ${column})`, key);
          }
          i = key.end;
          blank();
          if (text[i] !== ':') fail(`':' after the key ${m![0]}`);
          i++;
          const [v, p] = value(depth + 1);
          Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
          keys.set(name, { key, value: p });
          blank();
          if (text[i] === ',') i++;
          else if (text[i] === '}') {
            i++;
            break;
          } else fail("',' or '}' after an object entry");
        }
      return [out, { start, end: i, keys }];
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const end = numberEnd(text, i);
      const next = text.charCodeAt(end);
      // A number must not run on into letters, digits or a dot (`1x`, `01`, `1.`).
      if (end > i && !(isWordCode(next) || next === 46)) {
        i = end;
        return [Number(text.slice(start, end)), start];
      }
      let stop = i + 1;
      while (stop < text.length && /[\w.+-]/.test(text[stop]!)) stop++;
      throw new JsonSyntaxError(
        `not valid JSON: ${text.slice(i, stop)} is not a number (JSON writes numbers as 1, -0.5 or 2e-3)`,
        { start: i, end: stop },
      );
    }
    const re = c === '"' ? STRING : WORD;
    re.lastIndex = i;
    const m = re.exec(text);
    if (m && !isWordCode(text.charCodeAt(re.lastIndex))) {
      i = re.lastIndex;
      return [JSON.parse(m[0]), start];
    }
    return fail('a value (a number, an array, an object, a string, true, false or null)');
  };

  const [v, pos] = value(0);
  blank();
  if (i < text.length) fail('the end of the file after the value');
  return { value: v, pos, offset };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordCode = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The end of the JSON number at `i` (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or `i` when there is none. */
function numberEnd(text: string, i: number): number {
  const start = i;
  if (text.charCodeAt(i) === 45) i++;
  if (text.charCodeAt(i) === 48) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else return start;
  if (text.charCodeAt(i) === 46) {
    if (!isDigit(text.charCodeAt(i + 1))) return start;
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (!isDigit(text.charCodeAt(j))) return start;
    while (isDigit(text.charCodeAt(j))) j++;
    i = j;
  }
  return i;
}

/** The span of a part: an array or object's own, a scalar's found again from its start. */
export function spanOf(text: string, pos: Pos | number): Span {
  if (typeof pos !== 'number') return { start: pos.start, end: pos.end };
  for (const re of [NUMBER, STRING, WORD]) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m) return { start: pos, end: pos + m[0].length };
  }
  return { start: pos, end: pos + 1 };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: [...before.slice(before.lastIndexOf('\n') + 1)].length + 1 };
}
