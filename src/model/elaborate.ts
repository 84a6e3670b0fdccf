/**
 * Elaboration: the syntax tree of a file becomes a model of graph nodes. Names are
 * resolved (scope.ts), shapes checked (by the smart constructors, elaborate-expr.ts), and
 * every problem becomes a located error from the catalogue. Independent errors are all
 * reported: a statement that fails poisons only the name it defines.
 *
 * This module is the statement level: declarations, definitions (`where` lines among
 * them, elaborated on first use) and assertions, each once.
 */
import type { Program, Statement } from '../parse/ast.js';
import { MatdiffError, fail } from '../errors.js';
import { shapeEq, shapeBrief } from '../shape/shape.js';
import type { Model } from './model.js';
import { elaborateExpr } from './elaborate-expr.js';
import { POISON, Scope } from './scope.js';

export interface ElaborateOptions {
  /** Sizes fixed on the command line (`--dims n=3`): these dimensions become numbers. */
  dims?: ReadonlyMap<string, number>;
}

export function elaborate(prog: Program, opts: ElaborateOptions = {}): { model: Model; errors: MatdiffError[] } {
  const errors: MatdiffError[] = [];
  const done = new Set<Statement>();
  const pending = new Set<Statement>();
  const scope = new Scope(prog, opts.dims, (s) => {
    if (done.has(s) || pending.has(s)) return false;
    run(s);
    return true;
  });
  const { model } = scope;

  const statement = (s: Statement): void => {
    switch (s.kind) {
      case 'decl':
        return scope.declare(s);
      case 'def': {
        scope.checkNew(s.name, s.nameSpan);
        try {
          model.defs.set(s.name, { name: s.name, node: elaborateExpr(scope, s.expr), span: s.span });
          if (!s.where) model.output = s.name;
        } catch (e) {
          scope.poisoned.add(s.name);
          throw e;
        }
        return;
      }
      case 'assert': {
        const left = elaborateExpr(scope, s.left);
        const right = elaborateExpr(scope, s.right);
        if (!shapeEq(left.shape, right.shape))
          throw fail('E010', scope.at(s.span), 'assert', shapeBrief(left.shape), shapeBrief(right.shape));
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
