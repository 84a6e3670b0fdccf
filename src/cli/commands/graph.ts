/** `matdiff graph`: the computation graph, forward and (with --wrt) backward, as Mermaid or Graphviz dot. */
import { type Args, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { outputOf, wrtOf } from '../select.js';
import { computationGraph } from '../../graph-draw/graph.js';
import { toMermaid } from '../../graph-draw/mermaid.js';
import { toDot } from '../../graph-draw/dot.js';
import { ShapeError } from '../../graph/node.js';
import { MatdiffError } from '../../errors.js';
import { placeOf } from '../../model/model.js';

export function graphCommand(args: Args): string {
  onlyFlags(args, ['wrt', 'of', 'format', 'dims']);
  const format = flag(args, 'format', ['mermaid', 'dot'] as const, 'mermaid');
  const model = loadModel(args);
  const out = outputOf(model, args);
  const wrt = flag(args, 'wrt') === undefined ? [] : wrtOf(model, args, out.node);
  let drawing;
  try {
    drawing = computationGraph(model, out, wrt);
  } catch (e) {
    if (e instanceof ShapeError) throw new MatdiffError('E013', e.message, placeOf(model, out.span));
    throw e;
  }
  return format === 'dot' ? toDot(drawing) : toMermaid(drawing);
}
