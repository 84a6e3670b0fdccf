/**
 * A computation graph in Graphviz dot (`matdiff graph FILE --format dot | dot -Tsvg`):
 * inputs as ellipses, steps as boxes, definitions as rounded boxes, the output and the
 * gradients as double-bordered boxes; forward flow solid, adjoint flow dashed, a bold
 * arrow from each variable to its gradient. With a backward pass, the passes are the
 * clusters `cluster_forward` and `cluster_backward`. Every label is a quoted string with
 * `\` and `"` escaped.
 */
import type { Box, BoxKind, Drawing, EdgeKind } from './graph.js';

const NODE_STYLE: Record<BoxKind, string> = {
  input: 'shape=ellipse, style=filled, fillcolor="#e8f0fe"',
  step: 'shape=box',
  definition: 'shape=box, style=rounded',
  shared: 'shape=box, style="rounded,filled", fillcolor="#eaf7ea"',
  output: 'shape=box, peripheries=2, style=filled, fillcolor="#fff4d6"',
  gradient: 'shape=box, peripheries=2, style=filled, fillcolor="#fff4d6"',
};

const EDGE_STYLE: Record<EdgeKind, string> = {
  forward: '',
  backward: ' [style=dashed]',
  gradient: ' [style=bold, color="#b7950b"]',
};

/** A string literal of the dot language. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

export function toDot(d: Drawing): string {
  const out = ['digraph matdiff {', '  rankdir=TB;', '  node [fontname="Helvetica"];'];
  const box = (b: Box, indent: string) =>
    out.push(`${indent}${b.id} [label=${dotString(b.label)}, ${NODE_STYLE[b.kind]}];`);
  for (const b of d.boxes) if (!d.backward || b.pass === 'input') box(b, '  ');
  if (d.backward)
    for (const pass of ['forward', 'backward'] as const) {
      out.push(`  subgraph cluster_${pass} {`, `    label=${dotString(`${pass} pass`)};`);
      for (const b of d.boxes) if (b.pass === pass) box(b, '    ');
      out.push('  }');
    }
  for (const e of d.edges) out.push(`  ${e.from} -> ${e.to}${EDGE_STYLE[e.kind]};`);
  out.push('}');
  return out.join('\n');
}
