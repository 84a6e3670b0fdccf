/** `lineNumbers` (src/util/lines.ts) agrees with counting the newlines before the offset. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { lineNumbers } from '../src/util/lines.js';
import { runs } from './gen.js';

describe('lineNumbers', () => {
  it('gives the line of every offset', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\n', ';', ' '), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const lineOf = lineNumbers(text);
        for (let i = 0; i <= text.length; i++) expect(lineOf(i)).toBe(text.slice(0, i).split('\n').length);
      }),
      runs(200),
    );
  });
});
