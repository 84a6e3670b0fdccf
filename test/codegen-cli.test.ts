/**
 * `matdiff run` and `matdiff emit`, driven in-process through `main(argv)`: the JSON
 * printed, the data layout, and the messages for data that does not fit the model.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli/main.js';
import { parse, evaluate, grads } from '../src/index.js';
import { mat } from '../src/eval/mat.js';

const dir = mkdtempSync(join(tmpdir(), 'matdiff-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(content: string | object, ext = 'json'): string {
  const path = join(dir, `f${counter++}.${ext}`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const MLP = 'examples/mlp.mdf';
const mlpData = {
  X: [
    [1, 2, 3],
    [4, 5, 6],
  ],
  Y: [
    [1, 0, 0],
    [0, 1, 1],
  ],
  W1: [
    [0.1, 0.2],
    [0.3, -0.4],
    [0.5, 0.6],
    [0.1, 0.1],
  ],
  b1: [0.1, 0.2, 0.3, 0.4],
  W2: [
    [0.1, 0.2, 0.3, 0.4],
    [-0.1, 0.2, -0.3, 0.4],
  ],
  b2: [0, 0.5],
};

async function run(...argv: string[]) {
  return main(argv);
}

/** The reference value and gradients of the MLP on mlpData. */
function mlpReference(wrt: string[]) {
  const model = parse(readFileSync(MLP, 'utf8'), MLP);
  const toMat = (v: number[] | number[][]) =>
    Array.isArray(v[0])
      ? mat(v.length, (v[0] as number[]).length, Float64Array.from((v as number[][]).flat()))
      : mat(v.length, 1, Float64Array.from(v as number[]));
  const vars = new Map(Object.entries(mlpData).map(([k, v]) => [k, toMat(v)]));
  const L = model.defs.get('L')!.node;
  const g = grads(
    L,
    wrt.map((w) => model.vars.get(w)!.node),
  );
  return evaluate([L, ...g], {
    vars,
    dims: new Map([
      ['n', 2],
      ['B', 3],
      ['k', 2],
      ['h', 4],
    ]),
  });
}

describe('matdiff run', () => {
  it('prints the value and the gradients in the data layout', async () => {
    const r = await run('run', MLP, '--inputs', file(mlpData), '--wrt', 'W1,b1');
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out) as { value: number; grad: Record<string, unknown> };
    expect(Object.keys(out)).toEqual(['value', 'grad']);
    expect(Object.keys(out.grad)).toEqual(['W1', 'b1']);
    const [L, gW1, gb1] = mlpReference(['W1', 'b1']);
    expect(out.value).toBeCloseTo(L!.data[0]!, 12);
    // W1 [h, n]: an array of rows; b1 [h]: a flat array.
    const W1 = out.grad.W1 as number[][];
    expect(W1).toHaveLength(4);
    W1.forEach((row, i) => row.forEach((x, j) => expect(x).toBeCloseTo(gW1!.data[i * 2 + j]!, 12)));
    (out.grad.b1 as number[]).forEach((x, i) => expect(x).toBeCloseTo(gb1!.data[i]!, 12));
  });

  it('without --wrt differentiates by every variable the output depends on', async () => {
    const r = await run('run', MLP, '--inputs', file(mlpData));
    expect(Object.keys(JSON.parse(r.out).grad)).toEqual(['X', 'Y', 'W1', 'b1', 'W2', 'b2']);
  });

  it('runs in float32', async () => {
    const r = await run('run', MLP, '--inputs', file(mlpData), '--wrt', 'W2', '--dtype', 'f32');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    const [L] = mlpReference([]);
    expect(Math.abs(out.value - L!.data[0]!)).toBeLessThan(1e-5);
  });

  it('prints a scalar as a number, a row as one row, and only the value of a non-scalar output', async () => {
    const model = file('x: [n]; r: [1, n]; s: []\nE = s·x·r\nF = sum(E)·s', 'mdf');
    const data = file({ x: [1, 2], r: [[3, 4]], s: 2 });
    const e = JSON.parse((await run('run', model, '--inputs', data, '--of', 'E')).out);
    expect(e).toEqual({
      value: [
        [6, 8],
        [12, 16],
      ],
    });
    const f = JSON.parse((await run('run', model, '--inputs', data)).out);
    expect(f).toEqual({ value: 84, grad: { x: [28, 28], r: [[12, 12]], s: 84 } });
  });

  it('binds fixed sizes with --dims and accepts a scalar as [x] or [[x]]', async () => {
    const model = file('x: [n]; s: []\nE = sum(x)·s + n', 'mdf');
    const r = await run('run', model, '--inputs', file({ x: [1, 2, 3], s: [[2]] }), '--dims', 'n=3');
    expect(JSON.parse(r.out)).toEqual({ value: 15, grad: { x: [2, 2, 2], s: 6 } });
  });

  it('refuses a non-finite result, naming it and its first non-finite entry (JSON has no infinity)', async () => {
    const model = file('x: [n]\nE = log(x)', 'mdf');
    const r = await run('run', model, '--inputs', file({ x: [1, 0, -1] }));
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(
      /^error\[E045\]: the value of E is not finite: E\[1\] = -Infinity \(the first of its 3 entries/,
    );
  });

  describe('data that does not fit the declarations', () => {
    const cases: [string, object | string, RegExp][] = [
      [
        'a dimension',
        {
          ...mlpData,
          W1: [
            [1, 2, 3],
            [1, 2, 3],
            [1, 2, 3],
            [1, 2, 3],
          ],
        },
        /W1: dimension n is 2 from X but W1 has 3 columns/,
      ],
      ['a vector length', { ...mlpData, b2: [1, 2, 3] }, /b2: dimension k is 2 from Y but b2 has 3 entries/],
      [
        'missing names',
        { X: mlpData.X, Y: mlpData.Y },
        /no data for the variables W1: \[h, n\], b1: \[h\], W2: \[k, h\], b2: \[k\]/,
      ],
      ['an unknown name', { ...mlpData, W3: [1] }, /'W3' is not a declared variable; did you mean 'W1'\?/],
      ['a dimension name', { ...mlpData, B: 3 }, /'B' is a dimension, not a variable/],
      [
        '"NaN"',
        {
          ...mlpData,
          X: [
            [1, 2, 3],
            [4, 'NaN', 6],
          ],
        },
        /X\[1\]\[1\] is "NaN": JSON data holds only finite numbers/,
      ],
      [
        '"Infinity"',
        { ...mlpData, b1: [1, 2, '-Infinity', 4] },
        /b1\[2\] is "-Infinity": JSON data holds only finite numbers/,
      ],
      ['null', { ...mlpData, b2: [0, null] }, /b2\[1\] is null: expected a finite number/],
      ['a string', { ...mlpData, b2: [0, 'one'] }, /b2\[1\] is "one": expected a finite number/],
      [
        'ragged rows',
        {
          ...mlpData,
          X: [
            [1, 2, 3],
            [4, 5],
          ],
        },
        /X: ragged rows: X\[1\] has 2 entries, but X\[0\] has 3/,
      ],
      [
        'a flat matrix',
        { ...mlpData, W2: [1, 2, 3, 4, 5, 6, 7, 8] },
        /W2 is declared \[k, h\], a matrix: give it as an array of rows/,
      ],
      ['an empty array', { ...mlpData, b1: [] }, /b1 is empty/],
      ['not JSON', '{"X": [1, 2', /not valid JSON/],
      ['not an object', '[1, 2]', /expected a JSON object from each declared name to its value/],
    ];
    it.each(cases)('%s', async (_what, data, message) => {
      const r = await run('run', MLP, '--inputs', file(data));
      expect(r.code).toBe(1);
      expect(r.out).toBe('');
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    });

    it('a fixed size', async () => {
      const model = file('A: [2, n]\nE = sum(A)', 'mdf');
      const r = await run(
        'run',
        model,
        '--inputs',
        file({
          A: [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        }),
      );
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/A is declared \[2, n\], so it has 2 rows; got 3 rows/);
    });

    it('properties: sym, spd, pos', async () => {
      const model = file('S: [n, n] sym; K: [n, n] spd; p: [n] pos\nE = sum(S) + logdet(K) + sum(log(p))', 'mdf');
      const good = {
        S: [
          [1, 2],
          [2, 1],
        ],
        K: [
          [2, 1],
          [1, 2],
        ],
        p: [1, 2],
      };
      expect((await run('run', model, '--inputs', file(good))).code).toBe(0);
      const bad: [object, RegExp][] = [
        [
          {
            ...good,
            S: [
              [1, 2],
              [3, 1],
            ],
          },
          /S is declared sym, but it is not symmetric: S\[1\]\[0\] = 3 and S\[0\]\[1\] = 2/,
        ],
        [
          {
            ...good,
            K: [
              [1, 2],
              [2, 1],
            ],
          },
          /K is declared spd, but it is not positive definite/,
        ],
        [{ ...good, p: [1, -2] }, /p is declared pos, but p\[1\] = -2 is not positive/],
      ];
      for (const [data, message] of bad) {
        const r = await run('run', model, '--inputs', file(data));
        expect(r.code).toBe(1);
        expect(r.err).toMatch(message);
      }
    });

    it('a size no data determines', async () => {
      const model = file('x: [n]; y: [k]\nE = sum(x)·k', 'mdf');
      const r = await run('run', model, '--inputs', file({ x: [1, 2] }));
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/the size k is not determined by the data.*--dims k=…/);
      expect(JSON.parse((await run('run', model, '--inputs', file({ x: [1, 2] }), '--dims', 'k=3')).out).value).toBe(9);
    });
  });

  it('usage errors exit 2', async () => {
    expect((await run('run', MLP)).code).toBe(2);
    expect((await run('run', MLP, '--inputs', join(dir, 'nope.json'))).code).toBe(2);
    expect((await run('run', MLP, '--inputs', file(mlpData), '--wrt', 'Q')).code).toBe(2);
    expect((await run('run', MLP, '--inputs', file(mlpData), '--dtype', 'f16')).code).toBe(2);
  });
});

describe('matdiff emit', () => {
  it('writes the module to standard output, or to -o', async () => {
    const r = await run('emit', MLP, '--target', 'ts', '--wrt', 'W1,b1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('export function valueAndGrad(inputs: Inputs, dims?: Dims): ValueAndGrad');
    expect(r.out).toContain('"W1": Real;'.replace(/"/g, ''));
    const out = join(dir, 'mlp.ts');
    const w = await run('emit', MLP, '--target', 'ts', '-o', out, '--dtype', 'f32');
    expect(w).toEqual({ code: 0, out: '', err: '' });
    expect(readFileSync(out, 'utf8')).toContain('const Arr = Float32Array;');
  });
});
