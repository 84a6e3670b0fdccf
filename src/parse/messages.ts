/**
 * Syntax error messages: Ohm's list of expected tokens is folded into a short phrase
 * such as `expected an expression` or `expected an operator, ";" or a newline` (E001),
 * pointing at the first character that cannot be read.
 */
import type * as ohm from 'ohm-js';
import { fail, type MatdiffError } from '../errors.js';

/** What Ohm records about one thing it expected (not in ohm-js's typings). */
interface OhmFailure {
  getText(): string;
  getType(): 'description' | 'string' | 'code';
}

const OPERATORS = new Set([
  'ᵀ',
  "'",
  '⁻¹',
  '²',
  '³',
  '^',
  '.^', // postfix
  '·',
  '⊗',
  '⋅',
  '*',
  '@',
  '⊙',
  '.*',
  '⊘',
  './',
  '/', // multiplicative
  '+',
  '-',
  '−', // additive
]);
const OPERAND_STARTS = new Set(['-', '−', '(', '‖']);

/**
 * Folds Ohm's expected items into a short phrase: the ways to start an operand become
 * `an expression`, the operators `an operator`, the ways to start a statement `a
 * statement`; other tokens are quoted; `";" or a newline` comes last. Lookahead
 * guards, blanks and character ranges are dropped: they never help a reader.
 */
export function describeExpected(failures: readonly OhmFailure[]): string {
  const descriptions: string[] = [];
  const strings: string[] = [];
  // Ohm lists the most recently recorded failure first; read them in grammar order.
  for (const f of [...failures].reverse()) {
    const text = f.getText();
    if (f.getType() === 'code') continue; // character ranges
    if (f.getType() === 'description' && (text.startsWith('not ') || text === 'a space')) continue;
    if (f.getType() === 'string' && (text.trim() === '' || text === '#')) continue;
    const list = f.getType() === 'string' ? strings : descriptions;
    if (!list.includes(text)) list.push(text);
  }
  const has = (list: string[], x: string) => list.includes(x);
  const drop = (list: string[], pred: (x: string) => boolean) => {
    for (let i = list.length - 1; i >= 0; i--) if (pred(list[i]!)) list.splice(i, 1);
  };
  const items: string[] = [];
  if (has(descriptions, 'a name')) {
    if (has(strings, '-')) {
      // where an operand may start: a name, a number, `-`, `(`, `‖`
      items.push('an expression');
      drop(descriptions, (d) => d === 'a name' || d === 'a number');
      drop(strings, (s) => OPERAND_STARTS.has(s));
    } else if (has(strings, ';') || has(descriptions, 'a newline') || has(descriptions, 'end of input')) {
      // where a statement may start (or a blank line, which is not worth saying)
      items.push('a statement');
      drop(strings, (s) => s === 'assert' || s === 'where' || s === ';');
      drop(descriptions, (d) => d === 'a name' || d === 'a newline' || d === 'end of input');
    }
  }
  if (strings.some((s) => OPERATORS.has(s))) {
    items.push('an operator');
    // `(` after a name would make it a call; not worth mentioning next to operators.
    drop(strings, (s) => OPERATORS.has(s) || s === '(');
  }
  const newline = has(descriptions, 'a newline');
  const semicolon = has(strings, ';');
  for (const d of descriptions) {
    if (d !== 'a newline' && !(d === 'end of input' && (newline || semicolon))) items.push(d);
  }
  for (const s of strings) if (s !== ';') items.push(JSON.stringify(s));
  if (semicolon) items.push('";"');
  if (newline) items.push('a newline');
  if (items.length === 0) return 'something else';
  if (items.length === 1) return items[0]!;
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

export function syntaxError(
  match: ohm.FailedMatchResult,
  offset: number,
  source: string,
  masked: string,
  file: string,
): MatdiffError {
  let pos = Math.min(offset + match.getRightmostFailurePosition(), masked.length);
  // At the end of a line or of the input, point just after the last thing written
  // rather than at trailing blanks or an empty last line.
  if (pos === masked.length || masked[pos] === '\n') {
    while (pos > 0 && /\s/.test(masked[pos - 1]!)) pos--;
  }
  const failures = (match as unknown as { getRightmostFailures(): OhmFailure[] }).getRightmostFailures();
  return fail('E001', { file, source, span: { start: pos, end: pos + 1 } }, describeExpected(failures));
}
