/**
 * The names of a model during elaboration: dimensions, declared variables and
 * definitions, the lookup that resolves a name used in an expression (with the error
 * that fits when it cannot), and the names poisoned by a failed definition.
 */
import type { DimAst, Program, Span, Statement } from '../parse/ast.js';
import { type Place, didYouMean, fail } from '../errors.js';
import type { Node } from '../graph/node.js';
import { type Dim, dimNum, dimSym } from '../shape/dim.js';
import { shape, isSquare, shapeBrief } from '../shape/shape.js';
import * as b from '../graph/build.js';
import { FUNCTIONS, RESERVED } from './functions.js';
import { type Model, placeOf } from './model.js';

export type DeclStatement = Extract<Statement, { kind: 'decl' }>;
export type DefStatement = Extract<Statement, { kind: 'def' }>;

/** Thrown when an expression uses a name whose definition already failed: reported once, at the definition. */
export const POISON = Symbol('poisoned');

export class Scope {
  readonly model: Model;
  /** Definitions that failed: a use of one throws `POISON`. */
  readonly poisoned = new Set<string>();
  /** Every name written as a dimension in a declaration. */
  readonly dimNames = new Set<string>();
  /** The statement index of each name's first definition (to tell "used before defined"). */
  private readonly defLine = new Map<string, number>();
  /** `where` lines (as `matdiff grad` prints them, after the results that use them) may be
   * used before they stand: they are elaborated on first use. */
  private readonly whereDefs = new Map<string, DefStatement>();

  /**
   * `fixedDims`: sizes fixed on the command line (these dimensions become numbers).
   * `elaborateEarly`: elaborates a `where` line now, unless it is done or under way;
   * says whether it did.
   */
  constructor(
    prog: Program,
    private readonly fixedDims: ReadonlyMap<string, number> | undefined,
    private readonly elaborateEarly: (s: DefStatement) => boolean,
  ) {
    this.model = { file: prog.file, source: prog.source, dims: [], vars: new Map(), defs: new Map(), asserts: [] };
    prog.statements.forEach((s, i) => {
      if (s.kind === 'decl') for (const d of s.dims) if (d.kind === 'name') this.dimNames.add(d.name);
      if (s.kind === 'def' && !this.defLine.has(s.name)) this.defLine.set(s.name, i);
      if (s.kind === 'def' && s.where && !this.whereDefs.has(s.name)) this.whereDefs.set(s.name, s);
    });
  }

  /** Where `span` is in the file, for an error. */
  at(span: Span): Place {
    return placeOf(this.model, span);
  }

  /** A dimension as written: a positive integer, or a name (fixed by `fixedDims` or symbolic). */
  dimOf(d: DimAst): Dim {
    if (d.kind === 'num') {
      if (!Number.isInteger(d.value) || d.value <= 0) throw fail('E007', this.at(d.span), String(d.value));
      if (!Number.isSafeInteger(d.value)) throw fail('E007', this.at(d.span), String(d.value), 'unsafe');
      return dimNum(d.value);
    }
    // A definition of the same name is reported once, at the definition.
    if (this.model.vars.has(d.name)) throw fail('E011', this.at(d.span), d.name);
    if (RESERVED.has(d.name)) throw fail('E006', this.at(d.span), d.name);
    const bound = this.fixedDims?.get(d.name);
    if (!this.model.dims.includes(d.name)) this.model.dims.push(d.name);
    return bound !== undefined ? dimNum(bound) : dimSym(d.name);
  }

  /** Refuses a name that a declaration or definition cannot take: reserved (E006), a
   * dimension (E011), or already declared or defined (E005). */
  checkNew(name: string, nameSpan: Span): void {
    if (RESERVED.has(name)) throw fail('E006', this.at(nameSpan), name);
    if (this.dimNames.has(name)) throw fail('E011', this.at(nameSpan), name);
    if (this.model.vars.has(name) || this.model.defs.has(name)) throw fail('E005', this.at(nameSpan), name);
  }

  /** `X : [m, n] props`: a variable of that shape. */
  declare(s: DeclStatement): void {
    this.checkNew(s.name, s.nameSpan);
    if (s.dims.length > 2) throw fail('E007', this.at(s.span), String(s.dims.length), 'rank');
    const [r, c] = s.dims.map((d) => this.dimOf(d));
    const sh = shape(r ?? dimNum(1), c ?? dimNum(1));
    const props = s.props.map((p) => p.prop);
    for (const p of s.props)
      if ((p.prop === 'sym' || p.prop === 'spd') && !isSquare(sh))
        throw fail('E017', this.at(p.span), p.prop, s.name, shapeBrief(sh));
    this.model.vars.set(s.name, { name: s.name, node: b.variable(s.name, sh, props), props, span: s.span });
  }

  /** The node a name used in an expression stands for. */
  lookup(name: string, span: Span): Node {
    const { model } = this;
    const v = model.vars.get(name) ?? model.defs.get(name);
    if (v) return v.node;
    if (this.poisoned.has(name)) throw POISON;
    if (this.dimNames.has(name)) return b.dimValue(this.dimOf({ kind: 'name', name, span }));
    const later = this.whereDefs.get(name);
    if (later && this.elaborateEarly(later)) {
      const d = model.defs.get(name);
      if (d) return d.node;
      throw POISON;
    }
    if (this.defLine.has(name)) throw fail('E004', this.at(span), name);
    if (FUNCTIONS[name]) throw fail('E015', this.at(span), 'uncalled', name);
    if (name === 'T') throw fail('E015', this.at(span), 'transpose');
    const known = [...model.vars.keys(), ...model.defs.keys(), ...this.dimNames];
    throw fail('E003', this.at(span), name, didYouMean(name, known));
  }
}
