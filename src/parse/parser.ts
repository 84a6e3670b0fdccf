/**
 * The parser: model source text → syntax tree (ast.ts). The grammar is
 * grammar/matdiff.ohm (its text is compiled in as grammar-source.ts); this module is the
 * entry (`parseProgram`, the grammar and its semantics, built once) and adds what Ohm
 * cannot express or does poorly, each in its own module:
 *
 * - prescan.ts: newlines (and comments) inside brackets continue the statement, and
 *   brackets nested deeper than `MAX_NESTING` are refused with E002;
 * - messages.ts: Ohm's list of expected tokens folded into a short phrase (E001);
 * - semantics.ts: the semantic actions, folding operator chains with loops.
 */
import * as ohm from 'ohm-js';
import type { Program, Span, Statement } from './ast.js';
import { fail, MatdiffError } from '../errors.js';
import { fastStatement } from './fast.js';
import { GRAMMAR_RECIPE, GRAMMAR_SOURCE } from './grammar-source.js';
import type { MatDiffGrammar, MatDiffSemantics } from './matdiff.ohm-bundle.js';
import { syntaxError } from './messages.js';
import { MAX_NESTING, maskBracketedNewlines } from './prescan.js';
import { actions, current } from './semantics.js';

export { describeExpected } from './messages.js';
export { MAX_NESTING, maskBracketedNewlines } from './prescan.js';

let grammarCache: MatDiffGrammar | undefined;
let semanticsCache: MatDiffSemantics | undefined;

/**
 * The grammar, built once on first use from its precompiled recipe (about 1 ms; compiling
 * the text with `ohm.grammar` takes about 90 ms, which every run of the CLI would pay).
 */
export function matdiffGrammar(): ohm.Grammar {
  return typedGrammar();
}

function typedGrammar(): MatDiffGrammar {
  if (!grammarCache) {
    // `makeRecipe` is exported by ohm-js (generated bundles use it) but not typed.
    const { makeRecipe } = ohm as unknown as { makeRecipe?: (recipe: unknown) => ohm.Grammar };
    grammarCache = (makeRecipe ? makeRecipe(GRAMMAR_RECIPE) : ohm.grammar(GRAMMAR_SOURCE)) as MatDiffGrammar;
  }
  return grammarCache;
}

/**
 * Parses a model file. Throws a `MatdiffError`: E001 for a syntax error (pointing at
 * the first character that cannot be read), E002 for brackets nested too deeply,
 * E007 for a dimension literal that is not a positive integer.
 *
 * The grammar's start rule `Program` is matched once per statement — on each stretch
 * of the text between top-level newlines and `;` — rather than once on the whole file.
 * That gives the same trees and the same errors (a statement never spans a top-level
 * separator, and the first statement that fails is where a whole-file match would
 * fail), but Ohm's memo table then stays small and short-lived: on a 10,000-line model
 * this is several times faster than one big match. `parseProgramWhole` is the one-match
 * reference.
 *
 * Before Ohm, each statement is offered to a hand-written reader (fast.ts) that builds
 * the same tree in one pass, many times faster; it gives up on anything it does not
 * expect, and Ohm then reads that statement (so every syntax error is still the
 * grammar's). `ohmOnly` skips the fast reader (the tests compare the two).
 */
export function parseProgram(source: string, file: string, options: { ohmOnly?: boolean } = {}): Program {
  const useFast = !options.ohmOnly;
  const scan = maskBracketedNewlines(source, file);
  const text = scan.text;
  const matcher = typedGrammar().matcher();
  const statements: Statement[] = [];
  return withPlace(file, source, scan.deepest, () => {
    let start = 0;
    for (let k = 0; k <= scan.breaks.length; k++) {
      const end = k < scan.breaks.length ? scan.breaks[k]! : text.length;
      const fast = useFast ? fastStatement(text, start, end) : undefined;
      if (fast) statements.push(...fast);
      else if (!BLANK.test(text.slice(start, end))) {
        matcher.setInput(text.slice(start, end));
        const match = matcher.match('Program');
        if (match.failed()) throw syntaxError(match, start, source, text, file);
        current.offset = start;
        statements.push(...(semantics()(match)['toAst']() as Statement[]));
      }
      start = end + 1;
    }
    return { statements, source, file };
  });
}

/** Blank or comment-only stretches need no matching. */
const BLANK = /^[ \t\r]*(#.*)?$/;

/** `parseProgram` by a single match of the whole file (slower on long files; used by
 * the tests to check that statement-wise matching changes nothing). */
export function parseProgramWhole(source: string, file: string): Program {
  const scan = maskBracketedNewlines(source, file);
  return withPlace(file, source, scan.deepest, () => {
    const match = typedGrammar().match(scan.text, 'Program');
    if (match.failed()) throw syntaxError(match, 0, source, scan.text, file);
    current.offset = 0;
    const statements = semantics()(match)['toAst']() as Statement[];
    return { statements, source, file };
  });
}

/**
 * Runs `body` with `current` describing the file (for errors raised inside semantic
 * actions), and turns a stack overflow into E002 — a safety net only: the depth limit
 * is chosen so that this cannot happen from a normal call site, but a caller already
 * deep in its own recursion could still exhaust the stack.
 */
function withPlace<T>(file: string, source: string, deepest: Span, body: () => T): T {
  const saved = { ...current };
  Object.assign(current, { file, source, offset: 0 });
  try {
    return body();
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof MatdiffError)) {
      throw fail('E002', { file, source, span: deepest }, MAX_NESTING);
    }
    throw e;
  } finally {
    Object.assign(current, saved);
  }
}

function semantics(): MatDiffSemantics {
  semanticsCache ??= typedGrammar().createSemantics().addOperation<unknown>('toAst', actions);
  return semanticsCache;
}
