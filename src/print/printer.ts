/**
 * Prints expressions in Unicode, ASCII (which re-parses) or LaTeX. Each operator
 * prints itself; this module supplies parenthesisation and named subexpressions.
 */
import { type Node, topoOrder } from '../graph/node.js';
import { opDef } from '../ops/registry.js';
import { type Format, type PrintCtx, PREC, paren } from './context.js';
import { latexName } from './context.js';
import { isScalar } from '../shape/shape.js';

/**
 * `node` as text. Subexpressions found in `names` print as that name (definitions of
 * the model, or `where` bindings), except the root itself.
 */
export function printExpr(node: Node, fmt: Format, names?: ReadonlyMap<Node, string>): string {
  const memo = new Map<Node, { text: string; prec: number }>();
  const ctx: PrintCtx = {
    fmt,
    sub(n, minPrec) {
      const p = printed(n, n === node);
      return p.prec < minPrec ? paren(ctx, p.text) : p.text;
    },
  };
  const printed = (n: Node, root: boolean) => {
    const name = root ? undefined : names?.get(n);
    if (name !== undefined)
      return { text: fmt === 'latex' ? latexName(name, !isScalar(n.shape)) : name, prec: PREC.ATOM };
    let p = memo.get(n);
    if (!p) {
      p = opDef(n.op).print(n, ctx);
      memo.set(n, p);
    }
    return p;
  };
  // Print bottom-up first, so that printing a long chain never recurses deeply.
  for (const n of topoOrder([node])) if (n !== node && !names?.has(n)) printed(n, false);
  return printed(node, true).text;
}
