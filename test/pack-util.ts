/**
 * The package as npm would publish it: a copy of the working tree (untracked files
 * included, as `npm pack` would see them), built with `npm run build`, in a temp folder.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';

const ROOT = process.cwd();
const SKIP = new Set(['node_modules', '.git', 'dist', 'test-results.json']);

export interface BuiltCopy {
  dir: string;
  npm(args: string[], cwd?: string): Promise<string>;
  remove(): void;
}

/** A command's standard output; asynchronous, so that a slow build never blocks the test worker. */
export async function exec(file: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(file, args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  return stdout;
}

export async function builtCopy(prefix: string): Promise<BuiltCopy> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => {
      const rel = relative(ROOT, src);
      return rel === '' || !SKIP.has(rel.split(sep)[0]!);
    },
  });
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
  const npm = (args: string[], cwd = dir) => exec('npm', args, cwd);
  await npm(['run', 'build']);
  return { dir, npm, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
