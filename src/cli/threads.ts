/** `--threads N`: threads for the large products of the TypeScript kernels (`run --backend ts`, `emit --target ts`). */
import { type Args, UsageError, flag } from './args.js';

/** The most threads accepted (the generated module's control block has a word block per thread). */
export const MAX_THREADS = 256;

/** The value of --threads (undefined when absent); `applies` false when the backend or target has no threads. */
export function threadsFlag(args: Args, applies: boolean, where: string): number | undefined {
  const v = flag(args, 'threads');
  if (v === undefined) return undefined;
  if (!applies) throw new UsageError(`--threads applies only to ${where}`);
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > MAX_THREADS)
    throw new UsageError(`--threads takes an integer from 1 to ${MAX_THREADS}; got '${v}'`);
  return Number(v);
}
