/**
 * Inverse, determinant and log-determinant, through a factorisation computed by ONE
 * workgroup (128 invocations synchronised by barriers), in f32:
 *  - 'lu': P·A = L·U with partial pivoting. For each column k: a tree reduction finds
 *    the pivot row (largest |entry|), the rows are swapped in parallel, then each
 *    invocation eliminates whole rows of the trailing matrix. `piv` (i32, n + 1) holds
 *    the permutation and, in piv[n], its sign.
 *  - 'cholesky' (variables declared spd): A = L·Lᵀ, right-looking, column by column.
 * A single workgroup is the policy for every n: exact and simple, fast for the small
 * matrices of statistical models (n up to a few hundred); n sequential column steps
 * with barriers, O(n³ / 128) work per invocation.
 * From the factors: the inverse solves one column of A⁻¹ per invocation (out is its own
 * workspace, so the IR's `tmp` scratch is not used); det and logdet are a loop over the
 * diagonal in one invocation. A solve (op(A)⁻¹·B or B·op(A)⁻¹, the inverse not formed)
 * substitutes one right-hand side per invocation the same way, in `out` (so `tmp` is not
 * used either).
 */
import type { FactorStep, FromFactorStep, SolveStep } from '../../ir.js';
import { ONE_EXT, ext } from '../../extent.js';
import type { Kernel, Shader } from '../shader.js';
import { sz } from '../sizes.js';

const WG = 128;

export function factorKernel(sh: Shader, s: FactorStep): Kernel {
  const n = sh.dim(s.n);
  const x = sh.read(s.input.buffer);
  const f = sh.write(s.factor);
  const at = sh.index('i', s.input.rs, 'j', s.input.cs);
  if (s.method === 'cholesky') {
    const code = `
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = ${n};
  for (var e = lid; e < n * n; e += ${WG}u) {
    let i = e / n;
    let j = e % n;
    ${f}[e] = ${x}[${at}];
  }
  storageBarrier();
  for (var k = 0u; k < n; k++) {
    let d = sqrt(${f}[k * n + k]);
    for (var i = k + 1u + lid; i < n; i += ${WG}u) { ${f}[i * n + k] = ${f}[i * n + k] / d; }
    storageBarrier();
    if (lid == 0u) { ${f}[k * n + k] = d; }
    for (var i = k + 1u + lid; i < n; i += ${WG}u) {
      let lik = ${f}[i * n + k];
      for (var j = k + 1u; j <= i; j++) { ${f}[i * n + j] = ${f}[i * n + j] - lik * ${f}[j * n + k]; }
    }
    storageBarrier();
  }
}`;
    return sh.finish(code, [1, 1], { comment: 'Cholesky factorisation A = L·Lᵀ in one workgroup' });
  }
  const piv = sh.write(s.piv!, 'i32');
  const code = `
var<workgroup> best_v: array<f32, ${WG}>;
var<workgroup> best_i: array<u32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_index) lid: u32) {
  let n = ${n};
  for (var e = lid; e < n * n; e += ${WG}u) {
    let i = e / n;
    let j = e % n;
    ${f}[e] = ${x}[${at}];
  }
  for (var i = lid; i < n; i += ${WG}u) { ${piv}[i] = i32(i); }
  var sign = 1;
  storageBarrier();
  for (var k = 0u; k < n; k++) {
    var bv = -1.0;
    var bi = k;
    for (var i = k + lid; i < n; i += ${WG}u) {
      let v = abs(${f}[i * n + k]);
      if (v > bv) { bv = v; bi = i; }
    }
    best_v[lid] = bv;
    best_i[lid] = bi;
    workgroupBarrier();
    for (var w = ${WG / 2}u; w > 0u; w = w >> 1u) {
      if (lid < w) {
        let v = best_v[lid + w];
        let vi = best_i[lid + w];
        if (v > best_v[lid] || (v == best_v[lid] && vi < best_i[lid])) { best_v[lid] = v; best_i[lid] = vi; }
      }
      workgroupBarrier();
    }
    let p = best_i[0];
    if (p != k) {
      for (var j = lid; j < n; j += ${WG}u) {
        let t = ${f}[k * n + j];
        ${f}[k * n + j] = ${f}[p * n + j];
        ${f}[p * n + j] = t;
      }
      if (lid == 0u) {
        let t = ${piv}[k];
        ${piv}[k] = ${piv}[p];
        ${piv}[p] = t;
      }
      sign = -sign;
    }
    storageBarrier();
    let pivot = ${f}[k * n + k];
    if (pivot != 0.0) {
      for (var i = k + 1u + lid; i < n; i += ${WG}u) {
        let l = ${f}[i * n + k] / pivot;
        ${f}[i * n + k] = l;
        for (var j = k + 1u; j < n; j++) { ${f}[i * n + j] = ${f}[i * n + j] - l * ${f}[k * n + j]; }
      }
    }
    storageBarrier();
  }
  if (lid == 0u) { ${piv}[n] = sign; }
}`;
  return sh.finish(code, [1, 1], { comment: 'LU factorisation with partial pivoting, P·A = L·U, in one workgroup' });
}

const INV_WG = 64;

export function fromFactorKernel(sh: Shader, s: FromFactorStep): Kernel {
  const nS = sh.sizeOfDim(s.n);
  const n = sh.dim(s.n);
  const f = sh.read(s.factor);
  const out = sh.write(s.out);
  const lu = s.method === 'lu';
  const piv = lu && s.kind !== 'logdet' ? sh.read(s.piv!, 'i32') : '';
  if (s.kind === 'inverse') {
    const forward = lu
      ? `var t = select(0.0, 1.0, ${piv}[i] == i32(c));
      for (var j = 0u; j < i; j++) { t = t - ${f}[i * n + j] * ${out}[j * n + c]; }
      ${out}[i * n + c] = t;`
      : `var t = select(0.0, 1.0, i == c);
      for (var j = 0u; j < i; j++) { t = t - ${f}[i * n + j] * ${out}[j * n + c]; }
      ${out}[i * n + c] = t / ${f}[i * n + i];`;
    // Back substitution with U (upper triangle of the LU factor) or Lᵀ.
    const upper = lu ? `${f}[i * n + j]` : `${f}[j * n + i]`;
    const code = `
@compute @workgroup_size(${INV_WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = ${n};
  let c = gid.x;
  if (c >= n) { return; }
  for (var i = 0u; i < n; i++) {
    ${forward}
  }
  for (var r = 0u; r < n; r++) {
    let i = n - 1u - r;
    var t = ${out}[i * n + c];
    for (var j = i + 1u; j < n; j++) { t = t - ${upper} * ${out}[j * n + c]; }
    ${out}[i * n + c] = t / ${f}[i * n + i];
  }
}`;
    return sh.finish(code, [sz('cdiv', nS, INV_WG), 1], {
      comment: `inverse from the ${lu ? 'LU' : 'Cholesky'} factors, one column per invocation`,
    });
  }
  const acc =
    s.kind === 'det'
      ? lu
        ? { init: `f32(${piv}[n])`, step: `v = v * ${f}[i * n + i];`, end: 'v' }
        : { init: '1.0', step: `v = v * ${f}[i * n + i];`, end: 'v * v' }
      : lu
        ? { init: '0.0', step: `v = v + log(abs(${f}[i * n + i]));`, end: 'v' }
        : { init: '0.0', step: `v = v + log(${f}[i * n + i]);`, end: '2.0 * v' };
  const code = `
@compute @workgroup_size(1)
fn main() {
  let n = ${n};
  var v = ${acc.init};
  for (var i = 0u; i < n; i++) { ${acc.step} }
  ${out}[0] = ${acc.end};
}`;
  return sh.finish(code, [1, 1], { comment: `${s.kind} from the ${lu ? 'LU' : 'Cholesky'} factors` });
}

/**
 * The solve from the factors, one right-hand side (a column of B, or a row for B·op(A)⁻¹,
 * whose transpose is op(A)⁻ᵀ·Bᵀ) per invocation: forward substitution then backward, in
 * `out` at W(i, c) = out[i·ors + c·ocs]. With LU and Aᵀ = Uᵀ·Lᵀ·P the unknowns come out
 * permuted: the one of row i is stored at row piv[i] from the start.
 */
export function solveKernel(sh: Shader, s: SolveStep): Kernel {
  const left = s.side === 'left';
  const trans = left ? s.trans : !s.trans;
  const n = sh.dim(s.n);
  const m = sh.dim(s.m);
  const f = sh.read(s.factor);
  const b = sh.read(s.b.buffer);
  const out = sh.write(s.out);
  const lu = s.method === 'lu';
  const piv = lu ? sh.read(s.piv!, 'i32') : '';
  const [brs, bcs] = left ? [s.b.rs, s.b.cs] : [s.b.cs, s.b.rs];
  const bAt = (i: string) => `${b}[${sh.index(i, brs, 'c', bcs)}]`;
  const [ors, ocs] = left ? [ext(s.m), ONE_EXT] : [ONE_EXT, ext(s.n)];
  // The row of out holding unknown i (permuted for LU with Aᵀ).
  const row = (i: string) => (lu && trans ? `u32(${piv}[${i}])` : i);
  const w = (i: string) => `${out}[${sh.index(row(i), ors, 'c', ocs)}]`;
  // Forward: T(i, j), j < i, unit or not; backward: V(i, j), j > i.
  const [lower, lowerUnit, rhs] = !lu
    ? [(i: string, j: string) => `${f}[${i} * n + ${j}]`, false, bAt('i')]
    : trans
      ? [(i: string, j: string) => `${f}[${j} * n + ${i}]`, false, bAt('i')]
      : [(i: string, j: string) => `${f}[${i} * n + ${j}]`, true, bAt(`u32(${piv}[i])`)];
  const upper = (i: string, j: string) => (!lu || trans ? `${f}[${j} * n + ${i}]` : `${f}[${i} * n + ${j}]`);
  const upperUnit = lu && trans;
  const code = `
@compute @workgroup_size(${INV_WG})
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = ${n};
  let c = gid.x;
  if (c >= ${m}) { return; }
  for (var i = 0u; i < n; i++) {
    var t = ${rhs};
    for (var j = 0u; j < i; j++) { t = t - ${lower('i', 'j')} * ${w('j')}; }
    ${w('i')} = t${lowerUnit ? '' : ` / ${f}[i * n + i]`};
  }
  for (var r = 0u; r < n; r++) {
    let i = n - 1u - r;
    var t = ${w('i')};
    for (var j = i + 1u; j < n; j++) { t = t - ${upper('i', 'j')} * ${w('j')}; }
    ${w('i')} = t${upperUnit ? '' : ` / ${f}[i * n + i]`};
  }
}`;
  return sh.finish(code, [sz('cdiv', sh.sizeOfDim(s.m), INV_WG), 1], {
    comment: `${left ? 'op(A)⁻¹·B' : 'B·op(A)⁻¹'} from the ${lu ? 'LU' : 'Cholesky'} factors, one right-hand side per invocation`,
  });
}
