/**
 * Reference plain-JS float32 matrix products for the CPU benchmarks (issue 4).
 *
 * `makeTiledMatmul` is the "ceiling for plain loops": both operands are packed into
 * contiguous 4-wide panels and a 4×4 register tile of 16 local accumulators is
 * updated per step of k, with k blocked so that the packed B block stays in cache.
 * No SIMD, no workers — the best a straightforward JS loop does here, and the number
 * matdiff's generated f32 product is measured against.
 *
 * All matrices are row-major: A is [m,k], B is [k,n], C is [m,n].
 */

/** Panel width (rows of A / columns of B per register tile). */
const R = 4;
/** Depth of one k block; 4·KC·n floats of packed B are reused across all row panels. */
const KC = 256;

export type Matmul = (a: Float32Array, b: Float32Array, c: Float32Array) => void;

/**
 * A register-tiled (4×4), packed product for fixed sizes. Packing buffers are allocated
 * once here, so a call allocates nothing; packing is part of every call (it is part of
 * the product's cost).
 */
export function makeTiledMatmul(m: number, k: number, n: number): Matmul {
  const mp = Math.ceil(m / R); // row panels of A
  const np = Math.ceil(n / R); // column panels of B
  const kc = Math.min(KC, k);
  const ap = new Float32Array(mp * R * kc); // A block: panel p, step kk, lane i at (p·kc + kk)·4 + i
  const bp = new Float32Array(np * R * kc); // B block: panel q, step kk, lane j at (q·kc + kk)·4 + j

  return (a, b, c) => {
    c.fill(0);
    for (let k0 = 0; k0 < k; k0 += kc) {
      const kb = Math.min(kc, k - k0);
      // pack A[:, k0:k0+kb] into 4-row panels (zero-padded past m)
      for (let p = 0; p < mp; p++) {
        const base = p * kc * R;
        for (let i = 0; i < R; i++) {
          const row = p * R + i;
          if (row < m) {
            const src = row * k + k0;
            for (let kk = 0; kk < kb; kk++) ap[base + kk * R + i] = a[src + kk]!;
          } else {
            for (let kk = 0; kk < kb; kk++) ap[base + kk * R + i] = 0;
          }
        }
      }
      // pack B[k0:k0+kb, :] into 4-column panels (zero-padded past n)
      for (let kk = 0; kk < kb; kk++) {
        const src = (k0 + kk) * n;
        for (let q = 0; q < np; q++) {
          const dst = (q * kc + kk) * R;
          const col = q * R;
          if (col + R <= n) {
            bp[dst] = b[src + col]!;
            bp[dst + 1] = b[src + col + 1]!;
            bp[dst + 2] = b[src + col + 2]!;
            bp[dst + 3] = b[src + col + 3]!;
          } else {
            for (let j = 0; j < R; j++) bp[dst + j] = col + j < n ? b[src + col + j]! : 0;
          }
        }
      }
      // 4×4 micro-kernel over every (row panel, column panel) pair
      for (let p = 0; p < mp; p++) {
        const abase = p * kc * R;
        const row0 = p * R;
        for (let q = 0; q < np; q++) {
          const bbase = q * kc * R;
          let c00 = 0,
            c01 = 0,
            c02 = 0,
            c03 = 0;
          let c10 = 0,
            c11 = 0,
            c12 = 0,
            c13 = 0;
          let c20 = 0,
            c21 = 0,
            c22 = 0,
            c23 = 0;
          let c30 = 0,
            c31 = 0,
            c32 = 0,
            c33 = 0;
          let ai = abase;
          let bi = bbase;
          for (let kk = 0; kk < kb; kk++, ai += R, bi += R) {
            const a0 = ap[ai]!,
              a1 = ap[ai + 1]!,
              a2 = ap[ai + 2]!,
              a3 = ap[ai + 3]!;
            const b0 = bp[bi]!,
              b1 = bp[bi + 1]!,
              b2 = bp[bi + 2]!,
              b3 = bp[bi + 3]!;
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
          }
          const col0 = q * R;
          if (row0 + R <= m && col0 + R <= n) {
            let o = row0 * n + col0;
            c[o]! += c00;
            c[o + 1]! += c01;
            c[o + 2]! += c02;
            c[o + 3]! += c03;
            o += n;
            c[o]! += c10;
            c[o + 1]! += c11;
            c[o + 2]! += c12;
            c[o + 3]! += c13;
            o += n;
            c[o]! += c20;
            c[o + 1]! += c21;
            c[o + 2]! += c22;
            c[o + 3]! += c23;
            o += n;
            c[o]! += c30;
            c[o + 1]! += c31;
            c[o + 2]! += c32;
            c[o + 3]! += c33;
          } else {
            const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
            for (let i = 0; i < R && row0 + i < m; i++)
              for (let j = 0; j < R && col0 + j < n; j++) c[(row0 + i) * n + col0 + j]! += tile[i * R + j]!;
          }
        }
      }
    }
  };
}

/** The textbook i-k-j loop, for checking the tiled one (and as a floor). */
export function naiveMatmul(m: number, k: number, n: number): Matmul {
  return (a, b, c) => {
    c.fill(0);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let kk = 0; kk < k; kk++) {
        const aik = a[i * k + kk]!;
        const bk = kk * n;
        for (let j = 0; j < n; j++) c[ci + j]! += aik * b[bk + j]!;
      }
    }
  };
}
