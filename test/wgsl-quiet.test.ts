/**
 * `matdiff run --backend wgsl` leaves stderr clean: Dawn's native messages during adapter
 * discovery ("Couldn't load Vulkan …", the OpenGL backend's two limit warnings) never
 * reach a pipe or a file opened for appending, and the Vulkan one never appears at all
 * where the Vulkan loader is missing (matdiff does not ask Dawn for Vulkan then). Where
 * fd 2 is a socket (Node's child_process pipes) or a file opened without O_APPEND, Node
 * cannot redirect and restore it (no dup2), so the limit warnings may remain there:
 * codegen/wgsl/device.ts explains.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireGpu } from './wgsl-util.js';

const dir = mkdtempSync(join(tmpdir(), 'matdiff-quiet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN =
  'node_modules/.bin/tsx src/cli/bin.ts run examples/sigmoid-chain.mdf --inputs examples/sigmoid-chain.json --backend wgsl';
const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' });

describe.skipIf(process.platform !== 'linux')('quiet WebGPU', () => {
  it('stderr through a pipe: nothing', (ctx) => {
    requireGpu(ctx);
    const r = sh(`${RUN} 2>&1 >/dev/null | cat`);
    expect(r.stdout).toBe('');
  }, 120_000);

  it('stderr appended to a file: nothing', (ctx) => {
    requireGpu(ctx);
    const log = join(dir, 'err.log');
    const r = sh(`${RUN} >/dev/null 2>>${log}; echo $?`);
    expect(r.stdout.trim()).toBe('0');
    expect(readFileSync(log, 'utf8')).toBe('');
  }, 120_000);

  it('no Vulkan attempt (and no warning about it) without the Vulkan loader', (ctx) => {
    requireGpu(ctx);
    const loader =
      readFileSync('/etc/ld.so.cache').includes('libvulkan.so.1') ||
      existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
    if (loader) ctx.skip();
    const r = spawnSync('sh', ['-c', RUN], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/Vulkan/);
  }, 120_000);
});
