/**
 * The bracket pre-scan, run on the model source before Ohm matches it:
 *
 * - newlines (and comments) inside brackets continue the statement: a linear scan
 *   (`maskBracketedNewlines`) blanks them out before matching, keeping every offset;
 * - nesting depth: Ohm matches, and semantic actions run, recursively, so the same scan
 *   refuses brackets nested deeper than `MAX_NESTING` with E002 instead of letting a
 *   stack overflow escape.
 *
 * It also records where statements end (top-level newlines and `;`), so that the parser
 * can match one statement at a time.
 */
import type { Span } from './ast.js';
import { fail } from '../errors.js';

/**
 * The deepest bracket nesting accepted (`(`, `[`, `‖`, call parentheses, counted
 * together). Ohm matches recursively (some 25 JavaScript frames per level) and the
 * `toAst` operation recurses again; with Node's default stack (~984 KiB) and a shallow
 * caller, parsing survives about 400 levels (measured: 402 for `((…))`, 439 for
 * `f(f(…))`, 487 for `‖‖…‖‖`). 200 keeps half the stack for callers that are already
 * deep and for the later recursive passes over the tree; no real formula comes
 * anywhere near it. (Should the stack still run out, the overflow is reported as E002
 * too, never as a RangeError.)
 */
export const MAX_NESTING = 200;
/**
 * Returns `source` with every newline and every comment that lies inside an open
 * bracket — `(`, `[` or `‖` — replaced by spaces (one per UTF-16 unit, so offsets are
 * unchanged), and refuses nesting deeper than `MAX_NESTING` with E002 at the bracket
 * that crosses the limit.
 *
 * `‖` both opens and closes a norm; it closes when it follows an operand (a name,
 * number, `)`, `]`, a closing `‖` or a postfix operator) and opens otherwise — the
 * same reading the grammar gives it. Unbalanced closers are ignored here; the grammar
 * reports them.
 */
export function maskBracketedNewlines(source: string, file: string): { text: string; deepest: Span; breaks: number[] } {
  const stack: string[] = [];
  const breaks: number[] = []; // top-level newlines and `;`: where statements end
  let out: string[] | undefined; // copy-on-write: most sources have nothing to mask
  let afterOperand = false; // does the last token end an operand?
  let word = ''; // the identifier (or number) being read, to recognise `assert`
  let deepest: Span = { start: 0, end: Math.min(1, source.length) };
  let maxDepth = 0;
  const blank = (i: number): void => {
    out ??= source.split('');
    out[i] = ' ';
  };

  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const code = source.charCodeAt(i);
    if (c === '#') {
      let j = i;
      while (j < source.length && source[j] !== '\n') {
        if (stack.length > 0) blank(j);
        j++;
      }
      i = j - 1;
      word = '';
      continue;
    }
    if (c === '\n' || (c === ';' && stack.length === 0)) {
      if (stack.length > 0) blank(i);
      else {
        breaks.push(i);
        afterOperand = false;
      }
      word = '';
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      word = '';
      continue;
    }
    let opens = false;
    if (c === '(' || c === '[') {
      opens = true;
    } else if (c === '‖') {
      if (afterOperand && word !== 'assert') {
        if (stack[stack.length - 1] === '‖') stack.pop();
        afterOperand = true;
        word = '';
        continue;
      }
      opens = true;
    } else if (c === ')' || c === ']') {
      const want = c === ')' ? '(' : '[';
      const at = stack.lastIndexOf(want);
      if (at >= 0) stack.length = at;
      afterOperand = true;
      word = '';
      continue;
    }
    if (opens) {
      stack.push(c);
      if (stack.length > maxDepth) {
        maxDepth = stack.length;
        deepest = { start: i, end: i + 1 };
      }
      if (stack.length > MAX_NESTING) {
        throw fail('E002', { file, source, span: { start: i, end: i + 1 } }, MAX_NESTING);
      }
      afterOperand = false;
      word = '';
      continue;
    }
    // Letters, digits, `_` and the postfix operators end an operand; anything else
    // (binary operators, `,`, `=`, `:`, `;`) does not.
    if (isWordUnit(c, code)) {
      word = c === '_' || isDigit(code) || isLetterUnit(c) ? word + c : '';
      afterOperand = true;
    } else if (c === "'" || c === 'ᵀ' || c === '¹' || c === '²' || c === '³') {
      afterOperand = true;
      word = '';
    } else {
      afterOperand = false;
      word = '';
    }
  }
  return { text: out ? out.join('') : source, deepest, breaks };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

const LETTER = /\p{L}/u;

function isLetterUnit(c: string): boolean {
  return LETTER.test(c);
}

/** Part of a name or number (surrogate halves count: they only occur in letters here). */
function isWordUnit(c: string, code: number): boolean {
  return (
    isDigit(code) || c === '_' || c === '.' || (code >= 0xd800 && code <= 0xdfff) || (c !== 'ᵀ' && isLetterUnit(c))
  );
}
