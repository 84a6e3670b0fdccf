/**
 * `--json` output of `print`, `grad`, `hess`, `jac` and `check`: one JSON object on one
 * line, for tools and editors. The schema is docs/cli-json.md; every object carries
 * `"schema": "matdiff/<command>@1"`, whose number changes only when a field changes
 * meaning or goes away.
 */
import type { Model } from '../model/model.js';
import type { Format } from '../print/context.js';
import type { CheckReport, Derivatives, PrintedModel } from '../api.js';
import type { AssertResult, Layout } from '../check/check.js';
import type { Mat } from '../eval/mat.js';

export function printJson(model: Model, p: PrintedModel): string {
  return JSON.stringify({
    schema: 'matdiff/print@1',
    file: model.file,
    format: p.format,
    output: model.output ?? null,
    dims: p.dims,
    declarations: p.declarations.map((d) => ({ name: d.name, shape: d.shape, properties: d.properties, text: d.text })),
    definitions: p.definitions.map((d) => ({
      name: d.name,
      shape: d.shape,
      line: d.line,
      expression: d.expression,
      text: d.text,
    })),
    asserts: p.asserts.map((a) => ({ line: a.line, left: a.left, right: a.right, text: a.text })),
  });
}

export function derivativesJson(model: Model, d: Derivatives, format: Format): string {
  return JSON.stringify({
    schema: `matdiff/${d.kind}@1`,
    file: model.file,
    format,
    output: d.output,
    results: d.results.map((r) => ({ wrt: r.wrt, shape: r.shape, lhs: r.lhs[format], text: r.text[format] })),
    where: d.where.map((w) => ({
      name: w.name,
      shape: w.shape,
      printedName: w.printedName[format],
      text: w.text[format],
    })),
    lines: d.lines(format),
  });
}

export function checkJson(model: Model, report: CheckReport): string {
  return JSON.stringify({
    schema: 'matdiff/check@1',
    file: model.file,
    results: report.results.map(resultJson),
    summary: { ...report.counts, text: report.summary },
  });
}

function resultJson(r: AssertResult): Record<string, unknown> {
  const head = { line: r.line, assert: r.text, left: r.leftText, right: r.rightText };
  const v = r.verdict;
  switch (v.status) {
    case 'holds':
      return { ...head, status: 'holds', how: v.how, ...(v.how === 'numeric' ? { trials: v.trials } : {}) };
    case 'fails': {
      const c = v.counterexample;
      return {
        ...head,
        status: 'fails',
        ...(v.note ? { note: v.note } : {}),
        counterexample: {
          dims: Object.fromEntries(c.dims),
          inputs: Object.fromEntries([...c.inputs].map(([name, m]) => [name, value(m, c.layouts.get(name))])),
          left: value(c.left, c.sideLayout),
          right: value(c.right, c.sideLayout),
        },
      };
    }
    default: {
      // 'unchecked' (with its reason), and any verdict added later: its status and plain fields.
      const rest = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).filter(([, x]) => x === null || typeof x !== 'object'),
      );
      return { ...head, ...rest };
    }
  }
}

/** A value in the data JSON layout: a number, a flat array for a vector, rows for a matrix; null for a non-finite entry. */
function value(m: Mat, layout?: Layout): unknown {
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  const as = layout ?? (m.rows === 1 && m.cols === 1 ? 'scalar' : m.cols === 1 ? 'vector' : 'matrix');
  if (as === 'scalar') return num(m.data[0]!);
  if (as === 'vector') return Array.from(m.data, num);
  return Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols), num));
}
