/**
 * Fusion decisions: which nodes become buffers and which are inlined into the kernel
 * that consumes them.
 *
 * Node roles:
 *  - 'input'   a declared variable: the caller's buffer;
 *  - 'leaf'    const, fill, dimval, eye: free to recompute, always inlined (a buffer is
 *              made only when a kernel needs one, e.g. a product with I that survived);
 *  - 'elementwise'  add, mul, pow, the unary functions and diag(x): inlined into their
 *              consumer when that is their only use and the consumer evaluates them at
 *              the same shape (no broadcast: a broadcast operand would be recomputed
 *              for every element it is spread over);
 *  - 'index'   transpose and diag(A): re-index their argument. They are never
 *              materialised: of a buffer they are a strided view, of an inlined
 *              expression they swap (or tie) its indices; their uses count as uses of
 *              their argument;
 *  - 'kernel'  everything else writes a buffer of its own.
 *
 * Consumers that accept an inlined expression: elementwise ops, diag, reductions
 * (sum, tr, and products with a ones matrix, which are row or column sums), vec (a
 * transposing copy), and the copy of a root into its output buffer. Matrix products,
 * softmax, logsumexp, factorisations and unvec read buffers in place.
 */
import type { Node } from '../src/graph/node.js';
import { OPS } from '../src/ops/registry.js';
import type { Role } from '../src/ops/types.js';
import { shapeEq } from '../src/shape/shape.js';

export type { Role } from '../src/ops/types.js';
export { onesReduction } from '../src/ops/linear.js';

/** An inlined expression nests at most this deep; deeper chains are cut into buffers. */
export const MAX_INLINE_DEPTH = 40;

/** n's part in the program, as its operator's registry entry states it. */
export function roleOf(n: Node): Role {
  const lower = OPS[n.op].lower;
  if (lower.kind === 'structural') return lower.role;
  return lower.role ?? (lower.kind === 'input' ? 'input' : 'elementwise');
}

/** Does `user` accept its argument `slot` as an inlined expression? */
function acceptsExpression(user: Node, slot: number): boolean {
  const lower = OPS[user.op].lower;
  const role = roleOf(user);
  if (role !== 'elementwise' && role !== 'kernel') return false;
  if (lower.kind === 'structural') return lower.inlines(user, slot);
  return role === 'elementwise' && shapeEq(user.args[slot]!.shape, user.shape);
}

/**
 * The elementwise nodes to inline, given the topological `order` of the program and its
 * `roots`. Everything elementwise not in the set is written to a buffer.
 */
export function inlinedNodes(order: readonly Node[], roots: readonly Node[]): Set<Node> {
  const isRoot = new Set(roots);
  const users = usersOf(order);

  /** Uses of n seen through index ops; a root index op counts as one use (its output copy, an expression use). */
  const effectiveUses = (n: Node, out: { user: Node; slot: number }[]): number => {
    let count = 0;
    for (const u of users.get(n) ?? []) {
      if (roleOf(u.user) === 'index') {
        if (isRoot.has(u.user)) count++;
        count += effectiveUses(u.user, out);
      } else {
        count++;
        out.push(u);
      }
    }
    return count;
  };

  const inlined = new Set<Node>();
  /** Nesting depth of the inlined expression rooted at a node (0 for buffers and leaves). */
  const depth = new Map<Node, number>();
  for (const n of order) {
    const role = roleOf(n);
    if (role === 'index') depth.set(n, depth.get(n.args[0]!) ?? 0);
    if (role !== 'elementwise' || isRoot.has(n)) continue;
    const uses: { user: Node; slot: number }[] = [];
    const count = effectiveUses(n, uses);
    // A single use that is no user at all is the output copy of a root index op (Aᵀ as a result).
    const ok = count === 1 && (uses.length === 0 || acceptsExpression(uses[0]!.user, uses[0]!.slot));
    const d = 1 + Math.max(0, ...n.args.map((a) => depth.get(a) ?? 0));
    if (ok && d <= MAX_INLINE_DEPTH) {
      inlined.add(n);
      depth.set(n, d);
    }
  }
  return inlined;
}

/**
 * The kernel nodes never formed: those every use of which (seen through index ops, none
 * of them a root) is by a kernel whose lowering `solves` with it — an inverse A⁻¹ read
 * only by products op(A)⁻¹·B or B·op(A)⁻¹, which solve with A's factorisation instead.
 */
export function solvedNodes(order: readonly Node[], roots: readonly Node[]): Set<Node> {
  const isRoot = new Set(roots);
  const users = usersOf(order);
  /** Does every use of n, through index ops, solve with it? Index ops have one argument, so each is walked once. */
  const onlySolved = (n: Node): boolean =>
    (users.get(n) ?? []).every(({ user, slot }) => {
      if (roleOf(user) === 'index') return !isRoot.has(user) && onlySolved(user);
      const lower = OPS[user.op].lower;
      return lower.kind === 'structural' && lower.role === 'kernel' && (lower.solves?.(user, slot) ?? false);
    });
  const out = new Set<Node>();
  for (const n of order) if (roleOf(n) === 'kernel' && !isRoot.has(n) && users.has(n) && onlySolved(n)) out.add(n);
  return out;
}

/** Each node's uses in `order`: the nodes that read it, and in which argument slot. */
function usersOf(order: readonly Node[]): Map<Node, { user: Node; slot: number }[]> {
  const users = new Map<Node, { user: Node; slot: number }[]>();
  for (const n of order)
    n.args.forEach((a, slot) => {
      let list = users.get(a);
      if (!list) users.set(a, (list = []));
      list.push({ user: n, slot });
    });
  return users;
}
