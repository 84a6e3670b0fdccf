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

export type MatmulVariant = { kind: 'dot' } | { kind: 'tiled'; av4: boolean; bv4: boolean };

const DOT_WG = 64;
const XYZW = ['x', 'y', 'z', 'w'] as const;

/** When 'dot' is used rather than 'tiled'. */
export function dotChoice(sh: Shader, s: MatmulStep): Size {
  const M = sh.sizeOfDim(s.m);
  const N = sh.sizeOfDim(s.n);
  return sz('||', sz('||', sz('<=', M, 3), sz('<=', N, 3)), sz('<=', sz('*', M, N), 4096));
}

/** When an operand's blocks may be read as vec4: its leading dimension is a multiple of 4. */
export function vec4Choice(sh: Shader, x: MatOperand): Size {
  return sz('==', sz('%', sh.sizeOf(x.ld), 4), 0);
}

const numeric = (d: Dim): number | undefined => (isNumeric(d) ? d.k : undefined);

/** Workgroup shape of the tiled kernel: [x, y] invocations, 4×4 outputs each. */
function tileShape(s: MatmulStep): [number, number] {
  const m = numeric(s.m);
  const n = numeric(s.n);
  if (m !== undefined && m <= 16) return [16, Math.ceil(m / 4)];
  if (n !== undefined && n <= 16) return [Math.ceil(n / 4), 16];
  return [8, 8];
}

export function matmulKernel(sh: Shader, s: MatmulStep, v: MatmulVariant): Kernel {
  return v.kind === 'dot' ? dotKernel(sh, s) : tiledKernel(sh, s, v.av4, v.bv4);
}

function dotKernel(sh: Shader, s: MatmulStep): Kernel {
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
  const code = `
@compute @workgroup_size(${DOT_WG})
fn main(${LINEAR_BUILTINS}) {
  ${LINEAR_GROUP}
  let e = group * ${DOT_WG}u + lid;
  if (e >= ${sh.size('total', total)}) { return; }
  let i = e / ${N};
  let j = e % ${N};
  ${s.a.trans ? '' : `let ra = i * ${lda};`}
  ${s.b.trans ? `let cb = j * ${ldb};` : ''}
  var acc = 0.0;
  for (var p = 0u; p < ${K}; p++) { acc = fma(${aAt}, ${bAt}, acc); }
  ${out}[e] = acc;
}`;
  return sh.finish(code, [sz('cdiv', total, DOT_WG), 1], {
    linear: true,
    comment: `matrix product ${desc(s)}, one invocation per entry`,
  });
}

const desc = (s: MatmulStep): string => `${s.a.trans ? 'Aᵀ' : 'A'}·${s.b.trans ? 'Bᵀ' : 'B'}`;

function tiledKernel(sh: Shader, s: MatmulStep, av4: boolean, bv4: boolean): Kernel {
  const [WX, WY] = tileShape(s);
  const MS = sh.sizeOfDim(s.m);
  const NS = sh.sizeOfDim(s.n);
  const M = sh.dim(s.m);
  const N = sh.dim(s.n);
  const K = sh.dim(s.k);
  const lda = sh.ext(s.a.ld);
  const ldb = sh.ext(s.b.ld);
  const A = sh.read(s.a.buffer, av4 ? 'vec4f' : 'f32');
  const B = sh.read(s.b.buffer, bv4 ? 'vec4f' : 'f32');
  const mAligned = isConstSize(MS) && MS % 4 === 0;
  const nAligned = isConstSize(NS) && NS % 4 === 0;
  const out = sh.write(s.out, nAligned ? 'vec4f' : 'f32');
  const r4 = [0, 1, 2, 3];
  const el = (buf: string, v4: boolean, idx: string) => (v4 ? `${buf}[(${idx}) >> 2u][(${idx}) & 3u]` : `${buf}[${idx}]`);
  const setup: string[] = [];
  const block: string[] = [];
  const tail: string[] = [];
  let AV: (r: number, q: number) => string;

  // ── A: A(i0 + r, p + q) ──
  if (!s.a.trans) {
    for (const r of r4) setup.push(`let ra${r} = min(i0 + ${r}u, ${M} - 1u) * ${lda};`);
    for (const r of r4)
      block.push(
        av4
          ? `let a${r} = ${A}[(ra${r} + p) >> 2u];`
          : `let a${r} = vec4f(${r4.map((q) => `${A}[ra${r} + p + ${q}u]`).join(', ')});`,
      );
    AV = (r, q) => `a${r}.${XYZW[q]}`;
    tail.push(`let ta = vec4f(${r4.map((r) => el(A, av4, `ra${r} + p`)).join(', ')});`);
  } else {
    if (!av4) for (const r of r4) setup.push(`let ia${r} = min(i0 + ${r}u, ${M} - 1u);`);
    for (const q of r4)
      block.push(
        av4
          ? `let a${q} = ${A}[((p + ${q}u) * ${lda} + i0) >> 2u];`
          : `let a${q} = vec4f(${r4.map((r) => `${A}[(p + ${q}u) * ${lda} + ia${r}]`).join(', ')});`,
      );
    AV = (r, q) => `a${q}.${XYZW[r]}`;
    tail.push(
      av4
        ? `let ta = ${A}[(p * ${lda} + i0) >> 2u];`
        : `let ta = vec4f(${r4.map((r) => `${A}[p * ${lda} + ia${r}]`).join(', ')});`,
    );
  }

  // ── B: rows b_q = (B(p + q, j0 + c))_c ──
  if (!s.b.trans) {
    if (!bv4) for (const c of r4) setup.push(`let jb${c} = min(j0 + ${c}u, ${N} - 1u);`);
    for (const q of r4)
      block.push(
        bv4
          ? `let b${q} = ${B}[((p + ${q}u) * ${ldb} + j0) >> 2u];`
          : `let b${q} = vec4f(${r4.map((c) => `${B}[(p + ${q}u) * ${ldb} + jb${c}]`).join(', ')});`,
      );
    tail.push(
      bv4
        ? `let tb = ${B}[(p * ${ldb} + j0) >> 2u];`
        : `let tb = vec4f(${r4.map((c) => `${B}[p * ${ldb} + jb${c}]`).join(', ')});`,
    );
  } else {
    for (const c of r4) setup.push(`let cb${c} = min(j0 + ${c}u, ${N} - 1u) * ${ldb};`);
    for (const c of r4)
      block.push(
        bv4
          ? `let bt${c} = ${B}[(cb${c} + p) >> 2u];`
          : `let bt${c} = vec4f(${r4.map((q) => `${B}[cb${c} + p + ${q}u]`).join(', ')});`,
      );
    for (const q of r4) block.push(`let b${q} = vec4f(${r4.map((c) => `bt${c}.${XYZW[q]}`).join(', ')});`);
    tail.push(`let tb = vec4f(${r4.map((c) => el(B, bv4, `cb${c} + p`)).join(', ')});`);
  }

  const fmas = r4.map(
    (r) => `c${r} = ${r4.reduceRight((acc, q) => `fma(vec4f(${AV(r, q)}), b${q}, ${acc})`, `c${r}`)};`,
  );
  const tailFmas = r4.map((r) => `c${r} = fma(vec4f(ta.${XYZW[r]}), tb, c${r});`);
  const stores = r4.map((r) => {
    const row = `i0 + ${r}u`;
    if (nAligned) {
      const st = `${out}[((${row}) * ${N} + j0) >> 2u] = c${r};`;
      return mAligned ? st : `if (${row} < ${M}) { ${st} }`;
    }
    const cols = r4.map((c) => {
      const st = `${out}[o${r} + ${c}u] = c${r}.${XYZW[c]};`;
      return c === 0 ? st : `if (j0 + ${c}u < ${N}) { ${st} }`;
    });
    const inner = `let o${r} = (${row}) * ${N} + j0; ${cols.join(' ')}`;
    return mAligned && r > 0 ? `{ ${inner} }` : r === 0 ? `{ ${inner} }` : `if (${row} < ${M}) { ${inner} }`;
  });

  const code = `
@compute @workgroup_size(${WX}, ${WY})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let i0 = (wid.y * ${WY}u + lid.y) * 4u;
  let j0 = (wid.x * ${WX}u + lid.x) * 4u;
  if (i0 >= ${M} || j0 >= ${N}) { return; }
  ${setup.join('\n  ')}
  var c0 = vec4f(0.0);
  var c1 = vec4f(0.0);
  var c2 = vec4f(0.0);
  var c3 = vec4f(0.0);
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
  return sh.finish(code, [sz('cdiv', NS, 4 * WX), sz('cdiv', MS, 4 * WY)], {
    linear: false,
    comment: `matrix product ${desc(s)}, 4×4 per invocation, ${WX}×${WY} invocations per workgroup, operands ${av4 ? 'vec4' : 'scalar'}/${bv4 ? 'vec4' : 'scalar'}`,
  });
}
