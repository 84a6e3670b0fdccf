/**
 * src/pipeline.ts is the pipeline the API runs: its stages composed by hand give the same
 * graph nodes and the same module text as the API's functions.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { compileSource, differentiate, elaborate, lower, parse, select } from '../src/pipeline.js';
import { derivatives, emit, parse as parseModel, program } from '../src/index.js';
import { ModelErrors } from '../src/errors.js';

const source = readFileSync('examples/dense.mdf', 'utf8');

describe('the pipeline', () => {
  it('parse → elaborate → select → differentiate gives the nodes derivatives() prints', () => {
    const model = elaborate(parse(source, 'dense.mdf'));
    const selection = select(model, { wrt: ['W', 'b'] });
    const api = derivatives(parseModel(source, 'dense.mdf'), 'grad', { wrt: ['W', 'b'] });
    expect(differentiate(selection)).toEqual(api.results.map((r) => r.node));
    // Hash-consing: the same expression is the same node.
    differentiate(selection).forEach((n, i) => expect(n).toBe(api.results[i]!.node));
  });

  it('→ lower → emit gives the module emit() writes', async () => {
    const model = parseModel(source, 'dense.mdf');
    expect(lower(select(model)).formulas).toEqual(program(model).formulas);
    expect(await compileSource(source, 'dense.mdf', { target: 'ts' })).toBe(await emit(model, { target: 'ts' }));
  });

  it('elaborate throws every problem at once', () => {
    expect(() => elaborate(parse('x: [n]\ny = q + 1\nz = r', 'm.mdf'))).toThrow(ModelErrors);
  });
});

describe('one selection', () => {
  it('the API, the codegen entry and the pipeline select alike, with the same errors', async () => {
    const { programOf: fromCodegen, compile } = await import('../codegen/compile.js');
    const { programOf } = await import('../src/pipeline.js');
    const empty = elaborate(parse('x: [n]'));
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return 'no error';
    };
    for (const f of [programOf, fromCodegen, program, (m: typeof empty) => compile(m)])
      expect(code(() => f(empty))).toBe('E016');
    const m = elaborate(parse('x: [n]\ny = sum(x)'));
    for (const f of [programOf, fromCodegen, program]) {
      expect(code(() => f(m, { of: 'z' }))).toBe('E051');
      expect(code(() => f(m, { wrt: ['q'] }))).toBe('E051');
    }
  });
});
