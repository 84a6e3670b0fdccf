/**
 * Helpers for the codegen tests: run a program through the generated TypeScript (float64
 * and float32) and through the reference interpreter (`evaluate` on the same value and
 * gradient nodes), and measure how far apart they are.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { evaluate } from '../src/index.js';
import type { Model } from '../src/model/model.js';
import type { Node } from '../src/graph/node.js';
import { instantiate, programOf } from '../codegen/compile.js';
import type { Program } from '../codegen/program.js';
import { type Env, randomEnv } from './gen.js';

/**
 * Largest entrywise difference relative to the reference's largest magnitude (at least
 * `floor`). Equal non-finite entries (both NaN, or the same infinity) agree; a non-finite
 * entry on one side only is an infinite error. With `f32`, a reference entry beyond
 * float32's range (~3.4e38) is expected as the infinity it rounds to, and one beyond ±87
 * (log of that range: the log of an exp that over- or underflowed in float32, as in
 * log(softmax(Z)) at −371) may be infinite.
 */
export function relDiff(ref: ArrayLike<number>, got: ArrayLike<number>, floor = 1e-8, f32 = false): number {
  if (ref.length !== got.length) return Infinity;
  const want = Array.from(ref, (x) => (f32 && !Number.isFinite(Math.fround(x)) ? Math.fround(x) : x));
  let scale = floor;
  for (const x of want) if (Number.isFinite(x)) scale = Math.max(scale, Math.abs(x));
  let err = 0;
  for (let k = 0; k < want.length; k++) {
    const [a, b] = [want[k]!, got[k]!];
    if (Number.isFinite(a) && Number.isFinite(b)) err = Math.max(err, Math.abs(a - b));
    else if (f32 && Number.isFinite(a) && Math.abs(a) > 87 && Math.sign(a) === Math.sign(b)) continue;
    else if (!(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)))) return Infinity;
  }
  return err / scale;
}

export interface Outcome {
  /** What was compared: the output's name or ∂L/∂W. */
  what: string;
  f64: number;
  f32: number;
}

/**
 * Results that cancel to (near) zero — a gradient that is 0 in exact arithmetic — are
 * judged against these floors: the rounding of their operands, not their own magnitude.
 */
export const FLOORS = { f64: 1e-5, f32: 1e-3 };

const flat = (v: number | ArrayLike<number>): ArrayLike<number> => (typeof v === 'number' ? [v] : v);

/** Runs `program` on `env` both ways; one outcome per result (value, then each gradient). */
export function compareProgram(program: Program, env: Env, floors = FLOORS): Outcome[] {
  const roots: Node[] = [program.output.node, ...program.wrt.map((w) => w.grad)];
  const names = [program.output.name, ...program.wrt.map((w) => `∂${program.output.name}/∂${w.name}`)];
  const ref = evaluate(roots, env).map((m) => m.data);
  const inputs = Object.fromEntries([...env.vars].map(([k, m]) => [k, m.data]));
  const dims = Object.fromEntries(env.dims);
  const run = (dtype: 'f64' | 'f32'): ArrayLike<number>[] => {
    const k = instantiate(program, dtype);
    if (!program.valueAndGrad) return [flat(k.forward(inputs, dims))];
    const r = k.valueAndGrad(inputs, dims);
    return [flat(r.value), ...program.wrt.map((w) => flat(r.grad[w.name]!))];
  };
  const [a, b] = [run('f64'), run('f32')];
  return names.map((what, i) => ({
    what,
    f64: relDiff(ref[i]!, a[i]!, floors.f64),
    f32: relDiff(ref[i]!, b[i]!, floors.f32, true),
  }));
}

/** The program of `model` (its output, gradients by every variable it depends on) on random data. */
export function compareModel(
  model: Model,
  dims: ReadonlyMap<string, number>,
  seed = 1,
  opts: { wrt?: string[]; of?: string; floors?: typeof FLOORS } = {},
): Outcome[] {
  const program = programOf(model, opts);
  const env = randomEnv(
    seed,
    [...model.vars.values()].map((v) => v.node),
    dims,
  );
  return compareProgram(program, env, opts.floors);
}

/** Outcomes over tolerance, as readable lines (empty when all pass). */
export function failures(outcomes: Outcome[], tol64 = 1e-10, tol32 = 1e-4): string[] {
  return outcomes
    .filter((o) => !(o.f64 <= tol64 && o.f32 <= tol32))
    .map((o) => `${o.what}: f64 error ${o.f64.toExponential(2)}, f32 error ${o.f32.toExponential(2)}`);
}

/**
 * Type-checks the files (name → text, written into `dir`) as an emitted module stands in a
 * user's project: strict, ES2022, no DOM or Node types. The diagnostics, `file:line: text`.
 */
export function typeCheck(dir: string, files: Readonly<Record<string, string>>): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const program = ts.createProgram(
    Object.keys(files).map((f) => join(dir, f)),
    {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
    },
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `
      : '';
    return where + ts.flattenDiagnosticMessageText(d.messageText, '\n');
  });
}
