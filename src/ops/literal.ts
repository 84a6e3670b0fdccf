/**
 * Numbers of the formula as each target writes them: the one place a constant becomes
 * code (the registry's `const` and `fill` rows, and sizes used as values, go through here).
 */

/** A TypeScript number literal (JavaScript's shortest round-trip form). */
export const tsLiteral = (v: number): string => (Number.isInteger(v) ? `${v}` : String(v));

/** A WGSL f32 literal (clamped to ±infinity outside f32's range; NaN and infinities as bit patterns). */
export function wgslLiteral(x: number): string {
  if (Number.isNaN(x)) return 'bitcast<f32>(0x7fc00000u)';
  const r = Math.fround(x);
  if (!Number.isFinite(r)) return r > 0 ? 'bitcast<f32>(0x7f800000u)' : 'bitcast<f32>(0xff800000u)';
  if (r === 0) return '0.0';
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return `${x}.0`;
  const s = String(x);
  // WGSL's abstract floats take JavaScript's decimal and exponent forms as written.
  return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/.test(s) ? s : String(r);
}
