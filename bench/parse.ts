/**
 * Parser benchmark (issue 2): a 10,000-line model, a 5,000-term sum, and deep nesting.
 *
 *   npm run bench:parse
 */
import { parseProgram, MAX_NESTING } from '../src/parse/parser.js';
import { parse } from '../src/index.js';
import { MatdiffError } from '../src/errors.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function time(label: string, f: () => void, runs = 7): void {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  console.log(
    `${label.padEnd(52)} first ${ts[0]!.toFixed(0).padStart(5)} ms   median ${median(ts).toFixed(0).padStart(5)} ms   (${runs} runs)`,
  );
}

const lines = ['a: [n, n]; b: [n, n]; c: [n, n]'];
for (let i = 0; i < 10_000; i++) lines.push(`x${i} = a·b + c`);
const big = lines.join('\n') + '\n';
time('parse a 10,000-line model (syntax only)', () => parseProgram(big, 'big.mdf'));
time('parse + shape-check the same model', () => parse(big, 'big.mdf'), 3);

const sum = `a: [n]\ns = ${Array(5000).fill('a').join(' + ')}\n`;
time('parse + shape-check a 5,000-term sum', () => parse(sum, 'sum.mdf'), 3);

for (const depth of [MAX_NESTING, 10_000]) {
  const src = `a: [n]\ns = ${'('.repeat(depth)}a${')'.repeat(depth)}\n`;
  try {
    parse(src, 'deep.mdf');
    console.log(`${depth} nested parentheses: parsed`);
  } catch (e) {
    const err = e instanceof MatdiffError ? e : ((e as { errors?: MatdiffError[] }).errors?.[0] ?? e);
    console.log(`${depth} nested parentheses: refused — ${(err as Error).message}`);
  }
}
