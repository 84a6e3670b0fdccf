/**
 * The error catalogue (src/errors.ts) is complete both ways: every code is produced by a
 * reproducer below (one per code, through the library or the CLI), and every code has an
 * explanation that `matdiff explain CODE` prints.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, derivatives, ModelErrors, MatdiffError } from '../src/index.js';
import { ERRORS, type ErrorCode } from '../src/errors.js';
import { main } from '../src/cli/main.js';
import { onlyFlags, parseArgs } from '../src/cli/args.js';
import { unexpectedErrorText } from '../src/cli/failure.js';
import { exampleOf } from '../src/errors-explain.js';

const dir = mkdtempSync(join(tmpdir(), 'matdiff-codes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function file(text: string, ext = 'mdf'): string {
  const path = join(dir, `f${count++}.${ext}`);
  writeFileSync(path, text);
  return path;
}

/** The codes a reproducer produced: thrown errors' codes, or the `error[CODE]` the CLI printed. */
async function codesOf(reproduce: () => unknown): Promise<string[]> {
  try {
    const r = await reproduce();
    if (typeof r === 'string') return [...r.matchAll(/error\[(E\d{3})\]/g)].map((m) => m[1]!);
    if (r && typeof r === 'object' && 'err' in r) return codesOf(() => (r as { err: string }).err);
    return [];
  } catch (e) {
    if (e instanceof ModelErrors) return e.errors.map((x) => x.code);
    if (e instanceof MatdiffError) return [e.code];
    throw e;
  }
}

const model = (source: string) => () => parse(source, 'bad.mdf');
const run =
  (source: string, data: string, ...flags: string[]) =>
  () =>
    main(['run', file(source), '--inputs', file(data, 'json'), ...flags]);
const DATA_MODEL = 'x: [m]; s: []; A: [n, n] sym\nL = s·sum(x) + tr(A)';

// One reproducer per code.
const REPRODUCERS: Record<Exclude<ErrorCode, keyof typeof DEVICE_ONLY>, () => unknown> = {
  E001: model('A: [m, n]\nB = A +'),
  E002: model(`x: [n]\ny = ${'('.repeat(300)}x${')'.repeat(300)}`),
  E003: model('x: [n]\nL = sum(xx)'),
  E004: model('L = M + 1\nM = 2'),
  E005: model('x: [n]\nx = 2'),
  E006: model('exp: [n]'),
  E007: model('W: [0, 2]'),
  E008: model('x: [n]\nL = sum(x, x)'),
  E009: model('x: [n]\nL = smu(x)'),
  E010: model('A: [m, n]\nx: [m]\ny = A·x'),
  E011: model('x: [n]\nn: [n]'),
  E012: model('A: [n, n]\nB = A^2'),
  E013: model('x: [n]\ny: [n]\nz = x / y'),
  E014: model('x: [n]\ng = grad(2·x, x)'),
  E015: model('x: [n]\ny = sum'),
  E016: () => derivatives(parse('x: [n]'), 'grad'),
  E017: model('A: [m, n] sym'),
  E018: model('x: [n]\nL = 1e309·sum(x)'),
  E021: () => main(['emit', file('x: [n]\nL = sum(x)'), '--target', 'wgsl', '--dtype', 'f64']),
  E030: () => unexpectedErrorText(new TypeError('x is undefined')),
  E040: run(DATA_MODEL, '{"x": [1, 2,], "s": 1}'),
  E041: run(DATA_MODEL, '{"x": [1, 2], "s": 1, "A": [[1]], "y": 2}'),
  E042: run(DATA_MODEL, '{"x": [1, "a"], "s": 1, "A": [[1]]}'),
  E043: run(DATA_MODEL, '{"x": [[1, 2]], "s": 1, "A": [[1]]}'),
  E044: run(DATA_MODEL, '{"x": [1, 2], "s": 1, "A": [[1, 2], [3, 4]]}'),
  E045: run('p: [n] pos\nL = sum(1 ⊘ p)', '{"p": [1, 5e-324]}'),
  E046: run('x: [k]; z: [n]\nL = sum(ones(n)·xᵀ·x·ones(n)ᵀ)', '{"x": [1, 2]}', '--dims', 'n=100000000'),
  E050: () => onlyFlags(parseArgs(['m.mdf', '--colour']), ['dims']),
  E051: () => derivatives(parse('x: [n]\nL = sum(x)'), 'grad', { wrt: ['xx'] }),
};

/**
 * Codes only a GPU can produce, each with why: the reproducers run on every machine.
 * E020 is the WebGPU runtime refusing inputs (codegen/wgsl/run.ts), after a device is acquired.
 */
const DEVICE_ONLY = { E020: 'bad inputs refused by the WebGPU runtime, which needs a device' } as const;

describe('the error catalogue', () => {
  it('every code is produced by its reproducer', async () => {
    const produced = new Set<string>();
    for (const [code, reproduce] of Object.entries(REPRODUCERS)) {
      const codes = await codesOf(reproduce);
      expect(codes, code).toContain(code);
      for (const c of codes) produced.add(c);
    }
    const all = Object.keys(ERRORS).sort();
    expect([...produced, ...Object.keys(DEVICE_ONLY)].sort()).toEqual(all);
  });

  it('matdiff explain prints every code with its title and an example', async () => {
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const r = await main(['explain', code.toLowerCase()]);
      expect(r.code, code).toBe(0);
      expect(r.out.startsWith(`${code}: ${ERRORS[code].title}\n\n`), code).toBe(true);
      expect(r.out, code).toContain('\nExample:\n\n    ');
    }
  });

  it("each explanation's example model gets the error it shows", async () => {
    let models = 0;
    for (const code of Object.keys(ERRORS) as ErrorCode[]) {
      const example = exampleOf(code);
      const shown = /# (error\[(E\d{3})\]: .*?)(…|$)/.exec(example);
      // Command lines, data files and models with data are shown, not run, here.
      if (!shown || /^(matdiff|\{|error)| with /m.test(example)) continue;
      expect(shown[2], code).toBe(code);
      const source = example.replace(/ *#.*$/gm, '');
      let message = '';
      try {
        parse(source, 'ex.mdf');
      } catch (e) {
        message = e instanceof ModelErrors ? e.errors[0]!.format() : (e as MatdiffError).format();
      }
      expect(message, code).toContain(shown[1]!.trim());
      models++;
    }
    expect(models).toBeGreaterThanOrEqual(15);
  });

  it('matdiff explain of an unknown or missing code is a usage error', async () => {
    const r = await main(['explain', 'E999']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^matdiff explain: unknown error code 'E999'; the codes are E001, E002, /);
    expect((await main(['explain'])).code).toBe(2);
    expect((await main(['help', 'explain'])).out).toMatch(/^Usage: matdiff explain CODE/);
  });

  it('the CLI prints error[CODE] located, and error[CODE] alone without a place', async () => {
    const r = await main(['print', file('A: [m, n]\nx: [m]\ny = A·x')]);
    expect(r.err.split('\n')[0]).toMatch(/^.*\.mdf:3:5: error\[E010\]: cannot multiply \[m,n\] by \[m\]/);
    const e = await main(['run', file('p: [n] pos\nL = sum(1 ⊘ p)'), '--inputs', file('{"p": [1, 5e-324]}', 'json')]);
    expect(e.err).toMatch(/^error\[E045\]: the value of L is not finite/);
  });
});
