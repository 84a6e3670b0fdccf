/**
 * Memory limits: how much a computation may allocate before it is refused with a message
 * (rather than failing inside a typed-array allocation, or running for minutes), and the
 * sizes in bytes as a user writes and reads them. The estimates themselves are
 * src/check/check.ts's (the interpreter holds every node's value) and codegen/estimate.ts's
 * (a compiled program's memory plan).
 */

/** The limit when none is given: what a browser tab or a small machine can spare. */
export const DEFAULT_MAX_MEMORY = 4 * 2 ** 30;

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 2 ** 10,
  m: 1e6,
  mb: 1e6,
  mib: 2 ** 20,
  g: 1e9,
  gb: 1e9,
  gib: 2 ** 30,
  t: 1e12,
  tb: 1e12,
  tib: 2 ** 40,
};

/** `4GB`, `512MiB`, `1e9`, `800M` → bytes; undefined when it is not a positive size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  const bytes = Number(m[1]) * unit;
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

/** 80000000000 → `80 GB` (two significant digits at most, decimal units). */
export function bytesText(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let k = 0;
  while (bytes >= 1000 && k < units.length - 1) [bytes, k] = [bytes / 1000, k + 1];
  if (bytes >= 1000) return `${bytes.toExponential(1)} ${units[k]}`;
  return `${k === 0 ? Math.round(bytes) : Number(bytes.toPrecision(2))} ${units[k]}`;
}

/** What a too-large computation needs: its total and its largest single value. */
export interface MemoryNeed {
  bytes: number;
  /** The largest value held: what it is (a formula or a name), its size as rows × cols. */
  largest?: { what: string; rows: number; cols: number; bytes: number };
}

/** The message when `need` is over `limit`: names the largest intermediate and its size. */
export function tooLargeText(need: MemoryNeed, limit: number, doing: string, noun = 'intermediate'): string {
  const big = need.largest;
  const part = big ? `: its largest ${noun}, ${big.what}, is ${big.rows}×${big.cols} (${bytesText(big.bytes)})` : '';
  return (
    `${doing} needs about ${bytesText(need.bytes)} of memory, more than the limit of ${bytesText(limit)}${part}. ` +
    'Use smaller sizes, or raise the limit with --max-memory (e.g. --max-memory 64GB)'
  );
}
