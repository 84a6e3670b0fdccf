/**
 * Symbolic benchmark (issues 3 and 9): how the gradient graph grows with depth, how long
 * deriving and simplifying takes, and how long the printed gradients are; then five
 * families of real-model shapes grown over four sizes (bench/symbolic/families.ts), with
 * the time of print, grad, emit and run, the printed size and the gradient's node count.
 *
 *   npm run bench:symbolic              the first sizes of each family (about a minute)
 *   npm run bench:symbolic -- --full    and the largest ones too
 *   npm run bench:symbolic -- --scale   the families only
 *   … --format-all                      also prettier-format modules over 1 MB (minutes)
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parse, grads, printExpr } from '../src/index.js';
import { topoOrder, type Node } from '../src/graph/node.js';
import { derivativeLines } from '../src/print/gradients.js';
import { isScalar } from '../src/shape/shape.js';
import { FAMILIES } from './symbolic/families.js';
import { measure } from './symbolic/measure.js';

const argv = process.argv.slice(2);
const FULL = argv.includes('--full');
const SCALE_ONLY = argv.includes('--scale');
/** prettier (babel-ts, as emit uses it) formats about 250 KB a second here: larger modules are formatted only with --format-all. */
const FORMAT_LIMIT = argv.includes('--format-all') ? Infinity : 1_000_000;

/** A chain of L dense tanh layers with a squared-norm loss. */
function chain(layers: number): string {
  const lines = ['X: [n, B]'];
  for (let l = 1; l <= layers; l++) lines.push(`W${l}: [n, n]; b${l}: [n]`);
  let prev = 'X';
  for (let l = 1; l <= layers; l++) {
    lines.push(`H${l} = tanh(W${l}·${prev} + b${l})`);
    prev = `H${l}`;
  }
  lines.push(`L = sum(${prev} ⊙ ${prev}) / B`);
  return lines.join('\n');
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function derive(layers: number) {
  const model = parse(chain(layers), `chain${layers}.mdf`);
  const L = model.defs.get('L')!.node;
  const wrt = [...model.vars.values()].filter((v) => v.name !== 'X').map((v) => v.node);
  const t0 = performance.now();
  const gs = grads(L, wrt);
  const ms = performance.now() - t0;
  const forward = new Set(topoOrder([L]));
  const backward = topoOrder(gs).filter((n) => !forward.has(n));
  return { forward: forward.size, backward: backward.length, ms };
}

if (!SCALE_ONLY) classic();

function classic(): void {
  console.log('Gradient graph size for a chain of L dense layers (forward nodes, new backward nodes, ratio)');
  console.log('  L   forward  backward  ratio');
  for (const L of [1, 2, 5, 10, 20, 50, 100]) {
    const r = derive(L);
    console.log(
      `${String(L).padStart(3)}  ${String(r.forward).padStart(8)}  ${String(r.backward).padStart(8)}  ${(r.backward / r.forward).toFixed(2).padStart(5)}`,
    );
  }

  // Deriving and simplifying the 50-layer chain, from fresh source each time. Interned nodes
  // and the simplifier's memo persist in the process, so the first run is the honest one:
  // each run uses fresh names (a different model) to avoid measuring cache hits.
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const src = chain(50).replace(/\b([WbH])(\d+)/g, `$1$2r${run}`);
    const model = parse(src, 'chain50.mdf');
    const L = model.defs.get('L')!.node;
    const wrt = [...model.vars.values()].filter((v) => v.name !== 'X').map((v) => v.node);
    const t0 = performance.now();
    grads(L, wrt);
    times.push(performance.now() - t0);
  }
  console.log(
    `\nDerive + simplify all 100 gradients of the 50-layer chain: median ${median(times).toFixed(1)} ms over 5 runs (min ${Math.min(...times).toFixed(1)})`,
  );

  console.log('\nPrinted gradients of the examples (ASCII, as `matdiff grad --format ascii` prints them):');
  for (const file of readdirSync('examples')
    .filter((f) => f.endsWith('.mdf'))
    .sort()) {
    const model = parse(readFileSync(`examples/${file}`, 'utf8'), file);
    if (!model.output) continue;
    const out = model.defs.get(model.output)!;
    if (!isScalar(out.node.shape)) continue;
    const forward = topoOrder([out.node]);
    const vars = [...model.vars.values()].filter((v) => forward.includes(v.node));
    const gs: Node[] = grads(
      out.node,
      vars.map((v) => v.node),
    );
    const lines = derivativeLines(model, 'grad', out, vars, gs, 'ascii');
    const chars = lines.reduce((s, l) => s + l.replace(/^.*? = /, '').length, 0);
    console.log(`  ${file} — ${vars.length} gradients, ${chars} characters of expressions`);
    for (const l of lines) console.log(`      ${l}`);
  }

  /** Gradients next to the Matrix Cookbook's forms (Petersen & Pedersen, 2012), in Unicode. */
  const COOKBOOK: [decls: string, f: string, wrt: string, cookbook: string][] = [
    ['A: [n, m]; X: [m, p]; B: [p, n]', 'tr(A·X·B)', 'X', 'Aᵀ·Bᵀ'],
    ['A: [n, n]; x: [n]', 'xᵀ·A·x', 'x', '(A + Aᵀ)·x'],
    ['A: [m, n]; x: [n]; b: [m]', '‖A·x − b‖²', 'x', '2·Aᵀ·(A·x − b)'],
    ['X: [n, n]', 'det(X)', 'X', 'det(X)·X⁻ᵀ'],
    ['X: [n, n]', 'logdet(X)', 'X', 'X⁻ᵀ'],
    ['X: [n, n]; A: [n, n]', 'tr(inv(X)·A)', 'X', '−X⁻ᵀ·Aᵀ·X⁻ᵀ'],
    ['a: [m]; X: [m, n]; b: [n]', 'aᵀ·X·b', 'X', 'a·bᵀ'],
    ['X: [n, m]; A: [n, n]', 'tr(Xᵀ·A·X)', 'X', '(A + Aᵀ)·X'],
    ['X: [m, n]', '‖X‖²', 'X', '2·X'],
    ['X: [N, d]; w: [d]; y: [N]', 'sum(softplus(X·w)) − yᵀ·X·w', 'w', 'Xᵀ·(σ(X·w) − y)'],
  ];
  console.log('\nAgainst the Matrix Cookbook (characters of the printed gradient, Unicode):');
  console.log(`  ${'f'.padEnd(30)} ${'wrt'.padEnd(4)} ${'matdiff'.padEnd(26)} ${'Cookbook'.padEnd(20)} chars`);
  for (const [decls, f, wrt, cookbook] of COOKBOOK) {
    const model = parse(`${decls}\nf = ${f}`, 'cookbook.mdf');
    const g = grads(model.defs.get('f')!.node, [model.vars.get(wrt)!.node])[0]!;
    const ours = printExpr(g, 'unicode');
    console.log(
      `  ${f.padEnd(30)} ${wrt.padEnd(4)} ${ours.padEnd(26)} ${cookbook.padEnd(20)} ${ours.length} vs ${cookbook.length}`,
    );
  }
}

/**
 * Each family at its sizes: times in ms (net of start-up; print, grad and emit include
 * parsing), `emit` = building the program and generating the module's text, `format` =
 * prettier on that text (the rest of `emit --target ts`), printed characters of the
 * gradient lines, nodes of the simplified gradient graph, and growth against the previous
 * size as (growth of time or size) / (growth of the model): 1 is linear.
 */
console.log('\nModels at scale (in-process; ms; growth = ratio to the previous size ÷ the size ratio, 1 = linear)');
const pad = (x: string | number, w: number) => String(x).padStart(w);
const ms = (x: number) => (Number.isNaN(x) ? '—' : x < 10 ? x.toFixed(1) : x.toFixed(0));
console.log(
  `  ${'family'.padEnd(22)} ${pad('size', 7)} ${pad('print', 8)} ${pad('grad', 8)} ${pad('emit', 8)} ${pad('format', 8)} ${pad('run', 8)} ${pad('chars', 9)} ${pad('nodes', 8)}   growth: ${['print', 'grad', 'emit', 'chars', 'nodes'].join(' ')}`,
);
for (const f of FAMILIES) {
  let prev: { size: number; m: Awaited<ReturnType<typeof measure>> } | undefined;
  for (const size of [...f.sizes, ...(FULL ? f.full : [])]) {
    const m = await measure(f.source, size, f.dims, { formatLimit: FORMAT_LIMIT });
    const growth = (a: number, b: number) => (prev ? (a / b / (size / prev.size)).toFixed(2) : '');
    const g = prev
      ? [
          growth(m.printMs, prev.m.printMs),
          growth(m.gradMs, prev.m.gradMs),
          growth(m.emitMs, prev.m.emitMs),
          growth(m.chars, prev.m.chars),
          growth(m.nodes, prev.m.nodes),
        ].join(' ')
      : '';
    console.log(
      `  ${f.name.padEnd(22)} ${pad(size, 7)} ${pad(ms(m.printMs), 8)} ${pad(ms(m.gradMs), 8)} ${pad(ms(m.emitMs), 8)} ${pad(ms(m.formatMs), 8)} ${pad(ms(m.runMs), 8)} ${pad(m.chars, 9)} ${pad(m.nodes, 8)}   ${g}`,
    );
    prev = { size, m };
  }
}
