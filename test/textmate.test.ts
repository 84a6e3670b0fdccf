/**
 * The VS Code grammar (editors/vscode/syntaxes/matdiff.tmLanguage.json) tokenised with
 * vscode-textmate on Oniguruma, as VS Code runs it: every example is covered by the token
 * classes of editors/token-classes.json (no character left unclassified or invalid), the
 * names each statement declares or defines are exactly the model's (from the parser), and
 * hand-picked lines get the classes a reader expects.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';
import { parse } from '../src/index.js';
import { FUNCTIONS } from '../src/model/functions.js';

const root = new URL('../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const GRAMMAR = 'editors/vscode/syntaxes/matdiff.tmLanguage.json';

interface TokenClass {
  textmate: string[];
  codemirror: string;
  tokens?: string[];
  words?: string[];
}
const table = JSON.parse(read('editors/token-classes.json')) as { classes: Record<string, TokenClass> };
const classOfScope = new Map(Object.entries(table.classes).flatMap(([k, c]) => c.textmate.map((s) => [s, k] as const)));

let grammar: textmate.IGrammar;
beforeAll(async () => {
  const wasm = readFileSync(new URL('node_modules/vscode-oniguruma/release/onig.wasm', root));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.matdiff' ? textmate.parseRawGrammar(read(GRAMMAR), GRAMMAR) : null,
  });
  grammar = (await registry.loadGrammar('source.matdiff'))!;
});

interface Token {
  text: string;
  cls: string;
  line: number;
  col: number;
}

/** The non-blank tokens of `source`, each with the class of its innermost scope ('?' when the table has none). */
function tokenize(source: string): Token[] {
  const out: Token[] = [];
  let state = textmate.INITIAL;
  source.split('\n').forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    for (const t of r.tokens) {
      const text = line.slice(t.startIndex, Math.min(t.endIndex, line.length));
      if (!text.trim()) continue;
      const scope = t.scopes[t.scopes.length - 1]!;
      out.push({
        text,
        cls: classOfScope.get(scope) ?? `? (${t.scopes.join(' ')})`,
        line: i + 1,
        col: t.startIndex + 1,
      });
    }
  });
  return out;
}

const classes = (source: string) => tokenize(source).map((t) => `${t.text} ${t.cls}`);

const NUMBER = /^(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+\-−]?\d+)?$/;

describe('TextMate grammar', () => {
  it('uses exactly the scopes of the token-class table', () => {
    const used = new Set([...read(GRAMMAR).matchAll(/"name": "([^"]+)"/g)].map((m) => m[1]!));
    used.delete('matdiff');
    expect([...used].sort()).toEqual([...classOfScope.keys()].sort());
  });

  const files = readdirSync(new URL('examples/', root)).filter((f) => f.endsWith('.mdf'));
  it.each(files)('examples/%s: every token classified, as the parser reads it', (f) => {
    const source = read(`examples/${f}`);
    const tokens = tokenize(source);
    const where = (t: Token) => `${f}:${t.line}:${t.col} ${JSON.stringify(t.text)} ${t.cls}`;
    expect(tokens.filter((t) => !(t.cls in table.classes) || t.cls === 'invalid').map(where)).toEqual([]);

    // Each class's tokens are what the class says.
    const c = table.classes;
    const wrong = tokens.filter((t) => {
      switch (t.cls) {
        case 'comment':
          return !t.text.startsWith('#');
        case 'number':
          return !NUMBER.test(t.text);
        case 'operator':
          return !c.operator!.tokens!.includes(t.text) && t.text !== 'T';
        case 'punctuation':
          return !c.punctuation!.tokens!.includes(t.text);
        case 'keyword':
        case 'property':
          return !c[t.cls]!.words!.includes(t.text);
        case 'function':
          return !(t.text in FUNCTIONS);
        default:
          return false;
      }
    });
    expect(wrong.map(where)).toEqual([]);

    // The names the statements declare and define are the model's.
    const model = parse(source, f);
    const named = new Set(tokens.filter((t) => t.cls === 'definition').map((t) => t.text));
    expect([...named].sort()).toEqual([...new Set([...model.vars.keys(), ...model.defs.keys()])].sort());
  });

  it('declarations, properties and dimensions', () => {
    expect(classes('X: [n, B]; Y: [k, 3]\nK: [n, n] spd')).toEqual([
      'X definition',
      ': punctuation',
      '[ punctuation',
      'n variable',
      ', punctuation',
      'B variable',
      '] punctuation',
      '; punctuation',
      'Y definition',
      ': punctuation',
      '[ punctuation',
      'k variable',
      ', punctuation',
      '3 number',
      '] punctuation',
      'K definition',
      ': punctuation',
      '[ punctuation',
      'n variable',
      ', punctuation',
      'n variable',
      '] punctuation',
      'spd property',
    ]);
  });

  it('definitions, functions, operators, numbers and comments', () => {
    expect(classes('H = relu(W1·X + b1)   # hidden layer')).toEqual([
      'H definition',
      '= operator',
      'relu function',
      '( punctuation',
      'W1 variable',
      '· operator',
      'X variable',
      '+ operator',
      'b1 variable',
      ') punctuation',
      '# hidden layer comment',
    ]);
    expect(classes("L = σ(x).^-0.5 ./ 1e-3 + A^T*B' + ‖Sᵀ⁻¹‖² − 2.*s")).toEqual([
      'L definition',
      '= operator',
      'σ function',
      '( punctuation',
      'x variable',
      ') punctuation',
      '.^ operator',
      '- operator',
      '0.5 number',
      './ operator',
      '1e-3 number',
      '+ operator',
      'A variable',
      '^ operator',
      'T operator',
      '* operator',
      'B variable',
      "' operator",
      '+ operator',
      '‖ operator',
      'S variable',
      'ᵀ operator',
      '⁻¹ operator',
      '‖ operator',
      '² operator',
      '− operator',
      '2 number',
      '.* operator',
      's variable',
    ]);
  });

  it('assert and where: keywords, and only a statement’s own name is a definition', () => {
    expect(classes('assert tr(A + B) = tr(A)')).toEqual([
      'assert keyword',
      'tr function',
      '( punctuation',
      'A variable',
      '+ operator',
      'B variable',
      ') punctuation',
      '= operator',
      'tr function',
      '( punctuation',
      'A variable',
      ') punctuation',
    ]);
    expect(classes('  where G = P − Y; asserted = wherever')).toEqual([
      'where keyword',
      'G definition',
      '= operator',
      'P variable',
      '− operator',
      'Y variable',
      '; punctuation',
      'asserted definition',
      '= operator',
      'wherever variable',
    ]);
  });

  it('a character outside the language is invalid', () => {
    expect(classes('x = a $ b')).toEqual(['x definition', '= operator', 'a variable', '$ invalid', 'b variable']);
  });
});
