/**
 * The generated TypeScript against the reference interpreter: values and gradients of
 * the examples and of formulas that together use every operator, in float64 (to 1e-10,
 * relative to the result's largest entry) and float32 (to 1e-4).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from '../src/index.js';
import { OPS } from '../src/ops/registry.js';
import { topoOrder } from '../src/graph/node.js';
import { compile, programOf } from '../codegen/compile.js';
import * as b from '../src/graph/build.js';
import { shape } from '../src/shape/shape.js';
import { dimSym } from '../src/shape/dim.js';
import { DECLS } from './gen.js';
import { compareModel, failures } from './codegen-util.js';

const SIZES: [string, Map<string, number>][] = [
  [
    'm=2 n=3 p=4',
    new Map([
      ['m', 2],
      ['n', 3],
      ['p', 4],
    ]),
  ],
  [
    'm=1 n=1 p=1',
    new Map([
      ['m', 1],
      ['n', 1],
      ['p', 1],
    ]),
  ],
  [
    'm=5 n=1 p=2',
    new Map([
      ['m', 5],
      ['n', 1],
      ['p', 2],
    ]),
  ],
  [
    'm=9 n=13 p=10',
    new Map([
      ['m', 9],
      ['n', 13],
      ['p', 10],
    ]),
  ],
];

/** Scalar formulas over DECLS (test/gen.ts): value and every gradient are compared. */
const SCALAR_FORMULAS = [
  'sum(A ⊙ A) + sum(x)·s',
  'sum(exp(A) ⊙ sin(A)) + sum(cos(A))',
  'sum(tanh(A) ⊙ σ(A)) + sum(softplus(A))',
  'sum(erf(A) ⊙ A) + sum(erf(3·A)) + sum(erf(x))',
  'sum(relu(A)) + sum(abs(A)) + sum(step(A) ⊙ A) + sum(sign(A) ⊙ A)',
  'sum(log(q)) + sum(q.^-0.5) + sum(q.^1.5) + sum(q.^-1) + sum(sqrt(q)) + sum(q.^3)',
  'xᵀ·A·y',
  'sum(Aᵀ·A) + sum(A·Aᵀ) + sum(Bᵀ·Aᵀ) + sum(A·B)',
  'tr(C) + tr(C·C) + tr(Cᵀ·S)',
  'sum(softmax(A) ⊙ A) + sum(softmax(Aᵀ)) + sum(logsumexp(A)) + logsumexp(y)',
  'logdet(K) + det(K) + sum(inv(K) ⊙ S)',
  'logdet(Cᵀ·C + I(n)) + det(C·Cᵀ + I(n)) + sum(inv(Cᵀ·C + I(n)) ⊙ C)',
  'sum(diag(y) ⊙ C) + diag(C)ᵀ·y + sum(diag(x))',
  'sum(vec(A) ⊙ vec(A)) + sum(unvec(vec(A), m) ⊙ A) + sum(unvec(vec(Aᵀ), n) ⊙ Aᵀ) + sum(vec(A ⊙ A + 1))',
  'sum(A + x) + sum(A ⊙ r) + sum(s·A) + sum(A ⊘ (1 + A ⊙ A))',
  'sum(A) / m + mean(A) + ‖A‖ + n',
  'sum(ones(m, n) ⊙ A) + sum(zeros(m, n) + A) + tr(I(n) ⊙ C) + sum(I(n)·y)',
  'xᵀ·D·x + sum((D + Dᵀ)·x)',
  's²·t + t^-1 + exp(s)',
  'sum(F·A·B) + sum(w ⊙ w)',
  'sum(A·ones(n)) + sum(ones(m)ᵀ·A) + sum(ones(p, m)·A) + sum(A·ones(n, p))',
  'sum((x·r) ⊙ A) + sum(y·yᵀ ⊙ S)',
  'sum(softmax(A ⊙ A + x)·B) + sum(exp(logsumexp(Aᵀ)))',
  'sum((A ⊗ Bᵀ) ⊙ (exp(A) ⊗ Bᵀ)ᵀᵀ) + sum(commutation(m, n)·vec(A) ⊙ vec(Aᵀ)) + sum(x ⊗ y ⊗ rᵀ)',
];

/** Non-scalar outputs: the forward value only. */
const FORWARD_FORMULAS = [
  'softmax(A) + x',
  'A·B',
  'inv(K)·y',
  'vec(A)',
  'Aᵀ',
  'diag(C)',
  'unvec(vec(A), m)ᵀ',
  'logsumexp(A)',
  'x·r',
  'A·ones(n, p)',
  'ones(2, m)·A',
  'Bᵀ·Aᵀ + exp(B)ᵀ·Aᵀ',
  'diag(x) + D',
  'I(n)',
  'A ⊗ Bᵀ',
  '(x ⊗ r + r ⊗ x)ᵀ ⊗ ones(2, 1)',
  'commutation(m, n) + I(m·n)',
];

const modelOf = (formula: string) => parse(`${DECLS}\nE = ${formula}`, 'formula.mdf');

describe('generated TypeScript agrees with the reference interpreter', () => {
  for (const [label, dims] of SIZES)
    describe(label, () => {
      it.each(SCALAR_FORMULAS)('%s', (f) => {
        expect(failures(compareModel(modelOf(f), dims, 7))).toEqual([]);
      });
      it.each(FORWARD_FORMULAS)('forward %s', (f) => {
        expect(failures(compareModel(modelOf(f), dims, 11))).toEqual([]);
      });
    });

  it('the formulas use every operator', () => {
    const used = new Set<string>();
    for (const f of [...SCALAR_FORMULAS, ...FORWARD_FORMULAS]) {
      const p = programOf(modelOf(f));
      const roots = [p.output.node, ...p.wrt.map((w) => w.grad)];
      for (const n of topoOrder(roots)) used.add(n.op);
    }
    expect(Object.keys(OPS).filter((op) => !used.has(op))).toEqual([]);
  });
});

const EXAMPLES = new URL('../examples/', import.meta.url);
const exampleFiles = readdirSync(EXAMPLES).filter(
  (f) => f.endsWith('.mdf') && !readFileSync(new URL(f, EXAMPLES), 'utf8').includes('assert'),
);

describe('examples through the generated TypeScript', () => {
  const dims = new Map([
    ['n', 4],
    ['B', 5],
    ['k', 3],
    ['h', 6],
    ['m', 7],
    ['d', 3],
  ]);
  it.each(exampleFiles)('%s', (file) => {
    const model = parse(readFileSync(new URL(file, EXAMPLES), 'utf8'), file);
    expect(failures(compareModel(model, new Map([...dims].filter(([d]) => model.dims.includes(d))), 3))).toEqual([]);
  });
});

describe('names that are JavaScript keywords or Object.prototype properties', () => {
  it('__proto__ (not a name of the language, but of a graph built by hand) is an ordinary key', () => {
    const model = parse('x: [n]\nE = sum(x)', 'proto.mdf');
    const proto = b.variable('__proto__', shape(dimSym('n'), dimSym('n')));
    model.vars.set('__proto__', { name: '__proto__', node: proto, props: [], span: { start: 0, end: 0 } });
    const x = model.vars.get('x')!.node;
    model.defs.set('F', { name: 'F', node: b.sum(b.matmul(proto, x)), span: { start: 0, end: 0 } });
    model.output = 'F';
    const r = compile(model).valueAndGrad(JSON.parse('{"__proto__": [[1, 2], [3, 4]], "x": [1, 1]}'));
    expect(r.value).toBe(10);
    expect(Object.keys(r.grad)).toEqual(['x', '__proto__']);
    expect(Object.getPrototypeOf(r.grad)).toBe(Object.prototype);
    expect(Array.from(r.grad['__proto__'] as Float64Array)).toEqual([1, 1, 1, 1]);
    expect(failures(compareModel(model, new Map([['n', 3]]), 5))).toEqual([]);
  });

  it('compiles and runs', () => {
    const model = parse(
      'X: [n]; constructor: [n, n]; let: [n]; π: []; toString: [n] pos; valueOf: [n]\nhasOwnProperty = sum(constructor·X) + sum(log(toString)) + π·sum(let ⊙ X) + sum(valueOf)',
      'names.mdf',
    );
    expect(failures(compareModel(model, new Map([['n', 3]]), 5))).toEqual([]);
  });
});
