/**
 * The factorisations of the generated TypeScript modules' runtime (see runtime.ts for the
 * «…» convention): blocked right-looking Cholesky and LU with partial pivoting, blocked
 * triangular inverses and solves, and A⁻¹, op(A)⁻¹·B, det and log|det| from the factors —
 * all in float64 storage.
 *
 * Blocked so that nearly all the work is matrix products (`gemmAcc`): in a module with
 * the WebAssembly kernel those run in it (`gemmAccWasm`, ../wasm/runtime.ts; in an f32
 * module the blocks are rounded to float32 there, and summed in float32), elsewhere in a
 * plain-JS loop over packed copies. Panels and diagonal
 * blocks recurse (FACTOR_NB → ¼ of it → scalar below FACTOR_NB0; LU's panel halves, as
 * LAPACK's getrf2), so what is left to scalar JS costs O(n²·FACTOR_NB0) against the
 * products' O(n³). The blocks' copies into the kernel's memory are what keeps this from
 * the kernel's own speed (about a third of the time at n = 3000 here).
 */

/** The runtime text; `wasm`: products of the factorisations may call gemmAccWasm (modules with the kernel). */
export const factorRuntime = (wasm: boolean): string => String.raw`
// ── factorisations of a square n × n matrix X(i, j) = x[i·rs + j·cs], in float64 ──
// Blocked by FACTOR_NB rows and columns, recursively down to FACTOR_NB0 (LU: its half):
// panels in scalar loops, the trailing updates and the products of the inverses by gemmAcc${wasm ? ' (the WebAssembly kernel when it is available)' : ''}.

const FACTOR_NB = 128;
/** Blocks this narrow are done in scalar loops. */
const FACTOR_NB0 = 32;
let factorT«: Float64Array | undefined»;
let accPackA«: Float64Array | undefined»;
let accPackB«: Float64Array | undefined»;

/**
 * C(i, j) += alpha · Σp A(i, p)·B(p, j) for C(i, j) = c[co + i·ldc + j], A(i, p) =
 * a[ao + i·ars + p·acs], B(p, j) = b[bo + p·brs + j·bcs]; C's entries are none of A's or B's.
 */
function gemmAcc(m«: number», n«: number», k«: number», alpha«: number», a«: Float64Array», ao«: number», ars«: number», acs«: number», b«: Float64Array», bo«: number», brs«: number», bcs«: number», c«: Float64Array | Real», co«: number», ldc«: number»)«: void» {
  if (m <= 0 || n <= 0 || k <= 0) return;${wasm ? '\n  if (m * n * k >= 4096 && gemmAccWasm(m, n, k, alpha, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc)) return;' : ''}
  // A packed row by row (alpha applied), B row by row: the inner loop runs over contiguous j.
  if (accPackA === undefined || accPackA.length < m * k) accPackA = new Float64Array(Math.max(m * k, 4096));
  if (accPackB === undefined || accPackB.length < k * n) accPackB = new Float64Array(Math.max(k * n, 4096));
  const pa = accPackA;
  const pb = accPackB;
  for (let i = 0, o = 0; i < m; i++) for (let p = 0; p < k; p++) pa[o++] = alpha * a[ao + i * ars + p * acs]«!»;
  for (let p = 0, o = 0; p < k; p++) for (let j = 0; j < n; j++) pb[o++] = b[bo + p * brs + j * bcs]«!»;
  for (let i = 0; i < m; i++) {
    const ci = co + i * ldc;
    for (let p = 0; p < k; p++) {
      const s = pa[i * k + p]«!»;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j]«!» += s * pb[bp + j]«!»;
    }
  }
}

/** P·A = L·U with partial pivoting, packed in f; piv the permutation, piv[n] its sign. */
function luFactor(n«: number», x«: Real», rs«: number», cs«: number», f«: Float64Array», piv«: Int32Array»)«: void» {
  for (let i = 0; i < n; i++) {
    piv[i] = i;
    for (let j = 0; j < n; j++) f[i * n + j] = x[i * rs + j * cs]«!»;
  }
  piv[n] = 1;
  for (let k0 = 0; k0 < n; k0 += FACTOR_NB) {
    const k1 = Math.min(k0 + FACTOR_NB, n);
    luPanel(n, f, piv, k0, k1);
    // U₁₂ = L₁₁⁻¹·A₁₂, then A₂₂ −= L₂₁·U₁₂
    luSolveUnit(n, f, k0, k1, k1, n);
    gemmAcc(n - k1, n - k1, k1 - k0, -1, f, k1 * n + k0, n, 1, f, k0 * n + k1, n, 1, f, k1 * n + k1, n);
  }
}

/**
 * Columns k0…k1 of L and U for the rows from k0 down (the columns left of k0 applied),
 * whole rows swapped (piv and its sign piv[n] follow): scalar up to FACTOR_NB0 / 2 columns,
 * else the left half, its U part of the right half and the right half's update, then the
 * right half (recursive, as LAPACK's getrf2).
 */
function luPanel(n«: number», f«: Float64Array», piv«: Int32Array», k0«: number», k1«: number»)«: void» {
  if (k1 - k0 <= FACTOR_NB0 >> 1) {
    for (let k = k0; k < k1; k++) {
      let p = k;
      for (let i = k + 1; i < n; i++) if (Math.abs(f[i * n + k]«!») > Math.abs(f[p * n + k]«!»)) p = i;
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = f[k * n + j]«!»;
          f[k * n + j] = f[p * n + j]«!»;
          f[p * n + j] = t;
        }
        const t = piv[k]«!»;
        piv[k] = piv[p]«!»;
        piv[p] = t;
        piv[n] = -piv[n]«!»;
      }
      const pivot = f[k * n + k]«!»;
      if (pivot === 0) continue; // the column below is zero too: nothing to eliminate
      for (let i = k + 1; i < n; i++) {
        const l = (f[i * n + k] = f[i * n + k]«!» / pivot);
        for (let j = k + 1; j < k1; j++) f[i * n + j]«!» -= l * f[k * n + j]«!»;
      }
    }
    return;
  }
  const mid = k0 + ((k1 - k0) >> 1);
  luPanel(n, f, piv, k0, mid);
  luSolveUnit(n, f, k0, mid, mid, k1);
  gemmAcc(n - mid, k1 - mid, mid - k0, -1, f, mid * n + k0, n, 1, f, k0 * n + mid, n, 1, f, mid * n + mid, n);
  luPanel(n, f, piv, mid, k1);
}

/**
 * Rows r0…r1 of columns c0…c1 of f ← L⁻¹ times them, L the unit lower triangle of
 * f(r0…r1, r0…r1): substitution within blocks of FACTOR_NB0 rows, products below them.
 */
function luSolveUnit(n«: number», f«: Float64Array», r0«: number», r1«: number», c0«: number», c1«: number»)«: void» {
  for (let b0 = r0; b0 < r1; b0 += FACTOR_NB0) {
    const b1 = Math.min(b0 + FACTOR_NB0, r1);
    for (let i = b0 + 1; i < b1; i++)
      for (let p = b0; p < i; p++) {
        const l = f[i * n + p]«!»;
        for (let j = c0; j < c1; j++) f[i * n + j]«!» -= l * f[p * n + j]«!»;
      }
    gemmAcc(r1 - b1, c1 - c0, b1 - b0, -1, f, b1 * n + b0, n, 1, f, b0 * n + c0, n, 1, f, b1 * n + c0, n);
  }
}

function luDet(n«: number», f«: Float64Array», piv«: Int32Array»)«: number» {
  let d = piv[n]«!»;
  for (let i = 0; i < n; i++) d *= f[i * n + i]«!»;
  return d;
}

function luLogdet(n«: number», f«: Float64Array»)«: number» {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(Math.abs(f[i * n + i]«!»));
  return s;
}

/**
 * W = T⁻¹ into w[wo…wo + n²) (row-major, zeros above the diagonal) for the lower
 * triangular T(i, p) = f[i·trs + p·tcs] (p ≤ i; unit: ones on the diagonal, f's not read).
 */
function triInvLower(n«: number», f«: Float64Array», trs«: number», tcs«: number», unit«: boolean», w«: Float64Array», wo«: number»)«: void» {
  w.fill(0, wo, wo + n * n);
  triInvBlock(n, f, trs, tcs, unit, w, wo, 0, n, FACTOR_NB);
}

/**
 * The diagonal block b0…b1 of W = T⁻¹: in blocks of nb, first the diagonal ones (the same
 * way, in blocks of nb / 4; scalar substitution from FACTOR_NB0 down), then, column block
 * J by column block, the blocks below from the rows above: W(I, J) = −W(I, I)·T(I, J…I)·W(J…I, J).
 */
function triInvBlock(n«: number», f«: Float64Array», trs«: number», tcs«: number», unit«: boolean», w«: Float64Array», wo«: number», b0«: number», b1«: number», nb«: number»)«: void» {
  if (b1 - b0 <= FACTOR_NB0) {
    for (let i = b0; i < b1; i++) {
      const wi = wo + i * n;
      w[wi + i] = 1;
      for (let p = b0; p < i; p++) {
        const t = f[i * trs + p * tcs]«!»;
        const wp = wo + p * n;
        for (let c = b0; c <= p; c++) w[wi + c]«!» -= t * w[wp + c]«!»;
      }
      if (!unit) {
        const d = f[i * trs + i * tcs]«!»;
        for (let c = b0; c <= i; c++) w[wi + c]«!» /= d;
      }
    }
    return;
  }
  for (let j0 = b0; j0 < b1; j0 += nb) triInvBlock(n, f, trs, tcs, unit, w, wo, j0, Math.min(j0 + nb, b1), nb >> 2);
  for (let j0 = b0; j0 < b1; j0 += nb) {
    const j1 = Math.min(j0 + nb, b1);
    for (let i0 = j1; i0 < b1; i0 += nb) {
      const i1 = Math.min(i0 + nb, b1);
      const h = i1 - i0;
      const d = j1 - j0;
      if (factorT === undefined || factorT.length < h * d) factorT = new Float64Array(FACTOR_NB * FACTOR_NB);
      const t = factorT;
      t.fill(0, 0, h * d);
      gemmAcc(h, d, i0 - j0, 1, f, i0 * trs + j0 * tcs, trs, tcs, w, wo + j0 * n + j0, n, 1, t, 0, d);
      gemmAcc(h, d, h, -1, w, wo + i0 * n + i0, n, 1, t, 0, d, 1, w, wo + i0 * n + j0, n);
    }
  }
}

/**
 * A⁻¹ = U⁻¹·L⁻¹·P: L⁻¹ and V = (U⁻¹)ᵀ = (Uᵀ)⁻¹ into w (both lower triangular), their
 * product M(r, i) = Σ_{k ≥ r, i} V(k, r)·L⁻¹(k, i) into out by blocks, then each row's
 * columns permuted: column i of M is column piv[i] of A⁻¹. w: 2n² + n.
 */
function luInverse(n«: number», f«: Float64Array», piv«: Int32Array», out«: Real», w«: Float64Array»)«: void» {
  const nn = n * n;
  triInvLower(n, f, n, 1, true, w, 0);
  triInvLower(n, f, 1, n, false, w, nn);
  out.fill(0, 0, nn);
  for (let r0 = 0; r0 < n; r0 += FACTOR_NB) {
    const r1 = Math.min(r0 + FACTOR_NB, n);
    for (let i0 = 0; i0 < n; i0 += FACTOR_NB) {
      const k0 = Math.max(r0, i0);
      gemmAcc(r1 - r0, Math.min(i0 + FACTOR_NB, n) - i0, n - k0, 1, w, nn + k0 * n + r0, 1, n, w, k0 * n + i0, n, 1, out, r0 * n + i0, n);
    }
  }
  const row = 2 * nn;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < n; i++) w[row + i] = out[r * n + i]«!»;
    for (let i = 0; i < n; i++) out[r * n + piv[i]«!»] = w[row + i]«!»;
  }
}

/** A = L·Lᵀ for symmetric positive definite A; L in the lower triangle of f (NaN if A is not). */
function cholFactor(n«: number», x«: Real», rs«: number», cs«: number», f«: Float64Array»)«: void» {
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) f[i * n + j] = x[i * rs + j * cs]«!»;
  cholPanel(n, f, 0, n, FACTOR_NB);
}

/**
 * Columns k0…k1 of L, for the rows from k0 down, once the columns left of k0 have been
 * subtracted: in panels of nb columns (each the same way, in panels of nb / 4; scalar from
 * FACTOR_NB0 down), each followed by the update of the columns right of it up to k1,
 * lower triangle only, a block row at a time. Writes nothing above the diagonal that is read.
 */
function cholPanel(n«: number», f«: Float64Array», k0«: number», k1«: number», nb«: number»)«: void» {
  if (k1 - k0 <= FACTOR_NB0) {
    for (let j = k0; j < k1; j++) {
      let s = f[j * n + j]«!»;
      for (let p = k0; p < j; p++) s -= f[j * n + p]«!» * f[j * n + p]«!»;
      const d = Math.sqrt(s);
      f[j * n + j] = d;
      for (let i = j + 1; i < n; i++) {
        let t = f[i * n + j]«!»;
        for (let p = k0; p < j; p++) t -= f[i * n + p]«!» * f[j * n + p]«!»;
        f[i * n + j] = t / d;
      }
    }
    return;
  }
  for (let j0 = k0; j0 < k1; j0 += nb) {
    const j1 = Math.min(j0 + nb, k1);
    cholPanel(n, f, j0, j1, nb >> 2);
    // f(i, c) −= Σ_{j0 ≤ p < j1} L(i, p)·L(c, p) for j1 ≤ c < k1, c ≤ i (up to its block row's end)
    for (let i0 = j1; i0 < n; i0 += nb) {
      const i1 = Math.min(i0 + nb, n);
      gemmAcc(i1 - i0, Math.min(i1, k1) - j1, j1 - j0, -1, f, i0 * n + j0, n, 1, f, j1 * n + j0, 1, n, f, i0 * n + j1, n);
    }
  }
}

function cholDet(n«: number», f«: Float64Array»)«: number» {
  let d = 1;
  for (let i = 0; i < n; i++) d *= f[i * n + i]«!»;
  return d * d;
}

function cholLogdet(n«: number», f«: Float64Array»)«: number» {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(f[i * n + i]«!»);
  return 2 * s;
}

/** A⁻¹ = L⁻ᵀ·L⁻¹: W = L⁻¹ into w (n²), then out = Wᵀ·W, lower blocks computed and mirrored. */
function cholInverse(n«: number», f«: Float64Array», out«: Real», w«: Float64Array»)«: void» {
  triInvLower(n, f, n, 1, false, w, 0);
  out.fill(0, 0, n * n);
  // a block row at a time, up to its diagonal block's end:
  // out(i, j) = Σ_{k ≥ i0} W(k, i)·W(k, j), W zero above its diagonal
  for (let i0 = 0; i0 < n; i0 += FACTOR_NB) {
    const i1 = Math.min(i0 + FACTOR_NB, n);
    gemmAcc(i1 - i0, i1, n - i0, 1, w, i0 * n + i0, 1, n, w, i0 * n, n, 1, out, i0 * n, n);
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[i * n + j] = out[j * n + i]«!»;
}

/**
 * W ← T⁻¹·W for the n × n triangular T(i, p) = f[i·trs + p·tcs] (lower: p ≤ i, else
 * p ≥ i; unit: ones on the diagonal, f's not read) and W rows b0…b1 of m columns, w[i·m + c]:
 * rows halved recursively (the first half solved, the second updated by one product, then
 * solved), substitution from FACTOR_NB0 rows down.
 */
function triSolve(m«: number», f«: Float64Array», trs«: number», tcs«: number», lower«: boolean», unit«: boolean», w«: Float64Array», b0«: number», b1«: number»)«: void» {
  if (b1 - b0 <= FACTOR_NB0) {
    for (let q = b0; q < b1; q++) {
      const i = lower ? q : b0 + b1 - 1 - q;
      const wi = i * m;
      const p0 = lower ? b0 : i + 1;
      const p1 = lower ? i : b1;
      for (let p = p0; p < p1; p++) {
        const t = f[i * trs + p * tcs]«!»;
        if (t === 0) continue;
        const wp = p * m;
        for (let c = 0; c < m; c++) w[wi + c]«!» -= t * w[wp + c]«!»;
      }
      if (!unit) {
        const d = f[i * trs + i * tcs]«!»;
        for (let c = 0; c < m; c++) w[wi + c]«!» /= d;
      }
    }
    return;
  }
  const mid = b0 + ((b1 - b0) >> 1);
  if (lower) {
    triSolve(m, f, trs, tcs, lower, unit, w, b0, mid);
    gemmAcc(b1 - mid, m, mid - b0, -1, f, mid * trs + b0 * tcs, trs, tcs, w, b0 * m, m, 1, w, mid * m, m);
    triSolve(m, f, trs, tcs, lower, unit, w, mid, b1);
  } else {
    triSolve(m, f, trs, tcs, lower, unit, w, mid, b1);
    gemmAcc(mid - b0, m, b1 - mid, -1, f, b0 * trs + mid * tcs, trs, tcs, w, mid * m, m, 1, w, b0 * m, m);
    triSolve(m, f, trs, tcs, lower, unit, w, b0, mid);
  }
}

/**
 * X = op(A)⁻¹·B from P·A = L·U (op(A) = Aᵀ when trans) for B(i, c) = b[i·brs + c·bcs]
 * (n × m), X(i, c) into out[i·ors + c·ocs]; w: n·m of float64, the right-hand sides
 * solved in place. A·X = B is L·U·X = P·B; Aᵀ·X = B is Uᵀ·Lᵀ·(P·X) = B.
 */
function luSolve(n«: number», m«: number», f«: Float64Array», piv«: Int32Array», trans«: boolean», b«: Real», brs«: number», bcs«: number», out«: Real», ors«: number», ocs«: number», w«: Float64Array»)«: void» {
  for (let i = 0; i < n; i++) {
    const r = (trans ? i : piv[i]«!») * brs;
    for (let c = 0; c < m; c++) w[i * m + c] = b[r + c * bcs]«!»;
  }
  if (trans) {
    triSolve(m, f, 1, n, true, false, w, 0, n);
    triSolve(m, f, 1, n, false, true, w, 0, n);
  } else {
    triSolve(m, f, n, 1, true, true, w, 0, n);
    triSolve(m, f, n, 1, false, false, w, 0, n);
  }
  for (let i = 0; i < n; i++) {
    const o = (trans ? piv[i]«!» : i) * ors;
    for (let c = 0; c < m; c++) out[o + c * ocs] = w[i * m + c]«!»;
  }
}

/** X = A⁻¹·B from A = L·Lᵀ (forward with L, backward with Lᵀ); the arguments as for the LU solve. */
function cholSolve(n«: number», m«: number», f«: Float64Array», b«: Real», brs«: number», bcs«: number», out«: Real», ors«: number», ocs«: number», w«: Float64Array»)«: void» {
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) w[i * m + c] = b[i * brs + c * bcs]«!»;
  triSolve(m, f, n, 1, true, false, w, 0, n);
  triSolve(m, f, 1, n, false, false, w, 0, n);
  for (let i = 0; i < n; i++) for (let c = 0; c < m; c++) out[i * ors + c * ocs] = w[i * m + c]«!»;
}
`;
