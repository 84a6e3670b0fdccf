/**
 * Operator forms of second derivatives (LANGUAGE.md §2 and §4): hvp(f, X, V) and
 * jvp(F, X, V)
 *   - equal finite differences along V in float64 through the interpreter, and the
 *     generated TypeScript (f64, f32) and WGSL (f32, skipped without an adapter) agree;
 *   - a model whose output is hvp compiles like any other: compile(), matdiff run, emit;
 *   - property: on random models with matrix variables, the flattened form applied to
 *     vec(V) equals the operator form (Hessians and Jacobians);
 *   - `matdiff hess/jac --wrt X --direction V` prints one re-parsing line;
 *   - `check` decides identities with hess, jac, hvp, jvp, ⊗ and commutation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, evaluate, grad, hess, jac, hvp, jvp, compile, check, printExpr } from '../src/index.js';
import * as b from '../src/graph/build.js';
import type { Node } from '../src/graph/node.js';
import type { Model } from '../src/model/model.js';
import { isColumn, isScalar, shape } from '../src/shape/shape.js';
import { main } from '../src/cli/main.js';
import { programOf } from '../codegen/compile.js';
import { type Env, SCALAR, arbExpr, m as dimM, n as dimN, randomEnv, runs, unsafePoint, varsOf, value } from './gen.js';
import { compareProgram } from './codegen-util.js';
import { checkParsed, requireGpu } from './wgsl-util.js';
import { relDiffMat } from './kron-util.js';

const DIMS = new Map([
  ['m', 3],
  ['n', 2],
  ['k', 4],
  ['B', 5],
]);

/** Models with a matrix variable W, a direction V shaped like it, and F, L: an hvp and a jvp output each. */
const CASES: [string, string][] = [
  ['least squares', 'A: [k, m]; Y: [k, n]; W: [m, n]; V: [m, n]\nL = ‖A·W − Y‖²\nF = A·W·Wᵀ'],
  [
    'softmax regression',
    'W: [k, m]; X: [m, B]; Y: [k, B]; V: [k, m]\nP = softmax(W·X)\nL = -sum(Y ⊙ log(P)) / B\nF = softmax(W·X)',
  ],
  [
    'a tanh layer',
    'W: [k, m]; X: [m, B]; b0: [k]; c: [k]; V: [k, m]\nH = tanh(W·X + b0)\nL = sum((cᵀ·H).^2) / B\nF = H ⊙ H',
  ],
  ['inverse and log-determinant', 'W: [n, n]; V: [n, n]; S: [n, n]\nL = logdet(W) + tr(S·W⁻¹)\nF = W⁻¹·S'],
];

/** Random data; a square W made diagonally dominant. */
function envOf(model: Model, seed: number): Env {
  const env = randomEnv(
    seed,
    [...model.vars.values()].map((v) => v.node),
    DIMS,
  );
  const w = env.vars.get('W')!;
  if (w.rows === w.cols) {
    const data = Float64Array.from(w.data);
    for (let i = 0; i < w.rows; i++) data[i * w.cols + i]! += 3;
    env.vars.set('W', { ...w, data });
  }
  return env;
}

/** env with W moved by t·V. */
function along(env: Env, t: number): Env {
  const [w, v] = [env.vars.get('W')!, env.vars.get('V')!];
  const vars = new Map(env.vars);
  vars.set('W', { ...w, data: w.data.map((x, i) => x + t * v.data[i]!) });
  return { vars, dims: env.dims };
}

/** (g(W + hV) − g(W − hV)) / 2h. */
function fdAlong(g: Node, env: Env, h = 1e-5): Float64Array {
  const [up, down] = [value(g, along(env, h)), value(g, along(env, -h))];
  return up.data.map((x, i) => (x - down.data[i]!) / (2 * h));
}

describe('hvp and jvp: the operator forms', () => {
  for (const [name, src] of CASES) {
    const model = parse(`${src}\nHv = hvp(L, W, V)\nJv = jvp(F, W, V)`, 'op.mdf');
    const node = (x: string): Node => (model.defs.get(x) ?? model.vars.get(x))!.node;

    it(`${name}: hvp equals finite differences of the gradient along V; jvp, of F`, () => {
      for (const seed of [1, 2]) {
        const env = envOf(model, seed);
        const g = grad(node('L'), node('W'));
        const [hv, jv] = evaluate([node('Hv'), node('Jv')], env);
        expect(relDiffMat(hv!.data, fdAlong(g, env))).toBeLessThan(1e-6);
        expect(relDiffMat(jv!.data, fdAlong(node('F'), env))).toBeLessThan(1e-6);
      }
    });

    it(`${name}: no Hessian is formed (no Kronecker product, no commutation matrix)`, () => {
      const ops = new Set<string>();
      const seen = new Set<Node>();
      const walk = (x: Node): void => {
        if (seen.has(x)) return;
        seen.add(x);
        ops.add(x.op);
        x.args.forEach(walk);
      };
      walk(node('Hv'));
      walk(node('Jv'));
      expect(ops.has('kron') || ops.has('commutation')).toBe(false);
      expect(node('Hv').shape).toEqual(node('W').shape);
      expect(node('Jv').shape).toEqual(node('F').shape);
    });

    it(`${name}: the generated TypeScript agrees with the interpreter (f64, f32)`, () => {
      for (const of of ['Hv', 'Jv']) {
        const [out] = compareProgram(programOf(model, { of }), envOf(model, 3));
        expect(out!.f64, of).toBeLessThan(1e-10);
        expect(out!.f32, of).toBeLessThan(1e-4);
      }
    });

    it(`${name}: through WGSL (f32)`, async (ctx) => {
      requireGpu(ctx);
      for (const of of ['Hv', 'Jv']) {
        const r = await checkParsed(model, Object.fromEntries(DIMS), { of, env: envOf(model, 4) });
        expect(r.failures, of).toEqual([]);
      }
    });
  }
});

describe('a model whose output is hvp compiles like any other', () => {
  const src =
    'W: [k, m]; X: [m, B]; Y: [k, B]; V: [k, m]\nP = softmax(W·X)\nL = -sum(Y ⊙ log(P)) / B\nHv = hvp(L, W, V)';
  const model = parse(src, 'hv.mdf');
  const dir = mkdtempSync(join(tmpdir(), 'matdiff-hvp-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compile(): forward gives the Hessian applied to V', () => {
    const env = envOf(model, 5);
    const k = compile(model);
    const inputs = Object.fromEntries([...env.vars].map(([name, v]) => [name, v.data]));
    const got = k.forward(inputs, Object.fromEntries(DIMS)) as Float64Array;
    const [want] = evaluate([model.defs.get('Hv')!.node], env);
    expect(relDiffMat(got, want!.data)).toBeLessThan(1e-12);
  });

  it('matdiff run and emit --target ts|wgsl', async () => {
    const file = join(dir, 'hv.mdf');
    writeFileSync(file, src);
    const env = envOf(model, 6);
    const rows = (name: string) => {
      const v = env.vars.get(name)!;
      return Array.from({ length: v.rows }, (_, i) => Array.from(v.data.slice(i * v.cols, (i + 1) * v.cols)));
    };
    const data = join(dir, 'hv.json');
    writeFileSync(data, JSON.stringify(Object.fromEntries(['W', 'X', 'Y', 'V'].map((x) => [x, rows(x)]))));
    const r = await main(['run', file, '--inputs', data]);
    expect(r.err).toBe('');
    const got = (JSON.parse(r.out) as { value: number[][] }).value.flat();
    const [want] = evaluate([model.defs.get('Hv')!.node], env);
    expect(relDiffMat(got, want!.data)).toBeLessThan(1e-12);
    for (const target of ['ts', 'wgsl']) {
      const e = await main(['emit', file, '--target', target]);
      expect(e.code, e.err).toBe(0);
      expect(e.out).toContain('Hv');
    }
  });
});

/** A fresh direction V shaped like x. */
const directionFor = (x: Node): Node => b.variable('V', x.shape);
const MATRIX = (x: Node) => !isColumn(x.shape) && !x.props?.length;

describe('property: the flattened form applied to vec(V) is the operator form', () => {
  it('unvec(hess(f, X)·vec(V), m) = hvp(f, X, V) on random scalar models', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        arbExpr({ target: SCALAR, safe: true, smooth: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: f }, seed) => {
          const xs = varsOf(f).filter(MATRIX);
          fc.pre(xs.length > 0);
          const x = xs[seed % xs.length]!;
          const v = directionFor(x);
          const env = randomEnv(seed, [...varsOf(f), v]);
          fc.pre(unsafePoint([f], env) === undefined);
          const flat = b.unvec(b.matmul(hess(f, x), b.vec(v)), x.shape.rows);
          const [a, c] = evaluate([flat, hvp(f, x, v)], env);
          expect(relDiffMat(a!.data, c!.data)).toBeLessThan(1e-8);
          checked++;
        },
      ),
      runs(40),
    );
    expect(checked).toBeGreaterThan(5);
  });

  it('unvec(jac(F, X)·vec(V), p) = jvp(F, X, V) on random matrix models', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        arbExpr({ target: shape(dimM, dimN), safe: true, smooth: true, maxDepth: 3 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        ({ node: F }, seed) => {
          const xs = varsOf(F).filter(MATRIX);
          fc.pre(xs.length > 0);
          const x = xs[seed % xs.length]!;
          const v = directionFor(x);
          const env = randomEnv(seed, [...varsOf(F), v]);
          fc.pre(unsafePoint([F], env) === undefined);
          const flat = b.unvec(b.matmul(jac(F, x), b.vec(v)), F.shape.rows);
          const [a, c] = evaluate([flat, jvp(F, x, v)], env);
          expect(relDiffMat(a!.data, c!.data)).toBeLessThan(1e-8);
          checked++;
        },
      ),
      runs(40),
    );
    expect(checked).toBeGreaterThan(5);
  });
});

describe('matdiff hess/jac --wrt X --direction V', () => {
  const dir = mkdtempSync(join(tmpdir(), 'matdiff-direction-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const LS = 'A: [k, m]; B: [k, n]; X: [m, n]\nL = ‖A·X − B‖²\n';

  it('prints the Hessian as an operator, in every format', async () => {
    const path = file('ls.mdf', LS);
    expect((await main(['hess', path, '--wrt', 'X', '--direction', 'V'])).out).toBe('∂²L/∂X²[V] = 2·Aᵀ·A·V');
    expect((await main(['hess', path, '--wrt', 'X', '--direction', 'V', '--format', 'ascii'])).out).toBe(
      "d2L/dX2[V] = 2*A'*A*V",
    );
    expect((await main(['hess', path, '--wrt', 'X'])).out).toBe('∂²L/∂X² = 2·I(n) ⊗ (Aᵀ·A)');
  });

  it('prints the Jacobian as an operator; the flattened form next to it', async () => {
    const path = file('inv.mdf', 'X: [n, n]\nF = X⁻¹\n');
    expect((await main(['jac', path, '--wrt', 'X', '--direction', 'U'])).out).toBe('∂F/∂X[U] = −F·U·F');
    expect((await main(['jac', path, '--wrt', 'X'])).out).toBe('∂F/∂X = −X⁻ᵀ ⊗ F');
    const t = file('t.mdf', 'X: [m, n]\nF = Xᵀ\n');
    expect((await main(['jac', t, '--wrt', 'X'])).out).toBe('∂F/∂X = commutation(m, n)');
  });

  it('the ASCII operator form, with its where-lines, re-parses with V declared and equals hvp', async () => {
    const src = 'W: [k, m]; X: [m, B]; Y: [k, B]\nP = softmax(W·X)\nL = -sum(Y ⊙ log(P)) / B\n';
    const path = file('sm.mdf', src);
    const r = await main(['hess', path, '--wrt', 'W', '--direction', 'V', '--format', 'ascii']);
    expect(r.code, r.err).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^d2L\/dW2\[V\] = /);
    const body = [lines[0]!.replace(/^d2L\/dW2\[V\] = /, 'R = '), ...lines.slice(1).map((l) => l.trim())];
    const again = parse(`${src}V: [k, m]\n${body.join('\n')}\nHv = hvp(L, W, V)`, 'again.mdf');
    const env = envOf(again, 9);
    const [got, want] = evaluate([again.defs.get('R')!.node, again.defs.get('Hv')!.node], env);
    expect(relDiffMat(got!.data, want!.data)).toBeLessThan(1e-12);
  });

  it('a declared V is used; one of the wrong shape, or a name taken, is a usage error', async () => {
    const ok = file('v.mdf', 'A: [k, m]; B: [k, n]; X: [m, n]; V: [m, n]\nL = ‖A·X − B‖²\n');
    expect((await main(['hess', ok, '--wrt', 'X', '--direction', 'V'])).out).toBe('∂²L/∂X²[V] = 2·Aᵀ·A·V');
    const bad = file('bad.mdf', 'A: [k, m]; B: [k, n]; X: [m, n]; V: [n, m]\nL = ‖A·X − B‖²\n');
    const r = await main(['hess', bad, '--wrt', 'X', '--direction', 'V']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('matdiff hess: --direction: V is [n,m], but a direction for X must be [m,n]');
    const taken = await main(['hess', file('ls2.mdf', LS), '--wrt', 'X', '--direction', 'L']);
    expect(taken.code).toBe(2);
    expect(taken.err.split('\n')[0]).toBe("matdiff hess: --direction: 'L' is already a definition of the model");
    const grad = await main(['grad', file('ls3.mdf', LS), '--wrt', 'X', '--direction', 'V']);
    expect(grad.code).toBe(2);
  });
});

describe('check decides identities with ⊗, commutation, hess, jac, hvp and jvp', () => {
  const DECLS = 'X: [n, n]; A: [k, m]; B: [k, n]; W: [m, n]; V: [m, n]; U: [n, n]\nf = ‖A·W − B‖²\n';
  const cases: [string, string][] = [
    ['assert hess(tr(X·X), X) = 2·commutation(n, n)', 'symbolic'],
    ['assert hess(f, W) = 2·I(n) ⊗ (Aᵀ·A)', 'symbolic'],
    ['assert jac(Xᵀ, X) = commutation(n, n)', 'symbolic'],
    ['assert jac(X⁻¹, X) = −X⁻ᵀ ⊗ X⁻¹', 'symbolic'],
    ['assert unvec(hess(f, W)·vec(V), m) = hvp(f, W, V)', 'symbolic'],
    ['assert unvec(jac(X⁻¹, X)·vec(U), n) = jvp(X⁻¹, X, U)', 'symbolic'],
    ['assert hvp(tr(sin(X)·U), X, U) = unvec(hess(tr(sin(X)·U), X)·vec(U), n)', 'holds'],
  ];
  for (const [a, how] of cases)
    it(a, () => {
      const [r] = check(parse(DECLS + a, 'c.mdf'), { trials: 10 });
      expect(r!.verdict.status).toBe('holds');
      if (how === 'symbolic') expect(r!.verdict).toEqual({ status: 'holds', how: 'symbolic' });
    });

  it('and refutes a false one', () => {
    const [r] = check(parse(DECLS + 'assert jac(sin(W), W) = 2·diag(vec(cos(W)))', 'c.mdf'), { trials: 10 });
    expect(r!.verdict.status).toBe('fails');
  });
});

describe('library: hvp and jvp next to grad, hess and jac', () => {
  it('build graphs shaped like the variable and the function', () => {
    const model = parse('A: [k, m]; W: [m, n]; V: [m, n]\nF = A·W\nL = sum(F ⊙ F)', 'lib.mdf');
    const [W, V] = [model.vars.get('W')!.node, model.vars.get('V')!.node];
    const L = model.defs.get('L')!.node;
    expect(printExpr(hvp(L, W, V), 'unicode')).toBe('2·Aᵀ·A·V');
    expect(printExpr(jvp(model.defs.get('F')!.node, W, V), 'unicode')).toBe('A·V');
    expect(isScalar(jvp(L, W, V).shape)).toBe(true);
  });
});

describe('examples/newton-cg: Newton–CG with the compiled hvp against gradient descent', () => {
  it('reaches the same loss in far fewer iterations', async () => {
    const ex = await import('../examples/newton-cg/train.js');
    const model = parse(readFileSync(ex.MODEL_FILE, 'utf8'), ex.MODEL_FILE);
    const data = ex.irisInputs(1);
    const size = 3 * data.d;
    const inputs = { X: data.X, Y: data.Y, λ: 1e-3 };
    const dims = { d: data.d, k: 3, B: data.B };
    const k = ex.kernels(model);
    const best = ex.newtonCg(k, inputs, dims, size, (_L: number, g: number) => g <= 1e-9);
    const target = best.loss + 1e-4;
    const newton = ex.newtonCg(k, inputs, dims, size, (L: number) => L <= target);
    const gd = ex.gradientDescent(k, inputs, dims, size, 1, target, 20000);
    expect(newton.loss).toBeLessThanOrEqual(target);
    expect(gd.loss).toBeLessThanOrEqual(target);
    expect(newton.iterations * 10).toBeLessThan(gd.iterations);
  });
});
