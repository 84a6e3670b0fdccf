/**
 * The TypeScript backend: a `Program` as one standalone module (no import of matdiff),
 *
 *   export function forward(inputs, dims?): the output's value
 *   export function valueAndGrad(inputs, dims?): { value, grad: { W: ∂f/∂W, … } }
 *
 * Inputs are row-major typed arrays or nested number arrays (the data JSON layout);
 * symbolic sizes are inferred from them (or given in `dims`). Each entry keeps a
 * workspace — every intermediate buffer, the outputs, the result object — allocated on
 * the first call for a set of sizes and reused by later calls with the same sizes, so
 * a call allocates nothing: the returned arrays are overwritten by the next call.
 *
 * The same text serves in-process use: `emitModule(p, { lang: 'js' })` drops the
 * TypeScript-only parts (between « and » in the pieces below) instead of keeping them,
 * and ends with `return { forward, valueAndGrad }` for `new Function`.
 */
import type { Node } from '../../src/graph/node.js';
import { printExpr } from '../../src/print/printer.js';
import { pruneRuntime } from './prune.js';
import { isScalar, shapeText } from '../../src/shape/shape.js';
import type { Dim } from '../../src/shape/dim.js';
import { type BufferInfo, type MemoryPlan, type Schedule, stepBuffers } from '../ir.js';
import { extCode } from '../extent.js';
import type { Entry, Program } from '../program.js';
import { HELPERS, runtime } from './runtime.js';
import { WASM_MIN } from '../wasm/runtime.js';
import type { PoolOptions } from '../wasm/pool.js';
import { renderProductEpilogue, renderStep, type RenderCtx } from './kernels.js';
import { type ProductEpilogue, productEpilogues } from './epilogue.js';
import { onesReduction } from '../fuse.js';
import { NameTable, commentText, quote } from './names.js';

export type Dtype = 'f32' | 'f64';

export interface EmitOptions {
  dtype?: Dtype;
  /** 'ts': the TypeScript module; 'js': the same code as a function body for `new Function`. */
  lang?: 'ts' | 'js';
  /**
   * Embed the WebAssembly SIMD product (about 3 KB of base64) and use it for large
   * products where the platform has it. Default: when some product may be large enough.
   */
  wasm?: boolean;
  /**
   * Threads for the large products (default 1): with 2 or more, the module starts that many
   * − 1 worker threads on a shared WebAssembly memory where the host allows it (Node; a
   * cross-origin isolated page) and splits products of at least `threadMin` multiply-adds
   * among them (codegen/wasm/pool.ts), and exports `threadsReady()`. Only with `wasm`.
   */
  threads?: number;
  /** Products of at least this many multiply-adds are split among threads (default THREAD_MIN, measured). */
  threadMin?: number;
}

/** The module's source, unformatted. */
export function emitModule(p: Program, opts: EmitOptions = {}): string {
  const dtype = opts.dtype ?? 'f64';
  const lang = opts.lang ?? 'ts';
  const array = dtype === 'f32' ? 'Float32Array' : 'Float64Array';
  const dimIndex = new Map(p.dims.map((d, i) => [d, i]));
  const wasm = opts.wasm ?? mayUseWasm(p);
  const pool = wasm ? poolOptions(opts) : undefined;
  const parts: string[] = [];
  if (lang === 'js') parts.push("'use strict';");
  parts.push(header(p, dtype));
  parts.push(types(p, array));
  const entries = [entryCode('forward', p, p.forward, dimIndex)];
  if (p.valueAndGrad) entries.push(entryCode('valueAndGrad', p, p.valueAndGrad, dimIndex));
  const support = [
    `const Arr = ${array};`,
    `const DIM_NAMES«: readonly string[]» = [${p.dims.map(quote).join(', ')}];\n/** The sizes bound by the current call. */\nconst BOUND = new Float64Array(DIM_NAMES.length);`,
    HELPERS,
    runtime({ wasm, dtype, pool }),
  ].join('\n\n');
  if (pool) entries.push(THREADS_READY);
  // Only the helpers the entry points reach.
  parts.push(pruneRuntime(support + '\n', entries.join('\n')), ...entries);
  if (lang === 'js')
    parts.push(`return { forward${p.valueAndGrad ? ', valueAndGrad' : ''}${pool ? ', threadsReady' : ''} };`);
  return finish(parts.join('\n\n'), lang);
}

/** The worker-thread options, or undefined for one thread. */
function poolOptions(opts: EmitOptions): PoolOptions | undefined {
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 256)
    throw new RangeError(`threads must be an integer from 1 to 256, got ${threads}`);
  if (opts.threadMin !== undefined && !(Number.isInteger(opts.threadMin) && opts.threadMin >= 1))
    throw new RangeError(`threadMin must be a positive integer, got ${opts.threadMin}`);
  return threads > 1 ? { threads, threadMin: opts.threadMin } : undefined;
}

const THREADS_READY = `/**
 * Resolves, once the worker threads have started (or failed to), to the number of threads
 * the large products use: THREADS, or 1 where the host has no shared memory or workers.
 * Calls never wait for it; until then they run on one thread.
 */
«export »function threadsReady()«: Promise<number>» {
  return poolReady();
}`;

/**
 * Whether a product of the program may reach WASM_MIN multiply-adds: one with a symbolic
 * size (bound only at run time) or numeric sizes that large; also the products inside a
 * factorisation (and its solves) of a matrix of at least 16 rows (ts/factor.ts). Modules
 * without one do not carry the WebAssembly kernel.
 */
export function mayUseWasm(p: Program): boolean {
  const size = (d: Dim) => (d.syms.length ? Infinity : d.k);
  return [p.forward, p.valueAndGrad].some((e) =>
    e?.schedule.steps.some(
      (s) =>
        (s.kind === 'matmul' && size(s.m) * size(s.n) * size(s.k) >= WASM_MIN) ||
        (s.kind === 'factor' && size(s.n) >= 16),
    ),
  );
}

/**
 * The module, formatted by prettier. Parsed with prettier's `babel-ts` parser: the output
 * is the same as with `typescript` (what `prettier` picks for a .ts file; a test checks
 * that the result is stable under it), and about four times faster on large modules —
 * 3.4 s instead of 12–15 s for the 1 MB module of a 256-layer residual network.
 */
export async function emitTs(
  p: Program,
  opts: Pick<EmitOptions, 'dtype' | 'wasm' | 'threads' | 'threadMin'> = {},
): Promise<string> {
  // Loaded on demand: only emitting needs the formatter.
  const prettier = await import('prettier');
  return prettier.format(emitModule(p, { ...opts, lang: 'ts' }), { parser: 'babel-ts' });
}

/** Keeps the TypeScript-only text (ts) or removes it (js). */
export function finish(code: string, lang: 'ts' | 'js'): string {
  return lang === 'ts' ? code.replace(/[«»]/g, '') : code.replace(/«[^«»]*»/g, '');
}

/** Operators a step's comment may spell out before it names earlier steps instead. */
const COMMENT_NODES = 40;

/** How many operators `n` prints with `names` (named nodes count one), counted up to a cap; `sizes` persists across calls. */
function treeSize(root: Node, names: ReadonlyMap<Node, string>, sizes: Map<Node, number>): number {
  const cap = COMMENT_NODES + 1;
  const stack = [root];
  while (stack.length) {
    const n = stack[stack.length - 1]!;
    if (sizes.has(n)) {
      stack.pop();
      continue;
    }
    if (names.has(n) && n !== root) {
      sizes.set(n, 1);
      stack.pop();
      continue;
    }
    const pending = n.args.filter((a) => !sizes.has(a) && !(names.has(a) && sizes.set(a, 1)));
    if (pending.length) {
      stack.push(...pending);
      continue;
    }
    sizes.set(
      n,
      Math.min(
        cap,
        n.args.reduce((k, a) => k + sizes.get(a)!, 1),
      ),
    );
    stack.pop();
  }
  return sizes.get(root)!;
}

function header(p: Program, dtype: Dtype): string {
  const lines = [
    `Generated by matdiff from ${p.file} — do not edit; regenerate with \`matdiff emit\`.`,
    '',
    ...p.formulas,
    '',
    `Arithmetic: ${dtype === 'f32' ? 'float32 storage (Float32Array)' : 'float64 (Float64Array)'}.`,
    'forward(inputs, dims?) returns the value; valueAndGrad(inputs, dims?) returns { value, grad }.',
    'Inputs: row-major typed arrays, nested arrays of rows, flat arrays for vectors, numbers for',
    'scalars. Symbolic sizes are inferred from the inputs, or given in dims.',
    'Each entry allocates its buffers on the first call for a set of sizes and reuses them: the',
    'returned arrays and result object are overwritten by the next call — copy what you keep.',
  ];
  return ['/**', ...lines.map((l) => ` * ${commentText(l, 400)}`.trimEnd()), ' */'].join('\n');
}

function types(p: Program, array: string): string {
  const prop = (name: string, type: string, opt = '') => `  readonly ${quote(name)}${opt}: ${type};`;
  const grad = p.wrt.map((w) => `  ${quote(w.name)}: ${isScalar(w.node.shape) ? 'number' : 'Real'};`);
  return `«/** A row-major array of the module's element type. */
export type Real = ${array};
/** A matrix value: a row-major typed array, an array of rows, a flat array (a vector), or a number (a scalar). */
export type Tensor = Float64Array | Float32Array | number | readonly number[] | readonly (readonly number[])[];
export interface Inputs {
${p.inputs.map((v) => `  /** ${commentText(shapeText(v.node.shape))} */\n${prop(v.name, 'Tensor')}`).join('\n')}
}
/** Sizes of the symbolic dimensions, when the inputs do not determine them. */
export interface Dims {
${p.dims.map((d) => prop(d, 'number', '?')).join('\n')}
}
export type Value = ${isScalar(p.output.node.shape) ? 'number' : 'Real'};
${
  p.valueAndGrad
    ? `export interface Gradients {
${grad.join('\n')}
}
export interface ValueAndGrad {
  value: number;
  readonly grad: Gradients;
}`
    : ''
}»`;
}

/** A workspace property per slot, with its allocation. */
function slotDecls(plan: MemoryPlan, dimCode: (d: string) => string): { name: string; type: string; alloc: string }[] {
  return plan.slots.map((s) => {
    const type = s.elem === 'real' ? 'Real' : s.elem === 'f64' ? 'Float64Array' : 'Int32Array';
    const ctor = s.elem === 'real' ? 'Arr' : type;
    return { name: `s${s.id}`, type, alloc: `new ${ctor}(${extCode(s.size, dimCode)})` };
  });
}

function specOf(name: string, node: Node, dimIndex: ReadonlyMap<string, number>): string {
  const mono = (d: Dim) => `{ k: ${d.k}, s: [${d.syms.map((s) => dimIndex.get(s)!).join(', ')}] }`;
  const { rows, cols } = node.shape;
  const size = { k: rows.k * cols.k, syms: [...rows.syms, ...cols.syms] };
  return `{ key: ${quote(name)}, rows: ${mono(rows)}, cols: ${mono(cols)}, size: ${mono(size)}, shape: ${quote(shapeText(node.shape))} }`;
}

function entryCode(
  kind: 'forward' | 'valueAndGrad',
  p: Program,
  e: Entry,
  dimIndex: ReadonlyMap<string, number>,
): string {
  const { schedule: s, plan } = e;
  const grads = kind === 'valueAndGrad';
  const prefix = grads ? 'VALUE_AND_GRAD' : 'FORWARD';
  const Ws = grads ? 'ValueAndGradWorkspace' : 'ForwardWorkspace';
  const wsVar = grads ? 'valueAndGradCache' : 'forwardCache';
  const makeWs = grads ? 'valueAndGradWorkspace' : 'forwardWorkspace';

  const names = new NameTable();
  const dimName = new Map(p.dims.map((d) => [d, names.take('d_', d)]));
  const dim = (d: string) => dimName.get(d)!;
  const bufName = s.buffers.map((b) => names.take(bufPrefix(b), b.label));
  const epilogues = productEpilogues(s, plan);
  const absorbedMaps = new Set([...epilogues.values()].map((e) => e.mapIndex));
  // A product with an epilogue writes its map's buffer; its own is never stored.
  const unstored = new Set([...epilogues.values()].map((e) => e.product.out));
  const inPlace = productsReadInPlace(s, epilogues);
  const ctx: RenderCtx = { dim, buf: (id) => bufName[id]!, inPlace: (id) => inPlace.has(id) };
  const slots = slotDecls(plan, dim);
  const need = s.dims.map((d) => dimIndex.get(d)!);
  const readDims = s.dims.map((d) => `const ${dim(d)} = ws.D[${dimIndex.get(d)}]«!»;`);

  // Inputs in declaration order.
  const declared = p.inputs.map((i) => i.name);
  const inputs = [...s.inputs].sort((a, b) => declared.indexOf(a.name) - declared.indexOf(b.name));

  const out: string[] = [];
  out.push(
    `const ${prefix}_SPECS«: readonly InputSpec[]» = [\n${inputs.map((i) => specOf(i.name, i.node, dimIndex)).join(',\n')}\n];`,
  );
  out.push(`const ${prefix}_NEED«: readonly number[]» = [${need.join(', ')}];`);

  // The workspace: one array per slot, and the result object over the output slots.
  const outputs = s.outputs.map((o) => ({ ...o, slot: `s${plan.slotOf[o.buffer]}` }));
  const gradFields = grads
    ? p.wrt.map((w, i) => {
        const o = outputs[i + 1]!;
        return `[${quote(w.name)}]: ${isScalar(w.node.shape) ? '0' : o.slot}`;
      })
    : [];
  out.push(`«interface ${Ws} {
  readonly D: Float64Array;
  readonly stages: (Real | undefined)[];
${slots.map((x) => `  readonly ${x.name}: ${x.type};`).join('\n')}
${grads ? '  readonly result: ValueAndGrad;' : ''}
}»`);
  out.push(`function ${makeWs}(bound«: Float64Array»)«: ${Ws}» {
${s.dims.map((d) => `const ${dim(d)} = bound[${dimIndex.get(d)}]«!»;`).join('\n')}
${slots.map((x) => `const ${x.name} = ${x.alloc};`).join('\n')}
return { D: bound.slice(), stages: [], ${slots.map((x) => x.name).join(', ')}${grads ? `, result: { value: 0, grad: { ${gradFields.join(', ')} } }` : ''} };
}`);
  out.push(`const ${wsVar}«: WorkspaceCache<${Ws}>» = { last: undefined, bySizes: new Map() };`);

  // The entry point.
  const body: string[] = [];
  body.push(`bindDims(inputs, dims, ${prefix}_SPECS, ${prefix}_NEED, BOUND);`);
  body.push(`const ws = workspace(${wsVar}, ${makeWs});`);
  body.push(...readDims);
  inputs.forEach((inp, k) => {
    const { rows, cols } = inp.node.shape;
    const R = extCode([rows], dim);
    const C = extCode([cols], dim);
    body.push(
      `const ${bufName[inp.buffer]} = readInput(own(inputs, ${quote(inp.name)}), ${prefix}_SPECS[${k}]«!», ${R}, ${C}, ws.stages, ${k});`,
    );
  });
  s.buffers.forEach((b) => {
    if (b.role === 'input' || unstored.has(b.id)) return;
    if (inPlace.has(b.id)) body.push(`let ${bufName[b.id]}«: Real» = ws.s${plan.slotOf[b.id]};`);
    else body.push(`const ${bufName[b.id]} = ws.s${plan.slotOf[b.id]};`);
  });
  const title = new Map<Node, string>([[p.output.node, p.output.name]]);
  if (grads) p.wrt.forEach((w) => title.set(w.grad, `∂${p.output.name}/∂${w.name}`));
  // A formula in a comment that would be long written out in the model's names (a
  // gradient's tree repeats its shared parts) names what earlier steps computed instead,
  // by their buffers: each comment then stays about one step long.
  const known = new Map(p.names);
  const sizes = new Map<Node, number>();
  const namesFor = (n: Node) => (treeSize(n, p.names, sizes) <= COMMENT_NODES ? p.names : known);
  s.steps.forEach((step, k) => {
    if (absorbedMaps.has(k)) return;
    const ep = epilogues.get(k);
    if (ep && step.kind === 'matmul') {
      const what = commentText(stepComment(ep.map, s, p, title, namesFor));
      body.push('', `// ${what}, in the product's tiles (its epilogue)`);
      body.push(`{\n${renderProductEpilogue(step, ep, ctx)}\n}`);
      if (!known.has(ep.map.node)) known.set(ep.map.node, bufName[ep.map.out]!);
      return;
    }
    body.push('', `// ${commentText(stepComment(step, s, p, title, namesFor))}`);
    body.push(`{\n${renderStep(step, ctx)}\n}`);
    if (step.kind !== 'factor' && !known.has(step.node)) known.set(step.node, bufName[step.out]!);
  });
  body.push('');
  const value = bufName[outputs[0]!.buffer]!;
  const valueScalar = isScalar(p.output.node.shape);
  if (grads) {
    body.push('const res = ws.result;', `res.value = ${value}[0]«!»;`);
    p.wrt.forEach((w, i) => {
      if (isScalar(w.node.shape)) body.push(`res.grad[${quote(w.name)}] = ${bufName[outputs[i + 1]!.buffer]}[0]«!»;`);
    });
    body.push('return res;');
  } else body.push(`return ${value}${valueScalar ? '[0]«!»' : ''};`);

  const doc = grads
    ? `/** The value of ${commentText(p.output.name)} and its gradients ${commentText(p.wrt.map((w) => w.name).join(', '))}. The result object and its arrays are reused by the next call. */`
    : `/** The value of ${commentText(p.output.name)}${valueScalar ? '' : ' (row-major; the array is reused by the next call)'}. */`;
  const ret = grads ? 'ValueAndGrad' : 'Value';
  out.push(`${doc}\n«export »function ${kind}(inputs«: Inputs», dims«?: Dims»)«: ${ret}» {\n${body.join('\n')}\n}`);
  return out.join('\n\n');
}

/**
 * Temporary products whose readers can take them where the product is computed (gemmTo:
 * the WebAssembly kernel's memory, no copy out): every reader an elementwise map, a
 * reduction or a column softmax / logsumexp — which read C in the same pass as the
 * function that follows the product, its epilogue — and all of them before the next step
 * that may run a product (which reuses that memory). A product with an epilogue computed
 * in its kernel (`epilogues`, ts/epilogue.ts) stands for its map's buffer (gemmEpTo).
 */
export function productsReadInPlace(
  s: Schedule,
  epilogues: ReadonlyMap<number, ProductEpilogue> = new Map(),
): Set<number> {
  const out = new Set<number>();
  const io = s.steps.map(stepBuffers);
  const mayMultiply = (k: number) => ['matmul', 'factor', 'inverse', 'solve'].includes(s.steps[k]!.kind);
  s.steps.forEach((step, k) => {
    if (step.kind !== 'matmul') return;
    const ep = epilogues.get(k);
    const c = ep ? ep.map.out : step.out;
    if (s.buffers[c]!.role !== 'temp') return;
    let next = k + 1;
    while (next < s.steps.length && !mayMultiply(next)) next++;
    for (let r = k + 1; r < s.steps.length; r++)
      if (r !== ep?.mapIndex && io[r]!.reads.includes(c) && (r >= next || io[r]!.writes.includes(c))) return;
    out.add(c);
  });
  return out;
}

function bufPrefix(b: BufferInfo): string {
  return b.role === 'input' ? 'v_' : b.role === 'scratch' ? 'w_' : 't_';
}

function stepComment(
  step: Schedule['steps'][number],
  s: Schedule,
  p: Program,
  title: ReadonlyMap<Node, string>,
  namesFor: (n: Node) => ReadonlyMap<Node, string>,
): string {
  const n = step.node;
  const formula = (x: Node) => printExpr(x, 'unicode', namesFor(x));
  if (step.kind === 'factor')
    return `${step.method === 'lu' ? 'LU factors (partial pivoting)' : 'Cholesky factor'} of ${formula(n)}`;
  // A root's title (∂L/∂W = …) only on the step that writes its output buffer.
  const name = (s.buffers[step.out]!.role === 'output' ? title.get(n) : undefined) ?? p.names.get(n);
  const red = step.kind === 'reduce' ? onesReduction(n) : undefined;
  const how = red ? `, as the ${red.axis === 'rows' ? 'row' : 'column'} sums of ${formula(red.body)}` : '';
  return `${name ? `${name} = ` : ''}${formula(n)}   ${shapeText(n.shape)}${how}`;
}
