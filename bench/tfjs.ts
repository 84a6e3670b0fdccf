/**
 * TensorFlow.js contenders: the `cpu` backend (plain JS kernels) and the `wasm` backend
 * (XNNPACK, SIMD; single-threaded in Node — tfjs turns wasm threads off there).
 *
 * The MLP is bench/mlp784.mdf in two layouts (see tfMlp): matdiff's own (W·X) and
 * tfjs's batch-major idiom (X·Wᵀ) — tfjs-wasm's matMul with transposeB, which the W·X
 * backward pass needs, is about 10× slower than the other cases here.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
// The umbrella package: tfjs-core alone registers no gradient functions, and its
// register_all_gradients module is not loadable as Node ESM; tfjs's node bundle carries
// them (and the cpu backend).
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Contender } from './harness.js';
import type { MlpData, MlpShape } from './data.js';

export type TfBackend = 'cpu' | 'wasm';

export interface TfInfo {
  version: string;
  backends: Partial<Record<TfBackend, string>>; // 'ok' or why it failed
  wasmSimd?: boolean;
  wasmThreads?: boolean;
}

/** Registers the backends (wasm binaries from node_modules, no network) and reports which work. */
export async function initTf(): Promise<TfInfo> {
  // PROD: no debug checks and no "install tfjs-node" banner; a deployment setting.
  tf.env().set('PROD', true);
  const require = createRequire(import.meta.url);
  const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(wasmDir + path.sep);
  const info: TfInfo = { version: tf.version_core, backends: {} };
  for (const b of ['cpu', 'wasm'] as const) {
    try {
      if (!(await tf.setBackend(b))) throw new Error(`tf.setBackend('${b}') returned false`);
      await tf.ready();
      tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dataSync());
      info.backends[b] = 'ok';
    } catch (e) {
      info.backends[b] = e instanceof Error ? e.message : String(e);
    }
  }
  if (info.backends.wasm === 'ok') {
    info.wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
    info.wasmThreads = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  }
  return info;
}

async function use(backend: TfBackend): Promise<void> {
  if (tf.getBackend() !== backend) await tf.setBackend(backend);
}

/** C = A·B on square [n,n] float32 matrices; the result is read back each call. */
export async function tfMatmul(
  backend: TfBackend,
  n: number,
  a: Float32Array,
  b: Float32Array,
): Promise<Contender & { result: () => Float32Array }> {
  await use(backend);
  const A = tf.tensor2d(a, [n, n], 'float32');
  const B = tf.tensor2d(b, [n, n], 'float32');
  const once = (): Float32Array => {
    const C = tf.matMul(A, B);
    const out = C.dataSync() as Float32Array;
    C.dispose();
    return out;
  };
  return { name: `tfjs-${backend}`, run: () => void once(), before: () => use(backend), result: once };
}

export interface MlpContender {
  forward: Contender;
  step: Contender;
  /** One value-and-gradient evaluation, read back: for checking against matdiff. */
  evaluate: () => { value: number; grad: Record<'W1' | 'b1' | 'W2' | 'b2', Float32Array> };
  dispose: () => void;
}

/**
 * The MLP in tfjs. `layout`:
 *  - 'W·X'  feature-major, exactly matdiff's model: X [n,B], W1 [h,n], b1 [h,1];
 *           column-wise log-softmax written as Z − logsumexp(Z, axis 0) (tfjs's
 *           softmax/logSoftmax only take the last axis).
 *  - 'X·Wᵀ' the batch-major equivalent, tfjs's idiom: Xᵀ [B,n], W1ᵀ [n,h], b1 [1,h],
 *           H = relu(Xᵀ·W1ᵀ + b1), log-softmax over the last axis. Gradients are the
 *           transposes of the feature-major ones; `evaluate` transposes them back.
 * Both compute the same function on the same numbers.
 */
export async function tfMlp(
  backend: TfBackend,
  s: MlpShape,
  d: MlpData,
  layout: 'W·X' | 'X·Wᵀ' = 'W·X',
): Promise<MlpContender> {
  await use(backend);
  const fm = layout === 'W·X';
  const t2 = (a: Float32Array, rows: number, cols: number): tf.Tensor2D =>
    fm ? tf.tensor2d(a, [rows, cols]) : tf.tidy(() => tf.transpose(tf.tensor2d(a, [rows, cols])) as tf.Tensor2D);
  const X = t2(d.X, s.n, s.B);
  const Y = t2(d.Y, s.k, s.B);
  const W1 = t2(d.W1, s.h, s.n);
  const b1 = t2(d.b1, s.h, 1);
  const W2 = t2(d.W2, s.k, s.h);
  const b2 = t2(d.b2, s.k, 1);
  const params = [W1, b1, W2, b2];

  const loss = fm
    ? (w1: tf.Tensor, c1: tf.Tensor, w2: tf.Tensor, c2: tf.Tensor): tf.Scalar => {
        const H = tf.relu(tf.add(tf.matMul(w1, X), c1));
        const Z = tf.add(tf.matMul(w2, H), c2);
        const logP = tf.sub(Z, tf.logSumExp(Z, 0, true)); // column-wise log-softmax
        return tf.div(tf.neg(tf.sum(tf.mul(Y, logP))), s.B) as tf.Scalar;
      }
    : (w1: tf.Tensor, c1: tf.Tensor, w2: tf.Tensor, c2: tf.Tensor): tf.Scalar => {
        const H = tf.relu(tf.add(tf.matMul(X, w1), c1));
        const Z = tf.add(tf.matMul(H, w2), c2);
        return tf.div(tf.neg(tf.sum(tf.mul(Y, tf.logSoftmax(Z)))), s.B) as tf.Scalar;
      };
  const vg = tf.valueAndGrads(loss);

  const forward = (): number => tf.tidy(() => loss(W1, b1, W2, b2).dataSync()[0]!);
  const step = (): void =>
    tf.tidy(() => {
      const { value, grads } = vg(params);
      value.dataSync();
      for (const g of grads) g.dataSync();
    });
  const before = (): Promise<void> => use(backend);
  const name = `tfjs-${backend} [${layout}]`;
  return {
    forward: { name, run: () => void forward(), before },
    step: { name, run: step, before },
    evaluate: () =>
      tf.tidy(() => {
        const { value, grads } = vg(params);
        // back in matdiff's layout, copied out of tfjs's storage
        const g = grads.map((t) => (fm ? t : tf.transpose(t)).dataSync().slice() as Float32Array);
        return { value: value.dataSync()[0]!, grad: { W1: g[0]!, b1: g[1]!, W2: g[2]!, b2: g[3]! } };
      }),
    dispose: () => tf.dispose([X, Y, ...params]),
  };
}

export function disposeAll(): void {
  tf.disposeVariables();
}
