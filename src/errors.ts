/**
 * The catalogue of every error matdiff reports, in one place. Each kind has a stable
 * code and a message builder; phases throw `MatdiffError`s built from here, and the CLI
 * prints them as `FILE:LINE:COLUMN: error[CODE]: message`, the source line and a caret
 * underline. No other kind of exception is meant to reach a user.
 */
import type { Span } from './parse/ast.js';

export const ERRORS = {
  E001: { title: 'syntax error', msg: (expected: string) => `expected ${expected}` },
  E002: { title: 'nesting too deep', msg: (limit: number) => `expressions nest deeper than ${limit} levels` },
  E003: { title: 'unknown name', msg: (name: string, hint: string) => `unknown name '${name}'${hint}` },
  E004: { title: 'used before definition', msg: (name: string) => `'${name}' is used before its definition` },
  E005: { title: 'redefinition', msg: (name: string) => `'${name}' is already defined` },
  E006: { title: 'reserved word', msg: (name: string) => `'${name}' is a reserved word and cannot name a variable` },
  E007: {
    title: 'bad dimension',
    msg: (got: string, why: 'value' | 'unsafe' | 'rank' = 'value') =>
      `a dimension must be a positive integer, got ${got}` +
      (why === 'unsafe' ? `, larger than ${Number.MAX_SAFE_INTEGER} (a dimension must be a safe integer)` : '') +
      (why === 'rank' ? ' dimensions (at most 2)' : ''),
  },
  E008: { title: 'wrong arity', msg: (fn: string, want: string, got: number) => `${fn} takes ${want}, got ${got}` },
  E009: { title: 'unknown function', msg: (name: string, hint: string) => `unknown function '${name}'${hint}` },
  E010: {
    title: 'shape mismatch',
    // 'rule': an operator's shape rule (src/ops) phrased it, naming the operator and both shapes.
    msg: (...a: ['rule', text: string] | ['subtract' | 'divide' | 'assert', left: string, right: string]) => {
      if (a[0] === 'rule') return a[1];
      const [what, l, r] = a;
      if (what === 'assert') return `the sides of the assert differ in shape: ${l} and ${r}`;
      const op = what === 'subtract' ? `subtract ${r} from ${l}` : `divide ${l} elementwise by ${r}`;
      return `cannot ${op}: shapes differ and do not broadcast`;
    },
  },
  E011: { title: 'dimension and variable', msg: (name: string) => `'${name}' is both a dimension and a variable` },
  E012: {
    title: 'matrix power',
    msg: (shape: string, p: number) =>
      `a matrix power is not defined for ${shape}: write .^${p} for the elementwise power` +
      (p === 2 ? ' or A·A for the matrix product' : ''),
  },
  E013: {
    title: 'not a scalar',
    // 'rule': a derivative's shape rule (src/diff) phrased it.
    msg: (...a: ['rule', text: string] | ['divisor' | 'gradient', left: string, right: string]) => {
      if (a[0] === 'rule') return a[1];
      const [what, l, r] = a;
      return what === 'divisor'
        ? `cannot divide ${l} by ${r}: '/' needs a scalar divisor; use ⊘ (./) to divide elementwise`
        : `gradients need a scalar output; ${l} is ${r}`;
    },
  },
  // Free text: a derivative's shape rule (src/diff) names the operator and the shapes.
  E014: { title: 'derivative order', msg: (text: string) => text },
  E015: {
    title: 'bad argument',
    msg: (what: 'uncalled' | 'called' | 'transpose' | 'dimension' | 'wrt', name = '') => {
      switch (what) {
        case 'uncalled':
          return `'${name}' is a function: call it, as in ${name}(…)`;
        case 'called':
          return `'${name}' is a variable, not a function; write ${name}·(…) to multiply`;
        case 'transpose':
          return `'T' is only a transpose mark, as in A^T`;
        case 'dimension':
          return 'expected a dimension here: a positive integer or a dimension name';
        case 'wrt':
          return 'expected a declared variable to differentiate with respect to';
      }
    },
  },
  E016: { title: 'no output', msg: () => 'the model defines nothing' },
  E017: {
    title: 'property',
    msg: (prop: string, name: string, shape: string) => `'${prop}' needs a square matrix, but ${name} is ${shape}`,
  },
  E018: {
    title: 'number out of range',
    msg: (text: string) => `the number ${text} is too large: the largest float64 is about 1.8e308`,
  },
  // Free text: the WebGPU runtime's own messages (codegen/wgsl/runtime.ts).
  E020: { title: 'bad data', msg: (text: string) => text },
  E021: { title: 'unsupported', msg: (text: string) => text },
  // Data of `matdiff run` (codegen/data.ts): file, names, entries, shapes, properties;
  // free text phrased there, from the JSON positions, names and shapes it reads.
  E040: { title: 'data file', msg: (text: string) => text },
  E041: { title: 'data names', msg: (text: string) => text },
  E042: { title: 'data entry', msg: (text: string) => text },
  E043: { title: 'data shape', msg: (text: string) => text },
  E044: { title: 'data property', msg: (text: string) => text },
  E045: { title: 'result not finite', msg: (text: string) => text },
  E046: {
    title: 'too large',
    // 'memory': src/util/memory.ts phrases the need, the limit and the largest intermediate.
    msg: (
      ...a: ['memory', text: string] | ['work', ops: string, limit: string, step: string, space: string, cost: string]
    ) =>
      a[0] === 'memory'
        ? a[1]
        : `running this model needs about ${a[1]} operations, more than ${a[2]} (about a day at 1e10 a second): ` +
          `its costliest step, ${a[3]}, ${a[4]}, takes ${a[5]}. Use smaller sizes`,
  },
  E030: { title: 'internal error', msg: (text: string) => `matdiff bug: ${text}` },
  // The command line: `matdiff CMD: …` and the command's help, exit 2.
  // Free text: each flag's check phrases what is wrong with it (src/cli/args.ts).
  E050: { title: 'bad invocation', msg: (text: string) => text },
  E051: { title: 'bad option', msg: (option: string, detail: string) => `${option}: ${detail}` },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** Where an error points: a file and a span of its source. */
export interface Place {
  file: string;
  source: string;
  span: Span;
}

export class MatdiffError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly place?: Place,
    /** 1 for bad input (the contract's default), 2 for a bad invocation. */
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
  /** `FILE:LINE:COLUMN: error[CODE]: …` followed by the line and a caret underline. */
  format(): string {
    if (!this.place) return `error[${this.code}]: ${this.message}`;
    const { file, source, span } = this.place;
    const { line, column, text } = lineAt(source, span.start);
    const width = Math.max(1, Math.min(span.end, span.start + text.length - column + 1) - span.start);
    const gutter = String(line).length;
    const pad = ' '.repeat(gutter);
    return [
      `${file}:${line}:${column}: error[${this.code}]: ${this.message}`,
      `${pad} |`,
      `${line} | ${text}`,
      `${pad} | ${' '.repeat(column - 1)}${'^'.repeat(width)}`,
    ].join('\n');
  }
}

/** Every problem of a model, each a located `MatdiffError`; the message lists them all. */
export class ModelErrors extends Error {
  constructor(readonly errors: MatdiffError[]) {
    super(errors.map((e) => e.format()).join('\n\n'));
  }
}

/**
 * A bad option (E051): `option` names it (`'of'`, `'wrt'`), the message says what is
 * wrong (`wrt: 'xx' is not a declared variable; did you mean 'x'?`). The CLI reports it
 * as a usage error (exit 2) about `--of` or `--wrt`.
 */
export class OptionError extends MatdiffError {
  constructor(
    readonly option: string,
    readonly detail: string,
  ) {
    super('E051', ERRORS.E051.msg(option, detail), undefined, 2);
  }
}

/** Builds an error of kind `code`, with the catalogue's message for `args`. */
export function fail<C extends ErrorCode>(
  code: C,
  place: Place | undefined,
  ...args: Parameters<(typeof ERRORS)[C]['msg']>
): MatdiffError {
  const build = ERRORS[code].msg as (...a: unknown[]) => string;
  return new MatdiffError(code, build(...args), place);
}

/** 1-based line and column (in code points) of an offset, and the text of its line. */
export function lineAt(source: string, offset: number): { line: number; column: number; text: string } {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  let lineEnd = source.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = source.length;
  const column = [...source.slice(lineStart, offset)].length + 1;
  return { line, column, text: source.slice(lineStart, lineEnd).replace(/\r$/, '') };
}

/** The closest of `candidates` to `name` by edit distance, as a "did you mean" hint. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  // Not for a one-letter name, which is one edit away from every other one-letter name.
  const near = bestD <= Math.max(1, Math.floor(name.length / 3)) && bestD < name.length;
  return best && near ? `; did you mean '${best}'?` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
