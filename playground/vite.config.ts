/**
 * The playground's build: a static page (`npm run playground:build` → playground/dist/),
 * every asset bundled, nothing fetched from elsewhere. The compiler is imported from
 * ../src and ../codegen as source; two things there assume Node and are answered here:
 *
 * - `prettier` (imported by the code emitters) is its standalone build with the
 *   TypeScript and Babel plugins, loaded only when generated code is first formatted
 *   (src/prettier-browser.ts);
 * - `process.env.MATDIFF_TRACE` (the simplifier's rule trace) is undefined in a page.
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: './',
  resolve: { alias: [{ find: /^prettier$/, replacement: here('src/prettier-browser.ts') }] },
  define: { 'process.env.MATDIFF_TRACE': 'undefined' },
  // The repository, and node_modules where it really is (it may be a link, as in a git worktree).
  server: { host: '127.0.0.1', fs: { allow: [here('..'), realpathSync(here('../node_modules'))] } },
  preview: { host: '127.0.0.1' },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 4000,
  },
  worker: { format: 'es' },
});
