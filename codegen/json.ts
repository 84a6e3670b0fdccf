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
const BLANK = /[ \t\n\r]*/y;

/** Parses `text` (after a byte-order mark, if any): the value, and where its parts are. */
export function parseJson(text: string): { value: unknown; pos: Pos | number; offset: number } {
  const offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let i = offset;

  const blank = () => {
    BLANK.lastIndex = i;
    BLANK.exec(text);
    i = BLANK.lastIndex;
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
    for (const [re, read] of [
      [NUMBER, Number],
      [STRING, JSON.parse],
      [WORD, JSON.parse],
    ] as const) {
      re.lastIndex = i;
      const m = re.exec(text);
      // A number must not run on into letters or digits (`1x`, `01`).
      if (m && !(re === NUMBER && /[A-Za-z0-9_.]/.test(text[re.lastIndex] ?? ''))) {
        i = re.lastIndex;
        return [read(m[0]), start];
      }
    }
    return fail('a value (a number, an array, an object, a string, true, false or null)');
  };

  const [v, pos] = value(0);
  blank();
  if (i < text.length) fail('the end of the file after the value');
  return { value: v, pos, offset };
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
