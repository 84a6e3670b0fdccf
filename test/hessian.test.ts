/**
 * Second derivatives and Jacobians: closed forms of quadratic forms, least squares and
 * logistic regression; Jacobians of linear and elementwise maps; Hessians and Jacobians
 * of random formulas against finite differences; the two-layer network of
 * examples/mlp.mdf (a bias broadcast over a batch) checked variable by variable; and the
 * `matdiff hess` / `matdiff jac` output lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, grad, grads, hess, jac, simplify, printExpr, evaluate } from '../src/index.js';
import { ShapeError, type Node } from '../src/graph/node.js';
import { isColumn, shape } from '../src/shape/shape.js';
import { ONE } from '../src/shape/dim.js';
import type { Mat } from '../src/eval/mat.js';
import { mat } from '../src/eval/mat.js';
import { main } from '../src/cli/main.js';
import {
  type Env,
  FUZZ_RUNS,
  SCALAR,
  arbExpr,
  fdGradient,
  maxAbs,
  n as dimN,
  perturbed,
  randomEnv,
  relErr,
  runs,
  unsafePoint,
  value,
  varsOf,
} from './gen.js';

const DIMS = new Map([
  ['m', 5],
  ['n', 3],
  ['d', 3],
  ['k', 3],
  ['h', 4],
  ['B', 4],
]);

function model(source: string) {
  const md = parse(source, 'h.mdf');
  const node = (name: string): Node => (md.defs.get(name) ?? md.vars.get(name))!.node;
  const env = (seed: number) =>
    randomEnv(
      seed,
      [...md.vars.values()].map((v) => v.node),
      DIMS,
    );
  return { md, node, env };
}

/** Finite differences of vector F [r] in vector x [c]: the Jacobian [r, c]. */
function fdJacobian(F: Node, x: string, env: Env, h = 1e-5): Mat {
  const x0 = env.vars.get(x)!;
  const f0 = value(F, env);
  const J = mat(f0.data.length, x0.data.length);
  for (let j = 0; j < x0.data.length; j++) {
    const step = h * Math.max(1, Math.abs(x0.data[j]!));
    const up = value(F, perturbed(env, x, j, step));
    const down = value(F, perturbed(env, x, j, -step));
    for (let i = 0; i < f0.data.length; i++)
      J.data[i * x0.data.length + j] = (up.data[i]! - down.data[i]!) / (2 * step);
  }
  return J;
}

const transposeMat = (a: Mat): Mat => {
  const out = mat(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j]!;
  return out;
};

describe('Hessians in closed form', () => {
  it('xᵀAx → A + Aᵀ', () => {
    const { node } = model('A: [n, n]; x: [n]\nf = xᵀ·A·x\nC = A + Aᵀ');
    expect(hess(node('f'), node('x'))).toBe(simplify(node('C')));
    expect(printExpr(hess(node('f'), node('x')), 'unicode')).toBe('A + Aᵀ');
  });

  it('xᵀSx with S symmetric → 2·S', () => {
    const { node } = model('S: [n, n] sym; x: [n]\nf = xᵀ·S·x');
    expect(printExpr(hess(node('f'), node('x')), 'unicode')).toBe('2·S');
  });

  it('½xᵀKx − bᵀx with K spd → K', () => {
    const { node } = model('K: [n, n] spd; b: [n]; x: [n]\nf = xᵀ·K·x / 2 - bᵀ·x');
    expect(hess(node('f'), node('x'))).toBe(node('K'));
  });

  it('‖Ax − b‖² → 2·AᵀA', () => {
    const { node, env } = model('A: [m, n]; b: [m]; x: [n]\nL = ‖A·x - b‖²\nC = 2·Aᵀ·A');
    const H = hess(node('L'), node('x'));
    expect(printExpr(H, 'unicode')).toBe('2·Aᵀ·A');
    expect(H).toBe(simplify(node('C')));
    const [h, c] = evaluate([H, node('C')], env(1));
    expect(relErr(h!, c!)).toBeLessThan(1e-12);
  });

  it('the Hessian of a Gaussian negative log-likelihood in μ is Σ⁻¹', () => {
    const { node } = model('x: [n]; μ: [n]; Σ: [n, n] spd\nr = x - μ\nL = (logdet(Σ) + rᵀ·inv(Σ)·r) / 2');
    expect(printExpr(hess(node('L'), node('μ')), 'unicode')).toBe('Σ⁻¹');
  });

  it('logistic regression: Xᵀ·diag(σ ⊙ (1 − σ))·X, numerically and as printed', () => {
    const { node, env } = model(
      'X: [m, d]; y: [m]; w: [d]\nz = X·w\nL = sum(softplus(z) - y ⊙ z)\nS = σ(z)\nC = Xᵀ·diag(S ⊙ (1 - S))·X',
    );
    const H = hess(node('L'), node('w'));
    expect(printExpr(H, 'unicode')).toBe('Xᵀ·diag(σ(X·w) ⊙ (1 − σ(X·w)))·X');
    for (const seed of [1, 2, 3]) {
      const [h, c] = evaluate([H, node('C')], env(seed));
      expect(relErr(h!, c!)).toBeLessThan(1e-12);
    }
  });

  it('logistic regression with ±1 labels: sum(softplus(−y ⊙ (X·w))) against Xᵀ·diag(σ ⊙ (1 − σ))·X', () => {
    const { node, env } = model(
      'X: [m, d]; y: [m]; w: [d]\nL = sum(softplus(-y ⊙ (X·w)))\nS = σ(-y ⊙ (X·w))\nC = Xᵀ·diag(S ⊙ (1 - S))·X',
    );
    const H = hess(node('L'), node('w'));
    for (const seed of [1, 2, 3]) {
      const e = env(seed);
      const y = e.vars.get('y')!;
      e.vars.set(
        'y',
        mat(
          y.rows,
          1,
          y.data.map((v) => (v > 0 ? 1 : -1)),
        ),
      );
      const [h, c] = evaluate([H, node('C')], e);
      expect(relErr(h!, c!)).toBeLessThan(1e-12);
    }
  });

  it('is symmetric, and agrees with finite differences of the gradient, on an MLP-like scalar', () => {
    const { node, env } = model('W: [h, n]; v: [h]; x: [n]\nL = vᵀ·tanh(W·x) + ‖x‖² / 2');
    const H = hess(node('L'), node('x'));
    const g = grad(node('L'), node('x'));
    const e = env(4);
    const h = value(H, e);
    expect(relErr(h, transposeMat(h))).toBeLessThan(1e-12);
    expect(relErr(h, fdJacobian(g, 'x', e))).toBeLessThan(1e-7);
  });

  it('with respect to a scalar is 1×1', () => {
    const { node, env } = model('s: []; x: [n]\nL = sum(exp(s·x))');
    const H = hess(node('L'), node('s'));
    expect(H.shape).toEqual(SCALAR);
    const e = env(5);
    const x = e.vars.get('x')!.data;
    const s = e.vars.get('s')!.data[0]!;
    expect(value(H, e).data[0]).toBeCloseTo(
      x.reduce((acc, xi) => acc + xi * xi * Math.exp(s * xi), 0),
      10,
    );
  });
});

describe('Jacobians', () => {
  it('jac(A·x, x) = A', () => {
    const { node } = model('A: [m, n]; x: [n]\nF = A·x');
    expect(jac(node('F'), node('x'))).toBe(node('A'));
  });

  it('jac(x, x) = I, jac(Aᵀ·y + B·x, x) = B', () => {
    const { node } = model('A: [m, n]; B: [n, n]; x: [n]; y: [m]\nF = Aᵀ·y + B·x');
    expect(printExpr(jac(node('x'), node('x')), 'unicode')).toBe('I(n)');
    expect(jac(node('F'), node('x'))).toBe(node('B'));
  });

  it('jac(σ(W·x), x) = diag(σ′)·W, numerically and as printed', () => {
    const { node, env } = model('W: [m, n]; x: [n]\nF = σ(W·x)\nC = diag(F ⊙ (1 - F))·W');
    const J = jac(node('F'), node('x'));
    expect(printExpr(J, 'unicode')).toBe('diag(σ(W·x) ⊙ (1 − σ(W·x)))·W');
    for (const seed of [1, 2]) {
      const e = env(seed);
      const [j, c] = evaluate([J, node('C')], e);
      expect(relErr(j!, c!)).toBeLessThan(1e-12);
      expect(relErr(j!, fdJacobian(node('F'), 'x', e))).toBeLessThan(1e-7);
    }
  });

  it('jac(softmax(x), x) = diag(p) − p·pᵀ', () => {
    const { node, env } = model('x: [n]\nP = softmax(x)\nC = diag(P) - P·Pᵀ');
    const J = jac(node('P'), node('x'));
    const e = env(3);
    const [j, c] = evaluate([J, node('C')], e);
    expect(relErr(j!, c!)).toBeLessThan(1e-12);
  });

  it('of vector formulas equals finite differences', () => {
    let notMatrix = 0;
    let checked = 0;
    fc.assert(
      fc.property(
        arbExpr({ target: shape(dimN, ONE), safe: true, smooth: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: F }, seed) => {
          const xs = varsOf(F).filter((x) => isColumn(x.shape));
          fc.pre(xs.length > 0);
          const env = randomEnv(seed);
          fc.pre(unsafePoint([F], env) === undefined);
          for (const x of xs) {
            let J: Node;
            try {
              J = jac(F, x);
            } catch (e) {
              if (!(e instanceof ShapeError)) throw e;
              notMatrix++; // "cannot be written in matrix notation": a documented limitation
              continue;
            }
            const j = value(J, env);
            const fd = fdJacobian(F, x.name!, env);
            const scale = 1 + maxAbs(fd) + maxAbs(value(F, env)); // rounding in fd grows with |F|
            const err = relErr(j, fd, 1e-3 * scale); // so at least 1e-8·scale absolute
            if (!(err < 1e-5))
              throw new Error(
                `∂F/∂${x.name}: relative error ${err}\n  F = ${printExpr(F, 'unicode')}\n  J = ${printExpr(J, 'unicode')}`,
              );
            checked++;
          }
        },
      ),
      runs(100, 11),
    );
    expect(notMatrix).toBeLessThan((FUZZ_RUNS || 100) / 5);
    expect(checked).toBeGreaterThanOrEqual(100);
  });
});

describe('Hessians of random formulas', () => {
  it('equal finite differences of the gradient, and are symmetric', () => {
    let notMatrix = 0;
    let checked = 0;
    fc.assert(
      fc.property(
        arbExpr({ target: SCALAR, safe: true, smooth: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: f }, seed) => {
          const xs = varsOf(f).filter((x) => isColumn(x.shape));
          fc.pre(xs.length > 0);
          const env = randomEnv(seed);
          fc.pre(unsafePoint([f], env) === undefined);
          for (const x of xs) {
            let H: Node;
            try {
              H = hess(f, x);
            } catch (e) {
              if (!(e instanceof ShapeError)) throw e;
              notMatrix++;
              continue;
            }
            const g = grad(f, x);
            fc.pre(unsafePoint([g, H], env) === undefined);
            const h = value(H, env);
            const fd = fdJacobian(g, x.name!, env);
            const scale = 1 + maxAbs(fd) + maxAbs(value(g, env));
            const err = relErr(h, fd, 1e-3 * scale);
            if (!(err < 1e-5))
              throw new Error(
                `∂²f/∂${x.name}²: relative error ${err}\n  f = ${printExpr(f, 'unicode')}\n  H = ${printExpr(H, 'unicode')}`,
              );
            expect(relErr(h, transposeMat(h), scale)).toBeLessThan(1e-9);
            checked++;
          }
        },
      ),
      runs(100, 5),
    );
    expect(notMatrix).toBeLessThan((FUZZ_RUNS || 100) / 5);
    expect(checked).toBeGreaterThanOrEqual(100);
  });
});

describe('examples/mlp.mdf: two layers, a bias broadcast over the batch', () => {
  const source = readFileSync(join(import.meta.dirname, '..', 'examples', 'mlp.mdf'), 'utf8');

  it('the gradient of every variable equals finite differences', () => {
    const md = parse(source, 'mlp.mdf');
    const L = md.defs.get('L')!.node;
    const xs = [...md.vars.values()].map((v) => v.node);
    const gs = grads(L, xs);
    let checked = 0;
    for (let seed = 1; checked < 3 && seed < 50; seed++) {
      const env = randomEnv(seed, xs, DIMS);
      if (unsafePoint([L], env)) continue; // a relu too close to its kink
      const values = evaluate(gs, env);
      const scale = 1 + Math.max(...values.map(maxAbs));
      xs.forEach((x, i) => {
        const fd = fdGradient(L, x.name!, env);
        expect(relErr(values[i]!, fd, 1e-2 * scale), `∂L/∂${x.name}`).toBeLessThan(1e-6);
      });
      checked++;
    }
    expect(checked).toBe(3);
  });

  it('the bias gradient sums the batch: ∂L/∂b1 is a column', () => {
    const md = parse(source, 'mlp.mdf');
    const [gb1, gb2] = grads(md.defs.get('L')!.node, [md.vars.get('b1')!.node, md.vars.get('b2')!.node]);
    expect(gb1!.shape).toEqual(md.vars.get('b1')!.node.shape);
    expect(printExpr(gb2!, 'unicode')).toMatch(/·ones\(B\) \/ B$/);
  });
});

describe('matdiff hess and jac', () => {
  let dir: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'matdiff-hess-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, string[], string][] = [
    ['quadratic form', 'A: [n, n]; x: [n]\nf = xᵀ·A·x\n', ['hess', '--wrt', 'x'], '∂²f/∂x² = A + Aᵀ'],
    [
      'quadratic form, ASCII',
      'A: [n, n]; x: [n]\nf = xᵀ·A·x\n',
      ['hess', '--wrt', 'x', '--format', 'ascii'],
      "d2f/dx2 = A + A'",
    ],
    ['least squares', 'A: [m, n]; b: [m]; x: [n]\nL = ‖A·x - b‖²\n', ['hess', '--wrt', 'x'], '∂²L/∂x² = 2·Aᵀ·A'],
    [
      'least squares, ASCII',
      'A: [m, n]; b: [m]; x: [n]\nL = ‖A·x - b‖²\n',
      ['hess', '--wrt', 'x', '--format', 'ascii'],
      "d2L/dx2 = 2*A'*A",
    ],
    ['linear map', 'A: [m, n]; x: [n]\nF = A·x\n', ['jac', '--wrt', 'x'], '∂F/∂x = A'],
    ['sigmoid layer', 'W: [m, n]; x: [n]\nF = σ(W·x)\n', ['jac', '--wrt', 'x'], '∂F/∂x = diag(F ⊙ (1 − F))·W'],
    [
      'sigmoid layer, ASCII',
      'W: [m, n]; x: [n]\nF = σ(W·x)\n',
      ['jac', '--wrt', 'x', '--format', 'ascii'],
      'dF/dx = diag(F .* (1 - F))*W',
    ],
  ];
  for (const [what, source, args, expected] of cases)
    it(what, async () => {
      const [cmd, ...flags] = args;
      const r = await main([cmd!, file(`${what.replace(/\W+/g, '-')}.mdf`, source), ...flags]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toBe(expected);
    });

  it('logistic regression example', async () => {
    const r = await main(['hess', join(import.meta.dirname, '..', 'examples', 'logistic.mdf'), '--wrt', 'w']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('∂²L/∂w² = Xᵀ·diag(σ(z) ⊙ (1 − σ(z)))·X');
  });
});
