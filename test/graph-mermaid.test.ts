/**
 * `matdiff graph` output through Mermaid's own parser. mermaid sanitises labels with
 * DOMPurify, which needs a DOM, so the parser runs under jsdom (both devDependencies).
 * Where they are not installed the test is skipped; test/graph.test.ts checks the same
 * output structurally either way.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { main } from '../src/cli/main.js';
import { toMermaid } from '../src/graph-draw/mermaid.js';

interface Vertex {
  id: string;
  text: string;
  type: string;
}
interface MermaidApi {
  parse(text: string): Promise<unknown>;
  mermaidAPI: {
    getDiagramFromText(text: string): Promise<{
      db: {
        getVertices(): Map<string, Vertex>;
        getEdges(): unknown[];
        getSubGraphs(): { id: string; nodes: string[] }[];
      };
    }>;
  };
}

async function loadMermaid(): Promise<MermaidApi | undefined> {
  try {
    // Imported by name at run time: optional, and jsdom ships no types.
    const [jsdom, mermaid] = ['jsdom', 'mermaid'];
    const { JSDOM } = (await import(jsdom)) as { JSDOM: new (html: string) => { window: { document: unknown } } };
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    return ((await import(mermaid)) as { default: MermaidApi }).default;
  } catch {
    return undefined;
  }
}

const mermaid = await loadMermaid();

describe.skipIf(!mermaid)('mermaid.parse', () => {
  const cases: [string, string[]][] = [
    ['examples/mlp.mdf', []],
    ['examples/mlp.mdf', ['--wrt', 'W1,b1,W2,b2']],
    ['examples/sigmoid-chain.mdf', ['--wrt', 'w1,w2,w3']],
    ['examples/gaussian-nll.mdf', ['--wrt', 'μ,Σ']],
    ['examples/dense.mdf', ['--wrt', 'W,b']],
  ];
  for (const [file, flags] of cases)
    it(`accepts matdiff graph ${file} ${flags.join(' ')}`, async () => {
      const r = await main(['graph', file, ...flags]);
      expect(r.code).toBe(0);
      await expect(mermaid!.parse(r.out)).resolves.toMatchObject({ diagramType: 'flowchart-v2' });
      const { db } = await mermaid!.mermaidAPI.getDiagramFromText(r.out);
      const boxes = r.out.split('\n').filter((l) => /^\s+n\d+[[(]/.test(l)).length;
      expect(db.getVertices().size).toBe(boxes);
      expect(db.getEdges().length).toBe(r.out.split('\n').filter((l) => / (-->|-\.->|==>) /.test(l)).length);
      if (flags.length)
        expect(
          db
            .getSubGraphs()
            .map((s) => s.id)
            .sort(),
        ).toEqual(['backward', 'forward']);
    });

  it('reads escaped labels back as written', async () => {
    const labels = ['say "hi"', 'a # b', '#quot; stays', 'x[0] (y) {z}', '<b>b</b>', 'A --> B', 'end'];
    const text = toMermaid({
      boxes: labels.map((label, i) => ({ id: `n${i + 1}`, label, kind: 'step', pass: 'forward' })),
      edges: [],
      backward: false,
    });
    await mermaid!.parse(text);
    const { db } = await mermaid!.mermaidAPI.getDiagramFromText(text);
    const texts = [...db.getVertices().values()].map((v) => v.text);
    // Mermaid's parser marks each entity code it recognised (#35; as ﬂ°°35¶ß, #quot; as
    // ﬂ°quot¶ß) and decodes them when it renders: every code we wrote must be recognised.
    const named: Record<string, string> = { quot: '"', lt: '<', gt: '>' };
    const rendered = texts.map((t) =>
      t
        .replace(/ﬂ°°(\d+)¶ß/g, (_, c: string) => String.fromCodePoint(Number(c)))
        .replace(/ﬂ°(\w+)¶ß/g, (_, c: string) => named[c]!),
    );
    expect(rendered).toEqual(labels);
  });

  it('accepts any label text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        async (labels) => {
          const text = toMermaid({
            boxes: labels.map((label, i) => ({ id: `n${i + 1}`, label, kind: i ? 'step' : 'input', pass: 'forward' })),
            edges: labels.slice(1).map((_, i) => ({ from: 'n1', to: `n${i + 2}`, kind: 'forward' })),
            backward: false,
          });
          await mermaid!.parse(text);
        },
      ),
      { numRuns: 60 },
    );
  });
});
