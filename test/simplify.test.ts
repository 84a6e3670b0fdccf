/**
 * The simplifier's output as a reader sees it: `matdiff grad` of the example models,
 * pinned as exact text; every printed gradient re-parses (ASCII, `where` lines as
 * definitions) and evaluates to the same numbers; a printed gradient re-parses to the
 * identical node; and no expression swell — the gradient of a chain of L dense layers
 * has a size linear in L.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, grads, printExpr, evaluate } from '../src/index.js';
import { topoOrder } from '../src/graph/node.js';
import { isScalar } from '../src/shape/shape.js';
import { main } from '../src/cli/main.js';
import { SCALAR, arbExpr, randomEnv, relErr, reparse, runs, unsafePoint, varsOf } from './gen.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const DIMS = new Map(['n', 'm', 'k', 'h', 'B', 'd', 'p'].map((d, i) => [d, 2 + (i % 3)] as [string, number]));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'matdiff-simplify-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gradText(source: string, ...flags: string[]): Promise<string> {
  const path = join(dir, `m${Math.random().toString(36).slice(2)}.mdf`);
  writeFileSync(path, source);
  const r = await main(['grad', path, ...flags]);
  if (r.code !== 0) throw new Error(r.err);
  return r.out;
}

const MLP = `X: [n, B]; Y: [k, B]
W1: [h, n]; b1: [h]; W2: [k, h]; b2: [k]
H = relu(W1·X + b1)
P = softmax(W2·H + b2)
L = -sum(Y ⊙ log(P)) / B`;

// [what, model, the exact output of `matdiff grad`]
const PINNED: [string, string, string][] = [
  [
    'two-layer network (examples/mlp.mdf)',
    MLP,
    `∂L/∂X = W1ᵀ·G2 / B
∂L/∂Y = −log(P) / B
∂L/∂W1 = G2·Xᵀ / B
∂L/∂b1 = G2·ones(B) / B
∂L/∂W2 = G·Hᵀ / B
∂L/∂b2 = G·ones(B) / B
  where G = P ⊙ (ones(k)ᵀ·Y) − Y
  where G2 = W2ᵀ·G ⊙ step(W1·X + b1)`,
  ],
  [
    'dense layer with squared error',
    'X: [n, B]; Y: [k, B]; W: [k, n]; b: [k]\nZ = W·X + b\nA = σ(Z)\nL = sum((A − Y).^2) / B',
    `∂L/∂X = 2·Wᵀ·G / B
∂L/∂Y = −2·(A − Y) / B
∂L/∂W = 2·G·Xᵀ / B
∂L/∂b = 2·G·ones(B) / B
  where G = (A − Y) ⊙ A ⊙ (1 − A)`,
  ],
  [
    'logistic regression',
    'X: [n, d]; y: [n]; w: [d]\nz = X·w\nL = sum(softplus(z) − y ⊙ z)',
    `∂L/∂X = G·wᵀ
∂L/∂y = −z
∂L/∂w = Xᵀ·G
  where G = σ(z) − y`,
  ],
  [
    'softmax regression',
    'X: [n, B]; Y: [k, B]; W: [k, n]; b: [k]\nZ = W·X + b\nL = (sum(logsumexp(Z)) − sum(Y ⊙ Z)) / B',
    `∂L/∂X = Wᵀ·G / B
∂L/∂Y = −Z / B
∂L/∂W = G·Xᵀ / B
∂L/∂b = G·ones(B) / B
  where G = softmax(Z) − Y`,
  ],
  ['least squares', 'A: [m, n]; b: [m]; x: [n]\nr = A·x − b\nL = rᵀ·r', '∂L/∂A = 2·r·xᵀ\n∂L/∂b = −2·r\n∂L/∂x = 2·Aᵀ·r'],
  [
    'ridge regression',
    'X: [m, n]; y: [m]; w: [n]; λ: []\nL = ‖X·w − y‖² + λ·‖w‖²',
    '∂L/∂X = 2·(X·w − y)·wᵀ\n∂L/∂y = −2·(X·w − y)\n∂L/∂w = 2·(λ·w + Xᵀ·(X·w − y))\n∂L/∂λ = ‖w‖²',
  ],
  [
    'Gaussian negative log-likelihood',
    'x: [n]; μ: [n]; Σ: [n, n] spd\nr = x − μ\nL = (logdet(Σ) + rᵀ·inv(Σ)·r) / 2',
    '∂L/∂x = Σ⁻¹·r\n∂L/∂μ = −Σ⁻¹·r\n∂L/∂Σ = 0.5·(Σ⁻¹ − Σ⁻¹·r·rᵀ·Σ⁻¹)',
  ],
  ['trace of a product', 'A: [n, m]; X: [m, n]\nL = tr(A·X)', '∂L/∂A = Xᵀ\n∂L/∂X = Aᵀ'],
  ['log-determinant', 'X: [n, n]\nL = logdet(X)', '∂L/∂X = X⁻ᵀ'],
  // A subexpression that the model defines prints by its name: here L itself.
  ['norm', 'x: [n]; a: [n]\nL = ‖x − a‖', '∂L/∂x = (x − a) / L\n∂L/∂a = −(x − a) / L'],
  ['norm of a defined difference', 'x: [n]; a: [n]\nd = x − a\nL = ‖d‖²', '∂L/∂x = 2·d\n∂L/∂a = −2·d'],
  ['a zero gradient prints as zeros(m, n)', 'A: [m, n]; x: [n]\nL = sum(x)', '∂L/∂A = zeros(m, n)'],
];

describe('matdiff grad prints readable gradients', () => {
  for (const [what, source, expected] of PINNED)
    it(what, async () =>
      expect(await gradText(source, ...(what.startsWith('a zero') ? ['--wrt', 'A'] : []))).toBe(expected),
    );

  it('examples/mlp.mdf, as the brief pins it: ∂L/∂W2 = G·Hᵀ / B where G = P ⊙ (ones(k)ᵀ·Y) − Y', async () => {
    const r = await main(['grad', join(EXAMPLES, 'mlp.mdf'), '--wrt', 'W2']);
    expect(r.out).toBe('∂L/∂W2 = (P ⊙ (ones(k)ᵀ·Y) − Y)·Hᵀ / B');
    const all = await main(['grad', join(EXAMPLES, 'mlp.mdf')]);
    expect(all.out).toContain('∂L/∂W2 = G·Hᵀ / B');
    expect(all.out).toContain('  where G = P ⊙ (ones(k)ᵀ·Y) − Y');
  });

  it('ASCII and LaTeX of the network', async () => {
    expect(await gradText(MLP, '--format', 'ascii')).toBe(`dL/dX = W1'*G2 / B
dL/dY = -log(P) / B
dL/dW1 = G2*X' / B
dL/db1 = G2*ones(B) / B
dL/dW2 = G*H' / B
dL/db2 = G*ones(B) / B
  where G = P .* (ones(k)'*Y) - Y
  where G2 = W2'*G .* step(W1*X + b1)`);
    const latex = await gradText(MLP, '--format', 'latex', '--wrt', 'W2');
    expect(latex).toMatch(/^\\frac\{\\partial L\}\{\\partial \\mathbf\{W\}_\{2\}\} = /);
  });
});

/** Model text plus the ASCII gradient lines as definitions: `where` lines first, `dL/dW = e` as `dL_dW = e`. */
function withGradients(source: string, ascii: string): string {
  const lines = ascii.split('\n');
  const where = lines.filter((l) => l.startsWith('  where '));
  const results = lines
    .filter((l) => !l.startsWith('  where '))
    .map((l) => l.replace(/^d(\w+)\/d(\S+) = /, 'd$1_d$2 = '));
  return [source, ...where.map((l) => l.trim()), ...results].join('\n');
}

describe('printed gradients re-parse and evaluate to the same numbers', () => {
  const sources: [string, string][] = [
    ...PINNED.map(([what, source]) => [what, source] as [string, string]),
    ...readdirSync(EXAMPLES)
      .filter((f) => f.endsWith('.mdf'))
      .map((f) => [`examples/${f}`, readFileSync(join(EXAMPLES, f), 'utf8')] as [string, string]),
  ];
  for (const [what, source] of sources)
    it(what, async () => {
      const model = parse(source, 'model.mdf');
      const out = model.output && model.defs.get(model.output)!.node;
      if (!out || !isScalar(out.shape)) return; // nothing to differentiate (identities, vector outputs)
      const vars = [...model.vars.values()].filter((v) => topoOrder([out]).includes(v.node));
      const ascii = await gradText(source, '--format', 'ascii');
      const again = parse(withGradients(source, ascii), 'again.mdf');
      const expected = grads(
        out,
        vars.map((v) => v.node),
      );
      let checked = 0;
      for (let seed = 1; checked < 2 && seed < 40; seed++) {
        const env = randomEnv(
          seed,
          [...model.vars.values()].map((v) => v.node),
          DIMS,
        );
        if (unsafePoint([out], env)) continue;
        const printed = vars.map((v) => again.defs.get(`d${model.output}_d${v.name}`)!.node);
        const [a, b] = [evaluate(printed, env), evaluate(expected, env)];
        vars.forEach((v, i) => expect(relErr(a[i]!, b[i]!), `∂${model.output}/∂${v.name}`).toBeLessThan(1e-12));
        checked++;
      }
      expect(checked).toBe(2);
    });

  it('a printed gradient re-parses to the identical node, on random formulas', () => {
    fc.assert(
      fc.property(arbExpr({ target: SCALAR, maxDepth: 4 }), ({ node: f }) => {
        const xs = varsOf(f);
        grads(f, xs).forEach((g, i) => {
          for (const fmt of ['ascii', 'unicode'] as const) {
            const text = printExpr(g, fmt);
            const back = reparse(text);
            if (back !== g) throw new Error(`∂f/∂${xs[i]!.name} = ${text}\n  re-parsed as ${printExpr(back, fmt)}`);
          }
        });
      }),
      runs(100),
    );
  });
});

describe('no expression swell', () => {
  /** H1 = tanh(W1·X), …, HL = tanh(WL·H(L−1)), L = sum(HL ⊙ HL). */
  const chain = (layers: number): string =>
    [
      'X: [n, B]',
      ...Array.from({ length: layers }, (_, i) => `W${i + 1}: [n, n]`),
      'H1 = tanh(W1·X)',
      ...Array.from({ length: layers - 1 }, (_, i) => `H${i + 2} = tanh(W${i + 2}·H${i + 1})`),
      `L = sum(H${layers} ⊙ H${layers})`,
    ].join('\n');

  /** Nodes of all gradients that are not forward nodes, per forward node. */
  function swell(layers: number): number {
    const model = parse(chain(layers), 'chain.mdf');
    const out = model.defs.get('L')!.node;
    const ws = Array.from({ length: layers }, (_, i) => model.vars.get(`W${i + 1}`)!.node);
    const forward = new Set(topoOrder([out]));
    const backward = topoOrder(grads(out, ws)).filter((x) => !forward.has(x));
    return backward.length / forward.size;
  }

  it('the gradient of a chain of dense layers is a few times the forward pass, at L = 2 as at L = 100', () => {
    const [small, large] = [swell(2), swell(100)];
    expect(small).toBeLessThanOrEqual(4);
    expect(large).toBeLessThanOrEqual(4);
  });

  it('the printed gradient of 100 layers has one line per variable and one per shared factor', async () => {
    const out = await gradText(chain(100));
    const lines = out.split('\n');
    expect(lines.filter((l) => l.startsWith('∂L/∂'))).toHaveLength(101);
    expect(lines.filter((l) => l.startsWith('  where '))).toHaveLength(100);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(60);
    expect(lines[0]).toBe('∂L/∂X = 2·W1ᵀ·G100');
    expect(lines.at(-1)).toBe('  where G100 = W2ᵀ·G99 ⊙ (1 − H1.^2)');
  });
});
