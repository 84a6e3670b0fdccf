/**
 * Reproducers of the adversarial review (issue 10), one `describe` per finding: names
 * that must become identifiers in every target, and the rest below.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ts from 'typescript';
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitTs } from '../codegen/ts/emit.js';
import { emitWgsl } from '../codegen/wgsl/emit.js';
import { identifier, quote } from '../codegen/ts/names.js';

/** Every code point the grammar's `letter` accepts beyond ASCII: Lu, Ll, Lt, Lm, Lo, except ᵀ. */
const LETTERS: number[] = [];
for (let c = 0x80; c <= 0x10ffff; c++)
  if (c !== 0x1d40 && /\p{Lu}|\p{Ll}|\p{Lt}|\p{Lm}|\p{Lo}/u.test(String.fromCodePoint(c))) LETTERS.push(c);

const letter = fc.oneof(
  fc.constantFrom(...'abcXYZ'),
  fc.integer({ min: 0, max: LETTERS.length - 1 }).map((i) => String.fromCodePoint(LETTERS[i]!)),
);
/** A name as the grammar accepts it: a letter, then letters, digits and `_`. */
const name = fc
  .tuple(letter, fc.array(fc.oneof(letter, fc.constantFrom('0', '7', '_')), { maxLength: 3 }))
  .map(([a, rest]) => a + rest.join(''));

const syntaxErrors = (code: string): string[] =>
  (
    ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } })
      .diagnostics ?? []
  ).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

describe('every name the grammar accepts is an identifier in the generated code', () => {
  it('ⸯ (U+2E2F, a letter to the grammar, not to JavaScript)', async () => {
    const p = programOf(parse('ⸯ: [n]\nL = sum(ⸯ ⊙ ⸯ)', 'u.mdf'));
    expect(syntaxErrors(await emitTs(p))).toEqual([]);
    expect(quote('ⸯ')).toBe('"\\u2e2f"');
    expect(identifier('v_', 'aⸯb')).toBe('v_a_b');
  });

  it('a property over the letter classes: TS, WGSL host module and Python names', async () => {
    await fc.assert(
      fc.asyncProperty(name, name, async (x, d) => {
        let model;
        try {
          model = parse(`${x}: [${d}]\nL = sum(${x} ⊙ ${x})`, 'names.mdf');
        } catch {
          fc.pre(false); // a reserved word, or x = d
          return;
        }
        const p = programOf(model!);
        expect(syntaxErrors(await emitTs(p)), x).toEqual([]);
        const wgsl = await emitWgsl(p, { dtype: 'f32', lang: 'ts' });
        expect(syntaxErrors(wgsl), x).toEqual([]);
        // Shader identifiers are ASCII: every `var<storage…> NAME` and `NAME: u32` field.
        for (const m of wgsl.matchAll(/var<storage[^>]*>\s*([^\s:]+)\s*:|^\s*([^\s:]+): u32,/gm))
          expect(m[1] ?? m[2]).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        for (const target of ['js', 'python', 'ascii'] as const) {
          const id = identifier('v_', x, target);
          const ok = {
            js: /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u,
            python: /^[\p{XID_Start}_]\p{XID_Continue}*$/u,
            ascii: /^[A-Za-z_][A-Za-z0-9_]*$/,
          }[target];
          expect(id, target).toMatch(ok);
          if (target === 'python') expect(id.normalize('NFKC')).toBe(id);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
