/**
 * Line numbers of offsets in one text, each found by binary search over the line starts
 * (found once): asking for every definition of a 100,000-line model stays linear, where
 * counting the newlines before each offset afresh would be quadratic.
 */
export function lineNumbers(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    // The last line start ≤ offset; lines count from 1.
    let [lo, hi] = [0, starts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}
