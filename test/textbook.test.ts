/**
 * Derivatives against the textbooks' forms (issue 16; the table is test/textbook-data.ts):
 * each derivative equals its textbook form on random data respecting the declared facts,
 * prints (as `matdiff grad` does, the model's names reused) to text that parses back to
 * the same values, and is no longer than the textbook's form in parse-tree nodes (names
 * inlined on both sides) in at least 90% of cases, and never more than 1.5× as long.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, parse } from '../src/index.js';
import { CASES, label, measure, type Measured } from './textbook-data.js';
import { randomEnv, relErr } from './gen.js';

const DIMS = new Map([
  ['m', 4],
  ['n', 3],
  ['p', 2],
  ['d', 3],
]);

const measured = new Map<string, Measured>();
const get = (i: number): Measured => {
  const key = String(i);
  if (!measured.has(key)) measured.set(key, measure(CASES[i]!));
  return measured.get(key)!;
};

describe('textbook derivatives', () => {
  it('there are at least 60, from every source', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    for (const s of ['Cookbook', 'SymPy', 'Magnus–Neudecker', 'ML'])
      expect(CASES.filter((c) => c.source === s).length).toBeGreaterThanOrEqual(5);
  });

  CASES.forEach((c, i) =>
    it(`${label(c)} = ${c.textbook}`, () => {
      const r = get(i);
      // The printed form, parsed back into the model, alongside the derivative itself.
      const again = parse(`${c.model}\nOURS = ${r.printed}`, 'again.mdf');
      const printedNode = again.defs.get('OURS')!.node;
      const vars = [...r.model.vars.values()].map((v) => v.node);
      for (const seed of [1, 2]) {
        const env = randomEnv(seed, vars, DIMS);
        const [d, t, p] = evaluate([r.derived, r.closed, printedNode], env);
        expect(relErr(d!, t!), `seed ${seed}: ${r.printed} vs ${c.textbook}`).toBeLessThan(1e-8);
        expect(relErr(p!, t!), `seed ${seed}: printed ${r.printed}`).toBeLessThan(1e-8);
      }
      expect(r.ours / r.theirs, `${r.printed} (${r.ours}) vs ${c.textbook} (${r.theirs})`).toBeLessThanOrEqual(1.5);
    }),
  );

  it('no longer than the textbook in at least 90% of cases, never above 1.5×', () => {
    const ratios = CASES.map((_, i) => get(i)).map((r) => r.ours / r.theirs);
    const within = ratios.filter((x) => x <= 1).length / ratios.length;
    expect(within).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(1.5);
  });

  it('counts parse-tree nodes, with the model’s definitions inlined', () => {
    const r = measure({ source: 'ML', model: 'x: [n]; a: [n]\nd = x − a\nL = ‖d‖²', wrt: 'x', textbook: '2·d' });
    expect(r.printed).toBe('2*d');
    // 2·(x − a): the product, 2, and the difference of two names.
    expect([r.ours, r.theirs]).toEqual([5, 5]);
  });
});
