/**
 * Every example model (examples/*.mdf with an output, and the benchmark MLP) through the
 * WGSL backend on the WebGPU adapter: every shader validated by Tint, then the value and
 * every gradient compared with the reference interpreter, at sizes that are not
 * multiples of 4 and at sizes that are (the vec4 kernels).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from '../src/index.js';
import { checkParsed, requireGpu } from './wgsl-util.js';
import { randomEnv } from './gen.js';

const dir = new URL('../examples/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mdf'))
  .sort()
  .map((f) => ({ name: `examples/${f}`, url: new URL(f, dir) }));
const mlp784 = new URL('../bench/mlp784.mdf', import.meta.url);
if (existsSync(mlp784)) files.push({ name: 'bench/mlp784.mdf', url: mlp784 });

const SIZES = [
  { n: 37, B: 70, k: 5, h: 33, m: 41, d: 9 },
  { n: 64, B: 36, k: 12, h: 40, m: 44, d: 16 },
];

describe('examples on WebGPU', () => {
  for (const { name, url } of files) {
    const model = parse(readFileSync(url, 'utf8'), name);
    if (model.output === undefined) continue;
    it(name, async (ctx) => {
      requireGpu(ctx);
      for (const dims of name.startsWith('bench/') ? [{}] : SIZES) {
        const bound: Record<string, number> = Object.fromEntries(
          Object.entries(dims as Record<string, number>).filter(([d]) => model.dims.includes(d)),
        );
        const env = randomEnv(
          1,
          [...model.vars.values()].map((v) => v.node),
          new Map(Object.entries(bound)),
        );
        // Entries of size 1/√(fan-in), as trained weights and normalised data have: with unit
        // entries, the 784-wide MLP's logits spread by hundreds and softmax underflows in f32.
        for (const [name, m] of env.vars)
          if (!model.vars.get(name)!.props.some((p) => p === 'spd' || p === 'pos'))
            m.data.forEach((x, i) => (m.data[i] = x / Math.sqrt(Math.max(m.rows, m.cols))));
        const r = await checkParsed(model, bound, { env, tol: 1e-3 });
        expect(r.failures, JSON.stringify(dims)).toEqual([]);
      }
    });
  }
});
