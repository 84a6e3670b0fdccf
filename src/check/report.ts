/**
 * The report of `matdiff check`: one line per assert, in file order,
 *
 *   line 7: assert tr(A·B) = tr(B·A): holds (symbolic)
 *   line 8: assert det(A·B) = det(A)·det(B): holds (numeric, 20 trials), at n = 1…5
 *   line 9: assert (A·B)ᵀ = Aᵀ·Bᵀ: fails
 *     counterexample (n = 2):
 *       A = [[1, -2], [0, 3]]
 *       B = [[2, 1], [-1, 0]]
 *     left:  (A·B)ᵀ = [[0, 3], [-2, 0]]
 *     right: Aᵀ·Bᵀ = [[2, -3], [1, -1]]
 *   line 10: assert inv(x·xᵀ)·x·xᵀ = I(n): could not be decided
 *     only 0 of 20 trials were valid at sizes ≥ 2, …
 *
 * Values are written in the layout of the data JSON (a number, a flat array for a
 * vector, an array of rows), so a counterexample can be pasted into a data file, each
 * number in its shortest form that reads back exactly (so 2 and 2.0000002 differ). A
 * value of more than BIG entries is written as its size; the sides then list the
 * entries where they differ most.
 */
import type { Mat } from '../eval/mat.js';
import type { AssertResult, Layout } from './check.js';

/** Values with more entries are summarised. */
export const BIG = 36;
/** Entries listed where big sides differ most. */
const WORST = 5;

export function formatReport(results: readonly AssertResult[]): string {
  return results.map(formatResult).join('\n');
}

export function formatResult(r: AssertResult): string {
  const head = `line ${r.line}: ${r.text}: `;
  const v = r.verdict;
  switch (v.status) {
    case 'holds': {
      if (v.how === 'symbolic') return head + 'holds (symbolic)';
      const at = [...v.sizes].map(([d, [lo, hi]]) => `${d} = ${lo === hi ? lo : `${lo}…${hi}`}`).join(', ');
      const skipped = v.requested - v.trials;
      const more = skipped ? `; ${skipped} more were outside the domain` : '';
      return `${head}holds (numeric, ${v.trials} trials)${at ? `, at ${at}` : ''}${more}`;
    }
    case 'unchecked':
      return `${head}could not be decided\n  ${v.reason}`;
    case 'fails': {
      const c = v.counterexample;
      const sizes = [...c.dims].map(([d, k]) => `${d} = ${k}`).join(', ');
      const lines = [head + 'fails'];
      if (v.note) lines.push(`  note: ${v.note}`);
      if (c.inputs.size || c.dims.size) lines.push(`  counterexample${sizes ? ` (${sizes})` : ''}:`);
      for (const [name, m] of c.inputs) lines.push(`    ${name} = ${valueText(m, c.layouts.get(name))}`);
      if (c.left.data.length <= BIG) {
        lines.push(`  left:  ${r.leftText} = ${valueText(c.left, c.sideLayout)}`);
        lines.push(`  right: ${r.rightText} = ${valueText(c.right, c.sideLayout)}`);
      } else {
        lines.push(`  left:  ${r.leftText}, ${sizeText(c.left)}`, `  right: ${r.rightText}, ${sizeText(c.right)}`);
        lines.push(`  where they differ most:`, ...worst(c.left, c.right, c.sideLayout).map((l) => `    ${l}`));
      }
      return lines.join('\n');
    }
  }
}

const sizeText = (m: Mat): string => `a ${m.rows}×${m.cols} ${m.cols === 1 ? 'vector' : 'matrix'}`;

/** The WORST entries with the largest |left − right|: `[i][j]: left L, right R`. */
function worst(left: Mat, right: Mat, layout: Layout): string[] {
  const order = Array.from(left.data.keys())
    .filter((k) => left.data[k] !== right.data[k])
    .sort((p, q) => gap(left, right, q) - gap(left, right, p) || p - q)
    .slice(0, WORST);
  return order.map((k) => {
    const [i, j] = [Math.floor(k / left.cols), k % left.cols];
    const at = layout === 'vector' ? `[${i}]` : `[${i}][${j}]`;
    return `${at}: left ${numText(left.data[k]!)}, right ${numText(right.data[k]!)}`;
  });
}

/** |left − right| at entry k, NaN counting as the largest. */
function gap(left: Mat, right: Mat, k: number): number {
  const d = Math.abs(left.data[k]! - right.data[k]!);
  return Number.isNaN(d) ? Infinity : d;
}

/**
 * A value as in the data JSON: a number for a scalar, a flat array for a vector, an
 * array of rows for a matrix — by the declared layout, so a vector of size 1 is `[x]`.
 * More than BIG entries: its size only.
 */
export function valueText(m: Mat, layout?: Layout): string {
  if (m.data.length > BIG) return sizeText(m);
  const row = (i: number) =>
    `[${Array.from({ length: m.cols }, (_, j) => numText(m.data[i * m.cols + j]!)).join(', ')}]`;
  const as = layout ?? (m.rows === 1 && m.cols === 1 ? 'scalar' : m.cols === 1 ? 'vector' : 'matrix');
  if (as === 'scalar') return numText(m.data[0]!);
  if (as === 'vector') return `[${Array.from(m.data, (x) => numText(x)).join(', ')}]`;
  return `[${Array.from({ length: m.rows }, (_, i) => row(i)).join(', ')}]`;
}

/** The shortest text that reads back as exactly x (JavaScript's own), −0 as 0. */
export function numText(x: number): string {
  return Object.is(x, -0) ? '0' : String(x);
}
