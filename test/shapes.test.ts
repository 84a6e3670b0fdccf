/**
 * Shape inference: every example model parses, with the shapes we expect; symbolic
 * dimensions unify across a model (and only with themselves); broadcasting is exactly
 * LANGUAGE.md's; a 1×1 result is a scalar wherever a scalar is needed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, print, ModelErrors, evaluate } from '../src/index.js';
import { shapeText } from '../src/shape/shape.js';
import { main } from '../src/cli/main.js';
import { mat } from '../src/eval/mat.js';

const EXAMPLES = join(import.meta.dirname, '..', 'examples');
const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.mdf'))
  .sort();

const shapesOf = (source: string, opts?: Parameters<typeof parse>[2]): Record<string, string> => {
  const model = parse(source, 'model.mdf', opts);
  return Object.fromEntries([...model.vars, ...model.defs].map(([k, d]) => [k, shapeText(d.node.shape)]));
};

const shapeError = (source: string): string => {
  try {
    parse(source, 'model.mdf');
  } catch (e) {
    if (e instanceof ModelErrors) return e.errors.map((x) => x.message).join('\n');
    throw e;
  }
  return 'no error';
};

/** Shapes of definitions in the examples we know; files added later are checked generically. */
const KNOWN: Record<string, Record<string, string>> = {
  'mlp.mdf': { X: '[n, B]', Y: '[k, B]', b1: '[h]', H: '[h, B]', P: '[k, B]', L: '[]' },
};

describe('examples/', () => {
  it('has example models', () => expect(exampleFiles).toContain('mlp.mdf'));

  for (const f of exampleFiles) {
    const source = readFileSync(join(EXAMPLES, f), 'utf8');

    it(`${f} parses and shape-checks`, () => {
      const model = parse(source, f);
      expect(model.defs.size + model.asserts.length).toBeGreaterThan(0);
      // Every dimension in every shape is a declared symbol or a number.
      for (const d of [...model.vars.values(), ...model.defs.values()])
        for (const dim of [d.node.shape.rows, d.node.shape.cols])
          for (const sym of dim.syms) expect(model.dims, `${d.name}: ${shapeText(d.node.shape)}`).toContain(sym);
      if (KNOWN[f]) expect(shapesOf(source)).toMatchObject(KNOWN[f]!);
    });

    it(`${f}: the printed model (ASCII) re-parses to the same definitions`, () => {
      const model = parse(source, f);
      // `print` writes `NAME: [shape] = expr`; as input a definition is `NAME = expr`.
      const text = print(model, 'ascii')
        .split('\n')
        .map((line) => line.replace(/^(\S+): \[[^\]]*\] = /, '$1 = '))
        .join('\n');
      const again = parse(text, 'printed.mdf');
      for (const [name, d] of model.defs) expect(again.defs.get(name)!.node, name).toBe(d.node);
    });

    it(`${f}: matdiff print exits 0 and shows every definition with its shape`, async () => {
      const r = await main(['print', join(EXAMPLES, f)]);
      expect(r.code).toBe(0);
      const model = parse(source, f);
      for (const [name, d] of model.defs) expect(r.out).toContain(`${name}: ${shapeText(d.node.shape)} = `);
    });
  }

  it('mlp.mdf prints exactly', async () => {
    const r = await main(['print', join(EXAMPLES, 'mlp.mdf')]);
    expect(r.out).toBe(
      [
        'X: [n, B]',
        'Y: [k, B]',
        'W1: [h, n]',
        'b1: [h]',
        'W2: [k, h]',
        'b2: [k]',
        'H: [h, B] = relu(W1·X + b1)',
        'P: [k, B] = softmax(W2·H + b2)',
        'L: [] = −sum(Y ⊙ log(P)) / B',
      ].join('\n'),
    );
  });
});

describe('symbolic dimensions', () => {
  it('unify across the model: a name is one size everywhere', () => {
    const model = parse('A: [m, n]; B: [n, p]; x: [p]\nC = A·B·x\nD = C + A·ones(n)', 'm.mdf');
    expect(model.dims).toEqual(['m', 'n', 'p']);
    expect(shapeText(model.defs.get('C')!.node.shape)).toBe('[m]');
    expect(shapeText(model.defs.get('D')!.node.shape)).toBe('[m]');
  });

  it('are rigid: different names are different sizes, and a name is not a number', () => {
    expect(shapeError('x: [n]; y: [m]\nz = x + y')).toBe('cannot add [n] and [m]: shapes differ and do not broadcast');
    expect(shapeError('x: [n]; y: [3]\nz = x + y')).toBe('cannot add [n] and [3]: shapes differ and do not broadcast');
  });

  it('--dims fixes sizes: then n and 3 are the same', () => {
    expect(shapesOf('x: [n]; y: [3]\nz = x + y', { dims: new Map([['n', 3]]) })).toMatchObject({ x: '[3]', z: '[3]' });
  });

  it('a dimension is a scalar value in an expression, products of dimensions too', () => {
    expect(shapesOf('A: [m, n]\nL = sum(A) / (m·n)\nM = n·A\nN = A / m')).toMatchObject({
      L: '[]',
      M: '[m, n]',
      N: '[m, n]',
    });
  });

  it('products of dimensions from vec and unvec', () => {
    expect(shapesOf('A: [m, n]\nv = vec(A)\nB = unvec(v, m)\nC = unvec(v, n)\nu = ones(m·n)\nw = v + u')).toMatchObject(
      {
        v: '[m·n]',
        B: '[m, n]',
        C: '[n, m]',
        u: '[m·n]',
        w: '[m·n]',
      },
    );
  });

  it('declarations: [] scalar, [d] column, [d, 1] column, [1, d] row', () => {
    expect(shapesOf('s: []; x: [n]; y: [n, 1]; r: [1, n]\nz = x + y')).toEqual({
      s: '[]',
      x: '[n]',
      y: '[n]',
      r: '[1, n]',
      z: '[n]',
    });
  });

  it('shapes of every operator', () => {
    const shapes = shapesOf(
      [
        'A: [m, n]; B: [n, p]; C: [n, n]; x: [n]; s: []',
        'mm = A·B',
        'tA = Aᵀ',
        'iC = C⁻¹',
        'had = A ⊙ A',
        'dv = A ⊘ A',
        'sc = A / s',
        'pw = A.^2',
        'f = tanh(A)',
        'sm = softmax(A)',
        'lse = logsumexp(A)',
        'lsev = logsumexp(x)',
        'su = sum(A)',
        'mn = mean(A)',
        'nr = ‖A‖',
        't = tr(C)',
        'dt = det(C)',
        'ld = logdet(C)',
        'dg = diag(x)',
        'dgv = diag(C)',
        'vc = vec(A)',
        'uv = unvec(vec(A), m)',
        'o1 = ones(n)',
        'o2 = ones(m, n)',
        'z = zeros(m, n)',
        'id = I(n)',
        'outer = x·xᵀ',
        'inner = xᵀ·x',
        'g = grad(sum(A·B), A)',
        'h = hess(xᵀ·C·x, x)',
        'j = jac(C·x, x)',
        'j2 = jac(A·x, x)',
      ].join('\n'),
    );
    expect(shapes).toMatchObject({
      mm: '[m, p]',
      tA: '[n, m]',
      iC: '[n, n]',
      had: '[m, n]',
      dv: '[m, n]',
      sc: '[m, n]',
      pw: '[m, n]',
      f: '[m, n]',
      sm: '[m, n]',
      lse: '[1, n]',
      lsev: '[]',
      su: '[]',
      mn: '[]',
      nr: '[]',
      t: '[]',
      dt: '[]',
      ld: '[]',
      dg: '[n, n]',
      dgv: '[n]',
      vc: '[m·n]',
      uv: '[m, n]',
      o1: '[n]',
      o2: '[m, n]',
      z: '[m, n]',
      id: '[n, n]',
      outer: '[n, n]',
      inner: '[]',
      g: '[m, n]',
      h: '[n, n]',
      j: '[n, n]',
      j2: '[m, n]',
    });
  });
});

describe('broadcasting is exactly LANGUAGE.md §2', () => {
  const DECL = 'A: [m, n]; x: [m]; y: [n]; r: [1, n]; c: [1, m]; s: []; M: [n, m]';
  // [expression, result shape or the error]
  const cases: [string, string][] = [
    // a scalar combines with any shape
    ['A + s', '[m, n]'],
    ['s + A', '[m, n]'],
    ['x ⊙ s', '[m]'],
    ['s ⊘ r', '[1, n]'],
    ['s - s', '[]'],
    // a column [m] combines with [m, n] column by column, on either side
    ['A + x', '[m, n]'],
    ['x + A', '[m, n]'],
    ['A ⊙ x', '[m, n]'],
    ['x ⊘ A', '[m, n]'],
    ['A - x', '[m, n]'],
    // a row [1, n] with [m, n] row by row
    ['A + r', '[m, n]'],
    ['r ⊙ A', '[m, n]'],
    ['A ⊘ r', '[m, n]'],
    ['r - A', '[m, n]'],
    // nothing else
    ['A + y', 'cannot add [m,n] and [n]: shapes differ and do not broadcast'],
    ['A + c', 'cannot add [m,n] and [1,m]: shapes differ and do not broadcast'],
    ['x + r', 'cannot add [m] and [1,n]: shapes differ and do not broadcast'],
    ['x ⊙ c', 'cannot multiply elementwise [m] and [1,m]: shapes differ and do not broadcast'],
    ['A + M', 'cannot add [m,n] and [n,m]: shapes differ and do not broadcast'],
    ['A ⊙ Aᵀ', 'cannot multiply elementwise [m,n] and [n,m]: shapes differ and do not broadcast'],
    ['A ⊘ y', 'cannot divide [m,n] elementwise by [n]: shapes differ and do not broadcast'],
    ['A - c', 'cannot subtract [1,m] from [m,n]: shapes differ and do not broadcast'],
    ['x + y', 'cannot add [m] and [n]: shapes differ and do not broadcast'],
  ];
  for (const [e, want] of cases)
    it(`${e}: ${want}`, () => {
      const source = `${DECL}\nE = ${e}`;
      if (want.startsWith('[')) expect(shapesOf(source).E).toBe(want);
      else expect(shapeError(source)).toBe(want);
    });

  it('the reference interpreter broadcasts the same way', () => {
    const model = parse(`${DECL}\nP = A + x\nQ = A ⊙ r\nR = A - s`, 'b.mdf');
    const A = mat(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6));
    const env = {
      vars: new Map([
        ['A', A],
        ['x', mat(2, 1, Float64Array.of(10, 20))],
        ['r', mat(1, 3, Float64Array.of(1, 10, 100))],
        ['s', mat(1, 1, Float64Array.of(1))],
      ]),
      dims: new Map([
        ['m', 2],
        ['n', 3],
      ]),
    };
    const [P, Q, R] = evaluate(
      ['P', 'Q', 'R'].map((k) => model.defs.get(k)!.node),
      env,
    );
    expect([...P!.data]).toEqual([11, 12, 13, 24, 25, 26]);
    expect([...Q!.data]).toEqual([1, 20, 300, 4, 50, 600]);
    expect([...R!.data]).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('a 1×1 result is a scalar wherever a scalar is needed', () => {
  const DECL = 'A: [m, n]; x: [m]; y: [m]; v: [n]';
  const cases: [string, string][] = [
    ['(xᵀ·y)·A', '[m, n]'],
    ['A·(vᵀ·v)', '[m, n]'],
    ['A / (xᵀ·x)', '[m, n]'],
    ['(xᵀ·y)²', '[]'],
    ['(xᵀ·y)^-1', '[]'],
    ['exp(xᵀ·y)·A', '[m, n]'],
    ['A + xᵀ·y', '[m, n]'],
    ['xᵀ·A·v', '[]'],
    ['(xᵀ·A·v)·x', '[m]'],
    ['tr(xᵀ·y)', '[]'],
    ['det(xᵀ·y)', '[]'],
    ['inv(xᵀ·y)·x', '[m]'],
    ['grad(xᵀ·A·v, v)', '[n]'],
    ['hess((xᵀ·x)², x)', '[m, m]'],
  ];
  for (const [e, want] of cases) it(`${e}: ${want}`, () => expect(shapesOf(`${DECL}\nE = ${e}`).E).toBe(want));
});
