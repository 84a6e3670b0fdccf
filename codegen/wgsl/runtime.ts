/**
 * The WGSL host runtime: the fixed part of every program the WGSL backend runs. It is
 * source text, so that exactly the same code runs in-process (run.ts evaluates it once)
 * and in the self-contained module `matdiff emit --target wgsl` writes (emit.ts pastes
 * it in) — what the tests exercise is what users get.
 *
 * Text between « and » is TypeScript only (types, annotations); it is dropped for the
 * JavaScript evaluated in-process and for a .js module. The text defines:
 *
 *   createRunner(device, program) → { run(inputs, dims?) → Promise<Float32Array[]>, destroy() }
 *   createModel(device, spec)     → { forward, valueAndGrad, destroy }   (the user-facing API)
 *   requestMatdiffDevice()        → a GPUDevice from navigator.gpu with the limits matdiff needs
 *
 * A runner, for one program (plain data, see lower.ts):
 *  - binds the symbolic sizes from the inputs' shapes (or `dims`), like the TS backend;
 *  - on the first run with a binding of sizes: picks each step's variant, checks every
 *    buffer and workgroup count against the device's limits (an error naming the buffer
 *    and the limit, before anything is allocated), creates the slots' buffers once and
 *    the pipelines once per kernel, and records the dispatches with their bind groups
 *    and uniform parameters; later runs with the same sizes reuse all of it;
 *  - per run: writes the inputs (f32) with queue.writeBuffer, encodes every dispatch in
 *    one compute pass, copies the outputs into one staging buffer, and maps it.
 * Runs are serialised (one staging buffer). Errors carry `kind`: 'input' (bad data),
 * 'limit' (too large for the device), 'device' (lost), 'bug' (a shader or pipeline that
 * does not compile: a matdiff bug, reported with the offending WGSL line).
 */

import { sizeSolver } from '../size-solver.js';

export const RUNTIME = String.raw`
«/** A size computed at run time from the symbolic dimensions (see sizes.ts). */
type Size = number | readonly ['d', number] | readonly [string, Size, Size];

interface Mono {
  readonly k: number;
  readonly s: readonly number[];
}

type Resource =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'slot'; readonly index: number }
  | { readonly kind: 'partials' }
  | { readonly kind: 'params' };

interface Kernel {
  readonly label: string;
  readonly code: string;
  readonly bindings: readonly Resource[];
  readonly params: readonly Size[];
  readonly grid: readonly [Size, Size];
  readonly linear: boolean;
  readonly partials?: Size;
}

export interface Program {
  readonly dims: readonly string[];
  readonly inputs: readonly { readonly key: string; readonly rows: Mono; readonly cols: Mono; readonly shape: string }[];
  readonly slots: readonly { readonly size: Size; readonly label: string }[];
  readonly outputs: readonly { readonly slot: number; readonly rows: Size; readonly cols: Size; readonly label: string }[];
  readonly kernels: readonly Kernel[];
  readonly steps: readonly {
    readonly label: string;
    /** Bytes the step reads and writes at least. */
    readonly bytes: Size;
    readonly variants: readonly { readonly when: Size; readonly kernels: readonly number[] }[];
  }[];
}

/** A value for a variable: a number (scalar), an array (vector, or row-major flat), an array of rows, or a typed array (row-major). */
export type InputValue = number | readonly number[] | readonly (readonly number[])[] | Float32Array | Float64Array;
/** The inputs by variable name, and sizes by dimension name (the module types both per model: Inputs, Dims). */
type InputRecord = Readonly<Record<string, InputValue>>;
type DimRecord = Readonly<Record<string, number>>;

export type RunErrorKind = 'input' | 'limit' | 'device' | 'bug';

interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly group: GPUBindGroup;
  readonly x: number;
  readonly y: number;
}

interface Prepared {
  readonly key: string;
  readonly inputs: GPUBuffer[];
  readonly owned: GPUBuffer[];
  readonly dispatches: Dispatch[];
  readonly staging: GPUBuffer;
  readonly outputs: { readonly buffer: GPUBuffer; readonly offset: number; readonly length: number }[];
  readonly sizes: { readonly rows: number; readonly cols: number }[];
}»

/** An error of the WGSL runtime; 'kind' says whose fault it is. */
export class MatdiffGpuError extends Error {
  «readonly kind: RunErrorKind;»
  constructor(kind«: RunErrorKind», message«: string») {
    super(message);
    this.name = 'MatdiffGpuError';
    this.kind = kind;
  }
}

// WebGPU flag values (GPUBufferUsage, GPUMapMode), spelled out: no globals needed.
const MAP_READ = 0x0001;
const COPY_SRC = 0x0004;
const COPY_DST = 0x0008;
const UNIFORM = 0x0040;
const STORAGE = 0x0080;

function sizeValue(s«: Size», D«: ArrayLike<number>»)«: number» {
  if (typeof s === 'number') return s;
  if (s[0] === 'd') return D[s[1]« as number»]«!»;
  const a = sizeValue(s[1]« as Size», D);
  const b = sizeValue(s[2]« as Size», D);
  switch (s[0]) {
    case '+': return a + b;
    case '*': return a * b;
    case '/': return Math.floor(a / b);
    case 'cdiv': return Math.ceil(a / b);
    case 'min': return Math.min(a, b);
    case 'max': return Math.max(a, b);
    case '%': return a % b;
    case '==': return a === b ? 1 : 0;
    case '<=': return a <= b ? 1 : 0;
    case '&&': return a && b ? 1 : 0;
    case '||': return a || b ? 1 : 0;
  }
  throw new MatdiffGpuError('bug', 'unknown size operator ' + String(s[0]));
}

// ── binding the symbolic sizes and reading the inputs ──

/** inputs[key] when it is the object's own property (never a prototype's). */
function own(o«: object», key«: string»)«: unknown» {
  return Object.prototype.hasOwnProperty.call(o, key) ? (o« as Record<string, unknown>»)[key] : undefined;
}

const monoIsOne = (m«: Mono»)«: boolean» => m.k === 1 && m.s.length === 0;

function monoValue(m«: Mono», D«: ArrayLike<number>»)«: number» {
  let v = m.k;
  for (let t = 0; t < m.s.length; t++) v *= D[m.s[t]«!»]«!»;
  return v;
}

${sizeSolver((message) => `new MatdiffGpuError('input', ${message})`)}
/** The sizes of the program's dimensions: from 'dims', then from the inputs' shapes. */
function bindDims(p«: Program», inputs«: InputRecord», dims«: DimRecord | undefined»)«: Float64Array» {
  const D = new Float64Array(p.dims.length);
  if (typeof inputs !== 'object' || inputs === null) throw new MatdiffGpuError('input', 'inputs must be an object with one entry per variable');
  if (dims !== undefined)
    for (let d = 0; d < p.dims.length; d++) {
      const v = own(dims, p.dims[d]«!»);
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new MatdiffGpuError('input', 'dims.' + p.dims[d] + ' must be a positive integer');
      D[d] = v;
    }
  for (let changed = true; changed; ) {
    changed = false;
    for (const spec of p.inputs) {
      const v = own(inputs, spec.key);
      if (v === undefined || typeof v === 'number') continue;
      if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
        if (solve(spec.rows, v.length, D, p.dims, spec.key, spec.shape)) changed = true;
        if (solve(spec.cols, (v[0]« as readonly unknown[]»).length, D, p.dims, spec.key, spec.shape)) changed = true;
      } else if (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) {
        const len = (v« as { length: number }»).length;
        const m = monoIsOne(spec.cols) ? spec.rows : monoIsOne(spec.rows) ? spec.cols : { k: spec.rows.k * spec.cols.k, s: [...spec.rows.s, ...spec.cols.s] };
        if (solve(m, len, D, p.dims, spec.key, spec.shape)) changed = true;
      }
    }
  }
  for (let d = 0; d < p.dims.length; d++)
    if (D[d] === 0) throw new MatdiffGpuError('input', 'cannot infer the size ' + p.dims[d] + ' from the inputs; pass it in dims');
  return D;
}

function shapeError(key«: string», shape«: string», R«: number», C«: number», got«: string»)«: MatdiffGpuError» {
  return new MatdiffGpuError('input', key + ': expected ' + shape + ' = ' + R + ' × ' + C + ', got ' + got);
}

function entry(key«: string», x«: unknown», where«: string»)«: number» {
  if (typeof x !== 'number') throw new MatdiffGpuError('input', key + where + ' is not a number');
  return x;
}

/** An input as a row-major R × C Float32Array (the caller's own array when it is one). */
function readInput(v«: unknown», key«: string», shape«: string», R«: number», C«: number»)«: Float32Array» {
  const size = R * C;
  if (v === undefined) throw new MatdiffGpuError('input', 'missing input ' + key + ' ' + shape);
  if (v instanceof Float32Array) {
    if (v.length !== size) throw shapeError(key, shape, R, C, 'an array of length ' + v.length);
    return v;
  }
  const out = new Float32Array(size);
  if (typeof v === 'number') {
    if (size !== 1) throw shapeError(key, shape, R, C, 'a number');
    out[0] = v;
  } else if (v instanceof Float64Array) {
    if (v.length !== size) throw shapeError(key, shape, R, C, 'an array of length ' + v.length);
    out.set(v);
  } else if (Array.isArray(v) && v.length > 0 && Array.isArray(v[0])) {
    if (v.length !== R) throw shapeError(key, shape, R, C, v.length + ' rows');
    for (let i = 0; i < R; i++) {
      const row«: unknown» = v[i];
      if (!Array.isArray(row) || row.length !== C) throw shapeError(key, shape, R, C, 'row ' + i + ' of ' + (Array.isArray(row) ? row.length + ' entries' : typeof row));
      for (let j = 0; j < C; j++) out[i * C + j] = entry(key, row[j], '[' + i + '][' + j + ']');
    }
  } else if (Array.isArray(v)) {
    if (v.length !== size) throw shapeError(key, shape, R, C, 'a flat array of length ' + v.length);
    for (let t = 0; t < size; t++) out[t] = entry(key, v[t], '[' + t + ']');
  } else throw new MatdiffGpuError('input', key + ': expected a number, an array or a typed array');
  return out;
}

// ── pipelines ──

/** A pipeline for kernel k; a shader that does not compile is a matdiff bug, reported with its line. */
async function makePipeline(device«: GPUDevice», kernel«: Kernel»)«: Promise<GPUComputePipeline>» {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: kernel.code, label: kernel.label });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    await device.popErrorScope();
    const lines = kernel.code.split('\n');
    const m = errors[0]«!»;
    throw new MatdiffGpuError(
      'bug',
      'matdiff bug: the WGSL shader for ' + kernel.label + ' does not compile: line ' + m.lineNum + ': ' + m.message +
        '\n    ' + (lines[m.lineNum - 1] ?? '').trim() + '\n(please report it with the model)',
    );
  }
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: kernel.label });
  const err = await device.popErrorScope();
  if (err) throw new MatdiffGpuError('bug', 'matdiff bug: no compute pipeline for ' + kernel.label + ': ' + err.message + ' (please report it with the model)');
  return pipeline;
}

const MiB = (bytes«: number») => (bytes / 1048576).toFixed(1) + ' MiB';

/** Executes one program on 'device'. */
export function createRunner(device«: GPUDevice», p«: Program»)«: { run(inputs: InputRecord, dims?: DimRecord): Promise<Float32Array[]>; destroy(): void }» {
  const pipelines«: (Promise<GPUComputePipeline> | undefined)[]» = [];
  const lim = device.limits;
  let prepared«: Prepared | undefined»;
  let chain«: Promise<unknown>» = Promise.resolve();
  let destroyed = false;
  let lost«: string | undefined»;
  void device.lost.then((info) => {
    lost = info.message || info.reason;
  });

  const pipeline = (k«: number») => (pipelines[k] ??= makePipeline(device, p.kernels[k]«!»));

  function release(st«: Prepared | undefined»)«: void» {
    if (!st) return;
    for (const b of st.owned) b.destroy();
  }

  /** Bytes of a buffer of n words: 16-byte multiples (vec4 views), at least 16. */
  const bytesOf = (n«: number») => Math.max(16, Math.ceil(n / 4) * 16);

  function checkBuffer(label«: string», words«: number»)«: void» {
    const bytes = words * 4;
    const max = Math.min(lim.maxStorageBufferBindingSize, lim.maxBufferSize);
    if (bytes > max)
      throw new MatdiffGpuError('limit', 'the model needs a buffer of ' + MiB(bytes) + ' for ' + label + ', more than this WebGPU device allows (' + MiB(max) + ' per storage buffer)');
  }

  async function prepare(D«: Float64Array»)«: Promise<Prepared>» {
    const key = Array.from(D).join(',');
    if (prepared && prepared.key === key) return prepared;
    release(prepared);
    prepared = undefined;
    // Choose each step's variant and size its dispatches; check limits before allocating.
    const maxDim = lim.maxComputeWorkgroupsPerDimension;
    const plan«: { kernel: number; x: number; y: number }[]» = [];
    let partials = 1;
    for (const step of p.steps) {
      const v = step.variants.find((x) => sizeValue(x.when, D) !== 0);
      if (!v) throw new MatdiffGpuError('bug', 'matdiff bug: no kernel variant for step ' + step.label);
      for (const k of v.kernels) {
        const kern = p.kernels[k]«!»;
        const storage = kern.bindings.filter((b) => b.kind !== 'params').length;
        if (storage > lim.maxStorageBuffersPerShaderStage)
          throw new MatdiffGpuError('limit', 'this WebGPU device allows ' + lim.maxStorageBuffersPerShaderStage + ' storage buffers per shader, but ' + kern.label + ' needs ' + storage);
        let x = sizeValue(kern.grid[0], D);
        let y = sizeValue(kern.grid[1], D);
        if (kern.linear && x > maxDim) {
          y = Math.ceil(x / maxDim);
          x = Math.ceil(x / y);
        }
        if (x > maxDim || y > maxDim)
          throw new MatdiffGpuError('limit', 'the model is too large for this WebGPU device: ' + kern.label + ' needs ' + x + ' × ' + y + ' workgroups (at most ' + maxDim + ' per dimension)');
        if (kern.partials !== undefined) partials = Math.max(partials, sizeValue(kern.partials, D));
        if (x > 0 && y > 0) plan.push({ kernel: k, x, y });
      }
    }
    const slotWords = p.slots.map((s) => sizeValue(s.size, D));
    slotWords.forEach((w, s) => checkBuffer('the values of ' + p.slots[s]«!».label, w));
    const inputWords = p.inputs.map((inp) => monoValue(inp.rows, D) * monoValue(inp.cols, D));
    inputWords.forEach((w, k) => checkBuffer('input ' + p.inputs[k]«!».key, w));
    const sizes = p.outputs.map((o) => ({ rows: sizeValue(o.rows, D), cols: sizeValue(o.cols, D) }));
    const pipes = await Promise.all(plan.map((d) => pipeline(d.kernel)));

    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const owned«: GPUBuffer[]» = [];
    const make = (words«: number», usage«: number», label«: string») => {
      const b = device.createBuffer({ size: bytesOf(words), usage, label });
      owned.push(b);
      return b;
    };
    const inputs = p.inputs.map((inp, k) => make(inputWords[k]«!», STORAGE | COPY_DST, 'input ' + inp.key));
    const slots = p.slots.map((s, k) => make(slotWords[k]«!», STORAGE | COPY_SRC, s.label));
    const scratch = make(partials, STORAGE, 'partial sums');
    let total = 0;
    const outputs = p.outputs.map((o, k) => {
      const length = sizes[k]«!».rows * sizes[k]«!».cols;
      const out = { buffer: slots[o.slot]«!», offset: total, length };
      total += length * 4;
      return out;
    });
    const staging = make(total / 4, MAP_READ | COPY_DST, 'readback');
    const dispatches = plan.map((d, t) => {
      const kern = p.kernels[d.kernel]«!»;
      const pipe = pipes[t]«!»;
      let params«: GPUBuffer | undefined»;
      if (kern.params.length) {
        params = make(kern.params.length, UNIFORM | COPY_DST, 'parameters');
        device.queue.writeBuffer(params, 0, Uint32Array.from(kern.params, (s) => sizeValue(s, D)));
      }
      const entries = kern.bindings.map((r, binding) => {
        const buffer = r.kind === 'params' ? params«!» : r.kind === 'input' ? inputs[r.index]«!» : r.kind === 'slot' ? slots[r.index]«!» : scratch;
        return { binding, resource: { buffer } };
      });
      return { pipeline: pipe, group: device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries }), x: d.x, y: d.y };
    });
    const invalid = await device.popErrorScope();
    const oom = await device.popErrorScope();
    if (oom || invalid) {
      for (const b of owned) b.destroy();
      if (oom) throw new MatdiffGpuError('limit', 'the WebGPU device is out of memory for this model: ' + oom.message);
      throw new MatdiffGpuError('bug', 'matdiff bug: ' + invalid«!».message + ' (please report it with the model)');
    }
    prepared = { key, inputs, owned, dispatches, staging, outputs, sizes };
    return prepared;
  }

  async function runOnce(inputs«: InputRecord», dims«: DimRecord | undefined»)«: Promise<Float32Array[]>» {
    if (destroyed) throw new MatdiffGpuError('bug', 'this compiled model was destroyed');
    if (lost !== undefined) throw new MatdiffGpuError('device', 'the WebGPU device was lost: ' + lost);
    const D = bindDims(p, inputs, dims);
    const data = p.inputs.map((inp) => readInput(own(inputs, inp.key), inp.key, inp.shape, monoValue(inp.rows, D), monoValue(inp.cols, D)));
    const st = await prepare(D);
    data.forEach((a, k) => device.queue.writeBuffer(st.inputs[k]«!», 0, a.buffer, a.byteOffset, a.byteLength));
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    for (const d of st.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.group);
      pass.dispatchWorkgroups(d.x, d.y);
    }
    pass.end();
    for (const o of st.outputs) encoder.copyBufferToBuffer(o.buffer, 0, st.staging, o.offset, o.length * 4);
    device.queue.submit([encoder.finish()]);
    try {
      await st.staging.mapAsync(MAP_READ);
    } catch (e) {
      if (lost !== undefined) throw new MatdiffGpuError('device', 'the WebGPU device was lost: ' + lost);
      throw e;
    }
    const mapped = st.staging.getMappedRange();
    const results = st.outputs.map((o) => new Float32Array(mapped.slice(o.offset, o.offset + o.length * 4)));
    st.staging.unmap();
    return results;
  }

  return {
    run(inputs, dims) {
      const result = chain.then(() => runOnce(inputs, dims));
      chain = result.catch(() => undefined);
      return result;
    },
    destroy() {
      destroyed = true;
      release(prepared);
      prepared = undefined;
    },
  };
}

«/** A result: a number for a scalar (declared 1 × 1), else the entries row-major. */
type Result = number | Float32Array;

/** The model, untyped; a module's create() gives it the model's own types (Model). */
export interface CompiledModel {
  /** The output's value. */
  forward(inputs: InputRecord, dims?: DimRecord): Promise<Result>;
  /** The output's value and its gradient with respect to each variable of 'wrt'. */
  valueAndGrad(inputs: InputRecord, dims?: DimRecord): Promise<{ value: Result; grad: Record<string, Result> }>;
  /** Releases the GPU buffers (not the device). */
  destroy(): void;
}

export interface ModelSpec {
  readonly forward: Program;
  readonly valueAndGrad?: Program;
  readonly wrt: readonly string[];
}»

/** Output k of 'p' as returned: a number where the formula's result is 1 × 1, else its entries. */
function asValue(p«: Program», k«: number», a«: Float32Array»)«: Result» {
  const o = p.outputs[k]«!»;
  return o.rows === 1 && o.cols === 1 ? a[0]«!» : a;
}

/**
 * The model's forward and value-and-gradient programs on 'device'; pipelines are made on
 * first use and kept. M: the model's own types (a module's Model).
 */
export function createModel«<M = CompiledModel>»(device«: GPUDevice», spec«: ModelSpec»)«: M» {
  let fwd«: ReturnType<typeof createRunner> | undefined»;
  let vag«: ReturnType<typeof createRunner> | undefined»;
  const model«: CompiledModel» = {
    async forward(inputs, dims) {
      fwd ??= createRunner(device, spec.forward);
      const [value] = await fwd.run(inputs, dims);
      return asValue(spec.forward, 0, value«!»);
    },
    async valueAndGrad(inputs, dims) {
      if (!spec.valueAndGrad) throw new MatdiffGpuError('input', 'this model was compiled without gradients');
      vag ??= createRunner(device, spec.valueAndGrad);
      const outs = await vag.run(inputs, dims);
      const p = spec.valueAndGrad;
      const grad«: Record<string, Result>» = {};
      spec.wrt.forEach((name, k) => {
        grad[name] = asValue(p, k + 1, outs[k + 1]«!»);
      });
      return { value: asValue(p, 0, outs[0]«!»), grad };
    },
    destroy() {
      fwd?.destroy();
      vag?.destroy();
    },
  };
  return model« as unknown as M»;
}

/**
 * A device from navigator.gpu (a browser, Deno, or Node with a WebGPU binding installed
 * as navigator.gpu), with the adapter's own limits for what matdiff's kernels use.
 */
export async function requestMatdiffDevice()«: Promise<GPUDevice>» {
  const gpu = (globalThis« as { navigator?: { gpu?: GPU } }»).navigator?.gpu;
  if (!gpu) throw new MatdiffGpuError('device', 'WebGPU is not available here (no navigator.gpu)');
  const adapter =
    (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ??
    (await gpu.requestAdapter({ featureLevel: 'compatibility' }« as GPURequestAdapterOptions»));
  if (!adapter) throw new MatdiffGpuError('device', 'no WebGPU adapter');
  const want = ['maxStorageBuffersPerShaderStage', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupsPerDimension', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY']« as const»;
  const requiredLimits«: Record<string, number>» = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  return adapter.requestDevice({ requiredLimits });
}
`;

/** The runtime as TypeScript (« » markers dropped, their contents kept) or JavaScript (their contents dropped too). */
export function runtimeSource(lang: 'ts' | 'js'): string {
  return lang === 'ts' ? RUNTIME.replace(/[«»]/g, '') : RUNTIME.replace(/«[^«»]*»/g, '');
}
