/**
 * The report of `matdiff check`: one line per assert, in file order,
 *
 *   line 7: assert tr(A·B) = tr(B·A): holds (symbolic)
 *   line 8: assert det(A·B) = det(A)·det(B): holds (numeric, 20 trials)
 *   line 9: assert (A·B)ᵀ = Aᵀ·Bᵀ: fails
 *     counterexample (n = 2):
 *       A = [[1, -2], [0, 3]]
 *       B = [[2, 1], [-1, 0]]
 *     left:  (A·B)ᵀ = [[0, 3], [-2, 0]]
 *     right: Aᵀ·Bᵀ = [[2, -3], [1, -1]]
 *
 * Values are written in the layout of the data JSON (a number, a flat array for a
 * vector, an array of rows), so a counterexample can be pasted into a data file.
 */
import type { Mat } from '../eval/mat.js';
import type { AssertResult, Layout } from './check.js';

export function formatReport(results: readonly AssertResult[]): string {
  return results.map(formatResult).join('\n');
}

export function formatResult(r: AssertResult): string {
  const head = `line ${r.line}: ${r.text}: `;
  const v = r.verdict;
  switch (v.status) {
    case 'holds':
      return head + (v.how === 'symbolic' ? 'holds (symbolic)' : `holds (numeric, ${v.trials} trials)`);
    case 'unchecked':
      return `${head}cannot be checked\n  ${v.reason}`;
    case 'fails': {
      const c = v.counterexample;
      const sizes = [...c.dims].map(([d, k]) => `${d} = ${k}`).join(', ');
      const lines = [head + 'fails'];
      if (v.note) lines.push(`  note: ${v.note}`);
      if (c.inputs.size || c.dims.size) lines.push(`  counterexample${sizes ? ` (${sizes})` : ''}:`);
      for (const [name, m] of c.inputs) lines.push(`    ${name} = ${valueText(m, c.layouts.get(name))}`);
      lines.push(`  left:  ${r.leftText} = ${valueText(c.left, c.sideLayout)}`);
      lines.push(`  right: ${r.rightText} = ${valueText(c.right, c.sideLayout)}`);
      return lines.join('\n');
    }
  }
}

/**
 * A value as in the data JSON: a number for a scalar, a flat array for a vector, an
 * array of rows for a matrix — by the declared layout, so a vector of size 1 is `[x]`.
 */
export function valueText(m: Mat, layout?: Layout): string {
  // Rounding noise (1e-17 where 0 is meant) prints as 0, relative to the value's largest entry.
  const big = m.data.reduce((s, x) => Math.max(s, Math.abs(x)), 0);
  const num = (x: number) => numText(Math.abs(x) < 1e-12 * big ? 0 : x);
  const row = (i: number) => `[${Array.from({ length: m.cols }, (_, j) => num(m.data[i * m.cols + j]!)).join(', ')}]`;
  const as = layout ?? (m.rows === 1 && m.cols === 1 ? 'scalar' : m.cols === 1 ? 'vector' : 'matrix');
  if (as === 'scalar') return num(m.data[0]!);
  if (as === 'vector') return `[${Array.from(m.data, (x) => num(x)).join(', ')}]`;
  return `[${Array.from({ length: m.rows }, (_, i) => row(i)).join(', ')}]`;
}

/** Six significant digits, without trailing zeros. */
export function numText(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  if (!Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}
