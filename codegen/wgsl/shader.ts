/**
 * The shared renderer of WGSL compute shaders: every kernel (kernels/*.ts) is written
 * against a `Shader`, which owns the bindings, the uniform parameters and the rendering
 * of sizes and fused elementwise expressions. What varies per kernel is only its body.
 *
 * Bindings (group 0): binding 0 is the uniform `P` when the kernel has parameters, then
 * one storage buffer per distinct (resource, element type) the body touches. Resources
 * are the program's inputs, the memory plan's slots, and one scratch buffer of partial
 * sums shared by the two-pass reductions (see lower.ts).
 *
 * Sizes: a symbolic dimension `n` is the u32 field `P.d_n`, filled by the host from the
 * sizes bound at run time; every other parameter is a `Size` (sizes.ts) evaluated by the
 * host. A parameter whose value is a number when the shader is generated becomes a
 * literal instead, so a model with numeric shapes gets shaders with constants only.
 *
 * Generated text comes only from sanitized names (ASCII identifiers, with the index of
 * the buffer or dimension appended) and numbers; labels from the formula appear in
 * comments only, through `commentText` (one line, no comment terminator).
 */
import type { Dim } from '../../src/shape/dim.js';
import { helperOf } from '../../src/ops/elementwise.js';
import { wgslLiteral } from '../../src/ops/literal.js';
import type { ElemExpr, Idx, IdxMap } from '../ir.js';
import { renderElem } from '../render.js';
import type { Extent } from '../extent.js';
import { commentText } from '../ts/names.js';
import { type Size, extentSize, isConstSize } from './sizes.js';
import type { Epilogue } from './epilogue.js';

/** A GPU resource a binding refers to. */
export type Resource =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'slot'; readonly index: number }
  | { readonly kind: 'partials' }
  | { readonly kind: 'params' };

export type ElemWgsl = 'f32' | 'vec4f' | 'i32';

/** One compute shader and what the host needs to run it. */
export interface Kernel {
  /** A short description (formula and kernel kind), for errors. */
  readonly label: string;
  readonly code: string;
  /** What binding k of group 0 refers to. */
  readonly bindings: readonly Resource[];
  /** The values of the uniform struct's u32 fields, in order (empty: no uniform). */
  readonly params: readonly Size[];
  /** Workgroups along x and y. */
  readonly grid: readonly [Size, Size];
  /**
   * The grid is a linear count of workgroups (grid[1] is 1): the host may fold it into
   * x × y when it exceeds the per-dimension limit; the shader recovers the linear
   * workgroup index as wid.x + wid.y · nwg.x and ignores the excess.
   */
  readonly linear: boolean;
  /** Entries of the shared partial-sums scratch this kernel uses. */
  readonly partials?: Size;
}

/** What a shader needs from the program it belongs to. */
export interface ShaderEnv {
  /** The program's symbolic dimensions (Size ['d', k] is dims[k]). */
  readonly dims: readonly string[];
  /** Where a logical buffer of the schedule lives, and a name for comments. */
  resolve(buffer: number): { resource: Resource; label: string };
}

/** An ASCII identifier fragment from a user's name (other characters dropped). */
export function asciiName(s: string): string {
  return s
    .replace(/[^A-Za-z0-9_]/g, '')
    .replace(/_+/g, '_')
    .slice(0, 24);
}

/** A u32 literal. */
export const u32 = (n: number): string => {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`codegen/wgsl: ${n} is not a u32`);
  return `${n}u`;
};

/** An f32 literal for a number of the formula: the registry's (src/ops/literal.ts). */
export const f32 = wgslLiteral;

/**
 * Text for a WGSL `//` comment: commentText's (one line, no comment terminator), and
 * none of the other characters WGSL ends a line at (VT, FF, NEL) or any control character.
 */
export const wgslComment = (s: string, max?: number): string =>
  commentText(s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' '), max);

const isAtom = (s: string): boolean => /^[A-Za-z_0-9.]+$/.test(s) || /^[A-Za-z_][A-Za-z0-9_]*\[[^\]]*\]$/.test(s);
const paren = (s: string): string => (isAtom(s) ? s : `(${s})`);

interface BindingDecl {
  readonly resource: Resource;
  readonly elem: ElemWgsl;
  readonly access: 'read' | 'read_write';
  readonly name: string;
}

export class Shader {
  private readonly bindings: BindingDecl[] = [];
  private readonly params: { name: string; value: Size }[] = [];
  /** The elementwise helper functions the expressions call, by name, in order of first use. */
  private readonly helpers = new Map<string, string>();

  constructor(
    private readonly env: ShaderEnv,
    /** What the shader computes, for its header comment and error messages. */
    readonly label: string,
  ) {}

  /** A u32 parameter: a literal when `value` is a number, else a field of the uniform. */
  param(name: string, value: Size): string {
    if (isConstSize(value)) return u32(value);
    let p = this.params.find((q) => q.name === name);
    if (!p) this.params.push((p = { name, value }));
    else if (JSON.stringify(p.value) !== JSON.stringify(value))
      throw new Error(`codegen/wgsl: parameter ${name} bound twice`);
    return `P.${name}`;
  }

  /** A size as a u32 expression (parameters for whatever is not a number). */
  size(name: string, value: Size): string {
    return this.param(name, value);
  }

  /** A symbolic dimension's run-time value. */
  private dimCode(sym: string): string {
    const k = this.env.dims.indexOf(sym);
    if (k < 0) throw new Error(`codegen/wgsl: dimension ${sym} is not among the program's dimensions`);
    return this.param(`d${k}_${asciiName(sym)}`, ['d', k]);
  }

  /** An extent as a u32 expression: Σ k·Π dims. */
  ext(e: Extent): string {
    if (!e.length) return '0u';
    const terms = e.map((t) => {
      const parts = t.syms.map((s) => this.dimCode(s));
      if (t.k !== 1 || !parts.length) parts.unshift(u32(t.k));
      return parts.join(' * ');
    });
    return terms.length === 1 ? terms[0]! : `(${terms.join(' + ')})`;
  }

  /** A dimension as a u32 expression; a product (m·n) in parentheses, so that `e / dim` divides by all of it. */
  dim(d: Dim): string {
    const code = this.ext([d]);
    return code.includes(' * ') ? `(${code})` : code;
  }

  /** Its value as a Size, for parameters the host computes. */
  sizeOf(e: Extent): Size {
    return extentSize(e, this.env.dims);
  }
  sizeOfDim(d: Dim): Size {
    return extentSize([d], this.env.dims);
  }

  private bind(resource: Resource, elem: ElemWgsl, access: 'read' | 'read_write', label: string): string {
    const same = (r: Resource) => JSON.stringify(r) === JSON.stringify(resource);
    const found = this.bindings.find((b) => same(b.resource) && b.elem === elem);
    if (found) {
      if (found.access !== access) throw new Error(`codegen/wgsl: ${label} is both read and written by one kernel`);
      return found.name;
    }
    if (this.bindings.some((b) => same(b.resource) && (b.access === 'read_write' || access === 'read_write')))
      throw new Error(`codegen/wgsl: ${label} is bound twice, once writable`);
    const tag = resource.kind === 'input' ? 'in' : resource.kind === 'slot' ? 's' : 'p';
    const ascii = asciiName(label);
    const name = `${tag}${this.bindings.length}${ascii ? '_' + ascii : ''}${elem === 'vec4f' ? '_v4' : ''}`;
    this.bindings.push({ resource, elem, access, name });
    return name;
  }

  /** The storage variable through which the kernel reads logical buffer `buffer`. */
  read(buffer: number, elem: ElemWgsl = 'f32'): string {
    const { resource, label } = this.env.resolve(buffer);
    return this.bind(resource, elem, 'read', label);
  }

  /** The storage variable through which the kernel writes logical buffer `buffer`. */
  write(buffer: number, elem: ElemWgsl = 'f32'): string {
    const { resource, label } = this.env.resolve(buffer);
    return this.bind(resource, elem, 'read_write', label);
  }

  /** The shared scratch of partial sums. */
  partials(access: 'read' | 'read_write'): string {
    return this.bind({ kind: 'partials' }, 'f32', access, 'partials');
  }

  /** Index expression: i·si + j·sj (terms with a zero stride dropped). */
  index(i: string, si: Extent, j: string, sj: Extent): string {
    const term = (x: string, s: Extent): string | undefined => {
      if (!s.length || x === '0u') return undefined;
      if (s.length === 1 && s[0]!.k === 1 && !s[0]!.syms.length) return x;
      return `${paren(x)} * ${this.ext(s)}`;
    };
    const parts = [term(i, si), term(j, sj)].filter((t): t is string => t !== undefined);
    return parts.length ? parts.join(' + ') : '0u';
  }

  /**
   * A fused elementwise expression at element (i, j), as an f32 expression. `i` and `j`
   * are u32 expressions (atoms, so that they may be repeated).
   */
  expr(e: ElemExpr, i: string, j: string, subst?: ReadonlyMap<number, string>): string {
    // An index map (Kronecker blocks): u32 division rounds down.
    const mapped = (x: string, m?: IdxMap): string =>
      m ? `(${x} ${m.op === 'div' ? '/' : '%'} ${this.dim(m.by)})` : x;
    return renderElem(e, {
      lang: 'wgsl',
      one: '1.0',
      foldsSameIndex: false,
      load: (l) =>
        subst?.get(l.buffer) ?? `${this.read(l.buffer)}[${this.index(mapped(i, l.mi), l.si, mapped(j, l.mj), l.sj)}]`,
      value: (d) => (isConstSize(this.sizeOfDim(d)) ? f32(this.sizeOfDim(d) as number) : `f32(${this.dim(d)})`),
      size: (d) => this.dim(d),
      index: (x: Idx) => (x === 'i' ? i : x === 'j' ? j : '0u'),
      paren,
      eq: (a, b) => `${a} == ${b}`,
      quot: (a, by) => `${a} / ${by}`,
      select: (cond, then) => `select(0.0, ${then}, ${cond})`,
      onOp: (n) => {
        const helper = helperOf(n.op, 'wgsl');
        if (helper) this.helpers.set(helper.name, helper.code);
      },
    });
  }

  /**
   * An epilogue (epilogue.ts) as the function `epilogue(i, j, v)`: the fused map's
   * expression at entry (i, j), where the value the kernel computed is `v`.
   */
  epilogue(ep: Epilogue): string {
    const body = this.expr(ep.expr, 'i', 'j', new Map([[ep.value, 'v']]));
    return `fn epilogue(i: u32, j: u32, v: f32) -> f32 {\n  return ${body};\n}`;
  }

  /**
   * The complete shader: header comment, uniform struct, bindings, helpers, then `body`
   * (the entry point and anything it needs).
   */
  finish(
    body: string,
    grid: readonly [Size, Size],
    opts: { linear?: boolean; partials?: Size; comment?: string } = {},
  ): Kernel {
    const lines: string[] = [];
    lines.push(`// matdiff: ${wgslComment(this.label)}`);
    if (opts.comment) lines.push(`// ${wgslComment(opts.comment)}`);
    const resources: Resource[] = [];
    let binding = 0;
    if (this.params.length) {
      lines.push(`struct Params {`, ...this.params.map((p) => `  ${p.name}: u32,`), `}`);
      lines.push(`@group(0) @binding(${binding++}) var<uniform> P: Params;`);
      resources.push({ kind: 'params' });
    }
    // Only bindings the body uses: 'auto' pipeline layouts leave the others out.
    for (const b of this.bindings.filter((x) => new RegExp(`\\b${x.name}\\b`).test(body))) {
      const access = b.access === 'read' ? 'read' : 'read_write';
      lines.push(`@group(0) @binding(${binding++}) var<storage, ${access}> ${b.name}: array<${b.elem}>;`);
      resources.push(b.resource);
    }
    lines.push(...this.helpers.values());
    lines.push(body.trim());
    return {
      label: this.label,
      code: lines.join('\n') + '\n',
      bindings: resources,
      params: this.params.map((p) => p.value),
      grid,
      linear: opts.linear ?? false,
      ...(opts.partials !== undefined && { partials: opts.partials }),
    };
  }

  /** Storage buffers the kernel binds so far (for the per-stage limit). */
  get storageCount(): number {
    return this.bindings.length;
  }
}

/** The linear workgroup index of a folded grid, and the entry point's builtins for it. */
export const LINEAR_BUILTINS =
  '@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32';
export const LINEAR_GROUP = 'let group = wid.x + wid.y * nwg.x;';
