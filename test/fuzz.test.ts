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
  if (r.code === 1) expect(r.err).toMatch(/^(.+:\d+:\d+: )?error\[E\d{3}\]: /m);
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

/** Sizes at and beyond the limits: 1, large, the last safe integer and past it, 0. */
const LIMIT_DIMS = [
  '1',
  '2',
  '3',
  '65536',
  '2147483648',
  '9007199254740991',
  '9007199254740992',
  '99999999999999999999',
  '0',
  '1e3',
];
/** Entries at the edges of float64: infinities (as overflowing literals), denormals, signed zeros, the largest finite. */
const EDGE_NUMBERS = [
  '1e309',
  '-1e309',
  '5e-324',
  '-5e-324',
  '2.2e-308',
  '1.7976931348623157e308',
  '0',
  '-0',
  '1',
  '-2.5',
  '"NaN"',
  'null',
];

describe('sizes and numbers at the limits end cleanly', () => {
  it('declarations with sizes at the limits, through print, grad, check and run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...LIMIT_DIMS),
        fc.constantFrom(...LIMIT_DIMS),
        fc.constantFrom('sum(A·x)', 'sum(x·xᵀ)', 'logdet(A) + sum(x)', 'sum(A ⊙ A)'),
        async (m, n, body) => {
          const src = `A: [${m}, ${m}]; x: [${m}]; y: [${n}]\nL = ${body} + sum(y)\nassert ${body} = ${body} + 0·sum(x)\n`;
          for (const cmd of [['print'], ['grad'], ['check', '--trials', '2', '--max-memory', '64MB']])
            expectClean(await runOn(src, ...cmd));
          const data = join(dir, `d${k++}.json`);
          writeFileSync(data, '{"x": [1, 2], "y": [3], "A": [[1, 0], [0, 1]]}');
          expectClean(await runOn(src, 'run', '--inputs', data, '--max-memory', '64MB'));
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);

  it('data with infinities, denormals and signed zeros: a located error or finite numbers, never null', async () => {
    const src = 'x: [n]; s: []; p: [n] pos\nL = s·sum(log(p)) + sum(x ⊘ p) + s·sum(exp(x))\n';
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...EDGE_NUMBERS), { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom(...EDGE_NUMBERS), { minLength: 1, maxLength: 3 }),
        fc.constantFrom(...EDGE_NUMBERS),
        async (x, p, s) => {
          const data = join(dir, `d${k++}.json`);
          writeFileSync(data, `{"x": [${x.join(', ')}], "p": [${p.join(', ')}], "s": ${s}}`);
          const r = await runOn(src, 'run', '--inputs', data);
          expectClean(r);
          if (r.code === 0) {
            const out = JSON.parse(r.out) as { value: number; grad: Record<string, number | number[]> };
            const numbers = [out.value, ...Object.values(out.grad).flat()];
            for (const v of numbers) expect(Number.isFinite(v), r.out).toBe(true);
          } else expect(r.err).toMatch(/^(.+\.json:\d+:\d+: )?error\[E\d{3}\]: /);
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
