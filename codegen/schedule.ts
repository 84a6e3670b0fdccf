/**
 * Lowering a graph to a target-neutral kernel program (the types are in ir.ts).
 *
 * Given the roots — a value and, for a training step, its gradients, which share nodes
 * with the forward graph — the nodes are visited once in topological order. Each
 * becomes one of:
 *  - a view of a buffer (variables; transposes, diagonals, unvec of buffers; row and
 *    column sums broadcast back to a matrix) — no step, no copy;
 *  - an inlined expression (fuse.ts decides) — no step; its consumer evaluates it;
 *  - a step writing a fresh buffer: a fused elementwise `map`, a `reduce` (sum, trace,
 *    row/column sums), a `matmul` (transposes read in place), softmax / logsumexp, or
 *    a factorisation (LU, or Cholesky for a variable declared spd) and the inverse,
 *    det and logdet read from it — or, for a product op(A)⁻¹·B or B·op(A)⁻¹ whose
 *    inverse only such products read, a solve with it (the inverse never formed).
 * Forward values the gradients use are simply buffers read by later steps: sharing
 * keeps them alive. Finally every root gets an output buffer: the buffer it was
 * written to when that holds exactly its value, else a copy.
 */
import type { Node } from '../src/graph/node.js';
import { topoOrder } from '../src/graph/node.js';
import { type Dim, ONE, dimMul, isOne } from '../src/shape/dim.js';
import { transposed } from '../src/shape/shape.js';
import type { BufferInfo, ElemExpr, ElemType, Idx, MatOperand, Schedule, Step, View } from './ir.js';
import { foldElem } from './elem.js';
import { type Extent, ONE_EXT, ZERO_EXT, ext, extAdd, extEq, extMul, extSyms, isOneExt } from './extent.js';
import { inlinedNodes, roleOf, solvedNodes } from './fuse.js';
import { OPS } from '../src/ops/registry.js';

export interface ScheduleOptions {
  /** Names of nodes (definitions of the model), used to label buffers. */
  names?: ReadonlyMap<Node, string>;
  /**
   * false: inline nothing — every elementwise node gets its own step and buffer (leaves
   * and index views stay free). For measuring what fusion saves (bench/wgsl.ts).
   */
  fuse?: boolean;
  /**
   * false: form every inverse, and multiply by it, where products alone read it (for
   * measuring and testing what solving saves). By default such an inverse is never
   * formed: each product is a solve with the matrix's factorisation.
   */
  solve?: boolean;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function schedule(roots: readonly Node[], opts: ScheduleOptions = {}): Schedule {
  return new Scheduler(roots, opts).run();
}

/** The canonical row-major view of an [rows, cols] buffer. */
const contiguous = (buffer: number, cols: Dim): View => ({ buffer, rs: ext(cols), cs: ONE_EXT });

/** Does `v` read an [rows, cols] value exactly as a row-major buffer of that shape stores it? */
function isContiguous(v: View, rows: Dim, cols: Dim): boolean {
  return (isOne(rows) || extEq(v.rs, ext(cols))) && (isOne(cols) || isOneExt(v.cs));
}

/** The load of a view at node index (a, b), as strides over the kernel's (i, j). */
function load(v: View, [a, b]: readonly [Idx, Idx]): ElemExpr {
  const stride = (k: Idx) => extAdd(a === k ? v.rs : ZERO_EXT, b === k ? v.cs : ZERO_EXT);
  return { kind: 'load', buffer: v.buffer, si: stride('i'), sj: stride('j') };
}

/** Loads that walk their buffer contiguously along j, less those that stride across it. */
function contiguity(e: ElemExpr): number {
  const sum = (_: unknown, kids: number[]) => kids.reduce((s, k) => s + k, 0);
  return foldElem<number>(e, {
    load: (x) => (x.mi || x.mj ? 0 : isOneExt(x.sj) ? 1 : isOneExt(x.si) && x.sj.length ? -1 : 0),
    op: sum,
    diag: sum,
    dim: () => 0,
    eye: () => 0,
    commutation: () => 0,
  });
}

class Scheduler {
  private readonly buffers: Mutable<BufferInfo>[] = [];
  private readonly steps: Step[] = [];
  private readonly inputs: { name: string; node: Node; buffer: number }[] = [];
  private readonly views = new Map<Node, View>();
  private readonly factors = new Map<Node, { method: 'lu' | 'cholesky'; factor: number; piv?: number }>();
  /** Buffers written by a step (so a root may keep one as its output). */
  private readonly written = new Set<number>();
  private readonly order: Node[];
  private readonly inlined: Set<Node>;
  /** Inverses never formed: every reader solves with the factorisation instead. */
  private readonly solved: Set<Node>;

  constructor(
    private readonly roots: readonly Node[],
    private readonly opts: ScheduleOptions,
  ) {
    this.order = topoOrder(roots);
    this.inlined = opts.fuse === false ? new Set() : inlinedNodes(this.order, roots);
    this.solved = opts.solve === false ? new Set() : solvedNodes(this.order, roots);
  }

  run(): Schedule {
    for (const n of this.order) this.visit(n);
    const claimed = new Set<number>();
    const outputs = this.roots.map((node) => {
      const v = this.views.get(node);
      const b = v && this.buffers[v.buffer]!;
      if (
        v &&
        b &&
        this.written.has(v.buffer) &&
        !claimed.has(v.buffer) &&
        isContiguous(v, node.shape.rows, node.shape.cols)
      ) {
        b.role = 'output';
        claimed.add(v.buffer);
        return { node, buffer: v.buffer };
      }
      const out = this.buffer(node.shape.rows, node.shape.cols, 'real', 'output', this.label(node), node);
      this.emit({
        kind: 'map',
        node,
        out,
        rows: node.shape.rows,
        cols: node.shape.cols,
        expr: this.expr(node, ['i', 'j']),
      });
      claimed.add(out);
      return { node, buffer: out };
    });
    return { buffers: this.buffers, steps: this.steps, inputs: this.inputs, outputs, dims: this.dims() };
  }

  private label(n: Node): string {
    return this.opts.names?.get(n) ?? (n.op === 'var' ? n.name! : n.op);
  }

  private buffer(rows: Dim, cols: Dim, elem: ElemType, role: BufferInfo['role'], label: string, node?: Node): number {
    const id = this.buffers.length;
    this.buffers.push({ id, size: ext(dimMul(rows, cols)), rows, cols, elem, role, label, ...(node && { node }) });
    return id;
  }

  private scratch(size: Extent, elem: ElemType, label: string): number {
    const id = this.buffers.length;
    this.buffers.push({ id, size, elem, role: 'scratch', label });
    return id;
  }

  private emit(step: Step): void {
    this.steps.push(step);
    if ('out' in step) this.written.add(step.out);
  }

  /** A fresh buffer holding n's value, written by a map step over `expr`. */
  private materialize(n: Node, rows: Dim, cols: Dim, expr: ElemExpr): View {
    const out = this.buffer(rows, cols, 'real', 'temp', this.label(n), n);
    this.emit({ kind: 'map', node: n, out, rows, cols, expr });
    return contiguous(out, cols);
  }

  private visit(n: Node): void {
    const { rows, cols } = n.shape;
    switch (roleOf(n)) {
      case 'input': {
        const buffer = this.buffer(rows, cols, 'real', 'input', n.name!, n);
        this.inputs.push({ name: n.name!, node: n, buffer });
        this.views.set(n, contiguous(buffer, cols));
        return;
      }
      case 'leaf':
        return; // inlined wherever used; made a buffer only on demand (see viewOf)
      case 'index': {
        const v = this.views.get(n.args[0]!);
        if (v) this.views.set(n, this.indexView(n, v));
        return;
      }
      case 'elementwise':
        if (!this.inlined.has(n)) this.views.set(n, this.materialize(n, rows, cols, this.expr(n, ['i', 'j'])));
        return;
      case 'kernel':
        if (!this.solved.has(n)) this.views.set(n, this.kernel(n));
    }
  }

  /**
   * An index op's view of its argument's view `v`: where its lowering reads the argument
   * at (a, b) for node index (i, j), the view steps i by the strides of the argument's
   * axes a and b that equal i (transpose swaps the strides; diag(A) steps by rs + cs).
   */
  private indexView(n: Node, v: View): View {
    const lower = OPS[n.op].lower;
    if (lower.kind !== 'structural' || lower.role !== 'index') throw new Error(`codegen: ${n.op} is not an index op`);
    const none = (): readonly [] => [];
    const [a, b] = lower.at<readonly [Idx, Idx] | readonly []>(n, 'i', 'j', {
      arg: (_x, a, b) => [a, b],
      eye: none,
      diag: none,
      commutation: none,
    });
    if (a === undefined) throw new Error(`codegen: ${n.op} is not a re-indexing`);
    const stride = (k: Idx): Extent => {
      const parts = [...(a === k ? [v.rs] : []), ...(b === k ? [v.cs] : [])];
      return parts.length === 0 ? ZERO_EXT : parts.length === 1 ? parts[0]! : extAdd(...parts);
    };
    return { buffer: v.buffer, rs: stride('i'), cs: stride('j') };
  }

  /** A view of n's value, making a buffer for a leaf or an inlined node if a kernel needs one. */
  private viewOf(n: Node): View {
    const v = this.views.get(n);
    if (v) return v;
    if (roleOf(n) === 'index') {
      const w = this.indexView(n, this.viewOf(n.args[0]!));
      this.views.set(n, w);
      return w;
    }
    const w = this.materialize(n, n.shape.rows, n.shape.cols, this.expr(n, ['i', 'j']));
    this.views.set(n, w);
    return w;
  }

  /** n's value at node index `idx` (each of row, col an index of the kernel or 0). */
  private expr(n: Node, at: readonly [Idx, Idx]): ElemExpr {
    // Along an axis of size 1 the index is always 0: say so, so that loads show their true strides.
    const idx = [isOne(n.shape.rows) ? '0' : at[0], isOne(n.shape.cols) ? '0' : at[1]] as const;
    const v = this.views.get(n);
    if (v) return load(v, idx);
    const [r, c] = idx;
    const lower = OPS[n.op].lower;
    if (lower.kind === 'structural' && lower.role !== 'kernel')
      return lower.at<ElemExpr>(n, r, c, {
        arg: (x, a, b) => this.expr(x, [a, b]),
        eye: (a, b) => ({ kind: 'eye', a, b }),
        diag: (a, b, arg) => ({ kind: 'diag', a, b, arg }),
        commutation: (a, b, m, k) => ({ kind: 'commutation', a, b, m, n: k }),
      });
    if (lower.kind === 'input' && lower.role === 'leaf') return { kind: 'dim', dim: n.dim! }; // dimval
    if (lower.kind === 'elementwise' && lower.role === 'leaf') return { kind: 'op', node: n, args: [] }; // const, fill
    if (roleOf(n) !== 'elementwise') throw new Error(`codegen: no value for ${n.op}#${n.id}`);
    const { rows, cols } = n.shape;
    // A broadcast operand (a column, a row, a scalar) is read at index 0 along the spread axis.
    const args = n.args.map((a) =>
      this.expr(a, [isOne(a.shape.rows) && !isOne(rows) ? '0' : r, isOne(a.shape.cols) && !isOne(cols) ? '0' : c]),
    );
    return { kind: 'op', node: n, args };
  }

  /** A kernel node's buffer (or view), as its operator's registry lowering builds it. */
  private kernel(n: Node): View {
    const lower = OPS[n.op].lower;
    if (lower.role !== 'kernel') throw new Error(`codegen: no kernel for ${n.op}`);
    const { rows, cols } = n.shape;
    const label = this.label(n);
    return lower.kernel<View>(n, {
      product: (a, b) => {
        const out = this.buffer(rows, cols, 'real', 'temp', label, n);
        const step = {
          kind: 'matmul',
          node: n,
          out,
          m: rows,
          n: cols,
          k: a.shape.cols,
          a: this.operand(a),
          b: this.operand(b),
        } as const;
        this.emit(step);
        return contiguous(out, cols);
      },
      sums: (axis, body) => this.onesProduct(n, axis, body),
      sumAll: (arg) => {
        const out = this.buffer(ONE, ONE, 'real', 'temp', label, n);
        this.reduce(n, 'all', out, arg);
        return contiguous(out, ONE);
      },
      trace: (arg) => {
        const out = this.buffer(ONE, ONE, 'real', 'temp', label, n);
        this.emit({
          kind: 'reduce',
          node: n,
          axis: 'diag',
          out,
          rows: arg.shape.rows,
          cols: arg.shape.cols,
          body: this.expr(arg, ['i', 'i']),
        });
        return contiguous(out, ONE);
      },
      columnwise: (kind, arg) => {
        const input = this.viewOf(arg);
        const { rows: ar, cols: ac } = arg.shape;
        const out = this.buffer(rows, cols, 'real', 'temp', label, n);
        const max = this.scratch(ext(ac), 'f64', `${label}_max`);
        const sum = this.scratch(ext(ac), 'f64', `${label}_sum`);
        this.emit({ kind, node: n, out, rows: ar, cols: ac, input, max, sum });
        return contiguous(out, cols);
      },
      factored: (kind, arg) => {
        const f = this.factorOf(arg);
        const size = arg.shape.rows;
        const out = this.buffer(rows, cols, 'real', 'temp', label, n);
        // The blocked inverses' working memory (ts/factor.ts): L⁻¹ (n²) for Cholesky; L⁻¹,
        // (U⁻¹)ᵀ and one row (2n² + n) for LU.
        const sq = ext(dimMul(size, size));
        const tmp =
          kind === 'inverse'
            ? this.scratch(f.method === 'cholesky' ? sq : extAdd(sq, sq, ext(size)), 'f64', `${label}_tmp`)
            : undefined;
        this.emit({
          kind,
          node: n,
          method: f.method,
          n: size,
          factor: f.factor,
          ...(f.piv !== undefined && { piv: f.piv }),
          out,
          ...(tmp !== undefined && { tmp }),
        });
        return contiguous(out, cols);
      },
      unformed: (inverse) => this.solved.has(inverse),
      solve: (side, inverse, trans, other, repeated) => {
        if (!this.solved.has(inverse)) throw new Error(`codegen: ${label} solves with an inverse that is formed`);
        const left = side === 'left';
        const matrix = inverse.args[0]!;
        const f = this.factorOf(matrix);
        const size = matrix.shape.rows;
        // Repeated right-hand sides: the first solved for, the result read with stride 0 across the rest.
        const m = repeated ? ONE : left ? cols : rows;
        const out = this.buffer(left ? rows : m, left ? m : cols, 'real', 'temp', label, n);
        const v = this.viewOf(other);
        const b = !repeated ? v : left ? { ...v, cs: ZERO_EXT } : { ...v, rs: ZERO_EXT };
        const tmp = this.scratch(ext(dimMul(size, m)), 'f64', `${label}_rhs`);
        this.emit({
          kind: 'solve',
          node: n,
          method: f.method,
          side,
          trans,
          n: size,
          m,
          factor: f.factor,
          ...(f.piv !== undefined && { piv: f.piv }),
          b,
          out,
          tmp,
        });
        if (repeated && left && !isOne(cols)) return { buffer: out, rs: ONE_EXT, cs: ZERO_EXT };
        if (repeated && !left && !isOne(rows)) return { buffer: out, rs: ZERO_EXT, cs: ONE_EXT };
        return contiguous(out, left ? m : cols);
      },
      columnMajor: (arg) => {
        // vec(A) lists A column by column: the row-major buffer of Aᵀ.
        const v = this.views.get(arg);
        if (v && isContiguous({ buffer: v.buffer, rs: v.cs, cs: v.rs }, arg.shape.cols, arg.shape.rows))
          return { buffer: v.buffer, rs: ONE_EXT, cs: ONE_EXT };
        const t = transposed(arg.shape);
        const w = this.materialize(n, t.rows, t.cols, this.expr(arg, ['j', 'i']));
        return { buffer: w.buffer, rs: ONE_EXT, cs: ONE_EXT };
      },
      blocks: (a, b) => {
        // (A ⊗ B)(i, j) = A(i div p, j div q)·B(i mod p, j mod q) for B: [p, q]; both read in place.
        const { rows: p, cols: q } = b.shape;
        const part = (x: Node, op: 'div' | 'mod'): ElemExpr => {
          const v = this.viewOf(x);
          const [r1, c1] = [isOne(x.shape.rows), isOne(x.shape.cols)];
          // i div 1 = i; along a unit axis the index is 0.
          return {
            kind: 'load',
            buffer: v.buffer,
            si: r1 ? ZERO_EXT : v.rs,
            sj: c1 ? ZERO_EXT : v.cs,
            ...(!r1 && !(op === 'div' && isOne(p)) && { mi: { op, by: p } }),
            ...(!c1 && !(op === 'div' && isOne(q)) && { mj: { op, by: q } }),
          };
        };
        return this.materialize(n, rows, cols, { kind: 'op', node: n, args: [part(a, 'div'), part(b, 'mod')] });
      },
      strided: (arg, by) => {
        // unvec(v, m)(i, j) = v(j·m + i): a strided view of the vector.
        const v = this.viewOf(arg);
        return { buffer: v.buffer, rs: v.rs, cs: extMul(v.rs, by) };
      },
    });
  }

  /**
   * A product with ones: row sums (A·ones) or column sums (ones·B) of the body, each sum
   * repeated along the other axis when the product is wider (taller) than one. A sum of
   * one term is the body itself.
   */
  private onesProduct(n: Node, axis: 'rows' | 'cols', body: Node): View {
    const { rows, cols } = n.shape;
    const { rows: br, cols: bc } = body.shape;
    const rowSums = axis === 'rows';
    if (isOne(rowSums ? bc : br)) {
      const v = this.viewOf(body);
      return rowSums
        ? { buffer: v.buffer, rs: v.rs, cs: isOne(cols) ? v.cs : ZERO_EXT }
        : { buffer: v.buffer, rs: isOne(rows) ? v.rs : ZERO_EXT, cs: v.cs };
    }
    const out = this.buffer(rowSums ? br : ONE, rowSums ? ONE : bc, 'real', 'temp', this.label(n), n);
    this.reduce(n, axis, out, body);
    if (rowSums) return { buffer: out, rs: ONE_EXT, cs: isOne(cols) ? ONE_EXT : ZERO_EXT };
    return { buffer: out, rs: isOne(rows) ? ext(cols) : ZERO_EXT, cs: ONE_EXT };
  }

  /**
   * A reduce step summing `body` (all entries, or along rows or columns) into `out`. The
   * iteration runs in whichever orientation reads more of the body's buffers
   * contiguously along j: row sums of Xᵀ are column sums of X.
   */
  private reduce(n: Node, axis: 'all' | 'rows' | 'cols', out: number, body: Node): void {
    const { rows, cols } = body.shape;
    const straight = this.expr(body, ['i', 'j']);
    const flipped = this.expr(body, ['j', 'i']);
    const flip = contiguity(flipped) > contiguity(straight);
    const ax = !flip || axis === 'all' ? axis : axis === 'rows' ? 'cols' : 'rows';
    const [r, c] = flip ? [cols, rows] : [rows, cols];
    const acc = ax === 'cols' ? this.scratch(ext(c), 'f64', `${this.label(n)}_acc`) : undefined;
    this.emit({
      kind: 'reduce',
      node: n,
      axis: ax,
      out,
      rows: r,
      cols: c,
      body: flip ? flipped : straight,
      ...(acc !== undefined && { acc }),
    });
  }

  /** A product operand read in place: row-major (ld = row stride) or transposed (ld = column stride). */
  private operand(x: Node): MatOperand {
    const { rows, cols } = x.shape;
    let v = this.viewOf(x);
    if (isOne(cols) || isOneExt(v.cs)) return { buffer: v.buffer, trans: false, ld: isOne(rows) ? ext(cols) : v.rs };
    if (isOne(rows) || isOneExt(v.rs)) return { buffer: v.buffer, trans: true, ld: isOne(cols) ? ext(rows) : v.cs };
    // Neither (a diagonal or a broadcast): copy it.
    v = this.materialize(x, rows, cols, load(v, ['i', 'j']));
    return { buffer: v.buffer, trans: false, ld: v.rs };
  }

  /** The factorisation of a square matrix, shared by its inverse, det and logdet. */
  private factorOf(a: Node): { method: 'lu' | 'cholesky'; factor: number; piv?: number } {
    let f = this.factors.get(a);
    if (f) return f;
    const n = a.shape.rows;
    const method = a.op === 'var' && a.props?.includes('spd') ? 'cholesky' : 'lu';
    const input = this.viewOf(a);
    const label = this.label(a);
    const factor = this.scratch(ext(dimMul(n, n)), 'f64', `${label}_${method}`);
    const piv = method === 'lu' ? this.scratch(extAdd(ext(n), ONE_EXT), 'i32', `${label}_piv`) : undefined;
    this.emit({ kind: 'factor', node: a, method, n, input, factor, ...(piv !== undefined && { piv }) });
    f = { method, factor, ...(piv !== undefined && { piv }) };
    this.factors.set(a, f);
    return f;
  }

  private dims(): string[] {
    const syms = new Set<string>();
    const add = (e: Extent) => extSyms(e).forEach((s) => syms.add(s));
    const addDim = (d: Dim) => d.syms.forEach((s) => syms.add(s));
    for (const b of this.buffers) {
      add(b.size);
      if (b.rows) addDim(b.rows);
      if (b.cols) addDim(b.cols);
    }
    const walk = (e: ElemExpr): void =>
      foldElem<void>(e, {
        load: (x) => (add(x.si), add(x.sj), x.mi && addDim(x.mi.by), x.mj && addDim(x.mj.by), undefined),
        dim: (x) => addDim(x.dim),
        commutation: (x) => (addDim(x.m), addDim(x.n)),
        eye: () => undefined,
        op: () => undefined,
        diag: () => undefined,
      });
    for (const s of this.steps) {
      if (s.kind === 'map' || s.kind === 'reduce') [s.rows, s.cols].forEach(addDim);
      if (s.kind === 'map') walk(s.expr);
      if (s.kind === 'reduce') walk(s.body);
      if (s.kind === 'matmul') ([s.m, s.n, s.k].forEach(addDim), add(s.a.ld), add(s.b.ld));
      if (s.kind === 'softmax' || s.kind === 'logsumexp') [s.rows, s.cols].forEach(addDim);
      if (s.kind === 'softmax' || s.kind === 'logsumexp' || s.kind === 'factor') (add(s.input.rs), add(s.input.cs));
      if (s.kind === 'factor' || s.kind === 'inverse' || s.kind === 'det' || s.kind === 'logdet') addDim(s.n);
      if (s.kind === 'solve') ([s.n, s.m].forEach(addDim), add(s.b.rs), add(s.b.cs));
    }
    return [...syms].sort();
  }
}
