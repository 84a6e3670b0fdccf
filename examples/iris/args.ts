/** The command line of train.ts: its usage text and its arguments read into TrainOptions. */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { UsageError, intArg, numArg } from '../lib/cli.js';
import type { TrainOptions } from './train.js';

const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

export const USAGE = `usage: npx tsx examples/iris/train.ts [--backend ts|wgsl] [--epochs N] [--seed S]
         [--hidden H] [--lr η] [--momentum μ] [--batch B] [--dtype f32|f64] [--svg PATH]

  --backend   ts (default): the generated TypeScript kernels; wgsl: the WGSL kernels on WebGPU
  --epochs    passes over the training flowers (default 200)
  --seed      seeds the split, the initial weights and the minibatch order (default 1)
  --hidden    hidden units (default 16)
  --lr        learning rate (default 0.1); --momentum (default 0.9)
  --batch     minibatch size; 0 = the full training split per step (default)
  --dtype     arithmetic of the TypeScript kernels (default f32; WGSL is f32 only)
  --svg       where to write the loss curve (default examples/iris/loss.svg, loss-wgsl.svg for wgsl)`;

/**
 * `argv` read into training options and the plot's path, or 'help' for --help; throws
 * (UsageError, or parseArgs's own error) on a bad argument.
 */
export function trainArgs(argv: string[]): 'help' | { opts: TrainOptions; svgPath: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      backend: { type: 'string' },
      epochs: { type: 'string' },
      seed: { type: 'string' },
      hidden: { type: 'string' },
      lr: { type: 'string' },
      momentum: { type: 'string' },
      batch: { type: 'string' },
      dtype: { type: 'string' },
      svg: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const backend = values.backend ?? 'ts';
  if (backend !== 'ts' && backend !== 'wgsl') throw new UsageError(`--backend must be ts or wgsl, got '${backend}'`);
  const dtype = values.dtype;
  if (dtype !== undefined && dtype !== 'f32' && dtype !== 'f64')
    throw new UsageError(`--dtype must be f32 or f64, got '${dtype}'`);
  if (backend === 'wgsl' && dtype === 'f64') throw new UsageError('--dtype f64: the WGSL backend computes in f32 only');
  const defined = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  const opts: TrainOptions = defined({
    backend,
    dtype,
    epochs: intArg('epochs', values.epochs, 1),
    seed: intArg('seed', values.seed, 0),
    hidden: intArg('hidden', values.hidden, 1),
    lr: numArg('lr', values.lr, (n) => n > 0),
    momentum: numArg('momentum', values.momentum, (n) => n >= 0 && n < 1),
    batch: intArg('batch', values.batch, 0),
  });
  return { opts, svgPath: values.svg ?? here(backend === 'wgsl' ? 'loss-wgsl.svg' : 'loss.svg') };
}
