/**
 * `emit --target numpy`: the generated Python module run by python3 with NumPy on every
 * example and on random formulas (test/gen.ts), its value and every gradient compared
 * with the generated TypeScript (float64), and each result shaped as LANGUAGE.md §4 says
 * (a float, a vector as (n,), a matrix as (m, n)).
 *
 * Needs python3 with NumPy (Debian: python3-numpy, installed by .ci/run). Without it the
 * tests are skipped, saying so, except under CI=true, where they fail.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from '../src/index.js';
import type { Model } from '../src/model/model.js';
import type { Node } from '../src/graph/node.js';
import type { Mat } from '../src/eval/mat.js';
import { isColumn, isScalar } from '../src/shape/shape.js';
import { instantiate, programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { emitNumpy } from '../codegen/numpy/emit.js';
import { pyIdentifier, PyNames } from '../codegen/numpy/names.js';
import { main } from '../src/cli/main.js';
import { DECLS, SCALAR, arbExpr, randomEnv, type Env } from './gen.js';
import { relDiff } from './codegen-util.js';

/** The first python3 that imports NumPy: the one on PATH, else Debian's (where python3-numpy installs). */
const PYTHON =
  ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import numpy']).status === 0) ?? 'python3';
const hasNumpy = spawnSync(PYTHON, ['-c', 'import numpy']).status === 0;
const REASON = 'python3 with NumPy not found (Debian: apt-get install python3-numpy)';
if (!hasNumpy && process.env.CI === 'true') throw new Error(`CI=true: ${REASON}`);

const dir = mkdtempSync(join(tmpdir(), 'matdiff-numpy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs each module on its data in one python3 process: results as shape, Python type and flat row-major data. */
const DRIVER = String.raw`
import importlib.util, json, math, sys, traceback
import numpy as np

def enc(x):
    a = np.asarray(x, dtype=np.float64)
    data = [v if math.isfinite(v) else str(v) for v in a.reshape(-1, order="C").tolist()]
    return {"shape": list(a.shape), "type": type(x).__name__, "data": data}

out = []
for path in sys.argv[1:]:
    try:
        spec = importlib.util.spec_from_file_location("generated", path + ".py")
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        with open(path + ".json") as f:
            case = json.load(f)
        r = {"forward": enc(m.forward(case["inputs"], case["dims"]))}
        if hasattr(m, "value_and_grad"):
            value, grad = m.value_and_grad(case["inputs"], case["dims"])
            r["value"] = enc(value)
            r["grad"] = {k: enc(g) for k, g in grad.items()}
        out.append(r)
    except Exception:
        out.append({"error": traceback.format_exc()})
json.dump(out, sys.stdout)
`;

interface Encoded {
  shape: number[];
  type: string;
  data: (number | string)[];
}
interface PyResult {
  forward?: Encoded;
  value?: Encoded;
  grad?: Record<string, Encoded>;
  error?: string;
}

interface Case {
  label: string;
  model: Model;
  program: Program;
  env: Env;
}

/** A value in the data JSON layout: a number, a flat array (vector), rows (matrix). */
function layout(m: Mat, node: Node): unknown {
  if (isScalar(node.shape)) return m.data[0];
  if (isColumn(node.shape)) return [...m.data];
  return Array.from({ length: m.rows }, (_, i) => [...m.data.subarray(i * m.cols, (i + 1) * m.cols)]);
}

function runPython(cases: Case[]): PyResult[] {
  const paths = cases.map((c, i) => {
    const path = join(dir, `case${i}`);
    writeFileSync(`${path}.py`, emitNumpy(c.program, { model: c.model }));
    const inputs = Object.fromEntries(
      [...c.model.vars.values()].map((v) => [v.name, layout(c.env.vars.get(v.name)!, v.node)]),
    );
    writeFileSync(`${path}.json`, JSON.stringify({ inputs, dims: Object.fromEntries(c.env.dims) }));
    return path;
  });
  writeFileSync(join(dir, 'driver.py'), DRIVER);
  const r = spawnSync(PYTHON, ['-W', 'ignore', join(dir, 'driver.py'), ...paths], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as PyResult[];
}

const decode = (e: Encoded): number[] => e.data.map((v) => (typeof v === 'number' ? v : Number(v)));

/** The shape a result must have: () for a scalar (a float), (n,) for a vector, (m, n) otherwise. */
function expectedShape(node: Node, env: Env): number[] {
  const size = (d: Node['shape']['rows']) => d.k * d.syms.reduce((p, s) => p * env.dims.get(s)!, 1);
  if (isScalar(node.shape)) return [];
  if (isColumn(node.shape)) return [size(node.shape.rows)];
  return [size(node.shape.rows), size(node.shape.cols)];
}

/** Every disagreement between the NumPy module and the TypeScript module, as readable lines. */
function compare(c: Case, py: PyResult, floor: number, tol = 1e-9): string[] {
  if (py.error) return [`${c.label}: python raised\n${py.error}`];
  const p = c.program;
  const ts = instantiate(p, 'f64');
  const inputs = Object.fromEntries([...c.env.vars].map(([k, m]) => [k, m.data]));
  const dims = Object.fromEntries(c.env.dims);
  const flat = (v: number | ArrayLike<number>) => (typeof v === 'number' ? [v] : Array.from(v));
  const wants: [string, Node, number[], Encoded | undefined][] = [
    ['forward', p.output.node, flat(ts.forward(inputs, dims)), py.forward],
  ];
  if (p.valueAndGrad) {
    const r = ts.valueAndGrad(inputs, dims);
    wants.push(['value', p.output.node, flat(r.value), py.value]);
    for (const w of p.wrt) wants.push([`∂/∂${w.name}`, w.node, flat(r.grad[w.name]!), py.grad?.[w.name]]);
  }
  const bad: string[] = [];
  for (const [what, node, want, got] of wants) {
    if (!got) {
      bad.push(`${c.label} ${what}: missing`);
      continue;
    }
    const shape = expectedShape(node, c.env);
    if (JSON.stringify(got.shape) !== JSON.stringify(shape) || (shape.length === 0 && got.type !== 'float'))
      bad.push(`${c.label} ${what}: ${got.type} of shape (${got.shape}) where (${shape}) is declared`);
    const err = relDiff(want, decode(got), floor);
    if (!(err <= tol)) bad.push(`${c.label} ${what}: relative difference ${err.toExponential(2)}`);
  }
  return bad;
}

const exampleDir = new URL('../examples/', import.meta.url);
/** Distinct sizes, none 1, so that a mixed-up dimension shows. */
const SIZES: Record<string, number> = { n: 5, B: 7, k: 3, h: 4, m: 6, d: 2, p: 8 };

function exampleCases(): Case[] {
  const cases: Case[] = [];
  for (const f of readdirSync(exampleDir)
    .filter((f) => f.endsWith('.mdf'))
    .sort()) {
    const model = parse(readFileSync(new URL(f, exampleDir), 'utf8'), `examples/${f}`);
    if (model.output === undefined) continue;
    const program = programOf(model);
    const dims = new Map(model.dims.map((d, i) => [d, SIZES[d] ?? 3 + i]));
    const env = randomEnv(
      7,
      [...model.vars.values()].map((v) => v.node),
      dims,
    );
    cases.push({ label: `examples/${f}`, model, program, env });
  }
  return cases;
}

/** Primitives the examples and the sampled random formulas may miss, each in a small model. */
const PRIMITIVES = [
  'x: [n]; y: [n]\nL = sum(abs(x) ⊙ sign(y) + relu(x) ⊙ y + step(y) ⊙ x)',
  'x: [n]; A: [n, n]\nL = sum(erf(A·x) ⊙ x) + sum(erf(4·x)) + sum(erf(x))',
  'K: [n, n] spd; A: [n, n]\nL = det(K) + tr(inv(K)·A) + logdet(K) + tr(Aᵀ·K⁻ᵀ)',
  'K: [n, n] spd; x: [n]; y: [n]\nL = xᵀ·K⁻¹·y + sum(K⁻¹·x) + sum(yᵀ·K⁻¹)',
  'A: [m, n]; v: [m]\nL = sum(unvec(vec(A), m) ⊙ A) + sum(diag(v)·A) + sum(diag(A·Aᵀ))',
  's: []; t: [] pos; x: [n]\nL = abs(s)·sum(x) + s² + log(t)·s / n + sqrt(t) + t^-1 + mean(x)',
  'Z: [k, B]; y: [k]\nL = sum(logsumexp(Z)) + sum(softmax(y) ⊙ y) + sum(softplus(Z) ⊙ tanh(Z)) + sum(σ(y))',
];

function primitiveCases(): Case[] {
  return PRIMITIVES.map((source, i) => {
    const model = parse(source, `primitives-${i}.mdf`);
    const dims = new Map(model.dims.map((d) => [d, SIZES[d] ?? 3]));
    const env = randomEnv(
      11 + i,
      [...model.vars.values()].map((v) => v.node),
      dims,
    );
    return { label: source.split('\n')[1]!, model, program: programOf(model), env };
  });
}

function modelWith(node: Node): Model {
  const model = parse(DECLS, 'random.mdf');
  model.defs.set('E', { name: 'E', node, span: { start: 0, end: 0 } });
  model.output = 'E';
  return model;
}

function randomCases(): Case[] {
  const dimsOf = [
    new Map([
      ['m', 2],
      ['n', 3],
      ['p', 4],
    ]),
    new Map([
      ['m', 1],
      ['n', 4],
      ['p', 2],
    ]),
  ];
  const scalar = fc.sample(arbExpr({ target: SCALAR, safe: true, maxDepth: 4 }), { numRuns: 40, seed: 13 });
  const any = fc.sample(arbExpr({ safe: true, maxDepth: 4 }), { numRuns: 20, seed: 14 });
  return [...scalar, ...any].map((s, i) => {
    const model = modelWith(s.node);
    return {
      label: `seed ${s.seed}, depth ${s.depth}`,
      model,
      program: programOf(model),
      env: randomEnv(
        i,
        [...model.vars.values()].map((v) => v.node),
        dimsOf[i % 2]!,
      ),
    };
  });
}

describe.skipIf(!hasNumpy)(
  `NumPy module against the TypeScript module${hasNumpy ? '' : ` (skipped: ${REASON})`}`,
  () => {
    it('every example, and every primitive: value and gradients, shaped as declared', () => {
      const cases = [...exampleCases(), ...primitiveCases()];
      expect(cases.length).toBeGreaterThan(5 + PRIMITIVES.length);
      const results = runPython(cases);
      expect(cases.flatMap((c, i) => compare(c, results[i]!, 1e-8))).toEqual([]);
    }, 60_000);

    it('random formulas: value, and gradients of scalar ones', () => {
      const cases = randomCases();
      const results = runPython(cases);
      // Random formulas cancel more often than written ones: judge near-zero results against the operands' rounding.
      expect(cases.flatMap((c, i) => compare(c, results[i]!, 1e-5))).toEqual([]);
    }, 120_000);

    it('a wrong shape or a missing input is a clear Python error', () => {
      const model = parse('x: [n]; A: [n, n]\nL = xᵀ·A·x', 'q.mdf');
      const path = join(dir, 'q.py');
      writeFileSync(path, emitNumpy(programOf(model), { model }));
      const run = (inputs: string) =>
        spawnSync(
          PYTHON,
          ['-c', `import runpy; m = runpy.run_path(${JSON.stringify(path)}); m["forward"](${inputs})`],
          {
            encoding: 'utf8',
          },
        );
      expect(run('{"x": [1, 2], "A": [[1, 0], [0, 1]]}').status).toBe(0);
      expect(run('{"x": [1, 2], "A": [[1, 0, 0], [0, 1, 0]]}').stderr).toMatch(
        /ValueError: input 'A' has shape \(2, 3\); declared \('n', 'n'\) = \(2, 2\)/,
      );
      expect(run('{"x": [1, 2]}').stderr).toMatch(/KeyError: .*missing input 'A'/);
    });
  },
);

describe('the NumPy module text', () => {
  it('uses solve and slogdet, never an explicit inverse, where the formula allows', () => {
    const text = emitNumpy(programOf(parse(readFileSync(new URL('gaussian-nll.mdf', exampleDir), 'utf8'), 'g.mdf')));
    expect(text).toMatch(/np\.linalg\.solve\(/);
    expect(text).toMatch(/np\.linalg\.slogdet\(/);
    expect(text).toMatch(/# L = \(logdet\(Σ\) \+ rᵀ·Σ⁻¹·r\) \/ 2/);
  });

  it('reads as the formula: named steps, the formula over each, sums for products with ones', () => {
    const model = parse(readFileSync(new URL('mlp.mdf', exampleDir), 'utf8'), 'examples/mlp.mdf');
    const text = emitNumpy(programOf(model, { wrt: ['W1', 'b1', 'W2', 'b2'] }), { model });
    const body = text.slice(text.indexOf('def value_and_grad'), text.indexOf('# ── helpers ──'));
    expect(body).toContain('    # H = relu(W1·X + b1)\n    H = np.maximum(t1, 0)\n');
    expect(body).toContain('    # P = softmax(W2·H + b2)\n    P = _softmax(W2 @ H + b2)\n');
    expect(body).toContain('    # ∂L/∂W1 = G2·Xᵀ / B\n    dL_dW1 = G2 @ X.T / B\n');
    expect(body).toContain('    dL_db2 = np.sum(G, axis=1, keepdims=True) / B\n');
    expect(body).not.toMatch(/\bk = _dim/); // ones(k)ᵀ·Y became a column sum: k is not needed
    expect(body.split('\n').every((l) => l.length <= 100)).toBe(true);
  });

  it('names locals after the formula, clear of Python keywords and the module’s own names', () => {
    expect(pyIdentifier('μ')).toBe('μ');
    expect(pyIdentifier('ℓ')).toBe('_');
    const names = new PyNames(['np']);
    expect([names.take('lambda'), names.take('lambda'), names.take('np'), names.take('x')]).toEqual([
      'lambda_',
      'lambda_2',
      'np_',
      'x',
    ]);
    const model = parse('lambda: [n]; np: [n]\nL = sum(lambda ⊙ np)', 'k.mdf');
    const text = emitNumpy(programOf(model), { model });
    expect(text).toMatch(/^ {4}lambda_ = _input\(inputs, "lambda", \("n",\), size\)$/m);
    expect(text).toMatch(/^ {4}np_ = _input\(inputs, "np", \("n",\), size\)$/m);
  });

  it('matdiff emit --target numpy writes the module', async () => {
    const out = join(dir, 'mlp.py');
    const r = await main(['emit', 'examples/mlp.mdf', '--target', 'numpy', '--wrt', 'W1,b1', '-o', out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^def value_and_grad\(inputs, dims=None\):$/m);
    expect(text).toMatch(/"W1": _as_matrix\(dL_dW1\),/);
    expect(text).toMatch(/"b1": _as_vector\(dL_db1\),/);
    expect(text).toMatch(/^import numpy as np$/m);
    expect(text.match(/^import /gm)).toHaveLength(1);
    const f32 = await main(['emit', 'examples/mlp.mdf', '--target', 'numpy', '--dtype', 'f32']);
    expect(f32.code).toBe(2);
    expect(f32.err).toMatch(/--target numpy computes in float64/);
  });
});
