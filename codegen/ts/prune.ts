/**
 * Drops the runtime helpers a generated module never calls, so that the module holds
 * only the code its kernels use (no LU factorisation in a model without inverses).
 *
 * The runtime is a sequence of top-level declarations — `function NAME`, `const NAME`,
 * each with its doc comment — under `// ── section ──` headers. A declaration is kept
 * when the entry points, or a kept declaration, mention its name; a section header is
 * kept when something under it is.
 */
export function pruneRuntime(runtime: string, users: string): string {
  const chunks = split(runtime);
  const named = chunks.filter((c) => c.name !== undefined);
  const kept = new Set<string>();
  const mentions = (text: string, name: string) =>
    new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(text);
  let frontier = [users];
  while (frontier.length) {
    const next: string[] = [];
    for (const c of named)
      if (!kept.has(c.name!) && frontier.some((t) => mentions(t, c.name!))) {
        kept.add(c.name!);
        next.push(c.text);
      }
    frontier = next;
  }
  const out: string[] = [];
  chunks.forEach((c, i) => {
    if (c.name !== undefined) {
      if (kept.has(c.name)) out.push(c.text);
    } else if (c.section) {
      // A section header stays when a declaration before the next header stays.
      for (let j = i + 1; j < chunks.length && !chunks[j]!.section; j++)
        if (chunks[j]!.name !== undefined && kept.has(chunks[j]!.name!)) return void out.push(c.text);
    } else out.push(c.text);
  });
  return out.join('');
}

interface Chunk {
  text: string;
  /** The name it declares, if it is a declaration. */
  name?: string;
  /** A `// ── … ──` section header. */
  section?: boolean;
}

/** Cuts at each top-level declaration (with the doc comment just above it) and each section header. */
function split(text: string): Chunk[] {
  const lines = text.split(/(?<=\n)/);
  const starts: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    // Types (interface, type, and TypeScript-only «…» blocks) are cut too, and always kept.
    if (/^(function|const|let|interface|type) /.test(l) || /^\/\/ ── /.test(l) || l.startsWith('«')) {
      // Take the doc comment right above a declaration with it.
      let s = i;
      if (/^(function|const|let) /.test(l) && i > 0 && /\*\/\s*$/.test(lines[i - 1]!)) {
        s = i - 1;
        while (s > 0 && !/^«?\/\*\*/.test(lines[s]!)) s--;
      }
      if (starts[starts.length - 1] !== s) starts.push(s);
    }
  }
  const chunks: Chunk[] = [];
  if (starts[0] !== 0) chunks.push({ text: lines.slice(0, starts[0] ?? lines.length).join('') });
  starts.forEach((s, k) => {
    const t = lines.slice(s, starts[k + 1] ?? lines.length).join('');
    const m = /^(?:function|const|let) ([\w$]+)/m.exec(t);
    if (/^\/\/ ── /.test(t)) chunks.push({ text: t, section: true });
    else chunks.push({ text: t, ...(m && { name: m[1]! }) });
  });
  return chunks;
}
