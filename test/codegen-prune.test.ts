import { describe, expect, it } from 'vitest';
import { pruneRuntime } from '../codegen/ts/prune.js';
import { parse, compile } from '../src/index.js';
import { emitModule } from '../codegen/ts/emit.js';
import { buildProgram } from '../codegen/program.js';

const RUNTIME = `const Arr = Float64Array;

«/** A type. */
interface Spec {
  readonly k: number;
}»

/** Used by the entry. */
function used(x«: number»)«: number» {
  return helper(x) + 1;
}

/** Used by used(). */
const helper = (x«: number»)«: number» => x * 2;

// ── factorisations ──

/** Nobody calls this. */
function luFactor()«: void» {}

function luDet()«: number» {
  return 0;
}

// ── softmax ──

function softmaxCols()«: void» {
  used(1);
}
`;

describe('pruneRuntime', () => {
  it('keeps what the entry points reach, transitively, and every type', () => {
    const out = pruneRuntime(RUNTIME, 'export function forward() { return used(3) + Arr.length; }');
    expect(out).toContain('function used(');
    expect(out).toContain('const helper =');
    expect(out).toContain('interface Spec');
    expect(out).toContain('const Arr =');
    expect(out).not.toContain('luFactor');
    expect(out).not.toContain('luDet');
    expect(out).not.toContain('softmaxCols');
    // A section header goes with its last declaration.
    expect(out).not.toContain('factorisations');
    expect(out).not.toContain('── softmax');
  });

  it('keeps a section header when something under it is used', () => {
    const out = pruneRuntime(RUNTIME, 'luDet()');
    expect(out).toContain('// ── factorisations ──');
    expect(out).toContain('function luDet(');
    expect(out).not.toContain('function luFactor(');
  });

  it('generated modules carry the factorisations only when the model inverts', () => {
    const module = (src: string) => {
      const model = parse(src, 'm.mdf');
      const out = model.defs.get(model.output!)!;
      const x = model.vars.get('x')!;
      return emitModule(buildProgram({ model, output: out, wrt: [x] }), { dtype: 'f64' });
    };
    const plain = module('A: [n, n]; x: [n]\nf = xᵀ·A·x');
    const inverse = module('A: [n, n] spd; x: [n]\nf = xᵀ·inv(A)·x');
    expect(plain).not.toMatch(/function (luFactor|cholFactor)/);
    expect(inverse).toMatch(/function cholFactor/);
    // And both still run.
    const data = {
      A: [
        [2, 1],
        [1, 3],
      ],
      x: [1, 2],
    };
    for (const src of ['A: [n, n]; x: [n]\nf = xᵀ·A·x', 'A: [n, n] spd; x: [n]\nf = xᵀ·inv(A)·x']) {
      const f = compile(parse(src, 'm.mdf'), { wrt: ['x'] });
      expect(Number.isFinite(f.forward(data) as number)).toBe(true);
    }
  });
});
