/**
 * Runtime text shared by the generated TypeScript and WGSL host modules (both stand
 * alone, so each embeds it): binding a symbolic size from an input's length. Types are
 * marked «…» as in the runtimes, kept for TypeScript output and dropped for JavaScript.
 *
 * `raise(message)` is the target's way to report an input that fits no size: an
 * expression of the message expression.
 */
export function sizeSolver(raise: (message: string) => string): string {
  return String.raw`
/**
 * Binds the one unknown symbol of k·Π D[s] = value (it may occur more than once, as in
 * n·n). Returns false when every symbol is known or two are unknown (later, maybe).
 */
function solve(m«: Mono», value«: number», D«: Float64Array», names«: readonly string[]», key«: string», shape«: string»)«: boolean» {
  let known = m.k;
  let unknown = -1;
  let power = 0;
  for (let t = 0; t < m.s.length; t++) {
    const d = m.s[t]«!»;
    if (D[d] !== 0) known *= D[d]«!»;
    else if (unknown === -1 || unknown === d) {
      unknown = d;
      power++;
    } else return false;
  }
  if (unknown === -1) return false;
  const x = Math.round((value / known) ** (1 / power));
  if (!(x >= 1 && known * x ** power === value))
    throw ${raise("key + ': ' + value + ' does not fit the declared shape ' + shape + ' (size of ' + names[unknown] + ')'")};
  D[unknown] = x;
  return true;
}
`;
}
