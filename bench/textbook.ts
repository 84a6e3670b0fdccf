/**
 * Printed derivatives against the textbooks' forms (issue 16): for each derivative of
 * test/textbook-data.ts (the Matrix Cookbook, SymPy, Magnus–Neudecker, ML losses), the
 * size of matdiff's printed form over the textbook's, in parse-tree nodes with the
 * model's names inlined on both sides. Prints the distribution and the cases above 1.1×.
 *
 *   npm run bench:symbolic
 */
import { CASES, label, measure } from '../test/textbook-data.js';

const rows = CASES.map((c) => {
  const r = measure(c);
  return { c, r, ratio: r.ours / r.theirs };
});
const sorted = rows.map((x) => x.ratio).sort((a, b) => a - b);
const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
const atMost = (k: number) => rows.filter((x) => x.ratio <= k).length;

console.log(
  `\nPrinted size against the textbook's form (${rows.length} derivatives; parse-tree nodes, names inlined):`,
);
console.log(
  `  median ${quantile(0.5).toFixed(2)}×, 90th percentile ${quantile(0.9).toFixed(2)}×, max ${sorted.at(-1)!.toFixed(2)}×`,
);
console.log(
  `  ≤ 1×: ${atMost(1)} (${((100 * atMost(1)) / rows.length).toFixed(0)}%), ≤ 1.1×: ${atMost(1.1)}, ≤ 1.5×: ${atMost(1.5)}`,
);
const long = rows.filter((x) => x.ratio > 1.1).sort((a, b) => b.ratio - a.ratio);
console.log(`  above 1.1× (${long.length}):`);
for (const { c, r, ratio } of long) {
  console.log(`    ${ratio.toFixed(2)}×  ${label(c)}`);
  console.log(`           matdiff  ${r.printed}  (${r.ours})`);
  console.log(`           textbook ${c.textbook}  (${r.theirs})`);
}
