/**
 * The emitted module as text and as a schedule: it type-checks under `tsc --strict`
 * (with noUncheckedIndexedAccess), the MLP's module matches its snapshot, transposes
 * feeding products are read in place, elementwise chains fuse, ones-products become
 * reductions, and the memory plan never lets two live buffers share a slot.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitTs, emitModule, finish } from '../codegen/ts/emit.js';
import { commentText, identifier, quote } from '../codegen/ts/names.js';
import { type Schedule, type Step, stepBuffers } from '../codegen/ir.js';
import type { Program } from '../codegen/program.js';
import { DECLS } from './gen.js';
import { typeCheck } from './codegen-util.js';

const MLP = readFileSync(new URL('../examples/mlp.mdf', import.meta.url), 'utf8');
const mlp = parse(MLP, 'examples/mlp.mdf');
const mlpProgram = programOf(mlp, { wrt: ['W1', 'b1', 'W2', 'b2'] });
const formula = (f: string, decls = DECLS) => parse(`${decls}\nE = ${f}`, 'formula.mdf');
const steps = (p: Program, kind: Step['kind']): Step[] => p.valueAndGrad!.schedule.steps.filter((s) => s.kind === kind);

describe('emitted modules type-check under tsc --strict', () => {
  it('MLP (f64, f32), odd names, forward-only linear algebra, and a caller', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'matdiff-emit-'));
    try {
      const files: Record<string, string> = {
        'mlp64.ts': await emitTs(mlpProgram),
        'mlp32.ts': await emitTs(mlpProgram, { dtype: 'f32' }),
        'names.ts': await emitTs(
          programOf(
            parse(
              'X: [n]; constructor: [n, n]; let: [n]; π: []; toString: [n] pos\nhasOwnProperty = sum(constructor·X) + sum(log(toString)) + π·sum(let ⊙ X)',
              'names.mdf',
            ),
          ),
        ),
        'linalg.ts': await emitTs(
          programOf(formula('softmax(A)·inv(K)·diag(C) + logdet(C)·A·inv(C)ᵀ + det(K) + logsumexp(A·B)·ones(p)')),
        ),
        'scalar.ts': await emitTs(programOf(parse('s: []\nE = 3', 'const.mdf'))),
        'use.ts': [
          "import { valueAndGrad, forward, type Gradients } from './mlp32.js';",
          "import { forward as f2 } from './linalg.js';",
          'const X = new Float32Array(6), Y = [[1, 0, 0], [0, 1, 1]];',
          'const r = valueAndGrad({ X, Y, W1: new Float32Array(8), b1: [0, 0, 0, 0], W2: new Float32Array(8), b2: [0, 0] }, { n: 2 });',
          'const g: Gradients = r.grad;',
          'const w: Float32Array = g.W1;',
          'const v: number = r.value + forward({ X, Y, W1: [[1, 2]], b1: [1], W2: [[1]], b2: [1] });',
          'const m: Float64Array = f2({ A: [[1]], B: [[1]], C: [[1]], K: [[1]] });',
          'export { w, v, m };',
        ].join('\n'),
      };
      expect(typeCheck(dir, files)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('snapshot', () => {
  it('examples/mlp.mdf', async () => {
    await expect(await emitTs(mlpProgram)).toMatchFileSnapshot('./__snapshots__/mlp.emit.ts');
  });
});

describe('generated text', () => {
  it('drops exactly the TypeScript-only parts for in-process JavaScript', () => {
    expect(finish('function f(x«: number»)«: number» { return x; }', 'js')).toBe('function f(x) { return x; }');
    expect(finish('function f(x«: number»)«: number» { return x; }', 'ts')).toBe(
      'function f(x: number): number { return x; }',
    );
    const js = emitModule(mlpProgram, { lang: 'js' });
    expect(js).not.toMatch(/[«»]/);
    expect(() => new Function(js)).not.toThrow();
  });

  it('sanitises names, keys and comments', () => {
    expect(identifier('v_', 'let')).toBe('v_let');
    expect(identifier('v_', 'π')).toBe('v_π');
    expect(identifier('v_', 'a-b·c')).toBe('v_a_b_c');
    expect(quote('a"b\u2028')).toBe('"a\\"b\\u2028"');
    expect(commentText('x */ y\nz\u2028w')).toBe('x * / y z w');
  });

  it('comments each kernel with its formula', async () => {
    const code = await emitTs(mlpProgram);
    expect(code).toContain('// H = relu(W1·X + b1)');
    expect(code).toContain('// P = softmax(W2·H + b2)');
    expect(code).toMatch(/\/\/ ∂L\/∂W1 = .*·Xᵀ \/ B/);
  });
});

describe('schedule', () => {
  it('reads transposes feeding products in place', () => {
    const flags = steps(mlpProgram, 'matmul').map(
      (s) => s.kind === 'matmul' && `${s.a.trans ? 'Aᵀ' : 'A'}·${s.b.trans ? 'Bᵀ' : 'B'}`,
    );
    // W1·X, W2·H, W2ᵀ·G, G2·Xᵀ, G·Hᵀ
    expect(flags.sort()).toEqual(['A·B', 'A·B', 'A·Bᵀ', 'A·Bᵀ', 'Aᵀ·B']);
    const both = programOf(formula('sum(Bᵀ·Aᵀ)'), { wrt: [] }).forward.schedule.steps.filter(
      (s) => s.kind === 'matmul',
    );
    expect(both.map((s) => s.kind === 'matmul' && [s.a.trans, s.b.trans])).toEqual([[true, true]]);
    // No step copies a buffer into a temporary (only into an output, where a root is a view).
    for (const p of [mlpProgram, programOf(formula('sum(Bᵀ·Aᵀ) + xᵀ·A·y + sum(Aᵀ·A)'))]) {
      const { buffers, steps: all } = p.valueAndGrad!.schedule;
      for (const s of all)
        expect(s.kind === 'map' && s.expr.kind === 'load' && buffers[s.out]!.role !== 'output').toBe(false);
    }
  });

  it('turns products with ones into row and column sums', () => {
    const red = steps(mlpProgram, 'reduce').map((s) => s.kind === 'reduce' && s.axis);
    // ∂b1, ∂b2 (G·ones(B)), onesᵀ·Y, and the sum of the loss.
    expect(red.sort()).toEqual(['all', 'cols', 'rows', 'rows']);
  });

  it('fuses elementwise chains into their consumer', () => {
    const p = programOf(formula('sum(exp(A) ⊙ sin(A) + A ⊙ A)'), { wrt: [] });
    expect(p.forward.schedule.steps.map((s) => s.kind)).toEqual(['reduce']);
    // A·B is used twice, so it is a buffer; the rest, transposed, is one kernel writing the output.
    const q = programOf(formula('relu(A·B + x ⊙ (A·B) + 1)ᵀ'), { wrt: [] });
    expect(q.forward.schedule.steps.map((s) => s.kind)).toEqual(['matmul', 'map']);
  });

  it('factorises once per matrix: Cholesky for spd variables, LU otherwise', () => {
    const p = programOf(formula('logdet(K) + sum(inv(K)) + logdet(C) + det(C) + sum(inv(C))'));
    const factors = p.valueAndGrad!.schedule.steps.filter((s) => s.kind === 'factor');
    expect(factors.map((s) => s.kind === 'factor' && `${s.method} ${s.node.name}`).sort()).toEqual([
      'cholesky K',
      'lu C',
    ]);
  });

  it('plans memory by liveness: slots are reused, never while in use', () => {
    for (const p of [mlpProgram, programOf(formula('sum(exp(exp(A·B)·Bᵀ)·B) + logdet(Cᵀ·C + I(n))'))]) {
      const { schedule: s, plan } = p.valueAndGrad!;
      checkPlan(s, plan.slotOf);
      expect(plan.slots.length).toBeLessThan(s.buffers.filter((b) => b.role !== 'input').length);
    }
  });
});

/** Replays the steps: a slot holding a buffer still to be read is never written by another. */
function checkPlan(s: Schedule, slotOf: readonly number[]): void {
  const last = new Map<number, number>();
  s.steps.forEach((step, i) => {
    const { reads, writes } = stepBuffers(step);
    for (const b of [...reads, ...writes]) last.set(b, i);
  });
  const holder = new Map<number, number>(); // slot → buffer whose value it holds
  s.steps.forEach((step, i) => {
    const { reads, writes } = stepBuffers(step);
    for (const b of writes) {
      const slot = slotOf[b]!;
      const prev = holder.get(slot);
      if (prev !== undefined && prev !== b) {
        expect(last.get(prev)!).toBeLessThan(i);
        expect(s.buffers[prev]!.role).not.toBe('output');
      }
      holder.set(slot, b);
    }
    for (const b of reads) if (s.buffers[b]!.role !== 'input') expect(holder.get(slotOf[b]!)).toBe(b);
  });
}
