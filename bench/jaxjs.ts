/**
 * @jax-js/jax contenders on its `wasm` device (jit-compiled, fused kernels).
 *
 * Its `cpu` device is a reference interpreter (seconds for a 256² product here), so it
 * is not benchmarked; `webgpu`/`webgl` need a browser or a GPU. jax-js uses move
 * semantics: every argument passed to a function is consumed, so the long-lived inputs
 * are passed as `.ref`, and `dataSync()` consumes (frees) the result it reads.
 */
import type { Contender } from './harness.js';
import type { MlpData, MlpShape } from './data.js';
import type { MlpContender } from './tfjs.js';

type Jax = typeof import('@jax-js/jax');
type JArray = import('@jax-js/jax').Array;

export const JAX_DEVICE = 'wasm' as const;

let jax: Jax | null = null;

/** Loads jax-js and initialises its wasm device; throws (with the reason) if it cannot. */
export async function initJax(): Promise<{ version: string; devices: string[] }> {
  const mod: Jax = await import('@jax-js/jax');
  // init() with no argument also probes webgpu, which touches `navigator` and throws in Node
  const devices = await mod.init(JAX_DEVICE);
  if (!devices.includes(JAX_DEVICE)) throw new Error(`jax-js init('${JAX_DEVICE}') gave [${devices.join(', ')}]`);
  mod.defaultDevice(JAX_DEVICE);
  jax = mod;
  // its package.json is not exported; find it next to the resolved entry point
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const entry = createRequire(import.meta.url).resolve('@jax-js/jax');
  const version = (
    JSON.parse(readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  return { version, devices };
}

/**
 * The MLP's loss in jax-js, in matdiff's layout (X: [n, B], column-wise softmax):
 * L = −sum(Y ⊙ logsoftmax(W2·relu(W1·X + b1) + b2)) / B. Each argument is used exactly
 * once, as move semantics require. Shared by the CPU and the WebGPU benchmarks.
 */
export function mlpLoss(jax: Jax, B: number) {
  const { numpy: np, nn } = jax;
  return (w1: JArray, c1: JArray, w2: JArray, c2: JArray, x: JArray, y: JArray): JArray => {
    const H = nn.relu(np.add(np.matmul(w1, x), c1));
    const Z = np.add(np.matmul(w2, H), c2);
    return np.multiply(np.sum(np.multiply(y, nn.logSoftmax(Z, 0))), -1 / B);
  };
}

function J(): Jax {
  if (!jax) throw new Error('jax-js not initialised');
  return jax;
}

function put(data: Float32Array, shape: number[]): JArray {
  return J().numpy.array(data, { shape, dtype: J().numpy.float32, device: JAX_DEVICE });
}

export function jaxMatmul(n: number, a: Float32Array, b: Float32Array): Contender & { result: () => Float32Array } {
  const { numpy: np, jit } = J();
  const A = put(a, [n, n]);
  const B = put(b, [n, n]);
  const f = jit((x: JArray, y: JArray) => np.matmul(x, y));
  const once = (): Float32Array => f(A.ref, B.ref).dataSync() as Float32Array;
  return { name: 'jax-js-wasm', run: () => void once(), result: once };
}

export function jaxMlp(s: MlpShape, d: MlpData): MlpContender {
  const { jit, valueAndGrad } = J();
  const X = put(d.X, [s.n, s.B]);
  const Y = put(d.Y, [s.k, s.B]);
  const W1 = put(d.W1, [s.h, s.n]);
  const b1 = put(d.b1, [s.h, 1]);
  const W2 = put(d.W2, [s.k, s.h]);
  const b2 = put(d.b2, [s.k, 1]);

  const loss = mlpLoss(J(), s.B);
  const fwd = jit(loss);
  const step = jit(valueAndGrad(loss, { argnums: [0, 1, 2, 3] }));
  const args = (): [JArray, JArray, JArray, JArray, JArray, JArray] => [W1.ref, b1.ref, W2.ref, b2.ref, X.ref, Y.ref];

  const forward = (): number => (fwd(...args()).dataSync() as Float32Array)[0]!;
  const evaluate = (): ReturnType<MlpContender['evaluate']> => {
    const [value, grads] = step(...args()) as unknown as [JArray, JArray[]];
    const g = grads.map((t) => t.dataSync() as Float32Array);
    return { value: (value.dataSync() as Float32Array)[0]!, grad: { W1: g[0]!, b1: g[1]!, W2: g[2]!, b2: g[3]! } };
  };
  return {
    forward: { name: 'jax-js-wasm', run: () => void forward() },
    step: { name: 'jax-js-wasm', run: () => void evaluate() },
    evaluate,
    dispose: () => {
      for (const t of [X, Y, W1, b1, W2, b2]) t.dispose();
      fwd.dispose();
      step.dispose();
    },
  };
}
