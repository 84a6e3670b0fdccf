/**
 * One size of one family, measured in-process as the CLI would run it (net of start-up):
 * `print` (parse, shape-check, print back), `grad` (parse, differentiate by every
 * variable, simplify, print the gradient lines), `emit --target ts` in its two parts
 * (parse, build the program and generate the module's text; then prettier formats it)
 * and `run` (instantiate the module, one valueAndGrad on random data). Every phase parses its own copy of the model under fresh names, so no
 * phase profits from another's interned nodes or simplifier memo.
 */
import { parse, print } from '../../src/index.js';
import { grads } from '../../src/diff/derivative.js';
import { topoOrder } from '../../src/graph/node.js';
import { derivativeLines } from '../../src/print/gradients.js';
import { dimValue } from '../../src/shape/dim.js';
import { isScalar } from '../../src/shape/shape.js';
import { buildProgram } from '../../codegen/program.js';
import { emitModule } from '../../codegen/ts/emit.js';
import { instantiate } from '../../codegen/compile.js';
import type { Model } from '../../src/model/model.js';

export interface Measured {
  printMs: number;
  gradMs: number;
  /** Building the program and generating the module's text (matdiff's own part of `emit`). */
  emitMs: number;
  /** Formatting that text with prettier (the rest of `emit --target ts`); NaN when skipped. */
  formatMs: number;
  /** Characters of the generated module. */
  moduleChars: number;
  runMs: number;
  /** Characters of the printed gradient lines (Unicode). */
  chars: number;
  /** Nodes of the simplified gradient graph (all gradients together). */
  nodes: number;
  lines: string[];
}

let fresh = 0;
const tag = () => `_${(fresh++).toString(36)}`;

const timed = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const r = f();
  return [r, performance.now() - t0];
};

function outputAndWrt(model: Model) {
  const out = model.defs.get(model.output!)!;
  const vars = new Set(topoOrder([out.node]));
  const wrt = [...model.vars.values()].filter((v) => vars.has(v.node)).map((v) => ({ name: v.name, node: v.node }));
  return { output: { name: out.name, node: out.node }, wrt };
}

export async function measure(
  source: (size: number, tag: string) => string,
  size: number,
  dims: Record<string, number>,
  opts: {
    run?: boolean;
    /** Modules longer than this are not formatted (prettier takes about 20 µs a character). */ formatLimit?: number;
  } = {},
): Promise<Measured> {
  const [, printMs] = timed(() => print(parse(source(size, tag()), 'bench.mdf')));

  const [g, gradMs] = timed(() => {
    const model = parse(source(size, tag()), 'bench.mdf');
    const { output, wrt } = outputAndWrt(model);
    const gs = grads(
      output.node,
      wrt.map((w) => w.node),
    );
    return { gs, lines: derivativeLines(model, 'grad', output, wrt, gs, 'unicode') };
  });

  const t0 = performance.now();
  const model = parse(source(size, tag()), 'bench.mdf');
  const program = buildProgram({ model, ...outputAndWrt(model) });
  const text = emitModule(program, { lang: 'ts' });
  const emitMs = performance.now() - t0;
  let formatMs = NaN;
  if (text.length <= (opts.formatLimit ?? Infinity)) {
    const t1 = performance.now();
    const prettier = await import('prettier');
    await prettier.format(text, { parser: 'babel-ts' }); // as emitTs does
    formatMs = performance.now() - t1;
  }

  let runMs = NaN;
  if (opts.run !== false) {
    const env = new Map(Object.entries(dims));
    const inputs: Record<string, Float64Array | number> = {};
    let seed = 1;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const v of program.inputs) {
      const k = dimValue(v.node.shape.rows, env) * dimValue(v.node.shape.cols, env);
      inputs[v.name] = isScalar(v.node.shape) ? rand() : Float64Array.from({ length: k }, rand);
    }
    const [, ms] = timed(() => instantiate(program, 'f64').valueAndGrad(inputs, dims));
    runMs = ms;
  }
  return {
    printMs,
    gradMs,
    emitMs,
    formatMs,
    moduleChars: text.length,
    runMs,
    chars: g.lines.reduce((s, l) => s + l.length, 0),
    nodes: topoOrder(g.gs).length,
    lines: g.lines,
  };
}
