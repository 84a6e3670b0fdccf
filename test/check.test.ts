/**
 * `check` and `matdiff check`: symbolic and numeric verdicts, shrunk counterexamples,
 * draws that respect declared properties, domain redraws, the report format and the
 * exit statuses.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse, check, formatReport } from '../src/index.js';
import type { AssertResult } from '../src/index.js';
import { main } from '../src/cli/main.js';
import { sampleVar, rng } from '../src/check/sample.js';
import { variable } from '../src/graph/build.js';
import { shape } from '../src/shape/shape.js';
import { dimSym } from '../src/shape/dim.js';
import { det } from '../src/eval/mat.js';

const DECLS = 'A: [n, n]; B: [n, n]; C: [n, n]; X: [n, n]; P: [n, m]; x: [n]; y: [n]\n';

function one(assert: string, decls = DECLS, trials = 20): AssertResult {
  return check(parse(decls + assert), { trials })[0]!;
}

describe('verdicts', () => {
  it('decides by simplification when both sides reach one node', () => {
    for (const a of [
      'assert (A·B)ᵀ = Bᵀ·Aᵀ',
      'assert grad(tr(A·X), X) = Aᵀ',
      'assert hess(xᵀ·A·x, x) = A + Aᵀ',
      'assert A ⊙ B = B ⊙ A',
    ])
      expect(one(a).verdict, a).toEqual({ status: 'holds', how: 'symbolic' });
  });

  it('falls back to random trials, and says how many', () => {
    expect(one('assert tr(A·B·C) = tr(C·A·B)').verdict).toEqual({ status: 'holds', how: 'symbolic' }); // cyclic trace rule
    const sizes = new Map([['n', [1, 5]]]);
    expect(one('assert det(A·B) = det(A)·det(B)').verdict).toEqual({
      status: 'holds',
      how: 'numeric',
      trials: 20,
      requested: 20,
      sizes,
    });
    expect(one('assert det(A·B) = det(A)·det(B)', DECLS, 7).verdict).toMatchObject({
      status: 'holds',
      how: 'numeric',
      trials: 7,
      requested: 7,
    });
  });

  it('catches a false identity and shrinks the counterexample to the smallest failing size', () => {
    const r = one('assert A·B = B·A');
    expect(r.verdict.status).toBe('fails');
    if (r.verdict.status !== 'fails') return;
    const c = r.verdict.counterexample;
    expect(c.dims).toEqual(new Map([['n', 2]])); // 1×1 matrices commute
    expect([...c.inputs.keys()]).toEqual(['A', 'B']);
    expect(c.inputs.get('A')!.data.every(Number.isInteger)).toBe(true); // integers preferred
  });

  it('shrinks each dimension independently', () => {
    // Fails exactly when m ≥ 2; n plays no part, so it shrinks to 1.
    const r = one('assert P·ones(m) = m·P·ones(m)');
    expect(r.verdict.status).toBe('fails');
    if (r.verdict.status === 'fails')
      expect(r.verdict.counterexample.dims).toEqual(
        new Map([
          ['n', 1],
          ['m', 2],
        ]),
      );
  });

  it('finds failures that only show at size 1 or at larger sizes', () => {
    expect(one('assert sum(x) = 2').verdict.status).toBe('fails');
    expect(one('assert tr(A) = det(A)').verdict.status).toBe('fails'); // equal at n = 1
  });

  it('is reproducible: the same seed gives the same report', () => {
    const m = parse(DECLS + 'assert tr(A·B·C) = tr(A·C·B)\nassert det(A + B) = det(A) + det(B)');
    expect(formatReport(check(m, { seed: 5 }))).toBe(formatReport(check(m, { seed: 5 })));
  });
});

describe('domains', () => {
  it('redraws values where a side is NaN or infinite', () => {
    // log needs x > 0: only some draws are inside the domain.
    const r = one('assert log(x ⊙ x) = 2·log(abs(x))');
    expect(r.verdict.status).toBe('holds');
    expect(one('assert exp(log(x)) = x + 0·x').verdict.status).toBe('holds');
  });

  it('treats a (nearly) singular matrix to invert as outside the domain, and n = 1 alone decides nothing', () => {
    // ones(n, n) is singular for n ≥ 2: only n = 1 draws are valid, where the identity holds.
    const r = one('assert inv(A + ones(n, n) − A) = ones(n, n)');
    expect(r.verdict.status).toBe('unchecked');
    expect(formatReport([r])).toContain(
      'could not be decided\n  only 0 of 20 trials were valid at sizes ≥ 2 (size 1 proves little: a 1×1 matrix is a scalar), and 5 are needed: every draw made A + ones(n, n) − A, a matrix to invert, singular (or nearly)',
    );
  });

  it('says so when no draw is inside the domain', () => {
    const r = one('assert log(−exp(x)) = x');
    expect(r.verdict.status).toBe('unchecked');
    expect(formatReport([r])).toMatch(
      /^line 2: assert log\(−exp\(x\)\) = x: could not be decided\n  no random draw was inside the domain of both sides \(400 tried\); every draw made a side NaN or infinite/,
    );
  });
});

describe('declared properties', () => {
  const n = dimSym('n');
  const dims = new Map([['n', 4]]);

  it('sym draws are symmetric, spd draws positive definite, pos draws positive', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), fc.constantFrom('real' as const, 'int' as const), (seed, kind) => {
        const r = rng(seed);
        const S = sampleVar(variable('S', shape(n, n), ['sym']), dims, r, kind);
        const K = sampleVar(variable('K', shape(n, n), ['spd']), dims, r, kind);
        const p = sampleVar(
          variable('p', shape(n, dimSym('m')), ['pos']),
          new Map([
            ['n', 3],
            ['m', 2],
          ]),
          r,
          kind,
        );
        for (let i = 0; i < 4; i++)
          for (let j = 0; j < 4; j++) {
            expect(S.data[i * 4 + j]).toBe(S.data[j * 4 + i]);
            expect(K.data[i * 4 + j]).toBeCloseTo(K.data[j * 4 + i]!, 12);
          }
        // Sylvester's criterion: every leading minor of an spd matrix is positive.
        for (let k = 1; k <= 4; k++) {
          const minor = {
            rows: k,
            cols: k,
            data: Float64Array.from({ length: k * k }, (_, t) => K.data[Math.floor(t / k) * 4 + (t % k)]!),
          };
          expect(det(minor)).toBeGreaterThan(0);
        }
        expect(p.data.every((v) => v > 0)).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('checks that use a property hold only because draws respect it', () => {
    const decls = 'S: [n, n] sym; K: [n, n] spd; M: [n, n]; x: [n]; y: [n]; p: [n] pos\n';
    expect(one('assert xᵀ·S·y = yᵀ·S·x', decls).verdict.status).toBe('holds');
    expect(one('assert xᵀ·M·y = yᵀ·M·x', decls).verdict.status).toBe('fails');
    expect(one('assert logdet(K) = log(det(K))', decls).verdict.status).toBe('holds');
    expect(one('assert xᵀ·K·x + 0·sum(x) = abs(xᵀ·K·x)', decls).verdict.status).toBe('holds');
    expect(one('assert abs(p) = p', decls).verdict.status).toBe('holds');
    expect(one('assert abs(x) = x', decls).verdict.status).toBe('fails');
  });
});

describe('the report', () => {
  it('prints one line per assert in file order, in the contract words', () => {
    const m = parse(
      DECLS +
        'assert (A·B)ᵀ = Bᵀ·Aᵀ\n\n# a comment\nassert det(A·B) = det(A)·det(B)   # multiplicative\nassert A·B = B·A',
    );
    const lines = formatReport(check(m)).split('\n');
    expect(lines[0]).toBe('line 2: assert (A·B)ᵀ = Bᵀ·Aᵀ: holds (symbolic)');
    expect(lines[1]).toMatch(
      /^line 5: assert det\(A·B\) = det\(A\)·det\(B\): holds \(numeric, 20 trials\), at n = 1…[2-5]$/,
    );
    expect(lines[2]).toBe('line 6: assert A·B = B·A: fails');
    expect(lines[3]).toBe('  counterexample (n = 2):');
    expect(lines[4]).toMatch(/^ {4}A = \[\[-?\d+, -?\d+\], \[-?\d+, -?\d+\]\]$/);
    expect(lines[5]).toMatch(/^ {4}B = \[\[/);
    expect(lines[6]).toMatch(/^ {2}left: {2}A·B = \[\[/);
    expect(lines[7]).toMatch(/^ {2}right: B·A = \[\[/);
  });

  it('writes values as in the data JSON: a number, a flat vector (even of size 1), rows', () => {
    const out = formatReport(check(parse('x: [n]; s: []\nassert sum(x)·s = 1 + sum(x)·s')));
    expect(out).toMatch(/\n {4}x = \[-?[\d.]+\]\n {4}s = -?[\d.]+\n/);
    expect(out).toContain('  left:  sum(x)·s = ');
  });

  it('writes both sides when there are no inputs', () => {
    expect(formatReport(check(parse('assert 1 + 1 = 3')))).toBe(
      'line 1: assert 1 + 1 = 3: fails\n  left:  1 + 1 = 2\n  right: 3 = 3',
    );
  });
});

describe('matdiff check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'matdiff-check-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;
  const run = (src: string, ...flags: string[]) => {
    const file = join(dir, `model${count++}.mdf`);
    writeFileSync(file, src);
    return main(['check', file, ...flags]);
  };

  it('exits 0 when every assert holds, 1 when one fails', async () => {
    expect((await run(DECLS + 'assert tr(A·B) = tr(B·A)')).code).toBe(0);
    const r = await run(DECLS + 'assert tr(A·B) = tr(B·A)\nassert A·B = B·A');
    expect(r.code).toBe(1);
    expect(r.out).toContain('line 3: assert A·B = B·A: fails');
    expect(r.err).toBe('');
  });

  it('notes a file without asserts and exits 0', async () => {
    const r = await run(DECLS + 'L = tr(A)');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no 'assert LHS = RHS' lines to check$/);
  });

  it('takes --trials', async () => {
    expect((await run(DECLS + 'assert det(A·B) = det(A)·det(B)', '--trials', '5')).out).toContain(
      'holds (numeric, 5 trials)',
    );
    const bad = await run(DECLS + 'assert A = A', '--trials', 'many');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--trials takes a positive integer');
  });

  it('reports sides of different shapes as a located error naming both shapes', async () => {
    const r = await run('A: [n, n]; x: [n]\nassert A·x = A');
    expect(r.code).toBe(1);
    expect(r.err).toContain(':2:1: error[E010]: the sides of the assert differ in shape: [n] and [n,n]');
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });
});
