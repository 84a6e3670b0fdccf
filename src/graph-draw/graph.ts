/**
 * The computation graph of a model's output as boxes and arrows, for the Mermaid and
 * Graphviz renderers.
 *
 * Forward pass: a box for every node that depends on some variable (constants and
 * sizes stay inside the formulas), labelled with its formula in Unicode, definitions by
 * name (`H = relu(W1·X + b1)`), and an arrow from each argument.
 *
 * Backward pass (with `wrt`): the simplified gradients from one reverse pass. Their
 * steps that the forward pass already computes are the forward boxes (shared
 * subexpressions are shared work); the others form the backward subgraph, with the
 * subexpressions that `matdiff grad` names on `where` lines labelled by that name.
 * Arrows into backward steps are adjoint flow, drawn dashed; each variable has an arrow
 * to its gradient.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { type Model, type Definition, nodeNamesAsWritten } from '../model/model.js';
import { grads } from '../diff/derivative.js';
import { simplify } from '../simplify/simplify.js';
import { printExpr } from '../print/printer.js';
import { nodeNamesWithSimplified, derivativeParts } from '../print/gradients.js';
import { shapeText } from '../shape/shape.js';
import { isConst } from '../graph/build.js';

export type BoxKind = 'input' | 'step' | 'definition' | 'output' | 'shared' | 'gradient';

export interface Box {
  id: string;
  label: string;
  kind: BoxKind;
  /** Inputs stand outside both passes. */
  pass: 'input' | 'forward' | 'backward';
}

/** forward: data flow of the forward pass; backward: into a backward step; gradient: a variable to its gradient. */
export type EdgeKind = 'forward' | 'backward' | 'gradient';

export interface Edge {
  from: string;
  to: string;
  kind: EdgeKind;
}

export interface Drawing {
  boxes: Box[];
  edges: Edge[];
  /** Whether a backward pass is drawn (then the passes are subgraphs). */
  backward: boolean;
}

export function computationGraph(
  model: Model,
  output: Pick<Definition, 'name' | 'node'>,
  wrt: readonly { name: string; node: Node }[] = [],
): Drawing {
  const boxes: Box[] = [];
  const edges: Edge[] = [];
  const idOf = new Map<Node, string>();
  const live = variableDependence();
  const edgeSet = new Set<string>();
  // Transposes, negations, constant multiples and reciprocals are no steps of their own
  // (a kernel reads its argument transposed, or folds them into the arithmetic): their
  // box is their argument's, unless they are a definition, a result or a shared part.
  const keep = new Set<Node>([output.node, ...[...model.defs.values()].map((d) => d.node)]);
  const through = (n: Node): Node => {
    const inner = keep.has(n) ? undefined : folded(n);
    return inner ? through(inner) : n;
  };
  const source = (n: Node): string => idOf.get(through(n))!;
  const connect = (from: string, to: string, kind: EdgeKind) => {
    const key = `${from}>${to}`;
    if (edgeSet.has(key)) return;
    edgeSet.add(key);
    edges.push({ from, to, kind });
  };

  // ── forward ──
  const defNames = nodeNamesAsWritten(model);
  for (const n of topoOrder([output.node])) {
    if (!live(n) || through(n) !== n) continue;
    const id = `n${n.id}`;
    idOf.set(n, id);
    if (n.op === 'var') {
      boxes.push({ id, label: declaration(n), kind: 'input', pass: 'input' });
      continue;
    }
    const name = n === output.node ? output.name : defNames.get(n);
    const formula = printExpr(n, 'unicode', defNames);
    const kind: BoxKind = n === output.node ? 'output' : name ? 'definition' : 'step';
    boxes.push({ id, label: name ? `${name} = ${formula}` : formula, kind, pass: 'forward' });
    for (const a of n.args) if (live(a)) connect(source(a), id, 'forward');
  }
  if (!live(output.node) || output.node.op === 'var') {
    // An output that is a constant, or a bare variable, still gets its box.
    const id = 'out';
    boxes.push({ id, label: `${output.name} = ${printExpr(output.node, 'unicode')}`, kind: 'output', pass: 'forward' });
    if (live(output.node)) connect(idOf.get(output.node)!, id, 'forward');
  }
  if (wrt.length === 0) return tidy(model, { boxes, edges, backward: false });

  // ── backward ──
  // A simplified gradient meets a definition in its simplified form: draw it as the definition.
  for (const n of [...idOf.keys()]) {
    const s = simplify(n);
    if (!idOf.has(s)) idOf.set(s, idOf.get(n)!);
  }
  const grads0 = grads(
    output.node,
    wrt.map((w) => w.node),
  );
  // The shared parts named as `matdiff grad` names them: the same function, the same names.
  const parts = derivativeParts(model, 'grad', output, wrt, grads0, 'unicode');
  const results = parts.shown;
  const shared = parts.where.map((w) => w.node);
  const labels = new Map(nodeNamesWithSimplified(model));
  for (const w of parts.where) labels.set(w.node, w.name);

  const lhs = (x: string) => `∂${output.name}/∂${x}`;
  const claimed = new Map<Node, number>(); // a new backward node that is itself a gradient
  results.forEach((r, i) => {
    if (live(r) && !idOf.has(r) && !claimed.has(r) && !shared.includes(r)) claimed.set(r, i);
  });
  const sharedSet = new Set(shared);
  for (const n of [...claimed.keys(), ...sharedSet]) keep.add(n);
  for (const n of topoOrder(results)) {
    if (!live(n) || idOf.has(n) || through(n) !== n) continue;
    const id = `n${n.id}`;
    idOf.set(n, id);
    const formula = printExpr(n, 'unicode', labels);
    const g = claimed.get(n);
    if (g !== undefined)
      boxes.push({ id, label: `${lhs(wrt[g]!.name)} = ${formula}`, kind: 'gradient', pass: 'backward' });
    else if (sharedSet.has(n))
      boxes.push({ id, label: `${labels.get(n)} = ${formula}`, kind: 'shared', pass: 'backward' });
    else boxes.push({ id, label: formula, kind: 'step', pass: 'backward' });
    for (const a of n.args) if (live(a)) connect(source(a), id, 'backward');
  }
  results.forEach((r, i) => {
    const w = wrt[i]!;
    let id = claimed.get(r) === i ? idOf.get(r)! : undefined;
    if (!id) {
      // The gradient is an input, a forward step, a named shared part, another gradient, or a constant.
      id = `d${i}`;
      boxes.push({
        id,
        label: `${lhs(w.name)} = ${printExpr(r, 'unicode', labels)}`,
        kind: 'gradient',
        pass: 'backward',
      });
      if (live(r)) connect(source(r), id, 'backward');
    }
    if (!idOf.has(w.node)) {
      // A variable the output does not depend on: its gradient is zero.
      idOf.set(w.node, `n${w.node.id}`);
      boxes.push({ id: `n${w.node.id}`, label: declaration(w.node), kind: 'input', pass: 'input' });
    }
    connect(idOf.get(w.node)!, id, 'gradient');
  });
  return tidy(model, { boxes, edges, backward: true });
}

/** Inputs first, in declaration order; boxes numbered n1, n2, … in the order they are listed. */
function tidy(model: Model, d: Drawing): Drawing {
  const order = [...model.vars.keys()];
  const declared = (b: Box) => order.indexOf(b.label.slice(0, b.label.indexOf(':')));
  const inputs = d.boxes.filter((b) => b.kind === 'input').sort((x, y) => declared(x) - declared(y));
  const boxes = [...inputs, ...d.boxes.filter((b) => b.kind !== 'input')];
  const ids = new Map(boxes.map((b, i) => [b.id, `n${i + 1}`]));
  return {
    boxes: boxes.map((b) => ({ ...b, id: ids.get(b.id)! })),
    edges: d.edges.map((e) => ({ ...e, from: ids.get(e.from)!, to: ids.get(e.to)! })),
    backward: d.backward,
  };
}

/** The argument that a transpose, a negation, a constant multiple or a reciprocal stands on. */
function folded(n: Node): Node | undefined {
  if (n.op === 'transpose') return n.args[0];
  if (n.op === 'mul' && isConst(n.args[0]!)) return n.args[1];
  if (n.op === 'pow' && n.num === -1) return n.args[0];
  return undefined;
}

/** `W1: [h, n]`, with its properties. */
function declaration(v: Node): string {
  const props = v.props?.length ? ' ' + v.props.join(' ') : '';
  return `${v.name}: ${shapeText(v.shape)}${props}`;
}

/** Does a node depend on some variable? Memoised over the (immutable) graph. */
function variableDependence(): (n: Node) => boolean {
  const memo = new Map<Node, boolean>();
  return (root) => {
    const known = memo.get(root);
    if (known !== undefined) return known;
    for (const n of topoOrder([root])) if (!memo.has(n)) memo.set(n, n.op === 'var' || n.args.some((a) => memo.get(a)));
    return memo.get(root)!;
  };
}
