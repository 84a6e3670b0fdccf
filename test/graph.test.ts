/**
 * `matdiff graph`: the drawn computation graph is well-formed Mermaid and dot, its
 * labels are the formulas (escaped so that any text survives), and the backward pass
 * stands beside the forward one.
 *
 * Mermaid's own parser (`mermaid.parse`) does not run in plain Node: mermaid sanitises
 * labels through DOMPurify, which needs a DOM (`DOMPurify.addHook is not a function`
 * without one). So the flowchart is checked here by `parseFlowchart`, a strict parser of
 * exactly the subset `toMermaid` emits; test/graph-mermaid.test.ts runs the real parser
 * under jsdom where those packages are installed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { main } from '../src/cli/main.js';
import { mermaidLabel, toMermaid } from '../src/graph-draw/mermaid.js';
import { dotString, toDot } from '../src/graph-draw/dot.js';
import type { Drawing } from '../src/graph-draw/graph.js';

const MLP = 'examples/mlp.mdf';

// ── a strict parser of the emitted Mermaid subset ──

interface Flowchart {
  nodes: Map<string, { label: string; shape: string; subgraph?: string }>;
  edges: { from: string; to: string; arrow: string }[];
  subgraphs: Map<string, string>;
  classes: Map<string, string[]>;
}

const OPENERS: [string, string, string][] = [
  ['([', '])', 'stadium'],
  ['[[', ']]', 'subroutine'],
  ['[', ']', 'rect'],
  ['(', ')', 'round'],
];

/** Mermaid's entity codes back to text: `#35;` → `#`, `#quot;` → `"`. */
function decode(label: string): string {
  const named: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&' };
  return label.replace(/#(\d+|[a-z]+);/g, (_, code: string) =>
    /^\d+$/.test(code) ? String.fromCodePoint(Number(code)) : named[code]!,
  );
}

function parseFlowchart(text: string): Flowchart {
  const lines = text.split('\n');
  expect(lines[0]).toBe('flowchart TB');
  const f: Flowchart = { nodes: new Map(), edges: [], subgraphs: new Map(), classes: new Map() };
  let current: string | undefined;
  for (const raw of lines.slice(1)) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^subgraph (\w+) \["([^"]*)"\]$/.exec(line))) {
      expect(current, 'subgraphs do not nest').toBeUndefined();
      current = m[1]!;
      f.subgraphs.set(current, m[2]!);
    } else if (line === 'end') {
      expect(current, 'an end closes a subgraph').toBeDefined();
      current = undefined;
    } else if ((m = /^(\w+) (-->|-\.->|==>) (\w+)$/.exec(line))) {
      expect(f.nodes.has(m[1]!) && f.nodes.has(m[3]!), `edge endpoints declared: ${line}`).toBe(true);
      f.edges.push({ from: m[1]!, to: m[3]!, arrow: m[2]! });
    } else if ((m = /^classDef (\w+) [\w:#,.-]+$/.exec(line))) {
      f.classes.set(m[1]!, []);
    } else if ((m = /^class ([\w,]+) (\w+)$/.exec(line))) {
      const ids = m[1]!.split(',');
      expect(f.classes.has(m[2]!), 'class defined before use').toBe(true);
      for (const id of ids) expect(f.nodes.has(id), `class member ${id} declared`).toBe(true);
      f.classes.set(m[2]!, ids);
    } else if ((m = /^(\w+)([\s\S]*)$/.exec(line))) {
      const [, id, rest] = m as unknown as [string, string, string];
      const shape = OPENERS.find(([open, close]) => rest.startsWith(open + '"') && rest.endsWith('"' + close));
      expect(shape, `a node with a quoted label: ${line}`).toBeDefined();
      const [open, close, name] = shape!;
      const label = rest.slice(open.length + 1, rest.length - close.length - 1);
      expect(label, 'no raw quote inside a label').not.toContain('"');
      // Every '#' starts an entity code; nothing else could close the label early.
      expect(label.replace(/#(\d+|[a-z]+);/g, ''), 'no bare # in a label').not.toContain('#');
      expect(f.nodes.has(id), `node ${id} declared once`).toBe(false);
      f.nodes.set(id, { label: decode(label), shape: name, subgraph: current });
    } else throw new Error(`unexpected line: ${raw}`);
  }
  expect(current, 'every subgraph closed').toBeUndefined();
  return f;
}

/** The node of a flowchart whose label is `label`. */
function byLabel(f: Flowchart, label: string): string {
  const hit = [...f.nodes].find(([, n]) => n.label === label);
  expect(hit, `a node labelled ${label}`).toBeDefined();
  return hit![0];
}

// ── dot: balanced braces outside strings, every edge endpoint declared ──

function parseDot(text: string): { nodes: Map<string, string>; edges: [string, string, string][]; clusters: string[] } {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
  }
  expect(inString).toBe(false);
  expect(depth).toBe(0);
  expect(text.startsWith('digraph matdiff {')).toBe(true);
  const nodes = new Map<string, string>();
  const edges: [string, string, string][] = [];
  const clusters: string[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    let m: RegExpExecArray | null;
    if ((m = /^(\w+) \[label="((?:[^"\\]|\\.)*)"(?:, [^\]]*)?\];$/.exec(line)))
      nodes.set(m[1]!, m[2]!.replace(/\\(.)/g, '$1'));
    else if ((m = /^(\w+) -> (\w+)( \[[^\]]*\])?;$/.exec(line))) edges.push([m[1]!, m[2]!, m[3] ?? '']);
    else if ((m = /^subgraph (cluster_\w+) \{$/.exec(line))) clusters.push(m[1]!);
  }
  for (const [a, b] of edges) expect(nodes.has(a) && nodes.has(b), `edge ${a} -> ${b} declared`).toBe(true);
  return { nodes, edges, clusters };
}

async function graph(...args: string[]): Promise<string> {
  const r = await main(['graph', ...args]);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

describe('the forward pass', () => {
  it('draws each step of examples/mlp.mdf with its formula, definitions by name', async () => {
    const f = parseFlowchart(await graph(MLP));
    expect(f.subgraphs.size).toBe(0);
    const h = byLabel(f, 'H = relu(W1·X + b1)');
    const w1x = byLabel(f, 'W1·X');
    const pre = byLabel(f, 'W1·X + b1');
    expect(f.nodes.get(byLabel(f, 'W1: [h, n]'))!.shape).toBe('stadium');
    expect(f.nodes.get(byLabel(f, 'L = −sum(Y ⊙ log(P)) / B'))!.shape).toBe('subroutine');
    byLabel(f, 'P = softmax(W2·H + b2)');
    const edge = (a: string, b: string) => f.edges.some((e) => e.from === a && e.to === b && e.arrow === '-->');
    expect(edge(byLabel(f, 'W1: [h, n]'), w1x)).toBe(true);
    expect(edge(byLabel(f, 'X: [n, B]'), w1x)).toBe(true);
    expect(edge(w1x, pre) && edge(byLabel(f, 'b1: [h]'), pre) && edge(pre, h)).toBe(true);
    expect(edge(h, byLabel(f, 'W2·H'))).toBe(true);
    // Inputs first, in declaration order, numbered n1, n2, …
    expect([...f.nodes.keys()].slice(0, 6)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6']);
    expect([...f.nodes.values()].slice(0, 6).map((n) => n.label.split(':')[0])).toEqual([
      'X',
      'Y',
      'W1',
      'b1',
      'W2',
      'b2',
    ]);
  });

  it('is the same drawing in dot', async () => {
    const mer = parseFlowchart(await graph(MLP));
    const dot = parseDot(await graph(MLP, '--format', 'dot'));
    expect([...dot.nodes.values()]).toEqual([...mer.nodes.values()].map((n) => n.label));
    expect(dot.edges.map(([a, b]) => `${a}>${b}`)).toEqual(mer.edges.map((e) => `${e.from}>${e.to}`));
    expect(dot.clusters).toEqual([]);
  });
});

describe('the backward pass', () => {
  it('stands beside the forward pass, with the gradients and their shared parts', async () => {
    const f = parseFlowchart(await graph(MLP, '--wrt', 'W1,b1,W2,b2'));
    expect(f.subgraphs).toEqual(
      new Map([
        ['forward', 'forward pass'],
        ['backward', 'backward pass'],
      ]),
    );
    for (const [v, g] of [
      ['W1: [h, n]', '∂L/∂W1 = G2·Xᵀ / B'],
      ['b1: [h]', '∂L/∂b1 = G2·ones(B) / B'],
      ['W2: [k, h]', '∂L/∂W2 = G·Hᵀ / B'],
      ['b2: [k]', '∂L/∂b2 = G·ones(B) / B'],
    ]) {
      const gid = byLabel(f, g!);
      expect(f.nodes.get(gid)!.subgraph).toBe('backward');
      expect(f.edges).toContainEqual({ from: byLabel(f, v!), to: gid, arrow: '==>' });
    }
    const G = byLabel(f, 'G = P ⊙ (ones(k)ᵀ·Y) − Y');
    const G2 = byLabel(f, 'G2 = W2ᵀ·G ⊙ step(W1·X + b1)');
    expect(f.nodes.get(G)!.subgraph).toBe('backward');
    // Adjoints flow dashed, from forward values (P, H, W1·X + b1) into the backward steps.
    const into = (id: string) => f.edges.filter((e) => e.to === id);
    expect(into(G2).every((e) => e.arrow === '-.->')).toBe(true);
    expect(f.edges.some((e) => e.from === byLabel(f, 'W1·X + b1') && e.arrow === '-.->')).toBe(true);
    for (const e of f.edges) {
      const to = f.nodes.get(e.to)!;
      if (to.subgraph === 'forward') expect(e.arrow).toBe('-->');
      if (to.subgraph === 'backward') expect(e.arrow).not.toBe('-->');
    }
    // No forward step is drawn twice.
    const labels = [...f.nodes.values()].map((n) => n.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('shows the δ recursion of a chain, and a gradient that is a variable or zero', async () => {
    const f = parseFlowchart(await graph('examples/sigmoid-chain.mdf', '--wrt', 'w1,w2,w3'));
    expect([...f.nodes.values()].filter((n) => /^G\d? = /.test(n.label)).length).toBe(3);
    const dir = await import('node:fs').then((fs) => fs.mkdtempSync('/tmp/matdiff-graph-'));
    const file = `${dir}/lin.mdf`;
    (await import('node:fs')).writeFileSync(file, 'A: [n, n]; X: [n, n]; Z: [n, n]\nL = sum(A ⊙ X)');
    const g = parseFlowchart(await graph(file, '--wrt', 'X,Z'));
    expect(g.edges).toContainEqual({ from: byLabel(g, 'A: [n, n]'), to: byLabel(g, '∂L/∂X = A'), arrow: '-.->' });
    expect(g.edges).toContainEqual({ from: byLabel(g, 'X: [n, n]'), to: byLabel(g, '∂L/∂X = A'), arrow: '==>' });
    expect(g.edges).toContainEqual({
      from: byLabel(g, 'Z: [n, n]'),
      to: byLabel(g, '∂L/∂Z = zeros(n, n)'),
      arrow: '==>',
    });
    parseDot(await graph(file, '--wrt', 'X,Z', '--format', 'dot'));
    (await import('node:fs')).rmSync(dir, { recursive: true });
  });

  it('matches in dot, with clusters and styled edges', async () => {
    const d = parseDot(await graph(MLP, '--wrt', 'W1,b1,W2,b2', '--format', 'dot'));
    expect(d.clusters).toEqual(['cluster_forward', 'cluster_backward']);
    expect(d.edges.filter(([, , s]) => s.includes('dashed')).length).toBeGreaterThan(10);
    expect(d.edges.filter(([, , s]) => s.includes('bold')).length).toBe(4);
  });
});

describe('escaping', () => {
  const drawing = (labels: string[]): Drawing => ({
    boxes: labels.map((label, i) => ({
      id: `n${i + 1}`,
      label,
      kind: i === 0 ? 'input' : 'step',
      pass: i === 0 ? 'input' : 'forward',
    })),
    edges: labels.slice(1).map((_, i) => ({ from: 'n1', to: `n${i + 2}`, kind: 'forward' })),
    backward: false,
  });
  const tricky = [
    'say "hi"',
    'a # b',
    '#quot;',
    'x[0] (y) {z}',
    '<b>bold</b>',
    '`code`',
    'back\\slash',
    'A --> B',
    'end',
    'ä·ᵀ⁻¹‖x‖',
  ];

  it('Mermaid labels survive any text', () => {
    expect(mermaidLabel('a "b" #c')).toBe('a #quot;b#quot; #35;c');
    const f = parseFlowchart(toMermaid(drawing(tricky)));
    expect([...f.nodes.values()].map((n) => n.label)).toEqual(tricky);
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: 1, maxLength: 5 }),
        (labels) => {
          const g = parseFlowchart(toMermaid(drawing(labels)));
          expect([...g.nodes.values()].map((n) => n.label)).toEqual(
            labels.map((l) => l.replace(/[\r\n\u2028\u2029]/g, ' ') || ' '),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('dot labels survive any text', () => {
    expect(dotString('say "hi" \\')).toBe('"say \\"hi\\" \\\\"');
    const d = parseDot(toDot(drawing(tricky)));
    expect([...d.nodes.values()]).toEqual(tricky);
  });
});

describe('usage', () => {
  it('rejects a bad format and an unknown variable with status 2', async () => {
    expect((await main(['graph', MLP, '--format', 'svg'])).code).toBe(2);
    const r = await main(['graph', MLP, '--wrt', 'W3']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("'W3' is not a declared variable");
  });
});

describe('one naming of shared derivative parts', () => {
  it('graph --wrt draws the shared parts grad prints, by the same names', async () => {
    const { readFileSync } = await import('node:fs');
    const { parse, elaborate, select, differentiate } = await import('../src/pipeline.js');
    const { computationGraph } = await import('../src/graph-draw/graph.js');
    const { derivativeParts } = await import('../src/print/gradients.js');
    for (const file of [MLP, 'examples/softmax-regression.mdf', 'examples/dense.mdf']) {
      const model = elaborate(parse(readFileSync(file, 'utf8'), file));
      const s = select(model);
      const drawn = computationGraph(model, s.output, s.wrt)
        .boxes.filter((b) => b.kind === 'shared')
        .map((b) => b.label);
      const parts = derivativeParts(model, 'grad', s.output, s.wrt, differentiate(s), 'unicode');
      expect(parts.where.length).toBeGreaterThan(0);
      expect(drawn.sort()).toEqual(parts.where.map((w) => `${w.name} = ${w.text}`).sort());
    }
  });
});
