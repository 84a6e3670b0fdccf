/**
 * Bad input never crashes: random token soups and random byte strings go through the
 * whole CLI pipeline (parse, shapes, gradients, Hessians, printing), and every failure
 * is a located message from the catalogue with exit status 1 or 2 — never an internal
 * error or a stack trace.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';

const TOKENS = [
  'A',
  'B',
  'x',
  'y',
  's',
  'n',
  'm',
  'f',
  'g',
  'T',
  'I',
  '1',
  '2',
  '0.5',
  '1e-3',
  '-',
  '−',
  '+',
  '·',
  '*',
  '@',
  '⊙',
  '.*',
  '⊘',
  './',
  '/',
  'ᵀ',
  "'",
  '^T',
  '⁻¹',
  '⁻ᵀ',
  '^-1',
  '²',
  '^2',
  '.^',
  '.^-0.5',
  '‖',
  '(',
  ')',
  '[',
  ']',
  ',',
  ';',
  '\n',
  ':',
  '=',
  'sym',
  'spd',
  'pos',
  'assert',
  'where',
  'tr',
  'sum',
  'mean',
  'exp',
  'log',
  'sqrt',
  'σ',
  'relu',
  'softmax',
  'logsumexp',
  'det',
  'logdet',
  'inv',
  'diag',
  'vec',
  'unvec',
  'ones',
  'zeros',
  'grad',
  'hess',
  'jac',
  '#',
];
const DECLS = 'A: [n, n]; B: [n, m]; x: [n]; y: [m]; s: []\n';

const dir = mkdtempSync(join(tmpdir(), 'matdiff-fuzz-'));
let k = 0;
async function runOn(source: string, ...argv: string[]) {
  const file = join(dir, `f${k++}.mdf`);
  writeFileSync(file, source);
  return main([argv[0]!, file, ...argv.slice(1)]);
}

function expectClean(r: { code: number; err: string }) {
  expect([0, 1, 2]).toContain(r.code);
  expect(r.err).not.toMatch(/matdiff bug|\n\s+at .*:\d+:\d+|RangeError|TypeError/);
  if (r.code === 1) expect(r.err).toMatch(/^(.+:\d+:\d+: )?error: /m);
}

describe('bad input never crashes', () => {
  it('random token soups after valid declarations', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }), async (toks) => {
        const src = DECLS + 'f = ' + toks.join(' ') + '\n';
        for (const cmd of [['print'], ['grad'], ['hess', '--wrt', 'x']]) expectClean(await runOn(src, ...cmd));
      }),
      { numRuns: 150 },
    );
  });

  it('random text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => {
        expectClean(await runOn(text, 'print'));
        expectClean(await runOn(DECLS + text, 'grad'));
      }),
      { numRuns: 100 },
    );
  });
});
