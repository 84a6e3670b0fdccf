/**
 * The hand-written statement reader (src/parse/fast.ts) is only a faster way to the same
 * result: wherever it reads a statement, the tree is the one the Ohm grammar and its
 * semantics build (kinds, fields, spans, key order), and wherever it gives up, Ohm's
 * answer — tree or error message — is what `parseProgram` returns.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { printExpr } from '../src/index.js';
import { MatdiffError } from '../src/errors.js';
import { fastStatement } from '../src/parse/fast.js';
import { maskBracketedNewlines, parseProgram } from '../src/parse/parser.js';
import { arbExpr, DECLS, runs } from './gen.js';

/** The statements, or the formatted error: what a caller can observe. */
function outcome(src: string, ohmOnly: boolean): { statements: unknown } | { error: string } {
  try {
    return { statements: parseProgram(src, 'f.mdf', { ohmOnly }).statements };
  } catch (e) {
    if (e instanceof MatdiffError) return { error: e.format() };
    throw e;
  }
}

function expectSame(src: string): void {
  const fast = outcome(src, false);
  const ohm = outcome(src, true);
  expect(fast).toStrictEqual(ohm);
  // Same key order too (JSON output of the tree, and anything iterating it).
  expect(JSON.stringify(fast)).toBe(JSON.stringify(ohm));
}

/** How many non-blank stretches of `src` the fast reader read itself. */
function fastShare(src: string): { read: number; of: number } {
  const scan = maskBracketedNewlines(src, 'f.mdf');
  let [read, of, start] = [0, 0, 0];
  for (const end of [...scan.breaks, scan.text.length]) {
    if (scan.text.slice(start, end).trim() !== '') {
      of++;
      if (fastStatement(scan.text, start, end)) read++;
    }
    start = end + 1;
  }
  return { read, of };
}

describe('the fast statement reader builds the trees Ohm builds', () => {
  for (const fmt of ['unicode', 'ascii'] as const)
    it(`on random expressions printed in ${fmt}, as definitions and assertions`, () => {
      fc.assert(
        fc.property(arbExpr({ maxDepth: 5 }), fc.integer({ min: 0, max: 3 }), ({ node }, pad) => {
          const text = printExpr(node, fmt);
          const blanks = ' '.repeat(pad);
          const src = `${DECLS}\nE =${blanks}${text}${blanks}# note\nassert ${text} =${blanks}(${text})ᵀ\nwhere G = -${text}`;
          expectSame(src);
          // The fast path is really taken: every statement of a well-formed program.
          const { read, of } = fastShare(src);
          expect(read).toBe(of);
        }),
        runs(150),
      );
    });

  const pieces = [
    'x',
    'A',
    'ab1_',
    'σ',
    'é',
    '𝑥',
    'f',
    'where ',
    'where',
    'assert ',
    'assert',
    'sym',
    'spd ',
    'pos',
    'T',
    'e',
    'E',
    '1',
    '0',
    '3.0',
    '2.5',
    '.5',
    '1e-3',
    '1e−3',
    '1e400',
    '.',
    ' ',
    '  ',
    '\t',
    '\xa0',
    '\ufeff',
    '\x01',
    '\r',
    '\n',
    ';',
    '=',
    ':',
    '(',
    ')',
    '[',
    ']',
    ',',
    '‖',
    '+',
    '-',
    '−',
    '·',
    '⋅',
    '*',
    '@',
    '⊙',
    '.*',
    '⊘',
    './',
    '/',
    '⊗',
    'ᵀ',
    "'",
    '^',
    '^T',
    '^ T',
    '^-1',
    '^2',
    '^(−2)',
    '^( 3 )',
    '.^',
    '.^2',
    '.^ (-0.5)',
    '²',
    '³',
    '⁻¹',
    '⁻ᵀ',
    '⁻',
    '# c',
    'x = ',
    'W: [n, m] ',
    'f(',
    'f (',
  ];

  it('on random token soup (trees and error messages alike)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => expectSame(parts.join(''))),
      runs(2000),
    );
  });

  it('on token soup after a valid prefix (definitions, declarations, assertions)', () => {
    const starts = ['x = ', 'x = a ', 'x = f(a', 'x = (a', 'x = ‖a', 'X: [', 'X: [n, ', 'assert a ', 'where y = '];
    fc.assert(
      fc.property(fc.constantFrom(...starts), fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (s, parts) =>
        expectSame(s + parts.join('')),
      ),
      runs(2000),
    );
  });

  it('on every example model', () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.mdf')) files.push(p);
      }
    };
    walk('examples');
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const src = readFileSync(f, 'utf8');
      expectSame(src);
      expect(fastShare(src)).toEqual({ read: fastShare(src).of, of: fastShare(src).of });
    }
  });

  it('on every string written in the parse and error tests', () => {
    let count = 0;
    for (const f of ['test/parse.test.ts', 'test/errors.test.ts', 'test/fuzz.test.ts', 'test/roundtrip.test.ts']) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\$]|\\.)*)`/g)) {
        const raw = m[1] ?? m[2]!;
        let src: string;
        try {
          src = JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/\\`/g, '`').replace(/"/g, '\\"')}"`) as string;
        } catch {
          continue; // an escape JSON does not know: skip that literal
        }
        expectSame(src);
        count++;
      }
    }
    expect(count).toBeGreaterThan(300);
  });
});
