/**
 * `emit --target ts` formats with prettier's `babel-ts` parser (faster on large modules);
 * the result must be exactly what prettier makes of it with `typescript`, the parser it
 * picks for a .ts file, so that a user's `prettier --check` passes on the emitted module.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import prettier from 'prettier';
import { parse, printExpr } from '../src/index.js';
import { programOf } from '../codegen/compile.js';
import { emitModule, emitTs } from '../codegen/ts/emit.js';
import type { Program } from '../codegen/program.js';
import { residualNetwork, transformer } from '../bench/symbolic/families.js';
import { arbExpr, DECLS, runs, SCALAR } from './gen.js';

/** `emitTs` gives what prettier makes of the unformatted module with `typescript`, and
 * that is a fixed point of prettier (what `prettier --check` tests). */
async function expectStable(p: Program): Promise<void> {
  const code = await emitTs(p);
  expect(code).toBe(await prettier.format(emitModule(p, { lang: 'ts' }), { parser: 'typescript' }));
  expect(await prettier.check(code, { parser: 'typescript' })).toBe(true);
}

describe('the emitted TypeScript module is prettier-formatted for a .ts file', () => {
  it('for every example model', { timeout: 120_000 }, async () => {
    const files = readdirSync('examples').filter((f) => f.endsWith('.mdf'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const model = parse(readFileSync(`examples/${f}`, 'utf8'), f);
      if (!model.output) continue;
      await expectStable(programOf(model));
    }
  });

  it('for a residual network and a transformer block', { timeout: 120_000 }, async () => {
    await expectStable(programOf(parse(residualNetwork(6), 'net.mdf')));
    await expectStable(programOf(parse(transformer(1), 'tf.mdf')));
  });

  it('for random expressions', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(arbExpr({ maxDepth: 4, target: SCALAR }), async ({ node }) => {
        const model = parse(`${DECLS}\nE = ${printExpr(node, 'unicode')}`, 'r.mdf');
        await expectStable(programOf(model));
      }),
      runs(15),
    );
  });
});
