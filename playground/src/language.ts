/**
 * The matdiff language for CodeMirror: a stream tokenizer (one line at a time, no
 * state across lines — statements never continue except inside brackets, and no token
 * spans a newline) and its highlight style. Token classes, as in editors/vscode:
 * comment, number, operator, function name, keyword / property, variable, punctuation.
 */
import { StreamLanguage, HighlightStyle, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const KEYWORDS = new Set(['assert', 'where']);
const PROPERTIES = new Set(['sym', 'spd', 'pos']);
/** Longest first, so that `.^` wins over `.` and `⁻¹` is one token. */
const OPERATORS = [
  '.^',
  '.*',
  './',
  '⁻¹',
  '⁻ᵀ',
  '·',
  '⋅',
  '*',
  '@',
  '⊙',
  '⊘',
  '⊗',
  '/',
  '+',
  '-',
  '−',
  'ᵀ',
  "'",
  '²',
  '³',
  '^',
  '=',
  '‖',
];
const PUNCTUATION = /^[()[\],;:]/;
const NAME = /^(?:[A-Za-z]|(?!ᵀ)\p{L})(?:[A-Za-z0-9_]|(?!ᵀ)\p{L})*/u;
const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+\-−]?\d+)?/;

function token(stream: StringStream): string | null {
  if (stream.eatSpace()) return null;
  if (stream.peek() === '#') {
    stream.skipToEnd();
    return 'comment';
  }
  if (stream.match(NUMBER)) return 'number';
  const name = stream.match(NAME) as RegExpMatchArray | null;
  if (name) {
    const word = name[0];
    // `^T`: the T is the transpose operator
    if (word === 'T' && stream.string.slice(0, stream.start).trimEnd().endsWith('^')) return 'operator';
    if (KEYWORDS.has(word)) return 'keyword';
    if (PROPERTIES.has(word)) return 'propertyName';
    const rest = stream.string.slice(stream.pos);
    if (/^\s*\(/.test(rest)) return 'variableName.function';
    if (/^\s*(?::|=(?!=))/.test(rest)) return 'variableName.definition';
    return 'variableName';
  }
  for (const op of OPERATORS) if (stream.match(op)) return 'operator';
  if (stream.match(PUNCTUATION)) return 'punctuation';
  stream.next();
  return 'invalid';
}

export const matdiffLanguage = StreamLanguage.define<null>({
  name: 'matdiff',
  startState: () => null,
  token: (stream) => token(stream),
  languageData: { commentTokens: { line: '#' } },
});

/** Colours from CSS variables, so the light and dark themes share one style. */
export const matdiffHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: t.comment, color: 'var(--tok-comment)', fontStyle: 'italic' },
    { tag: t.number, color: 'var(--tok-number)' },
    { tag: t.operator, color: 'var(--tok-operator)' },
    { tag: t.function(t.variableName), color: 'var(--tok-function)' },
    { tag: [t.keyword, t.propertyName], color: 'var(--tok-keyword)', fontWeight: 'bold' },
    { tag: t.definition(t.variableName), color: 'var(--tok-definition)', fontWeight: 'bold' },
    { tag: t.variableName, color: 'var(--tok-variable)' },
    { tag: t.punctuation, color: 'var(--tok-punctuation)' },
    { tag: t.invalid, color: 'var(--tok-invalid)' },
  ]),
);
