/**
 * Prints expressions in Unicode, ASCII (which re-parses) or LaTeX. Each operator
 * prints itself; this module supplies parenthesisation and named subexpressions.
 *
 * Printing walks the DAG, not its unfolding: each node's text is built once, from its
 * operands' texts, and a named node prints as its name. The walk keeps its own stack,
 * so a chain of any depth prints without recursion.
 */
import type { Node } from '../graph/node.js';
import { opDef } from '../ops/registry.js';
import { type Format, type PrintCtx, type Printed, PREC, paren } from './context.js';
import { latexName } from './context.js';
import { isScalar } from '../shape/shape.js';

/** Thrown by `sub` for an operand not printed yet: print it first, then retry its parent. */
class Pending {
  constructor(readonly node: Node) {}
}

export interface Texts {
  /** `n` printed; named nodes inside it print as their names, `n` itself never does. */
  print(n: Node): string;
}

/**
 * A printer whose texts persist across calls (a shared memo): printing several roots
 * over the same names costs their DAG once. `onPrinted` sees each node once, after its
 * operands, with its inline text — the moment to give it a name (by adding it to `names`)
 * before any parent prints it.
 */
export function textPrinter(
  fmt: Format,
  names: ReadonlyMap<Node, string> | undefined,
  onPrinted?: (n: Node, p: Printed) => void,
): Texts {
  const memo = new Map<Node, Printed>();
  const nameText = (n: Node, name: string): Printed => ({
    text: fmt === 'latex' ? latexName(name, !isScalar(n.shape)) : name,
    prec: PREC.ATOM,
  });
  const ctx: PrintCtx = {
    fmt,
    sub(n, minPrec) {
      const name = names?.get(n);
      const p = name !== undefined ? nameText(n, name) : memo.get(n);
      if (!p) throw new Pending(n);
      return p.prec < minPrec ? paren(ctx, p.text) : p.text;
    },
  };
  const build = (root: Node): Printed => {
    const stack = [root];
    while (stack.length) {
      const n = stack[stack.length - 1]!;
      if (memo.has(n)) {
        stack.pop();
        continue;
      }
      let p: Printed;
      try {
        p = opDef(n.op).print(n, ctx);
      } catch (e) {
        if (!(e instanceof Pending)) throw e;
        stack.push(e.node);
        continue;
      }
      memo.set(n, p);
      onPrinted?.(n, p);
      stack.pop();
    }
    return memo.get(root)!;
  };
  return { print: (n) => build(n).text };
}

/**
 * `node` as text. Subexpressions found in `names` print as that name (definitions of
 * the model, or `where` bindings), except the root itself.
 */
export function printExpr(node: Node, fmt: Format, names?: ReadonlyMap<Node, string>): string {
  return textPrinter(fmt, names).print(node);
}
