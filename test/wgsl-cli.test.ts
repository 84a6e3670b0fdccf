/// <reference types="@webgpu/types" />
/**
 * The WGSL backend from the outside: `matdiff run --backend wgsl` against the TS
 * backend, `--dtype f64` refused, `matdiff emit --target wgsl` as TypeScript that
 * type-checks and as JavaScript that runs — with a given device and through
 * navigator.gpu — giving the in-process results, a shader that does not compile
 * reported with its line as a matdiff bug, and a model too large for the device refused
 * with the buffer and the limit named.
 */
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import ts from 'typescript';
import prettier from 'prettier';
import { main } from '../src/cli/main.js';
import { parse } from '../src/index.js';
import { MatdiffError } from '../src/errors.js';
import { compileWgsl } from '../codegen/wgsl/run.js';
import { requireGpu } from './wgsl-util.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'matdiff-wgsl-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MLP = 'examples/mlp.mdf';
/** Small MLP data: n = 5, B = 7, k = 3, h = 6; one-hot Y. */
function mlpData(): Record<string, number[] | number[][]> {
  const r = (i: number) => Math.sin(1.7 * i + 0.3) / 2;
  const mat = (rows: number, cols: number, off: number) =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => r(off + i * cols + j)));
  const Y = Array.from({ length: 3 }, (_, i) => Array.from({ length: 7 }, (_, j) => (j % 3 === i ? 1 : 0)));
  return {
    X: mat(5, 7, 0),
    Y,
    W1: mat(6, 5, 100),
    b1: Array.from({ length: 6 }, (_, i) => r(200 + i)),
    W2: mat(3, 6, 300),
    b2: [0.1, -0.2, 0.05],
  };
}

const close = (a: unknown, b: unknown, tol: number): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i], tol));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return (
      ka.length === Object.keys(b).length &&
      ka.every((k) => close((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], tol))
    );
  }
  return false;
};

describe('matdiff run --backend wgsl', () => {
  it('prints the same value and gradients as the TS backend (f32 tolerance)', async (ctx) => {
    requireGpu(ctx);
    const data = path.join(tmp, 'mlp.json');
    writeFileSync(data, JSON.stringify(mlpData()));
    const wgsl = await main(['run', MLP, '--inputs', data, '--backend', 'wgsl']);
    const cpu = await main(['run', MLP, '--inputs', data]);
    expect(wgsl.err).toBe('');
    expect(wgsl.code).toBe(0);
    const [g, c] = [JSON.parse(wgsl.out), JSON.parse(cpu.out)];
    expect(Object.keys(g.grad)).toEqual(['X', 'Y', 'W1', 'b1', 'W2', 'b2']);
    expect(Array.isArray(g.grad.W1[0])).toBe(true); // a matrix is an array of rows
    expect(typeof g.grad.b1[0]).toBe('number'); // a vector is flat
    expect(close(g, c, 1e-5)).toBe(true);
  });

  it('runs the scalar chain of examples/sigmoid-chain.json with --dtype f32', async (ctx) => {
    requireGpu(ctx);
    const args = ['run', 'examples/sigmoid-chain.mdf', '--inputs', 'examples/sigmoid-chain.json'];
    const wgsl = await main([...args, '--backend', 'wgsl', '--dtype', 'f32']);
    expect(wgsl.code).toBe(0);
    expect(close(JSON.parse(wgsl.out), JSON.parse((await main(args)).out), 1e-5)).toBe(true);
  });

  it('refuses --dtype f64 (exit 2): WebGPU computes in f32', async () => {
    const r = await main([
      'run',
      'examples/sigmoid-chain.mdf',
      '--inputs',
      'examples/sigmoid-chain.json',
      '--backend',
      'wgsl',
      '--dtype',
      'f64',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/f32 only/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('refuses a model too large for the device, naming the buffer and the limit (exit 1)', async (ctx) => {
    requireGpu(ctx);
    const model = path.join(tmp, 'big.mdf');
    const data = path.join(tmp, 'big.json');
    writeFileSync(model, 'x: [n]; y: [n]\nL = sum(exp(x·yᵀ))\n');
    writeFileSync(data, JSON.stringify({ x: new Array(6000).fill(0.001), y: new Array(6000).fill(0.001) }));
    const r = await main(['run', model, '--inputs', data, '--backend', 'wgsl']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/needs a buffer of [\d.]+ MiB for the values of .*more than this WebGPU device allows/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('matdiff emit --target wgsl', () => {
  it('writes a TypeScript module that type-checks (strict) and holds the shaders the backend runs', async (ctx) => {
    const r = await main(['emit', MLP, '--target', 'wgsl']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/\/\/ <reference types="@webgpu\/types" \/>/);
    expect(r.out).toMatch(/export async function create\(device\?: GPUDevice\): Promise<Model>/);
    // Typed like the TypeScript module, from the model's declarations.
    expect(r.out).toMatch(/export interface Inputs \{[^}]*\/\*\* \[n, B\] \*\/\n\s*readonly X: InputValue;/);
    expect(r.out).toMatch(/export interface Dims \{[^}]*readonly B\?: number;/);
    expect(r.out).toMatch(/export type Value = number;/);
    expect(r.out).toMatch(/export interface Gradients \{[^}]*readonly W1: Float32Array;/);
    expect(r.out).toMatch(/valueAndGrad\(inputs: Inputs, dims\?: Dims\): Promise<ValueAndGrad>;/);
    // Prettier-clean under the default configuration, as a user's project would check it.
    expect(await prettier.check(r.out, { parser: 'typescript' })).toBe(true);
    expect(r.out).not.toMatch(/^\s*import\b/m); // no imports: self-contained
    const file = path.join(tmp, 'mlp.ts');
    writeFileSync(file, r.out);
    const program = ts.createProgram([file], {
      strict: true,
      noUncheckedIndexedAccess: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      noEmit: true,
      skipLibCheck: true,
      types: ['@webgpu/types'],
      typeRoots: [path.resolve('node_modules')],
    });
    const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diags).toEqual([]);
    requireGpu(ctx);
    const k = await compileWgsl(parse(readFileSync(MLP, 'utf8'), MLP));
    for (const s of k.shaders) expect(r.out).toContain(s.code.split('\n').slice(2).join('\n').trim());
    k.destroy();
  });

  it('writes JavaScript for -o *.js that runs with a given device, and through navigator.gpu', async (ctx) => {
    const gpu = requireGpu(ctx);
    const out = path.join(tmp, 'mlp.js');
    const r = await main(['emit', MLP, '--target', 'wgsl', '-o', out]);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/: GPUDevice|interface |<reference/);
    const mod = (await import(pathToFileURL(out).href)) as {
      create(device?: GPUDevice): Promise<{ forward: Function; valueAndGrad: Function; destroy(): void }>;
    };
    const data = mlpData();
    const ref = await compileWgsl(parse(readFileSync(MLP, 'utf8'), MLP));
    const want = await ref.valueAndGrad(data);
    ref.destroy();

    const m1 = await mod.create(gpu.device);
    const got = await m1.valueAndGrad(data);
    expect(got.value).toBe(want.value); // the same shaders on the same device
    for (const [name, g] of Object.entries(want.grad))
      expect(Array.from(got.grad[name])).toEqual(Array.from(g as Float32Array));
    expect(await m1.forward(data)).toBe(want.value);
    m1.destroy();

    // navigator.gpu, as in a browser: Dawn's GPU object of the backend device.ts found.
    const backend = gpu.backend.startsWith('dawn/') ? gpu.backend.slice(5) : undefined;
    if (backend === undefined || backend === 'default') return;
    const dawn = (await import('webgpu' as string)) as { create(o: string[]): GPU };
    const g = globalThis as { navigator?: unknown; __keep?: unknown };
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const setEgl = process.env.EGL_PLATFORM === undefined && process.platform === 'linux';
    if (setEgl) process.env.EGL_PLATFORM = 'surfaceless';
    try {
      const instance = dawn.create([`backend=${backend}`]);
      g.__keep = instance; // Dawn instances must outlive their devices
      Object.defineProperty(globalThis, 'navigator', { value: { gpu: instance }, configurable: true, writable: true });
      const m2 = await mod.create();
      const again = await m2.valueAndGrad(data);
      expect(Math.abs(again.value - (want.value as number))).toBeLessThan(1e-6);
      m2.destroy();
    } finally {
      if (setEgl) delete process.env.EGL_PLATFORM;
      if (saved) Object.defineProperty(globalThis, 'navigator', saved);
      else delete g.navigator;
    }
  });

  it('reports a shader that does not compile with its line, as a matdiff bug', async (ctx) => {
    const gpu = requireGpu(ctx);
    const out = path.join(tmp, 'tiny.js');
    writeFileSync(path.join(tmp, 'tiny.mdf'), 'x: [3]\ny = exp(x)\n');
    expect((await main(['emit', path.join(tmp, 'tiny.mdf'), '--target', 'wgsl', '-o', out])).code).toBe(0);
    const mod = (await import(pathToFileURL(out).href)) as {
      createRunner(device: GPUDevice, p: unknown): { run(i: unknown): Promise<unknown> };
    };
    const broken = {
      dims: [],
      inputs: [],
      slots: [{ size: 1, label: 'y' }],
      outputs: [{ slot: 0, rows: 1, cols: 1, label: 'y' }],
      kernels: [
        {
          label: 'a broken kernel',
          code: '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() {\n  y[0] = 1.0 +* 2.0;\n}\n',
          bindings: [{ kind: 'slot', index: 0 }],
          params: [],
          grid: [1, 1],
          linear: false,
        },
      ],
      steps: [{ label: 'y', variants: [{ when: 1, kernels: [0] }] }],
    };
    const err = await mod
      .createRunner(gpu.device, broken)
      .run({})
      .then(
        () => undefined,
        (e: Error & { kind?: string }) => e,
      );
    expect(err?.kind).toBe('bug');
    expect(err?.message).toMatch(/matdiff bug: the WGSL shader for a broken kernel does not compile: line 3: /);
    expect(err?.message).toContain('y[0] = 1.0 +* 2.0;');
  });

  it('names from the user reach shaders only as sanitized comments', async (ctx) => {
    const gpu = requireGpu(ctx);
    // A file name that would end a comment, or the line (VT, NEL, LS), and inject code.
    const file = 'evil */ \u000b@compute\u0085 fn x() {}\u2028 \n.mdf';
    const k = await compileWgsl(parse('x: [n]; W: [n, n]\nπ_1 = sum(exp(W·x))', file));
    for (const s of k.shaders) {
      const module = gpu.device.createShaderModule({ code: s.code });
      const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
      expect(errors.map((m) => m.message)).toEqual([]);
      expect(
        s.code
          .split('\n')
          .filter((l) => l.includes('evil'))
          .every((l) => l.startsWith('// ')),
      ).toBe(true);
    }
    k.destroy();
  });

  it('an input of the wrong shape is a MatdiffError naming it', async (ctx) => {
    requireGpu(ctx);
    const k = await compileWgsl(parse('A: [n, n]; x: [n]\nL = xᵀ·A·x', 'q.mdf'));
    const err = await k
      .valueAndGrad({
        A: [
          [1, 2],
          [3, 4],
        ],
        x: [1, 2, 3],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MatdiffError);
    expect((err as MatdiffError).message).toMatch(/^(A|x): expected \[n/);
    k.destroy();
  });
});
