/**
 * `compile(model, opts)`: a model's output and gradients as fast in-process functions.
 *
 *   const { forward, valueAndGrad, source } = compile(parse(text), { wrt: ['W', 'b'] });
 *   const { value, grad } = valueAndGrad({ X, Y, W, b });
 *
 * It generates the same module `matdiff emit --target ts` writes (`source`, the
 * TypeScript text before formatting), as JavaScript with the TypeScript-only parts
 * dropped by the emitter, and instantiates it with `new Function`. Generated code is
 * built only from sanitised identifiers, quoted keys and numbers (codegen/ts/names.ts).
 */
import type { Model } from '../src/model/model.js';
import { MatdiffError } from '../src/errors.js';
import { shapeBrief } from '../src/shape/shape.js';
import { programOf } from '../src/pipeline.js';
import type { Program } from './program.js';
import { type Dtype, emitModule } from './ts/emit.js';

export type { Dtype };
/** The one selection (src/pipeline.ts): `of` and `wrt` resolved against the model, then lowered. */
export { programOf };

export interface CompileOptions {
  /** Variables to differentiate by; default: every declared variable the output depends on. */
  wrt?: readonly string[];
  dtype?: Dtype;
  /** The definition to compute; default: the model's output (its last definition). */
  of?: string;
  /**
   * Threads for the large matrix products (default 1): with 2 or more, products of at least
   * ~2²⁰ multiply-adds are split among that many threads — this one and worker threads on a
   * shared WebAssembly memory — where the host has them (Node; a cross-origin isolated page),
   * and on one thread elsewhere. Workers start in the background: `threadsReady()`.
   */
  threads?: number;
}

/** A value in or out: a row-major typed array, nested rows, a flat vector, or a number. */
export type Tensor = Float64Array | Float32Array | number | readonly number[] | readonly (readonly number[])[];
export type Inputs = Readonly<Record<string, Tensor>>;
export type Dims = Readonly<Record<string, number>>;
export type Real = Float64Array | Float32Array;

export interface Compiled {
  /** The output's value: a number for a scalar output, else a row-major array (reused by the next call). */
  forward(inputs: Inputs, dims?: Dims): number | Real;
  /**
   * The (scalar) output's value and gradients, each a number for a scalar variable or a
   * row-major array. The result object and arrays are reused by the next call.
   */
  valueAndGrad(inputs: Inputs, dims?: Dims): { value: number; grad: Record<string, number | Real> };
  /**
   * Resolves, once the worker threads (option `threads`) have started or failed to, to the
   * number of threads large products use; 1 without the option. Calls never wait for it.
   */
  threadsReady(): Promise<number>;
  /** The generated TypeScript module (unformatted; `matdiff emit` formats it with prettier). */
  readonly source: string;
  readonly program: Program;
}

export function compile(model: Model, opts: CompileOptions = {}): Compiled {
  return instantiate(programOf(model, opts), opts.dtype ?? 'f64', opts.threads);
}

/** A built program as in-process functions. */
export function instantiate(program: Program, dtype: Dtype = 'f64', threads?: number): Compiled {
  const js = emitModule(program, { dtype, lang: 'js', threads });
  const mod = new Function(js)() as Pick<Compiled, 'forward'> &
    Partial<Pick<Compiled, 'valueAndGrad' | 'threadsReady'>>;
  const valueAndGrad =
    mod.valueAndGrad ??
    (() => {
      throw new MatdiffError(
        'E013',
        `valueAndGrad needs a scalar output; ${program.output.name} is ${shapeBrief(program.output.node.shape)}`,
      );
    });
  let source: string | undefined;
  return {
    forward: mod.forward,
    valueAndGrad,
    threadsReady: mod.threadsReady ?? (() => Promise.resolve(1)),
    get source() {
      return (source ??= emitModule(program, { dtype, lang: 'ts', threads }));
    },
    program,
  };
}
