/** `--max-memory SIZE`: how much `run` and `check` may allocate; by default 80% of this machine's memory. */
import { totalmem } from 'node:os';
import { type Args, UsageError, flag } from './args.js';
import { parseBytes } from '../util/memory.js';

export function maxMemory(args: Args): number {
  const v = flag(args, 'max-memory');
  if (v === undefined) return Math.floor(0.8 * totalmem());
  const bytes = parseBytes(v);
  if (bytes === undefined)
    throw new UsageError(`--max-memory takes a size such as 8GB, 512MB or 1e9 (bytes); got '${v}'`);
  return bytes;
}
