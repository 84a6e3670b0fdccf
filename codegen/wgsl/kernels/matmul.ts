/**
 * Matrix products out[m, n] = op(A)[m, k] · op(B)[k, n], the operands read in place:
 * op(X)(r, c) = trans ? x[c·ld + r] : x[r·ld + c]. A transpose is never copied.
 *
 * Variants (the host picks by the sizes bound at run time; with numeric sizes the choice
 * is made here and only one shader is emitted):
 *  - 'dot': one invocation per output entry, a loop over k. For products with a side
 *    shorter than 4 (matrix·vector, outer products) and for small outputs (m·n ≤ 4096),
 *    where tiles would idle or leave too few invocations.
 *  - 'tiled': each invocation computes a 4×4 block of the output in registers (sixteen
 *    fused multiply-adds per 4 + 4 operand loads of one k step); a workgroup is 8×8
 *    invocations, a 32×32 tile — or, when m (n) is a number ≤ 16, 16 wide and just tall
 *    (wide) enough. k advances by 4 with 4×4 operand blocks, then a scalar tail.
 *    Operand blocks are read as vec4 along the operand's contiguous axis when its
 *    leading dimension is a multiple of 4 (`av4`/`bv4`); a transposed operand is read
 *    along its storage rows and transposed in registers. Workgroup-memory staging is
 *    deliberately absent: on llvmpipe it measured slower than plain register tiling.
 * Edge tiles clamp their row and column indices (reads) and guard their stores.
 */
import type { MatmulStep, MatOperand } from '../../ir.js';
import { isNumeric, type Dim } from '../../../src/shape/dim.js';
import { LINEAR_BUILTINS, LINEAR_GROUP, type Kernel, type Shader } from '../shader.js';
import { type Size, isConstSize, sz } from '../sizes.js';
import type { Epilogue } from '../epilogue.js';

export type MatmulVariant = { kind: 'dot' } | { kind: 'tiled'; av4: boolean; bv4: boolean; big: boolean };

const DOT_WG = 64;
const XYZW = ['x', 'y', 'z', 'w'] as const;

/** When 'dot' is used rather than 'tiled'. */
export function dotChoice(sh: Shader, s: MatmulStep): Size {
  const M = sh.sizeOfDim(s.m);
  const N = sh.sizeOfDim(s.n);
  return sz('||', sz('||', sz('<=', M, 3), sz('<=', N, 3)), sz('<=', sz('*', M, N), 1024));
}

/** When an operand's blocks may be read as vec4: its leading dimension is a multiple of 4. */
export function vec4Choice(sh: Shader, x: MatOperand): Size {
  return sz('==', sz('%', sh.sizeOf(x.ld), 4), 0);
}

const numeric = (d: Dim): number | undefined => (isNumeric(d) ? d.k : undefined);

/** When the tiled kernel computes 8×8 outputs per invocation rather than 4×4: both sides at least 64. */
export function bigTileChoice(sh: Shader, s: MatmulStep): Size {
  return sz('&&', sz('<=', 64, sh.sizeOfDim(s.m)), sz('<=', 64, sh.sizeOfDim(s.n)));
}

/** Workgroup shape of the tiled kernel: [x, y] invocations, TM×TN outputs each; just tall (wide) enough for a short (narrow) numeric side. */
function tileShape(s: MatmulStep, TM: number, TN: number): [number, number] {
  const m = numeric(s.m);
  const n = numeric(s.n);
  if (m !== undefined && m <= 4 * TM) return [16, Math.ceil(m / TM)];
  if (n !== undefined && n <= 4 * TN) return [Math.ceil(n / TN), 16];
  return [8, 8];
}

/** `ep`: an elementwise epilogue applied to each entry before it is stored (epilogue.ts). */
export function matmulKernel(sh: Shader, s: MatmulStep, v: MatmulVariant, ep?: Epilogue): Kernel {
  return v.kind === 'dot' ? dotKernel(sh, s, ep) : tiledKernel(sh, s, v, ep);
}

/** The value stored at (i, j): v, or the epilogue of it. */
const stored = (ep: Epilogue | undefined, i: string, j: string, v: string): string =>
  ep ? `epilogue(${i}, ${j}, ${v})` : v;

function dotKernel(sh: Shader, s: MatmulStep, ep?: Epilogue): Kernel {
  const MS = sh.sizeOfDim(s.m);
  const NS = sh.sizeOfDim(s.n);
  const total = sz('*', MS, NS);
  const N = sh.dim(s.n);
  const K = sh.dim(s.k);
  const a = sh.read(s.a.buffer);
  const b = sh.read(s.b.buffer);
  const out = sh.write(s.out);
  const lda = sh.ext(s.a.ld);
  const ldb = sh.ext(s.b.ld);
  const aAt = s.a.trans ? `${a}[p * ${lda} + i]` : `${a}[ra + p]`;
  const bAt = s.b.trans ? `${b}[cb + p]` : `${b}[p * ${ldb} + j]`;
  const code = `${ep ? '\n' + sh.epilogue(ep) : ''}
@compute @workgroup_size(${DOT_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  let e = group * ${DOT_WG}u + lid;
  if (e >= ${sh.size('total', total)}) { return; }
  let i = e / ${N};
  let j = e % ${N};
  ${[s.a.trans ? '' : `let ra = i * ${lda};`, s.b.trans ? `let cb = j * ${ldb};` : ''].filter(Boolean).join('\n  ')}
  var acc = 0.0;
  for (var p = 0u; p < ${K}; p++) { acc = fma(${aAt}, ${bAt}, acc); }
  ${out}[e] = ${stored(ep, 'i', 'j', 'acc')};
}`;
  return sh.finish(code, [sz('cdiv', total, DOT_WG), 1], {
    linear: true,
    comment: `matrix product ${desc(s)}, one invocation per entry`,
  });
}

const desc = (s: MatmulStep): string => `${s.a.trans ? 'Aᵀ' : 'A'}·${s.b.trans ? 'Bᵀ' : 'B'}`;

function tiledKernel(sh: Shader, s: MatmulStep, v: Extract<MatmulVariant, { kind: 'tiled' }>, ep?: Epilogue): Kernel {
  const { av4, bv4, big } = v;
  const TM = big ? 8 : 4; // rows per invocation
  const TN = big ? 8 : 4; // columns per invocation
  const [WX, WY] = tileShape(s, TM, TN);
  const MS = sh.sizeOfDim(s.m);
  const NS = sh.sizeOfDim(s.n);
  const M = sh.dim(s.m);
  const N = sh.dim(s.n);
  const K = sh.dim(s.k);
  const lda = sh.ext(s.a.ld);
  const ldb = sh.ext(s.b.ld);
  const A = sh.read(s.a.buffer, av4 ? 'vec4f' : 'f32');
  const B = sh.read(s.b.buffer, bv4 ? 'vec4f' : 'f32');
  const rowsExact = isConstSize(MS) && MS % TM === 0; // no row of a tile past m
  const colsExact = isConstSize(NS) && NS % TN === 0;
  const nVec4 = isConstSize(NS) && NS % 4 === 0; // output rows start at multiples of 4: vec4 stores
  const out = sh.write(s.out, nVec4 ? 'vec4f' : 'f32');
  const q4 = [0, 1, 2, 3];
  const rows = Array.from({ length: TM }, (_, r) => r);
  const cols = Array.from({ length: TN }, (_, c) => c);
  const groups = Array.from({ length: TN / 4 }, (_, g) => g); // vec4 column groups
  const rowGroups = Array.from({ length: TM / 4 }, (_, h) => h);
  const el = (buf: string, vec: boolean, idx: string) =>
    vec ? `${buf}[(${idx}) >> 2u][(${idx}) & 3u]` : `${buf}[${idx}]`;
  const comp = (k: number) => XYZW[k % 4]!;
  const setup: string[] = [];
  const block: string[] = [];
  const tail: string[] = [];
  let AV: (r: number, q: number) => string;
  let TA: (r: number) => string;

  // ── A: AV(r, q) = A(i0 + r, p + q); TA(r) = A(i0 + r, p) in the tail ──
  if (!s.a.trans) {
    for (const r of rows) setup.push(`let ra${r} = min(i0 + ${r}u, ${M} - 1u) * ${lda};`);
    for (const r of rows)
      block.push(
        av4
          ? `let a${r} = ${A}[(ra${r} + p) >> 2u];`
          : `let a${r} = vec4f(${q4.map((q) => `${A}[ra${r} + p + ${q}u]`).join(', ')});`,
      );
    AV = (r, q) => `a${r}.${comp(q)}`;
    for (const h of rowGroups)
      tail.push(`let ta${h} = vec4f(${q4.map((r) => el(A, av4, `ra${4 * h + r} + p`)).join(', ')});`);
  } else {
    // A(i, p) = a[p·lda + i]: contiguous along i, vec4 over 4 rows.
    if (!av4) for (const r of rows) setup.push(`let ia${r} = min(i0 + ${r}u, ${M} - 1u);`);
    for (const h of rowGroups)
      for (const q of q4)
        block.push(
          av4
            ? `let a${q}_${h} = ${A}[((p + ${q}u) * ${lda} + i0 + ${4 * h}u) >> 2u];`
            : `let a${q}_${h} = vec4f(${q4.map((r) => `${A}[(p + ${q}u) * ${lda} + ia${4 * h + r}]`).join(', ')});`,
        );
    AV = (r, q) => `a${q}_${r >> 2}.${comp(r)}`;
    for (const h of rowGroups)
      tail.push(
        av4
          ? `let ta${h} = ${A}[(p * ${lda} + i0 + ${4 * h}u) >> 2u];`
          : `let ta${h} = vec4f(${q4.map((r) => `${A}[p * ${lda} + ia${4 * h + r}]`).join(', ')});`,
      );
  }
  TA = (r) => `ta${r >> 2}.${comp(r)}`;

  // ── B: b{q}_{g} = (B(p + q, j0 + 4g + c))_c; tb{g} the same at p in the tail ──
  if (!s.b.trans) {
    if (!bv4) for (const c of cols) setup.push(`let jb${c} = min(j0 + ${c}u, ${N} - 1u);`);
    for (const g of groups)
      for (const q of q4)
        block.push(
          bv4
            ? `let b${q}_${g} = ${B}[((p + ${q}u) * ${ldb} + j0 + ${4 * g}u) >> 2u];`
            : `let b${q}_${g} = vec4f(${q4.map((c) => `${B}[(p + ${q}u) * ${ldb} + jb${4 * g + c}]`).join(', ')});`,
        );
    for (const g of groups)
      tail.push(
        bv4
          ? `let tb${g} = ${B}[(p * ${ldb} + j0 + ${4 * g}u) >> 2u];`
          : `let tb${g} = vec4f(${q4.map((c) => `${B}[p * ${ldb} + jb${4 * g + c}]`).join(', ')});`,
      );
  } else {
    // B(p, j) = b[j·ldb + p]: contiguous along p, read as vec4 over q and transposed in registers.
    for (const c of cols) setup.push(`let cb${c} = min(j0 + ${c}u, ${N} - 1u) * ${ldb};`);
    for (const c of cols)
      block.push(
        bv4
          ? `let bt${c} = ${B}[(cb${c} + p) >> 2u];`
          : `let bt${c} = vec4f(${q4.map((q) => `${B}[cb${c} + p + ${q}u]`).join(', ')});`,
      );
    for (const g of groups)
      for (const q of q4)
        block.push(`let b${q}_${g} = vec4f(${q4.map((c) => `bt${4 * g + c}.${comp(q)}`).join(', ')});`);
    for (const g of groups)
      tail.push(`let tb${g} = vec4f(${q4.map((c) => el(B, bv4, `cb${4 * g + c} + p`)).join(', ')});`);
  }

  const acc = (r: number, g: number) => `c${r}_${g}`;
  const fmas = rows.flatMap((r) =>
    groups.map(
      (g) => `${acc(r, g)} = ${q4.reduceRight((x, q) => `fma(vec4f(${AV(r, q)}), b${q}_${g}, ${x})`, acc(r, g))};`,
    ),
  );
  const tailFmas = rows.flatMap((r) => groups.map((g) => `${acc(r, g)} = fma(vec4f(${TA(r)}), tb${g}, ${acc(r, g)});`));
  const stores = rows.map((r) => {
    const row = `i0 + ${r}u`;
    const parts = groups.map((g) => {
      const j = `j0 + ${4 * g}u`;
      let st: string;
      if (nVec4) {
        const value = ep
          ? `vec4f(${q4.map((c) => stored(ep, `i${r}`, `j0 + ${4 * g + c}u`, `${acc(r, g)}.${comp(c)}`)).join(', ')})`
          : acc(r, g);
        st = `${out}[((${row}) * ${N} + ${j}) >> 2u] = ${value};`;
      } else
        st = q4
          .map((c) => {
            const one = `${out}[o${r} + ${4 * g + c}u] = ${stored(ep, `i${r}`, `j0 + ${4 * g + c}u`, `${acc(r, g)}.${comp(c)}`)};`;
            return colsExact || (g === 0 && c === 0) ? one : `if (j0 + ${4 * g + c}u < ${N}) { ${one} }`;
          })
          .join(' ');
      // Group 0 always starts inside (j0 < n); later groups may start past n.
      return g === 0 || colsExact ? st : `if (${j} < ${N}) { ${st} }`;
    });
    const body =
      (ep ? `let i${r} = ${row}; ` : '') + (nVec4 ? '' : `let o${r} = (${row}) * ${N} + j0; `) + parts.join(' ');
    return r === 0 || rowsExact ? `{ ${body} }` : `if (${row} < ${M}) { ${body} }`;
  });

  const code = `${ep ? '\n' + sh.epilogue(ep) : ''}
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i0 = (wid.y * ${WY}u + lid.y) * ${TM}u;
  let j0 = (wid.x * ${WX}u + lid.x) * ${TN}u;
  if (i0 >= ${M} || j0 >= ${N}) { return; }${setup.map((l) => '\n  ' + l).join('')}
${rows.flatMap((r) => groups.map((g) => `  var ${acc(r, g)} = vec4f(0.0);`)).join('\n')}
  var p = 0u;
  for (; p + 4u <= ${K}; p += 4u) {
    ${block.join('\n    ')}
    ${fmas.join('\n    ')}
  }
  for (; p < ${K}; p++) {
    ${tail.join('\n    ')}
    ${tailFmas.join('\n    ')}
  }
  ${stores.join('\n  ')}
}`;
  return sh.finish(code, [sz('cdiv', NS, TN * WX), sz('cdiv', MS, TM * WY)], {
    linear: false,
    comment: `matrix product ${desc(s)}, ${TM}×${TN} per invocation, ${WX}×${WY} invocations per workgroup, operands ${av4 ? 'vec4' : 'scalar'}/${bv4 ? 'vec4' : 'scalar'}`,
  });
}
