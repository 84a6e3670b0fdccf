/**
 * A computation graph as a Mermaid flowchart:
 *
 *   flowchart TB
 *     n3(["W1: [h, n]"])            inputs: stadiums
 *     n7["W1·X"]                     steps: rectangles
 *     n9("H = relu(W1·X + b1)")      definitions and shared parts: rounded
 *     n20[["L = −sum(Y ⊙ log(P)) / B"]]   the output and the gradients: subroutines
 *     n3 --> n7                      forward flow
 *     n9 -.-> n31                    adjoint flow into a backward step
 *     n3 ==> n40                     a variable to its gradient
 *
 * With a backward pass, the passes are subgraphs `forward` and `backward`. Labels are
 * quoted; inside them `#`, `"`, `<`, `>` and `` ` `` are written as Mermaid entity
 * codes (`#35;`, `#quot;`, …), so no formula can end a label or start markup, and line
 * breaks become spaces.
 */
import type { Box, BoxKind, Drawing, EdgeKind } from './graph.js';

const SHAPES: Record<BoxKind, [string, string]> = {
  input: ['([', '])'],
  step: ['[', ']'],
  definition: ['(', ')'],
  shared: ['(', ')'],
  output: ['[[', ']]'],
  gradient: ['[[', ']]'],
};

const ARROWS: Record<EdgeKind, string> = { forward: '-->', backward: '-.->', gradient: '==>' };

const CLASSES: [string, BoxKind[], string][] = [
  ['input', ['input'], 'fill:#e8f0fe,stroke:#4a6fa5'],
  ['result', ['output', 'gradient'], 'fill:#fff4d6,stroke:#b7950b,stroke-width:2px'],
  ['shared', ['shared'], 'fill:#eaf7ea,stroke:#3c8d40'],
];

/** A label's text made safe inside `"…"`. */
export function mermaidLabel(text: string): string {
  return (
    text
      .replace(/#/g, '#35;')
      .replace(/"/g, '#quot;')
      .replace(/</g, '#lt;')
      .replace(/>/g, '#gt;')
      .replace(/`/g, '#96;')
      .replace(/[\r\n\u2028\u2029]/g, ' ')
      // Mermaid rejects an empty quoted label.
      .replace(/^$/, ' ')
  );
}

export function toMermaid(d: Drawing): string {
  const out = ['flowchart TB'];
  const box = (b: Box, indent: string) => {
    const [open, close] = SHAPES[b.kind];
    out.push(`${indent}${b.id}${open}"${mermaidLabel(b.label)}"${close}`);
  };
  for (const b of d.boxes) if (!d.backward || b.pass === 'input') box(b, '  ');
  if (d.backward)
    for (const pass of ['forward', 'backward'] as const) {
      out.push(`  subgraph ${pass} ["${pass} pass"]`);
      for (const b of d.boxes) if (b.pass === pass) box(b, '    ');
      out.push('  end');
    }
  for (const e of d.edges) out.push(`  ${e.from} ${ARROWS[e.kind]} ${e.to}`);
  for (const [name, kinds, style] of CLASSES) {
    const ids = d.boxes.filter((b) => kinds.includes(b.kind)).map((b) => b.id);
    if (ids.length === 0) continue;
    out.push(`  classDef ${name} ${style}`);
    out.push(`  class ${ids.join(',')} ${name}`);
  }
  return out.join('\n');
}
