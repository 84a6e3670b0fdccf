/**
 * The sigmoid chain of sigmoid-chain.mdf on the data of sigmoid-chain.json, through the
 * library: parse the model, build its gradients, evaluate them in float64, and compare
 * each with a central finite difference of the loss. (`matdiff grad
 * examples/sigmoid-chain.mdf` prints the same gradients symbolically.)
 *
 *   npx tsx examples/sigmoid-chain.ts
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse, grads, evaluate } from '../src/index.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const model = parse(readFileSync(here('sigmoid-chain.mdf'), 'utf8'), 'sigmoid-chain.mdf');
const data = JSON.parse(readFileSync(here('sigmoid-chain.json'), 'utf8')) as Record<string, number>;

const scalar = (v: number) => ({ rows: 1, cols: 1, data: Float64Array.of(v) });
const env = (values: Record<string, number>) => ({
  vars: new Map(Object.entries(values).map(([name, v]) => [name, scalar(v)])),
  dims: new Map<string, number>(),
});

const L = model.defs.get('L')!.node;
const wrt = ['w1', 'w2', 'w3'];
const gradients = grads(
  L,
  wrt.map((w) => model.vars.get(w)!.node),
);
const defs = [...model.defs.values()].filter((d) => d.name !== 'L');

const values = evaluate([L, ...defs.map((d) => d.node), ...gradients], env(data)).map((m) => m.data[0]!);
const fmt = (v: number) => v.toFixed(8).padStart(12);

console.log(
  `data: ${Object.entries(data)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ')}\n`,
);
defs.forEach((d, i) => console.log(`${d.name.padEnd(4)} = ${fmt(values[i + 1]!)}`));
console.log(`L    = ${fmt(values[0]!)}\n`);

// Central differences: (L(w + h) − L(w − h)) / 2h, an independent check of each gradient.
const loss = (values: Record<string, number>) => evaluate([L], env(values))[0]!.data[0]!;
const h = 1e-6;
wrt.forEach((w, i) => {
  const g = values[1 + defs.length + i]!;
  const fd = (loss({ ...data, [w]: data[w]! + h }) - loss({ ...data, [w]: data[w]! - h })) / (2 * h);
  console.log(`∂L/∂${w} = ${fmt(g)}   (finite difference ${fmt(fd).trim()})`);
});
