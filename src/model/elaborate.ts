/**
 * Elaboration: the syntax tree of a file becomes a model of graph nodes. Names are
 * resolved, shapes checked (by the smart constructors), and every problem becomes a
 * located error from the catalogue. Independent errors are all reported: a statement
 * that fails poisons only the name it defines.
 */
import type { DimAst, Expr, Program, Span, Statement } from '../parse/ast.js';
import { MatdiffError, didYouMean, fail } from '../errors.js';
import { type Node, ShapeError } from '../graph/node.js';
import { type Dim, dimMul, dimNum, dimSym } from '../shape/dim.js';
import { broadcast, shape, isScalar, isSquare, shapeBrief, shapeEq } from '../shape/shape.js';
import * as b from '../graph/build.js';
import { FUNCTIONS, RESERVED, type ArgKind } from './functions.js';
import { type Model, placeOf } from './model.js';
import { type DerivativeKind, derivative } from '../diff/derivative.js';
import { directional } from '../diff/directional.js';

export interface ElaborateOptions {
  /** Sizes fixed on the command line (`--dims n=3`): these dimensions become numbers. */
  dims?: ReadonlyMap<string, number>;
}

export function elaborate(prog: Program, opts: ElaborateOptions = {}): { model: Model; errors: MatdiffError[] } {
  const model: Model = {
    file: prog.file,
    source: prog.source,
    dims: [],
    vars: new Map(),
    defs: new Map(),
    asserts: [],
  };
  const errors: MatdiffError[] = [];
  const at = (span: Span) => placeOf(model, span);
  const poisoned = new Set<string>();
  const dimNames = new Set<string>();
  const defLine = new Map<string, number>();
  // `where` lines (as `matdiff grad` prints them, after the results that use them) may be
  // used before they stand: they are elaborated on first use.
  const whereDefs = new Map<string, Extract<Statement, { kind: 'def' }>>();
  const done = new Set<Statement>();
  const pending = new Set<Statement>();
  prog.statements.forEach((s, i) => {
    if (s.kind === 'decl') for (const d of s.dims) if (d.kind === 'name') dimNames.add(d.name);
    if (s.kind === 'def' && !defLine.has(s.name)) defLine.set(s.name, i);
    if (s.kind === 'def' && s.where && !whereDefs.has(s.name)) whereDefs.set(s.name, s);
  });

  const dimOf = (d: DimAst): Dim => {
    if (d.kind === 'num') {
      if (!Number.isInteger(d.value) || d.value <= 0) throw fail('E007', at(d.span), String(d.value));
      if (!Number.isSafeInteger(d.value)) throw fail('E007', at(d.span), String(d.value), 'unsafe');
      return dimNum(d.value);
    }
    // A definition of the same name is reported once, at the definition.
    if (model.vars.has(d.name)) throw fail('E011', at(d.span), d.name);
    if (RESERVED.has(d.name)) throw fail('E006', at(d.span), d.name);
    const bound = opts.dims?.get(d.name);
    if (!model.dims.includes(d.name)) model.dims.push(d.name);
    return bound !== undefined ? dimNum(bound) : dimSym(d.name);
  };

  const declare = (s: Extract<Statement, { kind: 'decl' }>) => {
    if (RESERVED.has(s.name)) throw fail('E006', at(s.nameSpan), s.name);
    if (dimNames.has(s.name)) throw fail('E011', at(s.nameSpan), s.name);
    if (model.vars.has(s.name) || model.defs.has(s.name)) throw fail('E005', at(s.nameSpan), s.name);
    if (s.dims.length > 2) throw fail('E007', at(s.span), String(s.dims.length), 'rank');
    const [r, c] = s.dims.map(dimOf);
    const sh = shape(r ?? dimNum(1), c ?? dimNum(1));
    const props = s.props.map((p) => p.prop);
    for (const p of s.props)
      if ((p.prop === 'sym' || p.prop === 'spd') && !isSquare(sh))
        throw fail('E017', at(p.span), p.prop, s.name, shapeBrief(sh));
    model.vars.set(s.name, { name: s.name, node: b.variable(s.name, sh, props), props, span: s.span });
  };

  const lookup = (name: string, span: Span): Node => {
    const v = model.vars.get(name) ?? model.defs.get(name);
    if (v) return v.node;
    if (poisoned.has(name)) throw POISON;
    if (dimNames.has(name)) return b.dimValue(dimOf({ kind: 'name', name, span }));
    const later = whereDefs.get(name);
    if (later && !done.has(later) && !pending.has(later)) {
      run(later);
      const d = model.defs.get(name);
      if (d) return d.node;
      throw POISON;
    }
    if (defLine.has(name)) throw fail('E004', at(span), name);
    if (FUNCTIONS[name]) throw fail('E015', at(span), 'uncalled', name);
    if (name === 'T') throw fail('E015', at(span), 'transpose');
    const known = [...model.vars.keys(), ...model.defs.keys(), ...dimNames];
    throw fail('E003', at(span), name, didYouMean(name, known));
  };

  /** Runs a builder; a shape error becomes a located one. */
  const shaped = (span: Span, build: () => Node): Node => {
    try {
      return build();
    } catch (e) {
      if (e instanceof ShapeError) throw new MatdiffError(e.code, e.message, at(span));
      throw e;
    }
  };

  const dimArg = (e: Expr): Dim => {
    if (e.kind === 'num') return dimOf({ kind: 'num', value: e.value, span: e.span });
    if (e.kind === 'ident' && dimNames.has(e.name)) return dimOf({ kind: 'name', name: e.name, span: e.span });
    if (e.kind === 'binary' && e.op === 'matmul') return dimMul(dimArg(e.left), dimArg(e.right));
    throw fail('E015', at(e.span), 'dimension');
  };

  const varArg = (e: Expr): Node => {
    if (e.kind === 'ident' && model.vars.has(e.name)) return model.vars.get(e.name)!.node;
    throw fail('E015', at(e.span), 'wrt');
  };

  const expr = (e: Expr): Node => {
    switch (e.kind) {
      case 'num':
        return b.constant(e.value);
      case 'ident':
        return lookup(e.name, e.span);
      case 'neg':
      case 'postfix': {
        // A run of prefix and postfix operators (−−x, Aᵀᵀ…) is applied in a loop, innermost first.
        const run: Extract<Expr, { kind: 'neg' | 'postfix' }>[] = [];
        let inner: Expr = e;
        while (inner.kind === 'neg' || inner.kind === 'postfix') {
          run.push(inner);
          inner = inner.arg;
        }
        let acc = expr(inner);
        for (let i = run.length - 1; i >= 0; i--) acc = unary(run[i]!, acc);
        return acc;
      }
      case 'binary': {
        // A long left-associated chain (a + a + … + a) is folded iteratively, not recursively.
        const spine: Extract<Expr, { kind: 'binary' }>[] = [];
        let leftmost: Expr = e;
        while (leftmost.kind === 'binary') {
          spine.push(leftmost);
          leftmost = leftmost.left;
        }
        let acc = expr(leftmost);
        for (let i = spine.length - 1; i >= 0; i--) acc = binary(spine[i]!, acc, expr(spine[i]!.right));
        return acc;
      }
      case 'call':
        return call(e);
    }
  };

  /** One prefix or postfix operator applied to its elaborated operand `a`. */
  const unary = (e: Extract<Expr, { kind: 'neg' | 'postfix' }>, a: Node): Node => {
    if (e.kind === 'neg') return b.neg(a);
    switch (e.op) {
      case 'transpose':
        return b.transpose(a);
      case 'inverse':
        return shaped(e.span, () => b.inv(a));
      case 'epower':
        return b.pow(a, e.exponent!);
      case 'power':
        if (!isScalar(a.shape)) {
          const p = e.exponent!;
          throw fail('E012', at(e.span), shapeBrief(a.shape), p);
        }
        return b.pow(a, e.exponent!);
    }
  };

  const fits = (e: Extract<Expr, { kind: 'binary' }>, l: Node, r: Node, what: 'subtract' | 'divide'): void => {
    if (!broadcast(l.shape, r.shape)) throw fail('E010', at(e.span), what, shapeBrief(l.shape), shapeBrief(r.shape));
  };

  const binary = (e: Extract<Expr, { kind: 'binary' }>, l: Node, r: Node): Node => {
    switch (e.op) {
      case 'add':
        return shaped(e.span, () => b.add(l, r));
      case 'sub':
        // Sugar (a − b = a + (−1)·b, a ⊘ b = a ⊙ b.^−1): name the operator the user wrote.
        fits(e, l, r, 'subtract');
        return shaped(e.span, () => b.sub(l, r));
      case 'hadamard':
        return shaped(e.span, () => b.mul(l, r));
      case 'ediv':
        fits(e, l, r, 'divide');
        return shaped(e.span, () => b.div(l, r));
      case 'matmul':
        return shaped(e.span, () => b.matmul(l, r));
      case 'kron':
        return shaped(e.span, () => b.kron(l, r));
      case 'div':
        if (!isScalar(r.shape)) throw fail('E013', at(e.span), 'divisor', shapeBrief(l.shape), shapeBrief(r.shape));
        return b.div(l, r);
    }
  };

  const call = (e: Extract<Expr, { kind: 'call' }>): Node => {
    const sig = FUNCTIONS[e.fn];
    if (!sig) {
      if (model.vars.has(e.fn) || model.defs.has(e.fn)) throw fail('E015', at(e.nameSpan), 'called', e.fn);
      throw fail('E009', at(e.nameSpan), e.fn, didYouMean(e.fn, Object.keys(FUNCTIONS)));
    }
    const kinds = sig.arities.find((k) => k.length === e.args.length);
    if (!kinds) {
      const want = sig.arities.map((k) => `${k.length} argument${k.length === 1 ? '' : 's'}`).join(' or ');
      throw fail('E008', at(e.span), e.fn, want, e.args.length);
    }
    const args = e.args.map((a, i) => resolveArg(kinds[i]!, a));
    if (e.fn === 'grad' || e.fn === 'hess' || e.fn === 'jac' || e.fn === 'hvp' || e.fn === 'jvp') {
      const [f, x, v] = args as [Node, Node, Node?];
      try {
        return v ? directional(e.fn as 'hvp' | 'jvp', f, x, v) : derivative(e.fn as DerivativeKind, f, x);
      } catch (err) {
        if (err instanceof ShapeError) throw new MatdiffError('E014', err.message, at(e.span));
        throw err;
      }
    }
    return shaped(e.span, () => sig.build(args));
  };

  const resolveArg = (kind: ArgKind, a: Expr): Node | Dim =>
    kind === 'dim' ? dimArg(a) : kind === 'var' ? varArg(a) : expr(a);

  const statement = (s: Statement) => {
    switch (s.kind) {
      case 'decl':
        return declare(s);
      case 'def': {
        if (RESERVED.has(s.name)) throw fail('E006', at(s.nameSpan), s.name);
        if (dimNames.has(s.name)) throw fail('E011', at(s.nameSpan), s.name);
        if (model.vars.has(s.name) || model.defs.has(s.name)) throw fail('E005', at(s.nameSpan), s.name);
        try {
          model.defs.set(s.name, { name: s.name, node: expr(s.expr), span: s.span });
          if (!s.where) model.output = s.name;
        } catch (e) {
          poisoned.add(s.name);
          throw e;
        }
        return;
      }
      case 'assert': {
        const left = expr(s.left);
        const right = expr(s.right);
        if (!shapeEq(left.shape, right.shape))
          throw fail('E010', at(s.span), 'assert', shapeBrief(left.shape), shapeBrief(right.shape));
        model.asserts.push({ left, right, text: prog.source.slice(s.span.start, s.span.end).trim(), span: s.span });
        return;
      }
    }
  };

  /** Elaborates one statement once, recording (not throwing) its error. */
  function run(s: Statement): void {
    if (done.has(s)) return;
    pending.add(s);
    try {
      statement(s);
    } catch (e) {
      if (e instanceof MatdiffError) errors.push(e);
      else if (e !== POISON) throw e;
    } finally {
      pending.delete(s);
      done.add(s);
    }
  }

  for (const s of prog.statements) run(s);
  return { model, errors };
}

/** Thrown when an expression uses a name whose definition already failed: reported once, at the definition. */
const POISON = Symbol('poisoned');
