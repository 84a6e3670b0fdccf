/** Small pieces the examples' command lines share. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export class UsageError extends Error {}

/** `--name`'s value as an integer ≥ min, or undefined when absent. */
export function intArg(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

/** `--name`'s value as a finite number that satisfies `ok`, or undefined when absent. */
export function numArg(name: string, v: string | undefined, ok: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || !ok(n)) throw new UsageError(`--${name}: invalid value '${v}'`);
  return n;
}

/** Whether the module at `url` (its import.meta.url) is the script node was started with. */
export function invokedDirectly(url: string): boolean {
  try {
    return process.argv[1] !== undefined && url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}
