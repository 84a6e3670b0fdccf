/**
 * Data for a run: random values respecting `sym`, `spd` and `pos` (the draws `matdiff
 * check` uses), at sizes the user chooses, written as the data JSON of `matdiff run`
 * (LANGUAGE.md §4) so that it can be read, edited, pasted or saved.
 */
import type { Model } from '../../src/model/model.js';
import { sampleVar, rng } from '../../src/check/sample.js';
import { toJson } from '../../codegen/data.js';

/** `n=4, B=8` → sizes; anything unparsable is left out (and gets the default). */
export function parseSizes(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/([^\s=,;]+)\s*=\s*(\d+)/g)) if (Number(m[2]) > 0) out.set(m[1]!, Number(m[2]));
  return out;
}

/** Sizes as typed back: every symbolic dimension of the model, given or default. */
export function sizesText(model: Model, given: ReadonlyMap<string, number>, fallback = 3): string {
  return model.dims.map((d) => `${d}=${given.get(d) ?? fallback}`).join(', ');
}

/** Random data for every declared variable, as data JSON text (one variable a line). */
export function randomData(model: Model, sizes: ReadonlyMap<string, number>, seed: number, fallback = 3): string {
  const dims = new Map(model.dims.map((d) => [d, sizes.get(d) ?? fallback]));
  const r = rng(seed);
  const entries = [...model.vars.values()].map((v) => {
    const m = sampleVar(v.node, dims, r, 'real');
    return `  ${JSON.stringify(v.name)}: ${JSON.stringify(toJson(m.data, m.rows, m.cols))}`;
  });
  return `{\n${entries.join(',\n')}\n}`;
}
