/**
 * Reproducers of the adversarial review (issue 10), one `describe` per finding: names
 * that must become identifiers in every target; check's false holds; numbers that
 * overflow; sizes that cannot fit; data errors without a place; and the agreement of
 * the interpreter and the kernels at the edges. Each states the review's reproducer.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ts from 'typescript';
import { instantiate, programOf } from '../codegen/compile.js';
import { emitTs } from '../codegen/ts/emit.js';
import { emitWgsl } from '../codegen/wgsl/emit.js';
import { identifier, quote } from '../codegen/ts/names.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, formatReport, parse } from '../src/index.js';
import { main } from '../src/cli/main.js';
import { evaluate } from '../src/eval/interpret.js';
import { mat } from '../src/eval/mat.js';
import { unexpectedErrorText } from '../src/cli/failure.js';
import { simplify } from '../src/simplify/simplify.js';
import { printExpr } from '../src/print/printer.js';
import { DECLS, arbExpr } from './gen.js';

/** Every code point the grammar's `letter` accepts beyond ASCII: Lu, Ll, Lt, Lm, Lo, except ᵀ. */
const LETTERS: number[] = [];
for (let c = 0x80; c <= 0x10ffff; c++)
  if (c !== 0x1d40 && /\p{Lu}|\p{Ll}|\p{Lt}|\p{Lm}|\p{Lo}/u.test(String.fromCodePoint(c))) LETTERS.push(c);

const letter = fc.oneof(
  fc.constantFrom(...'abcXYZ'),
  fc.integer({ min: 0, max: LETTERS.length - 1 }).map((i) => String.fromCodePoint(LETTERS[i]!)),
);
/** A name as the grammar accepts it: a letter, then letters, digits and `_`. */
const name = fc
  .tuple(letter, fc.array(fc.oneof(letter, fc.constantFrom('0', '7', '_')), { maxLength: 3 }))
  .map(([a, rest]) => a + rest.join(''));

const syntaxErrors = (code: string): string[] =>
  (
    ts.transpileModule(code, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } })
      .diagnostics ?? []
  ).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));

describe('every name the grammar accepts is an identifier in the generated code', () => {
  it('ⸯ (U+2E2F, a letter to the grammar, not to JavaScript)', async () => {
    const p = programOf(parse('ⸯ: [n]\nL = sum(ⸯ ⊙ ⸯ)', 'u.mdf'));
    expect(syntaxErrors(await emitTs(p))).toEqual([]);
    expect(quote('ⸯ')).toBe('"\\u2e2f"');
    expect(identifier('v_', 'aⸯb')).toBe('v_a_b');
  });

  it('a property over the letter classes: TS, WGSL host module and Python names', async () => {
    await fc.assert(
      fc.asyncProperty(name, name, async (x, d) => {
        let model;
        try {
          model = parse(`${x}: [${d}]\nL = sum(${x} ⊙ ${x})`, 'names.mdf');
        } catch {
          fc.pre(false); // a reserved word, or x = d
          return;
        }
        const p = programOf(model!);
        expect(syntaxErrors(await emitTs(p)), x).toEqual([]);
        const wgsl = await emitWgsl(p, { dtype: 'f32', lang: 'ts' });
        expect(syntaxErrors(wgsl), x).toEqual([]);
        // Shader identifiers are ASCII: every `var<storage…> NAME` and `NAME: u32` field.
        for (const m of wgsl.matchAll(/var<storage[^>]*>\s*([^\s:]+)\s*:|^\s*([^\s:]+): u32,/gm))
          expect(m[1] ?? m[2]).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        for (const target of ['js', 'python', 'ascii'] as const) {
          const id = identifier('v_', x, target);
          const ok = {
            js: /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u,
            python: /^[\p{XID_Start}_]\p{XID_Continue}*$/u,
            ascii: /^[A-Za-z_][A-Za-z0-9_]*$/,
          }[target];
          expect(id, target).toMatch(ok);
          if (target === 'python') expect(id.normalize('NFKC')).toBe(id);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});

const dir = mkdtempSync(join(tmpdir(), 'matdiff-reliability-'));
let files = 0;
/** A file with `text` in the scratch folder. */
function file(text: string, ext = 'mdf'): string {
  const f = join(dir, `f${files++}.${ext}`);
  writeFileSync(f, text);
  return f;
}
const verdict = (src: string, trials = 20) => check(parse(src), { trials })[0]!;
const report = (src: string) => formatReport(check(parse(src)));

describe('check: no false holds', () => {
  it('identities that fail only at 0, the kink of sign and step, fail', () => {
    for (const a of ['assert sign(x) ⊙ sign(x) = ones(n)', 'assert step(x) + step(-x) = ones(n)']) {
      const r = verdict(`x: [n]\n${a}`);
      expect(r.verdict.status, a).toBe('fails');
      if (r.verdict.status === 'fails') expect([...r.verdict.counterexample.inputs.get('x')!.data]).toContain(0);
    }
    // … and at a constant's kink, and where relu's and abs's identities break at 0.
    expect(verdict('x: [n]\nassert step(x − 0.5) + step(0.5 − x) = ones(n)').verdict.status).toBe('fails');
    expect(verdict('x: [n]\nassert abs(x) ⊘ x = sign(x) ⊙ sign(x) ⊘ sign(x)').verdict.status).not.toBe('fails');
    // Identities that hold at the kinks still hold.
    for (const a of ['assert relu(x) = x ⊙ step(x)', 'assert abs(x) = x ⊙ sign(x)', 'assert relu(x) − relu(−x) = x'])
      expect(verdict(`x: [n]\n${a}`).verdict.status, a).toBe('holds');
  });

  it('repeated entries and rank-one matrices are drawn (unless spd)', () => {
    // det(A) ≠ 0 holds for continuous draws; rank one breaks it at n ≥ 2.
    expect(verdict('A: [n, n]\nassert det(A)·0 + step(abs(det(A))) = 1').verdict.status).toBe('fails');
    expect(verdict('K: [n, n] spd\nassert step(det(K)) = 1').verdict.status).toBe('holds');
  });

  it('the tolerance is the round-off of the sides, not 1e-9: x + 1e-9 = x fails', () => {
    expect(verdict('x: [n]\nassert x + 1e-9 = x').verdict.status).toBe('fails');
    expect(verdict('s: []\nassert s + 1e-12·s = s').verdict.status).toBe('fails');
    // Round-off itself is not a failure: long cancelling sums and inverses still hold.
    expect(verdict('A: [n, n]; B: [n, n]\nassert inv(A·B) = inv(B)·inv(A)').verdict.status).toBe('holds');
    expect(verdict('x: [n]\nassert σ(x) + σ(−x) = ones(n)').verdict.status).toBe('holds');
  });

  it('never a false fails: a random expression against its simplified form, confirmed on special and rank-one draws', () => {
    const model = parse(DECLS, 'decls.mdf');
    fc.assert(
      fc.property(arbExpr({ maxDepth: 4 }), (e) => {
        const right = simplify(e.node);
        const text = `assert ${printExpr(e.node, 'unicode')} = ${printExpr(right, 'unicode')}`;
        const [r] = check({ ...model, asserts: [{ left: e.node, right, text, span: { start: 0, end: 0 } }] });
        expect(r!.verdict.status, formatReport([r!])).not.toBe('fails');
      }),
      { numRuns: 100 },
    );
  });

  it('inv(x·xᵀ)·x·xᵀ = I(n) could not be decided: only n = 1 draws are valid, and the report says why', () => {
    const out = report('x: [n]\nassert inv(x·xᵀ)·x·xᵀ = I(n)');
    expect(out).toBe(
      'line 2: assert inv(x·xᵀ)·x·xᵀ = I(n): could not be decided\n' +
        '  only 0 of 20 trials were valid at sizes ≥ 2 (size 1 proves little: a 1×1 matrix is a scalar), and 5 are needed: ' +
        'every draw made x·xᵀ, a matrix to invert, singular (or nearly)',
    );
  });

  it('a holds says how many trials were valid, at which sizes', () => {
    expect(report('A: [n, n]; P: [n, m]\nassert det(A·A)·sum(P) = det(A)^2·sum(P)')).toMatch(
      /^line 2: .*: holds \(numeric, 20 trials\), at n = 1…5, m = 1…5$/,
    );
    const r = verdict('x: [n]\nassert log(x ⊙ x) = 2·log(abs(x))');
    expect(r.verdict).toMatchObject({ status: 'holds', how: 'numeric', requested: 20 });
  });

  it('counterexamples print enough digits to show the difference', () => {
    const out = report('s: []\nassert s·(1 + 1e-7) = s');
    const left = /left: {2}s·\(1 \+ 1e-7\) = (\S+)/.exec(out)![1]!;
    const right = /right: s = (\S+)/.exec(out)![1]!;
    expect(Number(left)).not.toBe(Number(right));
    expect(Number(left)).toBe(Number(right) * (1 + 1e-7));
  });

  it('a big counterexample prints sizes and the entries that differ most, not megabytes', async () => {
    const r = await main(['check', file('A: [n, n]\nassert A + 0.001·diag(diag(A)) = A'), '--dims', 'n=300']);
    expect(r.code).toBe(1);
    expect(r.out.length).toBeLessThan(2000);
    expect(r.out).toContain('    A = a 300×300 matrix');
    expect(r.out).toContain('  left:  A + 0.001·diag(diag(A)), a 300×300 matrix');
    expect(r.out).toMatch(/where they differ most:\n {4}\[(\d+)\]\[\1\]: left \S+, right \S+\n/);
  }, 60_000);

  it('symbolic decisions are unchanged', () => {
    expect(verdict('A: [n, n]; B: [n, n]\nassert (A·B)ᵀ = Bᵀ·Aᵀ').verdict).toEqual({
      status: 'holds',
      how: 'symbolic',
    });
  });
});

describe('numbers that overflow', () => {
  it('run refuses an infinite or NaN value or gradient, naming it and its first non-finite entry', async () => {
    const model = file('p: [n] pos\nL = sum(1 ⊘ p)');
    const r = await main(['run', model, '--inputs', file('{"p": [1, 5e-324]}', 'json')]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error\[E045\]: the value of L is not finite: L = Infinity/);
    const g = await main(['run', file('p: [n] pos\nL = sum(log(p))'), '--inputs', file('{"p": [1, 5e-324]}', 'json')]);
    expect(g.err).toMatch(/^error\[E045\]: the gradient ∂L\/∂p is not finite: ∂L\/∂p\[1\] = Infinity/);
  });

  it('an overflowing literal is a located error, and so is a product of constants that overflows', async () => {
    const r = await main(['grad', file('x: [n]\nL = sum(x·1e309)'), '--format', 'ascii']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/:2:11: error\[E018\]: the number 1e309 is too large/);
    const p = await main(['grad', file('x: [n]\nL = sum(x)·1e200·1e200'), '--format', 'ascii']);
    expect(p.code).toBe(1);
    expect(p.err).toMatch(/:2:5: error\[E018\]: this constant expression has no finite value/);
    expect((await main(['print', file('x: [n]\nL = sum(x.^1e400)')])).err).toMatch(
      /:2:12: error\[E018\]: the number 1e400/,
    );
  });

  it('0·X is zeros, so the norm of zero differentiates to zeros rather than to 0/0 (found by codegen-random)', async () => {
    const zero = await main(['grad', file('S: [n, n]\nL = ‖tr(0·abs(Sᵀ))‖'), '--wrt', 'S']);
    expect(zero.err).toBe('');
    expect(zero.out).toBe('∂L/∂S = zeros(n, n)');
    const div = await main(['grad', file('x: [n]\nL = sum(x) / (0·sum(x))')]);
    expect(div.code).toBe(1);
    expect(div.err).toMatch(/:2:1: error\[E018\]: this constant expression has no finite value: it divides by zero/);
    const emitted = await main(['emit', file('x: [n]\nL = sum(x) / (0·sum(x))')]);
    expect(emitted.code).toBe(1);
    expect(emitted.err).toMatch(/:2:1: error\[E018\]: this constant expression has no finite value/);
  });

  it('A·0 is zeros as 0·X is, so ‖xᵀ·zeros(m, 1)‖ differentiates (found by codegen-random)', async () => {
    const both = await main(['grad', file('x: [m]\nL = ‖xᵀ·zeros(m, 1)‖ + ‖x‖')]);
    expect(both.err).toBe('');
    expect(both.out).toBe('∂L/∂x = x / L'); // L = ‖x‖: the model's own name
    const alone = await main(['grad', file('x: [m]\nL = ‖zeros(1, m)·x‖ + sum(x)'), '--format', 'ascii']);
    expect(alone.err).toBe('');
    expect(alone.out).toBe('dL/dx = ones(m)');
  });

  it('logdet from the LU factors: the interpreter and run agree at n = 200, where det overflows', async () => {
    const n = 200;
    const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 100 : 0)));
    const model = parse('A: [n, n]\nL = logdet(A)');
    const [v] = evaluate([model.defs.get('L')!.node], {
      vars: new Map([['A', mat(n, n, Float64Array.from(A.flat()))]]),
      dims: new Map([['n', n]]),
    });
    expect(v!.data[0]).toBeCloseTo(n * Math.log(100), 9);
    const r = await main(['run', file('A: [n, n]\nL = logdet(A)'), '--inputs', file(JSON.stringify({ A }), 'json')]);
    expect(JSON.parse(r.out).value).toBeCloseTo(v!.data[0]!, 9);
    const c = await main(['check', file('A: [n, n] spd\nassert logdet(A) = −logdet(inv(A))'), '--dims', 'n=60']);
    expect(c.out).toMatch(/holds \(numeric, 20 trials\)/);
  }, 60_000);
});

describe('sizes that cannot fit', () => {
  it('x: [99999999999999999999] is a located error: a dimension must be a safe integer', async () => {
    const r = await main(['print', file('x: [99999999999999999999]\nL = sum(x)')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /:1:5: error\[E007\]: a dimension must be a positive integer, got 99999999999999999999, larger than 9007199254740991/,
    );
    const d = await main(['print', file('x: [n]\nL = sum(x)'), '--dims', 'n=99999999999999999999']);
    expect(d.code).toBe(2);
  });

  it('run refuses, before allocating, a model whose largest intermediate exceeds the memory limit', async () => {
    const model = file('x: [n]\nL = sum(x·xᵀ)');
    const data = file(JSON.stringify({ x: Array.from({ length: 20000 }, () => 1) }), 'json');
    const r = await main(['run', model, '--inputs', data, '--max-memory', '1GB']);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'error[E046]: running this model needs about 3.2 GB of memory, more than the limit of 1 GB: its largest intermediate, x·xᵀ, ' +
        'is 20000×20000 (3.2 GB). Use smaller sizes, or raise the limit with --max-memory (e.g. --max-memory 64GB)',
    );
    expect((await main(['run', model, '--inputs', data, '--max-memory', 'lots'])).code).toBe(2);
  });

  it('run --dims n=100000000 with an [n, n] sum is refused by its work estimate, at once', async () => {
    const model = file('x: [k]; z: [n]\nL = sum(ones(n)·xᵀ·x·ones(n)ᵀ)');
    const data = file('{"x": [1, 2]}', 'json');
    const r = await main(['run', model, '--inputs', data, '--dims', 'n=100000000']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error\[E046\]: running this model needs about 1\.0e16 operations, more than 1\.0e15 .*: its costliest step, sum\(.*\), over 100000000×100000000 entries, takes 1\.0e16/,
    );
    expect(JSON.parse((await main(['run', model, '--inputs', data, '--dims', 'n=3'])).out).value).toBe(45);
  });

  it('check with A: [1000000, 1000000] is refused by the estimate, never a "matdiff bug"', async () => {
    const r = await main(['check', file('A: [1000000, 1000000]\nassert sum(exp(A)) = sum(A)')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /could not be decided\n {2}checking this assert needs about \d+ TB of memory, more than the limit/,
    );
    expect(r.out + r.err).not.toMatch(/matdiff bug|nested too deeply/);
  });

  it('an allocation failure is labelled out of memory, a stack overflow as nesting, the rest as a bug', () => {
    expect(unexpectedErrorText(new RangeError('Array buffer allocation failed'))).toMatch(
      /^error\[E046\]: out of memory/,
    );
    expect(unexpectedErrorText(new RangeError('Invalid typed array length: 10000000000'))).toMatch(
      /^error\[E046\]: out of memory/,
    );
    expect(unexpectedErrorText(new RangeError('Maximum call stack size exceeded'))).toMatch(/nested too deeply/);
    expect(unexpectedErrorText(new TypeError('x is undefined'))).toMatch(/^error\[E030\]: matdiff bug: x is undefined/);
  });
});

describe('data errors are located', () => {
  const model = file('x: [m]; s: []; A: [n, n] sym\nL = sum(x)·s + sum(A)');
  const run = (json: string) => main(['run', model, '--inputs', file(json, 'json')]);

  it.each([
    ['{"x": [1, 2], "s": 1e309, "A": [[1]]}', ':1:20: error[E042]: s is 1e309, which is not a finite number'],
    [
      '{"x": [[1, 1]], "s": 1, "A": [[1]]}',
      ':1:7: error[E043]: x is declared [m], a vector, so its value is a flat array of numbers, as in [1, 2, 3]; got a 1×2 matrix',
    ],
    [
      '{"x": [1, 2], "s": 1, "x": [3], "A": [[1]]}',
      ':1:23: error[E040]: the key "x" is given twice (first at line 1, column 2)',
    ],
    [
      '{\n  "x": [1, 2],\n  "s": 1,\n  "A": [[1, 2], [3, 1]]\n}',
      ':4:18: error[E044]: A is declared sym, but it is not symmetric',
    ],
    ['{"x": [1, 2,], "s": 1}', ':1:13: error[E040]: not valid JSON: expected a value'],
    ['{"x": [1, "a"], "s": 1, "A": [[1]]}', ':1:11: error[E042]: x[1] is "a": expected a finite number'],
    ['{"x": [1, 2], "s": 1, "A": [[1]], "y": 2}', ":1:35: error[E041]: 'y' is not a declared variable"],
    [
      '{"x": [1, 2], "s": 1, "A": [[1, 2], [2]]}',
      ':1:37: error[E043]: A: ragged rows: A[1] has 1 entry, but A[0] has 2',
    ],
  ])('%s', async (json, message) => {
    const r = await run(json);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message);
    expect(r.err).toMatch(/\n {2}\|\n1? ?\d* \| /); // the line and a caret
  });

  it('a UTF-8 byte-order mark is accepted, as in model files', async () => {
    const r = await run('\uFEFF{"x": [1, 2], "s": 1, "A": [[1]]}');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).value).toBe(4);
  });
});

describe('the interpreter and the kernels agree on every operator, at the edges', () => {
  const close = (a: number, b: number) =>
    Object.is(a, b) || a === b || Math.abs(a - b) <= 1e-13 * Math.max(Math.abs(a), Math.abs(b));

  function agree(src: string, vars: Record<string, number[] | number[][]>, dims: Record<string, number>) {
    const model = parse(src);
    const out = model.defs.get('E')!.node;
    const toMat = (v: number[] | number[][]) =>
      Array.isArray(v[0])
        ? mat(v.length, (v[0] as number[]).length, Float64Array.from((v as number[][]).flat()))
        : mat(v.length, 1, Float64Array.from(v as number[]));
    const [want] = evaluate([out], {
      vars: new Map(Object.entries(vars).map(([k, v]) => [k, toMat(v)])),
      dims: new Map(Object.entries(dims)),
    });
    const got = instantiate(programOf(model), 'f64').forward(vars, dims);
    const g = typeof got === 'number' ? [got] : Array.from(got);
    for (let i = 0; i < g.length; i++)
      expect(close(g[i]!, want!.data[i]!), `${src}: [${i}] ${g[i]} vs ${want!.data[i]}`).toBe(true);
  }

  it('elementwise functions at 0, −0, ±1, overflow and underflow', () => {
    const any = [0, -0, 1, -1, 40, -40, 700, -700, 1e-300, 1e300];
    const pos = [5e-324, 1e-300, 0.5, 1, 2, 700, 1e300];
    for (const f of ['exp', 'abs', 'sin', 'cos', 'tanh', 'σ', 'relu', 'softplus', 'step', 'sign'])
      agree(`x: [n]\nE = ${f}(x)`, { x: any }, { n: any.length });
    for (const f of ['log', 'sqrt']) agree(`p: [n] pos\nE = ${f}(p)`, { p: pos }, { n: pos.length });
  });

  it('softmax, logsumexp, det, logdet and inv at large values and sizes', () => {
    agree(
      'Z: [m, k]\nE = softmax(Z)',
      {
        Z: [
          [1000, -1000],
          [1000, 0],
          [-1000, 5e-324],
        ],
      },
      { m: 3, k: 2 },
    );
    agree(
      'Z: [m, k]\nE = logsumexp(Z)',
      {
        Z: [
          [1000, -1000],
          [1000, 0],
          [-1000, 5e-324],
        ],
      },
      { m: 3, k: 2 },
    );
    const n = 200;
    const A = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (i === j ? 100 + (i % 3) : (i + j) % 7 === 0 ? 1 : 0)),
    );
    agree('A: [n, n]\nE = logdet(A)', { A }, { n });
    agree('A: [n, n]\nE = inv(A)', { A: A.slice(0, 30).map((r) => r.slice(0, 30)) }, { n: 30 });
    agree('A: [n, n]\nE = det(A)', { A: A.slice(0, 30).map((r) => r.slice(0, 30)) }, { n: 30 });
  });
});

describe('the position-keeping JSON parser', () => {
  it('reads what JSON.parse reads, on random JSON texts', async () => {
    const { parseJson } = await import('../codegen/json.js');
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJson(text).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what JSON.parse refuses, and duplicate keys, with a position', async () => {
    const { parseJson, JsonSyntaxError } = await import('../codegen/json.js');
    for (const bad of ['1.', '-', '01', '1e', '[1,]', '{"a":1,}', '"\\x"', 'tru', '1 2', "{'a': 1}", '[', ''])
      expect(() => parseJson(bad), bad).toThrow(JsonSyntaxError);
    expect(() => parseJson('{"a": 1, "b": {"c": 2, "c": 3}}')).toThrow(
      'the key "c" is given twice (first at line 1, column 16)',
    );
  });
});
