/**
 * The examples of examples/, each run by the command its header names (in-process),
 * checked for its key output lines and numbers. Printed gradients are also checked for
 * what they claim: the ASCII output, pasted back under the model, equals grad(L, W)
 * (`check` decides it, symbolically or on random draws).
 */
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { main } from '../src/cli/main.js';
import { parse, check, formatReport } from '../src/index.js';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return main(argv);
}

async function lines(...argv: string[]): Promise<string[]> {
  const r = await run(...argv);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out.split('\n');
}

/** The derivative `matdiff <kind>` prints for each of `wrt` equals kind(L, w): pasted back and checked. */
async function printedDerivativesHold(file: string, kind: 'grad' | 'hess', wrt: string[], output = 'L'): Promise<void> {
  const out = await lines(kind, file, '--wrt', wrt.join(','), '--format', 'ascii');
  const results = out.filter((l) => !l.startsWith('  where '));
  const where = out.filter((l) => l.startsWith('  where ')).map((l) => l.slice('  where '.length));
  expect(results.length).toBe(wrt.length);
  const asserts = results.map((l, i) => `assert ${l.slice(l.indexOf('=') + 1).trim()} = ${kind}(${output}, ${wrt[i]})`);
  const source = [readFileSync(file, 'utf8'), ...where, ...asserts].join('\n');
  const report = check(parse(source, file), { trials: 5 });
  expect(
    report.every((r) => r.verdict.status === 'holds'),
    formatReport(report),
  ).toBe(true);
}

describe('examples/dense.mdf', () => {
  it('matdiff grad examples/dense.mdf --wrt W,b', async () => {
    const [dW, db, ...where] = await lines('grad', 'examples/dense.mdf', '--wrt', 'W,b');
    // The bias gradient sums the batch columns: the broadcast of b undone.
    expect(dW).toMatch(/^∂L\/∂W = 2·G·Xᵀ \/ B$/);
    expect(db).toMatch(/^∂L\/∂b = 2·G·ones\(B\) \/ B$/);
    expect(where).toHaveLength(1);
    expect(where[0]).toMatch(/^ {2}where G = \(A − Y\) ⊙ /);
    await printedDerivativesHold('examples/dense.mdf', 'grad', ['W', 'b']);
  });
});

describe('examples/sigmoid-chain', () => {
  it('matdiff grad examples/sigmoid-chain.mdf --wrt w1,w2,w3 shows the δ recursion on its where lines', async () => {
    const out = await lines('grad', 'examples/sigmoid-chain.mdf', '--wrt', 'w1,w2,w3');
    expect(out.slice(0, 3)).toEqual(['∂L/∂w1 = G3·x', '∂L/∂w2 = G2·a2', '∂L/∂w3 = G·a3']);
    // δ⁽⁴⁾ = a4 − y, then δ⁽ˡ⁾ = δ⁽ˡ⁺¹⁾·w⁽ˡ⁾·σ′(z⁽ˡ⁾) with σ′(z⁽ˡ⁾) written through aₗ.
    expect(out[3]).toMatch(/^ {2}where G = /);
    expect(out[4]).toMatch(/^ {2}where G2 = G·w3·(a3·\(1 − a3\)|\(a3 − a3²\))$/);
    expect(out[5]).toMatch(/^ {2}where G3 = G2·w2·(a2·\(1 − a2\)|\(a2 − a2²\))$/);
    expect(out).toHaveLength(6);
    await printedDerivativesHold('examples/sigmoid-chain.mdf', 'grad', ['w1', 'w2', 'w3']);
  });

  it('npx tsx examples/sigmoid-chain.ts prints the values and gradients on sigmoid-chain.json', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void printed.push(a.join(' ')));
    try {
      await import('../examples/sigmoid-chain.js');
    } finally {
      spy.mockRestore();
    }
    const text = printed.join('\n');
    expect(text).toContain('data: x = 1.5, y = 1, w1 = 0.01, w2 = 0.1, w3 = -0.3');
    // a2 = σ(0.015), a3 = σ(0.1·a2), a4 = σ(−0.3·a3), L = −log(a4) since y = 1.
    const a2 = 1 / (1 + Math.exp(-0.015));
    const a3 = 1 / (1 + Math.exp(-0.1 * a2));
    const a4 = 1 / (1 + Math.exp(0.3 * a3));
    const d4 = a4 - 1;
    const d3 = d4 * -0.3 * a3 * (1 - a3);
    const d2 = d3 * 0.1 * a2 * (1 - a2);
    const expected: [string, number][] = [
      ['a2', a2],
      ['a3', a3],
      ['a4', a4],
      ['L', -Math.log(a4)],
      ['∂L/∂w1', d2 * 1.5],
      ['∂L/∂w2', d3 * a2],
      ['∂L/∂w3', d4 * a3],
    ];
    for (const [name, v] of expected) {
      const m = new RegExp(`^${name.replace(/\//g, '\\/')}\\s*=\\s*(\\S+)`, 'm').exec(text);
      expect(m, name).not.toBeNull();
      expect(Number(m![1])).toBeCloseTo(v, 7);
    }
    expect(text).toMatch(/∂L\/∂w1 = {3}0\.00151312 {3}\(finite difference 0\.00151312\)/);
    expect(text).toMatch(/∂L\/∂w3 = {2}-0\.27596302 {3}\(finite difference -0\.27596302\)/);
  });
});

describe('examples/least-squares.mdf and examples/ridge.mdf', () => {
  it('matdiff grad examples/least-squares.mdf --wrt x', async () => {
    expect(await lines('grad', 'examples/least-squares.mdf', '--wrt', 'x')).toEqual(['∂L/∂x = 2·Aᵀ·r']);
    expect(await lines('hess', 'examples/least-squares.mdf', '--wrt', 'x')).toEqual(['∂²L/∂x² = 2·Aᵀ·A']);
    await printedDerivativesHold('examples/least-squares.mdf', 'grad', ['x', 'A', 'b']);
  });

  it('matdiff grad examples/ridge.mdf --wrt w,λ', async () => {
    const [dw, dl] = await lines('grad', 'examples/ridge.mdf', '--wrt', 'w,λ');
    expect(dw).toMatch(/^∂L\/∂w = /);
    expect(dw).toContain('λ·w');
    expect(dl).toBe('∂L/∂λ = ‖w‖²');
    await printedDerivativesHold('examples/ridge.mdf', 'grad', ['w', 'λ']);
    await printedDerivativesHold('examples/ridge.mdf', 'hess', ['w']);
  });
});

describe('examples/logistic.mdf', () => {
  it('matdiff grad and hess examples/logistic.mdf --wrt w', async () => {
    expect(await lines('grad', 'examples/logistic.mdf', '--wrt', 'w')).toEqual(['∂L/∂w = Xᵀ·(σ(z) − y)']);
    const [h] = await lines('hess', 'examples/logistic.mdf', '--wrt', 'w');
    expect(h).toMatch(/^∂²L\/∂w² = Xᵀ·diag\(.*σ\(z\).*\)·X$/);
    await printedDerivativesHold('examples/logistic.mdf', 'grad', ['w']);
    await printedDerivativesHold('examples/logistic.mdf', 'hess', ['w']);
  });
});

describe('examples/softmax-regression.mdf', () => {
  it('matdiff grad examples/softmax-regression.mdf --wrt W,b', async () => {
    expect(await lines('grad', 'examples/softmax-regression.mdf', '--wrt', 'W,b')).toEqual([
      '∂L/∂W = G·Xᵀ / B',
      '∂L/∂b = G·ones(B) / B',
      '  where G = softmax(Z) − Y',
    ]);
    await printedDerivativesHold('examples/softmax-regression.mdf', 'grad', ['W', 'b']);
  });
});

describe('examples/gaussian-nll.mdf', () => {
  it('matdiff grad examples/gaussian-nll.mdf --wrt μ,Σ', async () => {
    const [dmu, dS] = await lines('grad', 'examples/gaussian-nll.mdf', '--wrt', 'μ,Σ');
    expect(dmu).toBe('∂L/∂μ = −Σ⁻¹·r');
    expect(dS).toMatch(/^∂L\/∂Σ = 0\.5·\(Σ⁻¹ − Σ⁻¹·\(?r·rᵀ\)?·Σ⁻¹\)$/);
    expect(await lines('hess', 'examples/gaussian-nll.mdf', '--wrt', 'μ')).toEqual(['∂²L/∂μ² = Σ⁻¹']);
    await printedDerivativesHold('examples/gaussian-nll.mdf', 'grad', ['μ', 'Σ', 'x']);
  });
});

describe('examples/mlp.mdf', () => {
  it('matdiff grad examples/mlp.mdf and matdiff graph examples/mlp.mdf --wrt W1,b1,W2,b2', async () => {
    const out = await lines('grad', 'examples/mlp.mdf', '--wrt', 'W1,b1,W2,b2');
    expect(out[0]).toBe('∂L/∂W1 = G2·Xᵀ / B');
    await printedDerivativesHold('examples/mlp.mdf', 'grad', ['W1', 'b1', 'W2', 'b2']);
    const graph = await lines('graph', 'examples/mlp.mdf', '--wrt', 'W1,b1,W2,b2');
    expect(graph).toContain('    n9("H = relu(W1·X + b1)")');
    expect(graph).toContain('  subgraph backward ["backward pass"]');
  });
});

describe('examples/identities.mdf', () => {
  it('matdiff check examples/identities.mdf: every identity holds', async () => {
    const r = await run('check', 'examples/identities.mdf');
    expect(r.err).toBe('');
    const out = r.out.split('\n');
    expect(out.pop()).toBe(`${out.length} hold, 0 fail`);
    expect(out.length).toBeGreaterThanOrEqual(30);
    for (const l of out)
      expect(l).toMatch(/^line \d+: assert .*: holds \((symbolic\)|numeric, 20 trials\), at \w+ = 1…5(, \w+ = 1…5)*)$/);
    expect(out.filter((l) => l.endsWith('(symbolic)')).length).toBeGreaterThanOrEqual(10);
    expect(out).toContain('line 18: assert tr(A·B) = tr(B·A): holds (symbolic)');
    expect(out).toContain('line 70: assert grad(tr(A·X), X) = Aᵀ: holds (symbolic)');
    expect(r.code).toBe(0);
  });
});

describe('examples/false-identities.mdf', () => {
  it('matdiff check examples/false-identities.mdf: every one fails, with a counterexample, and the exit status is 1', async () => {
    const r = await run('check', 'examples/false-identities.mdf');
    expect(r.code).toBe(1);
    const heads = r.out.split('\n').filter((l) => l.startsWith('line '));
    const asserts = readFileSync('examples/false-identities.mdf', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('assert'));
    expect(heads).toHaveLength(asserts.length);
    for (const h of heads) expect(h).toMatch(/: fails$/);
    expect(r.out).toContain(['line 11: assert (A·B)ᵀ = Aᵀ·Bᵀ: fails', '  counterexample (n = 2):'].join('\n'));
    // Shrunk: none of these needs more than 2×2.
    for (const m of r.out.matchAll(/counterexample \(n = (\d+)\)/g)) expect(Number(m[1])).toBeLessThanOrEqual(2);
  });
});

describe('every example', () => {
  it('is a valid model (matdiff print)', async () => {
    for (const f of [
      'dense',
      'sigmoid-chain',
      'least-squares',
      'ridge',
      'logistic',
      'softmax-regression',
      'gaussian-nll',
      'identities',
      'false-identities',
      'mlp',
    ])
      expect((await run('print', `examples/${f}.mdf`)).code, f).toBe(0);
  });
});
