/** `matdiff graph`: the computation graph, forward and (with --wrt) backward, as Mermaid or Graphviz dot. */
import { type Args, flag, onlyFlags } from '../args.js';
import { loadModel } from '../load.js';
import { selectOptions } from '../select.js';
import { graph } from '../../api.js';

export function graphCommand(args: Args): string {
  onlyFlags(args, ['wrt', 'of', 'format', 'dims']);
  const format = flag(args, 'format', ['mermaid', 'dot'] as const, 'mermaid');
  return graph(loadModel(args), { ...selectOptions(args), format });
}
