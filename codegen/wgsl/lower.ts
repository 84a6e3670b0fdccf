/**
 * Lowering one entry of a compiled program (codegen/program.ts: a schedule and its
 * memory plan, codegen/ir.ts) to a WGSL program: plain data that the host runtime
 * (runtime.ts) executes, in-process or in the module `matdiff emit --target wgsl` writes.
 *
 *   Schedule ──legalize (storage-buffer limit)──▶ Schedule ──planMemory──▶ MemoryPlan
 *            ──one kernel per step and variant──▶ WgslProgram
 *
 * (When legalize changes nothing, the plan is the entry's own: planMemory is a pure
 * function of the schedule.)
 *
 * - Buffers: each memory-plan slot that a kernel binds is one GPU buffer, reused by
 *   every logical buffer the plan puts there; each input is one GPU buffer; one more
 *   buffer holds the partial sums of two-pass reductions (shared: reductions run one
 *   after another). Slots only the CPU backends use (the f64 scratch of column sums,
 *   softmax statistics, the inverse's `tmp`) are never allocated.
 * - Steps run in schedule order, one dispatch each (two for a two-pass reduction).
 *   A step has variants; the host takes the first whose condition holds for the sizes
 *   bound at run time. Conditions that are numbers already (numeric shapes) are
 *   resolved here, so only the variant that will run is emitted.
 * - Sizes: symbolic dimensions are bound at run time and reach the shaders in a
 *   uniform buffer per dispatch (shader.ts); pipelines are created once per program.
 */
import { type Dim, dimText } from '../../src/shape/dim.js';
import type { Node } from '../../src/graph/node.js';
import { shapeText } from '../../src/shape/shape.js';
import { printExpr } from '../../src/print/printer.js';
import { type ElemExpr, type MemoryPlan, type Schedule, type Step, stepBuffers } from '../ir.js';
import { loadsOf } from '../elem.js';
import { type Epilogue, type FusedStep, fuseEpilogues } from './epilogue.js';
import type { Program } from '../program.js';
import { MatdiffError } from '../../src/errors.js';
import { planMemory } from '../memory.js';
import { legalize } from './legalize.js';
import { type Kernel, type Resource, Shader, type ShaderEnv } from './shader.js';
import { type Size, extentSize, isConstSize, sz } from './sizes.js';
import { mapKernel } from './kernels/map.js';
import { type ReduceVariant, reduceChoice, reduceKernel, reduceShape } from './kernels/reduce.js';
import { type MatmulVariant, bigTileChoice, dotChoice, matmulKernel, vec4Choice } from './kernels/matmul.js';
import { columnChoice, columnKernel } from './kernels/column.js';
import { factorKernel, fromFactorKernel, solveKernel } from './kernels/factor.js';

/** A dimension monomial k·Π D[s] (s: indices into `dims`), for binding sizes from input shapes. */
export interface Mono {
  readonly k: number;
  readonly s: readonly number[];
}

export interface ProgramInput {
  /** The variable's name: its key in the caller's inputs. */
  readonly key: string;
  readonly rows: Mono;
  readonly cols: Mono;
  /** The declared shape, for messages: `[n, B]`. */
  readonly shape: string;
}

export interface ProgramStep {
  /** What the step computes (a definition name or the operator), for comments. */
  readonly label: string;
  /** Bytes the step must read and write at least: each buffer it touches, once. */
  readonly bytes: Size;
  /** The first variant whose `when` is not 0 runs: its kernels, in order. */
  readonly variants: readonly { readonly when: Size; readonly kernels: readonly number[] }[];
}

export interface WgslProgram {
  /** The symbolic dimensions, bound at run time (from the inputs' shapes, or given). */
  readonly dims: readonly string[];
  readonly inputs: readonly ProgramInput[];
  /** GPU buffers of the memory plan, in 4-byte words (f32, or i32 for pivots). */
  readonly slots: readonly { readonly size: Size; readonly label: string }[];
  /** One per root: the slot holding its value, row-major, and its shape. */
  readonly outputs: readonly {
    readonly slot: number;
    readonly rows: Size;
    readonly cols: Size;
    readonly label: string;
  }[];
  readonly kernels: readonly Kernel[];
  readonly steps: readonly ProgramStep[];
}

export interface ProgramOptions {
  /** Storage buffers a kernel may bind (the device's per-stage limit, at most 8 so that emitted code runs anywhere). */
  maxStorageBuffers?: number;
  /** A short description of the whole program, prefixed to every shader's comment. */
  title?: string;
  /** Names of nodes (the model's definitions), for the formulas in shader comments. */
  names?: ReadonlyMap<Node, string>;
  /** false: no epilogue fusion (epilogue.ts), for measuring what fusion saves. */
  fuse?: boolean;
}

/** The WebGPU default of maxStorageBuffersPerShaderStage: what every core device offers. */
export const DEFAULT_STORAGE_BUFFERS = 8;

export function lowerSchedule(schedule: Schedule, opts: ProgramOptions = {}): WgslProgram {
  const maxStorage = Math.min(opts.maxStorageBuffers ?? DEFAULT_STORAGE_BUFFERS, DEFAULT_STORAGE_BUFFERS);
  const s = legalize(schedule, maxStorage - 1);
  const plan = planMemory(s);
  const steps =
    opts.fuse === false ? s.steps.map((step, index) => ({ step, index })) : fuseEpilogues(s, plan, maxStorage);
  return new Builder(s, plan, opts, steps).build();
}

/** Both entries of a compiled program (codegen/program.ts) as WGSL programs; no device needed. */
export function lowerProgram(
  p: Program,
  opts: { maxStorageBuffers?: number; fuse?: boolean } = {},
): { forward: WgslProgram; valueAndGrad?: WgslProgram } {
  const common = { names: p.names, title: p.file, ...opts };
  const forward = lowerSchedule(p.forward.schedule, common);
  const valueAndGrad = p.valueAndGrad && lowerSchedule(p.valueAndGrad.schedule, common);
  return { forward, ...(valueAndGrad && { valueAndGrad }) };
}

export function requireF32(dtype: string | undefined): void {
  if (dtype === 'f64')
    throw new MatdiffError(
      'E021',
      'the WGSL backend computes in f32 only (WebGPU has no f64); use --dtype f32, or --backend ts for f64',
      undefined,
      2,
    );
}

const mono = (d: Dim, dims: readonly string[]): Mono => ({ k: d.k, s: d.syms.map((x) => dims.indexOf(x)) });

class Builder {
  private readonly kernels: Kernel[] = [];
  private readonly slotIndex = new Map<number, number>();
  private readonly slots: { size: Size; label: string }[] = [];
  private readonly inputOf = new Map<number, number>();
  /** The model's names, and `s<k>` for the value of step k: formulas in comments name what earlier steps computed. */
  private readonly names = new Map<Node, string>();

  constructor(
    private readonly s: Schedule,
    private readonly plan: MemoryPlan,
    private readonly opts: ProgramOptions,
    private readonly fused: readonly FusedStep[],
  ) {
    s.inputs.forEach((inp, k) => this.inputOf.set(inp.buffer, k));
    for (const [n, name] of opts.names ?? []) this.names.set(n, name);
    s.steps.forEach((st, k) => {
      if (!this.names.has(st.node) && st.kind !== 'factor') this.names.set(st.node, `s${k + 1}`);
    });
  }

  private slot(buffer: number): number {
    const planSlot = this.plan.slotOf[buffer]!;
    if (planSlot < 0) throw new Error(`codegen/wgsl: buffer ${buffer} has no slot`);
    let k = this.slotIndex.get(planSlot);
    if (k === undefined) {
      const info = this.plan.slots[planSlot]!;
      k = this.slots.length;
      this.slotIndex.set(planSlot, k);
      const labels = [...new Set(info.buffers.map((b) => this.s.buffers[b]!.label))];
      this.slots.push({ size: extentSize(info.size, this.s.dims), label: labels.join(', ') });
    }
    return k;
  }

  private get env(): ShaderEnv {
    return { dims: this.s.dims, resolve: (buffer) => this.resolve(buffer) };
  }

  private resolve(buffer: number): ReturnType<ShaderEnv['resolve']> {
    {
      const label = this.s.buffers[buffer]!.label;
      const input = this.inputOf.get(buffer);
      const resource: Resource =
        input !== undefined ? { kind: 'input', index: input } : { kind: 'slot', index: this.slot(buffer) };
      return { resource, label };
    }
  }

  build(): WgslProgram {
    const steps = this.fused.map((f) => this.step(f));
    const outputs = this.s.outputs.map((o) => ({
      slot: this.slot(o.buffer),
      rows: extentSize([o.node.shape.rows], this.s.dims),
      cols: extentSize([o.node.shape.cols], this.s.dims),
      label: this.s.buffers[o.buffer]!.label,
    }));
    const inputs = this.s.inputs.map((inp) => ({
      key: inp.name,
      rows: mono(inp.node.shape.rows, this.s.dims),
      cols: mono(inp.node.shape.cols, this.s.dims),
      shape: shapeText(inp.node.shape),
    }));
    return { dims: this.s.dims, inputs, slots: this.slots, outputs, kernels: this.kernels, steps };
  }

  private shader({ step: st, index: k, epilogue }: FusedStep): Shader {
    const title = this.opts.title ? `${this.opts.title}, ` : '';
    const def = (n: Node, at: number) =>
      `${this.names.get(n) ?? `s${at + 1}`} = ${printExpr(n, 'unicode', this.names)}`;
    const what =
      st.kind === 'factor' ? `${describe(st)} of ${printExpr(st.node, 'unicode', this.names)}` : def(st.node, k);
    const head = epilogue ? `${def(epilogue.map.node, this.s.steps.indexOf(epilogue.map))} with ${what}` : what;
    return new Shader(
      this.env,
      `${title}step ${k + 1}: ${head} (${st.kind === 'factor' ? st.kind : describe(st)}${epilogue ? ', elementwise epilogue' : ''})`,
    );
  }

  /** Bytes a step reads and writes at least (the IR's f64 scratch of CPU backends excluded: WGSL keeps those values in registers). */
  private bytes({ step, epilogue }: FusedStep): Size {
    const { reads, writes } = stepBuffers(step);
    const extra: number[] = [];
    if (epilogue) for (const l of loadsOf(epilogue.expr)) extra.push(l.buffer);
    const touched = new Set([
      ...reads,
      ...extra,
      ...writes.filter((b) => this.s.buffers[b]!.role !== 'scratch' || step.kind === 'factor'),
    ]);
    if (epilogue) touched.delete(epilogue.value);
    if (step.kind === 'inverse') touched.delete(step.tmp ?? -1);
    let total: Size = 0;
    for (const b of touched) total = sz('+', total, sz('*', 4, extentSize(this.s.buffers[b]!.size, this.s.dims)));
    return total;
  }

  private add(kernel: Kernel): number {
    const storage = kernel.bindings.filter((b) => b.kind !== 'params').length;
    if (storage > DEFAULT_STORAGE_BUFFERS) throw new Error(`codegen/wgsl: kernel binds ${storage} storage buffers`);
    this.kernels.push(kernel);
    return this.kernels.length - 1;
  }

  /** Variants in order of preference, each with its condition; those that cannot run are dropped, those after an unconditional one too. */
  private variants(cands: { when: Size; make: () => Kernel[] }[]): ProgramStep['variants'] {
    const out: { when: Size; kernels: number[] }[] = [];
    const seen = new Set<string>();
    for (const c of cands) {
      // Never taken: false, or the condition of an earlier variant.
      if (c.when === 0 || seen.has(JSON.stringify(c.when))) continue;
      seen.add(JSON.stringify(c.when));
      out.push({ when: c.when, kernels: c.make().map((kn) => this.add(kn)) });
      if (isConstSize(c.when)) break;
    }
    return out;
  }

  private step(f: FusedStep): ProgramStep {
    const st = f.step;
    const ep = f.epilogue;
    const label = this.s.buffers['out' in st ? st.out : st.factor]?.label ?? st.node.op;
    const sh = () => this.shader(f);
    return { label, bytes: this.bytes(f), variants: this.kernelsOf(st, sh, ep) };
  }

  private kernelsOf(st: Step, sh: () => Shader, ep: Epilogue | undefined): ProgramStep['variants'] {
    switch (st.kind) {
      case 'map':
        return this.variants([{ when: 1, make: () => [mapKernel(sh(), st)] }]);
      case 'reduce': {
        const probe = sh();
        const choice = reduceChoice(reduceShape(probe, st));
        const one = (v: ReduceVariant) => () => [reduceKernel(sh(), st, v, ep)];
        return this.variants([
          { when: choice.serial, make: one('serial') },
          { when: choice.tree, make: one('tree') },
          { when: 1, make: () => [reduceKernel(sh(), st, 'split'), reduceKernel(sh(), st, 'combine', ep)] },
        ]);
      }
      case 'matmul': {
        const probe = sh();
        const av = vec4Choice(probe, st.a);
        const bv = vec4Choice(probe, st.b);
        const big = bigTileChoice(probe, st);
        const one = (v: MatmulVariant) => () => [matmulKernel(sh(), st, v, ep)];
        // Operands read as vec4 only when both can be: one vec4 operand alone measured no
        // faster than none (bench/wgsl-module.ts; issue 13), and the two mixed variants
        // doubled the product's shaders.
        const tiled = [true, false].flatMap((b8) =>
          [
            [true, true],
            [false, false],
          ].map(([a4, b4]) => ({
            when: sz('&&', b8 ? big : 1, sz('&&', a4 ? av : 1, b4 ? bv : 1)),
            make: one({ kind: 'tiled', av4: a4!, bv4: b4!, big: b8 }),
          })),
        );
        return this.variants([{ when: dotChoice(probe, st), make: one({ kind: 'dot' }) }, ...tiled]);
      }
      case 'softmax':
      case 'logsumexp': {
        const when = columnChoice(sh(), st);
        return this.variants([
          { when, make: () => [columnKernel(sh(), st, 'serial')] },
          { when: 1, make: () => [columnKernel(sh(), st, 'tree')] },
        ]);
      }
      case 'factor':
        return this.variants([{ when: 1, make: () => [factorKernel(sh(), st)] }]);
      case 'inverse':
      case 'det':
      case 'logdet':
        return this.variants([{ when: 1, make: () => [fromFactorKernel(sh(), st)] }]);
      case 'solve':
        return this.variants([{ when: 1, make: () => [solveKernel(sh(), st)] }]);
    }
  }
}

/** A one-line description of a step's computation, for shader comments. */
function describe(st: Step): string {
  const dims = (r: Dim, c: Dim) => `[${[r, c].map((d) => dimText(d)).join(', ')}]`;
  switch (st.kind) {
    case 'map':
      return `elementwise ${dims(st.rows, st.cols)}`;
    case 'reduce':
      return `${st.axis === 'all' ? 'sum' : st.axis === 'diag' ? 'trace' : st.axis === 'rows' ? 'row sums' : 'column sums'} of ${dims(st.rows, st.cols)}`;
    case 'matmul':
      return `product ${st.a.trans ? 'Aᵀ' : 'A'}·${st.b.trans ? 'Bᵀ' : 'B'} ${dims(st.m, st.k)}·${dims(st.k, st.n)}`;
    case 'softmax':
    case 'logsumexp':
      return `${st.kind} of ${dims(st.rows, st.cols)}`;
    case 'factor':
      return `${st.method} factorisation`;
    case 'solve':
      return `${st.side} solve${st.trans ? ' (transposed)' : ''} (${st.method}) of ${dims(st.n, st.m)}`;
    default:
      return `${st.kind} (${st.method})`;
  }
}
