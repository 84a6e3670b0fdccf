/**
 * The limit in the same run: OpenBLAS through the small C harness in
 * bench/openblas/harness.c, compiled here when gcc and OpenBLAS's headers and library
 * (Debian: libopenblas-dev) are present, and run as a child process with
 * OPENBLAS_NUM_THREADS set per call. Without them every call returns the reason, and the
 * benchmark prints it instead of the fractions.
 *
 * OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, where this machine's environment sets them (older
 * OpenBLAS builds pick wrong kernels on some processors), are passed on unchanged; the
 * kernel OpenBLAS ran is reported with every figure ("core").
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type BlasOp = 'sgemm' | 'dpotrf' | 'dgetrf';

export interface BlasResult {
  op: BlasOp;
  n: number;
  threads: number;
  runs: number;
  medianMs: number;
  minMs: number;
  /** sgemm: one entry's error against a float64 dot product; factorisations: the log-determinant. */
  check: number;
  /** The OpenBLAS kernel set that ran (openblas_get_corename). */
  core: string;
}

const SOURCE = fileURLToPath(new URL('./openblas/harness.c', import.meta.url));

let binary: string | { reason: string } | undefined;

/** Compiles the harness once per process (into the temporary directory); the binary or why not. */
export function openblasHarness(): string | { reason: string } {
  if (binary !== undefined) return binary;
  const dir = path.join(os.tmpdir(), 'matdiff-bench');
  const out = path.join(dir, 'openblas-harness');
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(out) || statSync(out).mtimeMs < statSync(SOURCE).mtimeMs)
      execFileSync('gcc', ['-O2', '-o', out, SOURCE, '-lopenblas', '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
    binary = out;
  } catch (e) {
    const err = e as { code?: string; stderr?: Buffer };
    const detail =
      err.code === 'ENOENT'
        ? 'gcc not found'
        : (
            err.stderr
              ?.toString()
              .split('\n')
              .find((l) => /error/.test(l)) ?? String(e)
          ).trim();
    binary = { reason: `OpenBLAS harness not built (${detail}); install gcc and libopenblas-dev` };
  }
  return binary;
}

/** Runs `op` at size n on `threads` OpenBLAS threads; the result, or the reason it could not run. */
export function openblas(op: BlasOp, n: number, threads: number, runs: number): BlasResult | { reason: string } {
  const bin = openblasHarness();
  if (typeof bin !== 'string') return bin;
  try {
    const out = execFileSync(bin, [op, String(n), String(runs)], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: String(threads) },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    });
    const r = JSON.parse(out.toString()) as Omit<BlasResult, 'threads'>;
    return { ...r, threads };
  } catch (e) {
    const err = e as { stderr?: Buffer };
    return { reason: `OpenBLAS ${op} n=${n}: ${(err.stderr?.toString().trim() || String(e)).slice(0, 200)}` };
  }
}
