/** Reading a model named on the command line: a file, or standard input for `-`. */
import { readFileSync } from 'node:fs';
import { parse } from '../api.js';
import type { Model } from '../model/model.js';
import { type Args, UsageError, flag } from './args.js';

const WHY: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a directory',
};

/** Why a file operation failed, in words. */
export function whyNot(e: unknown, missing = 'no such file'): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code === 'ENOENT' ? missing : code && WHY[code]) || code || String(e);
}

/** A file's text (standard input for `-`); a file that cannot be read is a one-line usage error. */
export function readSource(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path === '-' ? 'standard input' : path}: ${whyNot(e)}`, false);
  }
}

/** The FILE positional: exactly one. */
export function fileOf(args: Args): string {
  const file = args.positionals[0];
  if (!file) throw new UsageError('missing FILE (use - for standard input)');
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument '${args.positionals[1]}'`);
  return file;
}

export function loadModel(args: Args): Model {
  const file = fileOf(args);
  return parse(readSource(file), file === '-' ? '<stdin>' : file, { dims: dimsFlag(args) });
}

/** `--dims n=3,m=4`. */
function dimsFlag(args: Args): Map<string, number> | undefined {
  const v = flag(args, 'dims');
  if (v === undefined) return undefined;
  const out = new Map<string, number>();
  for (const part of v.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m || Number(m[2]) <= 0)
      throw new UsageError(`--dims takes NAME=SIZE pairs with positive sizes, as in n=3,m=4; got '${part}'`);
    if (!Number.isSafeInteger(Number(m[2])))
      throw new UsageError(
        `--dims: ${m[1]}=${m[2]} is larger than ${Number.MAX_SAFE_INTEGER}: a size must be a safe integer`,
      );
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}
