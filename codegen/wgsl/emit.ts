/**
 * `matdiff emit --target wgsl`: one self-contained, prettier-formatted module for a web
 * page (or any runtime with navigator.gpu) — the WGSL shaders as string constants, the
 * programs that sequence them as data, and the host runtime (runtime.ts) that creates
 * the pipelines, uploads, dispatches and reads back. No import of matdiff:
 *
 *   import { create } from './model.js';
 *   const model = await create();                 // navigator.gpu; or create(device)
 *   const y = await model.forward({ X, W, b });
 *   const { value, grad } = await model.valueAndGrad({ X, Y, W, b });
 *
 * The module is TypeScript by default (`/// <reference types="@webgpu/types" />`), or
 * JavaScript with `lang: 'js'` (the CLI picks it for an output file ending in .js or
 * .mjs). The shaders are exactly those the in-process backend (run.ts) runs.
 */
import prettier from 'prettier';
import type { Program } from '../program.js';
import { commentText, quote } from '../ts/names.js';
import type { Node } from '../../src/graph/node.js';
import { isScalar, shapeText } from '../../src/shape/shape.js';
import { runtimeSource } from './runtime.js';
import { type WgslProgram, lowerProgram, requireF32 } from './lower.js';

export interface WgslEmitOptions {
  dtype?: 'f32' | 'f64';
  lang?: 'ts' | 'js';
}

/** A WGSL text as a template literal (WGSL has no backquotes or `${`, but be safe). */
const template = (code: string): string => '`' + code.replace(/[\\`]/g, (c) => '\\' + c).replace(/\$\{/g, '\\${') + '`';

/** The module's text, unformatted. */
export function emitWgslModule(p: Program, opts: WgslEmitOptions = {}): string {
  requireF32(opts.dtype);
  const lang = opts.lang ?? 'ts';
  const programs = lowerProgram(p);
  const parts: string[] = [];
  if (lang === 'ts') parts.push('/// <reference types="@webgpu/types" />');
  parts.push(header(p));
  parts.push(runtimeSource(lang));
  if (lang === 'ts') parts.push(types(p));

  // Each distinct shader once (the forward pass's reappear in valueAndGrad), as a constant.
  const shaderConsts: string[] = [];
  const shaderIds = new Map<string, string>();
  const data = (name: string, prog: WgslProgram, what: string): string => {
    const json = JSON.stringify(prog, (key, value: unknown) => {
      if (key === 'code' && typeof value === 'string') {
        let id = shaderIds.get(value);
        if (id === undefined) {
          shaderIds.set(value, (id = `SHADER_${shaderIds.size}`));
          shaderConsts.push(`const ${id} = /* wgsl */ ${template(value)};`);
        }
        return `@@${id}@@`;
      }
      return value;
    });
    const body = json
      .replace(/"@@([A-Z_0-9]+)@@"/g, '$1')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
    return `/** ${commentText(what, 200)} */\nconst ${name}${lang === 'ts' ? ': Program' : ''} = ${body};`;
  };
  const fwd = data(
    'FORWARD',
    programs.forward,
    `The forward pass: ${p.output.name}, ${programs.forward.steps.length} steps.`,
  );
  const vag = programs.valueAndGrad
    ? data(
        'VALUE_AND_GRAD',
        programs.valueAndGrad,
        `${p.output.name} and its gradients by ${p.wrt.map((w) => w.name).join(', ') || 'nothing'}, ${programs.valueAndGrad.steps.length} steps.`,
      )
    : undefined;
  parts.push('// ── shaders ──', shaderConsts.join('\n\n'));
  parts.push('// ── programs ──', fwd, ...(vag ? [vag] : []));
  const wrt = JSON.stringify(p.wrt.map((w) => w.name));
  parts.push(`/** The variables the gradients are taken by, in the order of the results. */
export const WRT = ${wrt};

/** The model on 'device' (default: one from navigator.gpu). Pipelines are created on first use and kept. */
export async function create(device${lang === 'ts' ? '?: GPUDevice' : ''})${lang === 'ts' ? ': Promise<Model>' : ''} {
  return createModel${lang === 'ts' ? '<Model>' : ''}(device ?? (await requestMatdiffDevice()), { forward: FORWARD, ${vag ? 'valueAndGrad: VALUE_AND_GRAD, ' : ''}wrt: WRT });
}`);
  return parts.join('\n\n') + '\n';
}

/** The module, formatted by prettier under its default configuration (what a user's `prettier --check` expects). */
export async function emitWgsl(p: Program, opts: WgslEmitOptions = {}): Promise<string> {
  const lang = opts.lang ?? 'ts';
  return prettier.format(emitWgslModule(p, opts), { parser: lang === 'ts' ? 'typescript' : 'babel' });
}

/**
 * The model's own types, as the TypeScript module has them: Inputs and Dims from its
 * declarations, the value's type from the output's shape, Gradients by variable.
 */
function types(p: Program): string {
  const result = (n: Node) => (isScalar(n.shape) ? 'number' : 'Float32Array');
  const doc = (n: Node) => `/** ${commentText(shapeText(n.shape))} */`;
  const inputs = p.inputs.map((v) => `  ${doc(v.node)}\n  readonly ${quote(v.name)}: InputValue;`);
  const dims = p.dims.map((d) => `  readonly ${quote(d)}?: number;`);
  const grads = p.wrt.map((w) => `  ${doc(w.node)}\n  readonly ${quote(w.name)}: ${result(w.node)};`);
  const lines = [
    `/** The model's inputs, one per variable: a number (scalar), an array (a vector, or a matrix row-major), an array of rows, or a typed array (row-major). */`,
    `export interface Inputs {\n${inputs.join('\n')}\n}`,
    `/** Sizes of the symbolic dimensions, where the inputs do not fix them. */`,
    `export interface Dims {\n${dims.join('\n')}\n}`,
    `/** The value of ${commentText(p.output.name)}, ${commentText(shapeText(p.output.node.shape))}: ${isScalar(p.output.node.shape) ? 'a number' : 'its entries, row-major'}. */`,
    `export type Value = ${result(p.output.node)};`,
  ];
  if (p.valueAndGrad)
    lines.push(
      `/** The gradient by each variable, shaped like it (entries row-major; a number for a scalar). */`,
      `export interface Gradients {\n${grads.join('\n')}\n}`,
      `export interface ValueAndGrad {\n  readonly value: number;\n  readonly grad: Gradients;\n}`,
    );
  lines.push(`/** The model on one device: create() returns it. */
export interface Model {
  /** The output's value. */
  forward(inputs: Inputs, dims?: Dims): Promise<Value>;${
    p.valueAndGrad
      ? `
  /** The value and the gradients by ${p.wrt.map((w) => commentText(w.name)).join(', ')}. */
  valueAndGrad(inputs: Inputs, dims?: Dims): Promise<ValueAndGrad>;`
      : ''
  }
  /** Releases the GPU buffers (not the device). */
  destroy(): void;
}`);
  return lines.join('\n');
}

function header(p: Program): string {
  const lines = [
    `Generated by matdiff from ${commentText(p.file)} — do not edit; regenerate with \`matdiff emit --target wgsl\`.`,
    '',
    ...p.formulas.map((l) => commentText(l, 400)),
    '',
    'WGSL compute shaders and their WebGPU host code, self-contained. Arithmetic: f32.',
    '',
    '  const model = await create();                // a device from navigator.gpu, or create(device)',
    '  const value = await model.forward(inputs);',
    ...(p.valueAndGrad ? ['  const { value, grad } = await model.valueAndGrad(inputs);'] : []),
    '  model.destroy();                               // frees the GPU buffers',
    '',
    'inputs: one entry per variable — a number, an array (vector, or row-major matrix),',
    'an array of rows, or a Float32Array/Float64Array (row-major). Symbolic sizes',
    `(${p.dims.length ? p.dims.map((d) => commentText(d)).join(', ') : 'none'}) are bound from the inputs' shapes, or passed as a`,
    'second argument { n: 3, … }. Results: a number for a 1×1 value, else a row-major',
    'Float32Array.',
  ];
  return `/**\n${lines.map((l) => ` * ${l}`.trimEnd()).join('\n')}\n */`;
}
