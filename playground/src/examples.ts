/**
 * The gallery: every model of examples/ (with its data where there is some, as the
 * sigmoid chain's worked numbers), and the playground's own attention and layer
 * normalisation. Bundled as text, so the page needs no server.
 */
const models = import.meta.glob(['../../examples/**/*.mdf', '../examples/*.mdf'], {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

const data = import.meta.glob('../../examples/**/*.json', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

export interface Example {
  /** `mlp`, `iris/mlp`, `attention`. */
  id: string;
  title: string;
  source: string;
  data?: string;
}

const idOf = (path: string) => path.replace(/^(\.\.\/)+(examples\/)?/, '').replace(/\.mdf$/, '');

/** The first comment line of a model, as its title. */
const titleOf = (id: string, source: string) => {
  const first = /^#\s*(.+)$/m.exec(source)?.[1] ?? '';
  const short = first.replace(/[.,:;(].*$/, '').trim();
  return short ? `${id} — ${short}` : id;
};

export const EXAMPLES: readonly Example[] = Object.entries(models)
  .map(([path, source]) => {
    const id = idOf(path);
    return { id, title: titleOf(id, source), source, data: data[path.replace(/\.mdf$/, '.json')] };
  })
  .sort((a, b) => a.id.localeCompare(b.id));

export const DEFAULT_EXAMPLE = 'mlp';
