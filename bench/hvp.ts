/**
 * The Hessian-vector product of the 784-256-10 MLP's loss (bench/mlp784.mdf, batch 256)
 * in W1, compiled by matdiff from `Hv = hvp(L, W1, V)` (two reverse passes, no Hessian),
 * timed against
 *   - matdiff's own valueAndGrad of the same loss (value and all four gradients): the
 *     cheap-gradient principle bounds an HVP by a small multiple of it (target ≤ 4×);
 *   - @jax-js/jax on its wasm device, jit of jvp(grad(f)) (forward over reverse), in the
 *     same run, and its jit(valueAndGrad) for scale.
 * The matdiff and jax-js HVPs are checked against each other (f32, relative to the
 * largest entry).
 *
 *   npm run bench:hvp                 # 11 samples each
 *   npm run bench:hvp -- --quick      # 5 samples
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compile, parse, printExpr } from '../src/index.js';
import { MLP784, mlpData, normal, rng } from './data.js';
import { type Contender, errorText, fmtMs, fmtNum, formatTable, measure, relDiff } from './harness.js';
import { JAX_DEVICE, initJax, mlpLoss } from './jaxjs.js';

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;

const quick = process.argv.includes('--quick');
const runs = quick ? 5 : 11;
const S = MLP784;
const MODEL = fileURLToPath(new URL('mlp784.mdf', import.meta.url));
const source = `${readFileSync(MODEL, 'utf8')}\nV: [256, 784]\nHv = hvp(L, W1, V)\n`;
const model = parse(source, 'bench/mlp784.mdf + hvp');
const d = mlpData(S);
const V = normal(S.h * S.n, rng(11), 0.05);
const inputs = { X: d.X, Y: d.Y, W1: d.W1, b1: d.b1, W2: d.W2, b2: d.b2, V };

console.log(`HVP of the MLP ${S.n}-${S.h}-${S.k} loss in W1, batch ${S.B} (f32); a shared machine: short runs`);
console.log(
  `  Hv = ${printExpr(
    model.defs.get('Hv')!.node,
    'unicode',
    new Map([
      [model.defs.get('H')!.node, 'H'],
      [model.defs.get('P')!.node, 'P'],
    ]),
  )}`,
);

const hv = compile(model, { of: 'Hv', dtype: 'f32' });
const step = compile(model, { of: 'L', wrt: ['W1', 'b1', 'W2', 'b2'], dtype: 'f32' });
const ours = hv.forward(inputs) as Float32Array;

const contenders: Contender[] = [
  { name: 'matdiff valueAndGrad (L, ∂W1, ∂b1, ∂W2, ∂b2)', run: () => void step.valueAndGrad(inputs) },
  { name: 'matdiff hvp(L, W1, V)', run: () => void hv.forward(inputs) },
];

let jaxNote = '';
let theirs: Float32Array | undefined;
const disposers: (() => void)[] = [];
try {
  const info = await initJax();
  const jax: Jax = await import('@jax-js/jax');
  const { numpy: np, jit, grad, jvp, valueAndGrad } = jax;
  const put = (a: Float32Array, shape: number[]): JArray =>
    np.array(a, { shape, dtype: np.float32, device: JAX_DEVICE });
  const [X, Y, W1, b1, W2, b2, Vj] = [
    put(d.X, [S.n, S.B]),
    put(d.Y, [S.k, S.B]),
    put(d.W1, [S.h, S.n]),
    put(d.b1, [S.h, 1]),
    put(d.W2, [S.k, S.h]),
    put(d.b2, [S.k, 1]),
    put(V, [S.h, S.n]),
  ];
  const loss = mlpLoss(jax, S.B);
  const gradW1 = grad(loss); // ∂L/∂W1 (argument 0)
  const hvpJ = jit((w1: JArray, v: JArray, c1: JArray, w2: JArray, c2: JArray, x: JArray, y: JArray): JArray => {
    const [primal, tangent] = jvp((w: JArray) => gradW1(w, c1, w2, c2, x, y), [w1], [v]) as [JArray, JArray];
    primal.dispose();
    return tangent;
  });
  const stepJ = jit(valueAndGrad(loss, { argnums: [0, 1, 2, 3] }));
  const hvpOnce = (): Float32Array =>
    hvpJ(W1.ref, Vj.ref, b1.ref, W2.ref, b2.ref, X.ref, Y.ref).dataSync() as Float32Array;
  const stepOnce = (): void => {
    const [value, grads] = stepJ(W1.ref, b1.ref, W2.ref, b2.ref, X.ref, Y.ref) as unknown as [JArray, JArray[]];
    value.dataSync();
    for (const g of grads) g.dataSync();
  };
  theirs = hvpOnce();
  contenders.push(
    { name: `jax-js ${info.version} ${JAX_DEVICE} jit(valueAndGrad)`, run: stepOnce },
    { name: `jax-js ${info.version} ${JAX_DEVICE} jit(jvp(grad(f)))`, run: () => void hvpOnce() },
  );
  disposers.push(() => {
    for (const t of [X, Y, W1, b1, W2, b2, Vj]) t.dispose();
    hvpJ.dispose();
    stepJ.dispose();
  });
} catch (e) {
  jaxNote = `jax-js unavailable: ${errorText(e)}`;
}

if (theirs)
  console.log(`  check: matdiff hvp vs jax-js hvp, max relative difference ${fmtNum(relDiff(theirs, ours), 2)}`);
if (jaxNote) console.log(`  ${jaxNote}`);

const results = await measure(contenders, { runs, warmupMs: 300, warmupCalls: 3, minSampleMs: 50 });
const ms = (name: string): number | null => {
  const r = results.get(name);
  return r && 'medianMs' in r ? r.medianMs : null;
};
const base = ms(contenders[0]!.name);
const hvpMs = ms(contenders[1]!.name);
console.log(
  '\n' +
    formatTable(
      ['implementation', 'median', '÷ matdiff valueAndGrad'],
      contenders.map((c) => {
        const r = results.get(c.name);
        if (r && 'error' in r) return [c.name, `error: ${r.error}`, null];
        const m = ms(c.name);
        return [c.name, fmtMs(m), m !== null && base ? fmtNum(m / base, 3) : null];
      }),
    ),
);
if (hvpMs !== null && base) console.log(`\nmatdiff hvp ÷ valueAndGrad: ${fmtNum(hvpMs / base, 3)} (target ≤ 4)`);
const jaxHvp = contenders[3] ? ms(contenders[3].name) : null;
if (hvpMs !== null && jaxHvp !== null)
  console.log(`jax-js jit(jvp(grad)) ÷ matdiff hvp: ${fmtNum(jaxHvp / hvpMs, 3)} (target > 1: matdiff faster)`);
for (const f of disposers) f();
