/**
 * A kernel's bytes in a generated module's text: its base64 as a sum of quoted lines of
 * 100 characters (the module decodes it with `fromBase64`, wasm/runtime.ts).
 */
export function base64Literal(s: string, width = 100): string {
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += width) lines.push(`  '${s.slice(i, i + width)}'`);
  return lines.join(' +\n');
}
