/**
 * `prettier` for the page: its standalone build, with the TypeScript and Babel parsers,
 * loaded on the first call (vite.config.ts points `import 'prettier'` here). The code
 * emitters call `prettier.format(text, { parser })` as they do under Node.
 */
import type { Options } from 'prettier';

let loaded: Promise<{ format(text: string, opts: Options): Promise<string>; plugins: unknown[] }> | undefined;

function load() {
  loaded ??= Promise.all([
    import('prettier/standalone'),
    import('prettier/plugins/typescript'),
    import('prettier/plugins/babel'),
    import('prettier/plugins/estree'),
  ]).then(([standalone, ts, babel, estree]) => ({
    format: standalone.format,
    plugins: [ts, babel, estree.default ?? estree],
  }));
  return loaded;
}

export async function format(text: string, opts: Options = {}): Promise<string> {
  const p = await load();
  return p.format(text, { ...opts, plugins: p.plugins as Options['plugins'] });
}

export default { format };
