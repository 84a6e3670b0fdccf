#!/usr/bin/env node
// Run by `npm run build` after tsc. The compiled parser needs no file at run time — the
// grammar is compiled in (src/parse/grammar-source.ts) — so this only
//   1. fails the build if grammar-source.ts (or the action types) no longer match
//      grammar/matdiff.ohm, i.e. someone edited the grammar and did not run
//      `node scripts/gen-grammar.mjs`; and
//   2. copies grammar/matdiff.ohm to dist/grammar/ so the shipped package carries the
//      grammar it was built from.
import fs from 'node:fs';
import path from 'node:path';
import { generate, grammarPath, root } from './gen-grammar.mjs';

const stale = await generate({ check: true, log: console.error });
if (stale) process.exit(1);
const outDir = path.join(root, 'dist', 'grammar');
fs.mkdirSync(outDir, { recursive: true });
fs.copyFileSync(grammarPath, path.join(outDir, 'matdiff.ohm'));
