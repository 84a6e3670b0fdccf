/**
 * The playground's logic that needs no browser: the URL state, the Unicode input
 * helpers, errors located as the CLI locates them, random data that respects sym/spd/pos
 * (checked by the same data reader `matdiff run` uses), and a run whose gradients agree
 * with central differences.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { decodeState, encodeState, type ViewState } from '../playground/src/state.js';
import { SYMBOLS, symbolEnding } from '../playground/src/symbols.js';
import { analyse, derivatives, operatorForm, variable } from '../playground/src/analyse.js';
import { parseSizes, randomData } from '../playground/src/data.js';
import { finiteDifferenceCheck, flat, largestDifference, prepare, resultJson, runTs } from '../playground/src/run.js';
import { bindData, parseData } from '../codegen/data.js';
import { main } from '../src/cli/main.js';

describe('the URL state', () => {
  it('round-trips any model text, options and data', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.option(fc.constantFrom('L', 'P', 'α')),
        fc.option(fc.array(fc.constantFrom('W', 'b', 'μ'), { maxLength: 3 })),
        fc.option(fc.string({ maxLength: 50 })),
        (model, of, wrt, data) => {
          const s: ViewState = {
            model,
            of: of ?? undefined,
            wrt: wrt ?? undefined,
            tab: 'ts',
            theme: 'dark',
            sizes: 'n=4, B=2',
            seed: 3,
            data: data ?? undefined,
          };
          expect(decodeState(encodeState(s))).toEqual(s);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('is absent from an empty or broken fragment', () => {
    expect(decodeState('')).toBeUndefined();
    expect(decodeState('#m=%%%')).toBeUndefined();
  });
});

describe('the Unicode input helpers', () => {
  it.each([
    ['A\\cdot', '·'],
    ['A \\odot', '⊙'],
    ['\\otimes', '⊗'],
    ['\\sigma', 'σ'],
    ['\\Sigma', 'Σ'],
    ['x^T', 'ᵀ'],
    ['A^-1', '⁻¹'],
    ['A\\^T', 'ᵀ'],
  ])('%s then Tab gives %s', (before, text) => {
    expect(symbolEnding(before)?.text).toBe(text);
  });

  it('leaves other text alone', () => {
    expect(symbolEnding('W1·X + b')).toBeUndefined();
    expect(symbolEnding('\\nosuchname')).toBeUndefined();
  });

  it('offers every operator of LANGUAGE.md §2 that has no ASCII key', () => {
    const offered = new Set(SYMBOLS.map((s) => s.text));
    for (const c of ['·', '⊙', '⊘', '⊗', 'ᵀ', '⁻¹', '²', '‖', 'σ']) expect(offered.has(c), c).toBe(true);
  });
});

describe('the analysis', () => {
  it('locates an error at the line and column the CLI prints', async () => {
    const model = 'A: [2, 3]; B: [4, 5]\n\nC = A·B\n';
    const a = analyse(model);
    expect(a.model).toBeUndefined();
    const file = join(mkdtempSync(join(tmpdir(), 'matdiff-playground-')), 'model.mdf');
    writeFileSync(file, model);
    const cli = await main(['print', file]);
    const head = cli.err.split('\n')[0]!.replace(file, 'model.mdf');
    expect(a.problems[0]!.text.split('\n')[0]).toBe(head);
    expect(model.slice(a.problems[0]!.from, a.problems[0]!.to)).toBe('A·B');
  });

  it.each([
    ['hess', 'A: [m, n]; X: [n, p]\nL = ‖A·X‖² + sum(exp(X))\n', 'X'],
    ['jac', 'A: [m, n]; X: [n, p]\nF = tanh(A·X)\n', 'X'],
  ] as const)('prints %s and its operator form by a matrix as the CLI does', async (kind, model, x) => {
    const file = join(mkdtempSync(join(tmpdir(), 'matdiff-playground-')), 'model.mdf');
    writeFileSync(file, model);
    const a = analyse(model);
    const w = variable(a.model!, x)!;
    const full = await main([kind, file, '--wrt', x]);
    const op = await main([kind, file, '--wrt', x, '--direction', 'V']);
    expect(derivatives(a.model!, a.output!, [w], kind).lines.map((l) => l.unicode)).toEqual(full.out.split('\n'));
    expect(operatorForm(a.model!, a.output!, w, kind).lines.map((l) => l.unicode)).toEqual(op.out.split('\n'));
  });

  it('gives each definition its shape', () => {
    const a = analyse(readFileSync('examples/mlp.mdf', 'utf8'));
    expect(a.definitions.map((d) => `${d.name} ${d.shape}`)).toEqual(['H [h, B]', 'P [k, B]', 'L []']);
    expect(a.variables.every((v) => v.used)).toBe(true);
  });
});

describe('random data and a run', () => {
  const model = 'S: [n, n] sym; K: [n, n] spd; p: [n] pos; x: [n]\nL = xᵀ·K⁻¹·x + sum(log(p)) + tr(S·K)\n';

  it('respects sym, spd and pos (as `matdiff run` checks them)', () => {
    const a = analyse(model);
    for (const seed of [1, 2, 3, 4, 5]) {
      const text = randomData(a.model!, parseSizes('n=4'), seed);
      const bound = bindData(a.model!, parseData(text, 'data.json'), 'data.json', ['S', 'K', 'p', 'x']);
      expect(bound.dims.get('n')).toBe(4);
    }
  });

  it('runs the generated TypeScript, and its gradients agree with central differences', () => {
    const a = analyse(model);
    const p = prepare(a.model!, randomData(a.model!, parseSizes('n=3'), 7), 'L', ['S', 'K', 'p', 'x']);
    const r = runTs(p);
    const fd = finiteDifferenceCheck(p, r);
    expect(fd.entries).toBeGreaterThan(20);
    expect(fd.error).toBeLessThan(1e-6);
    expect(largestDifference(flat(p, r), flat(p, r)).abs).toBe(0);
    expect(Object.keys(resultJson(p, r).grad!)).toEqual(['S', 'K', 'p', 'x']);
  });

  it('finds a wrong gradient: the check is not vacuous', () => {
    const a = analyse(model);
    const p = prepare(a.model!, randomData(a.model!, parseSizes('n=3'), 7), 'L', ['x']);
    const r = runTs(p);
    const g = Array.from(r.grad['x'] as ArrayLike<number>);
    g[0]! += 1e-3;
    expect(finiteDifferenceCheck(p, { ...r, grad: { x: g } }).error).toBeGreaterThan(1e-5);
  });
});
