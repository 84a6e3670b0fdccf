// The WebAssembly text of matdiff's SIMD matrix product, generated from a few parameters
// (register tile, cache blocks) so that the unrolled micro-kernels need not be written by
// hand. scripts/build-wasm.mjs writes it to codegen/wasm/gemm-f32.wat and gemm-f64.wat and
// assembles those (wabt) into codegen/wasm/gemm-wasm.ts; nothing here runs when a generated
// module runs. One module per element type: a generated module embeds only its own
// (~3 KB, under the 4 KB that browsers compile synchronously on their main thread).
//
// The module for element type t (f32 or f64) exports
//
//   gemm_t(m, n, k, a, ars, acs, b, brs, bcs, c, ws, flags, alpha, bias, ep)
//     C = op(A)·op(B): C[i·n + j] = Σp A(i, p)·B(p, j), A(i, p) = a[i·ars + p·acs],
//     B(p, j) = b[p·brs + j·bcs]. a, b, c, ws are byte offsets into the memory (element
//     aligned); strides are in elements, so a transposed operand is read in place. C is
//     written (not accumulated), row-major with n columns. ws: PACK_BYTES of scratch (packed
//     panels, the edge tile, alpha): one per concurrent call.
//     flags: 1 reads A in place, 2 reads B in place (where its rows are contiguous),
//     instead of packing them (see gemmFn).
//     Sums are in t: f64 sums in f64, f32 sums in f32 (as a BLAS sgemm).
//     alpha (a t), bias (a byte offset), ep: the epilogue applied to each tile while it
//     is in registers, as the last k-slice stores it (EP below): ep 0 (or left out) none;
//     1 C ← alpha·C, 2 C(i, j) += bias[j], 4 C(i, j) += bias[i], 8 C ← max(C, 0), in that
//     order (2 and 4 not together). Rows i0 … i1 − 1 of C alone: the call with m = i1 − i0
//     and a, c and (with 4) bias advanced to row i0.
//
// and `memory` (one page to start; the caller grows it; the shared variant, for worker
// threads, imports it as env.memory instead). SIMD128 only (v128, f32x4,
// f64x2: mul and add), so V8 ≥ 9.1, Firefox ≥ 89, Safari ≥ 16.4; a second module per type
// (gemmWat(t, p, true)) has relaxed SIMD's multiply-add instead (Chrome ≥ 114; Node 20 only
// with --experimental-wasm-relaxed-simd), used where WebAssembly.validate accepts it.
//
// Scheme (Goto / BLIS): for each NC-column block of B and KC-deep slice, B's slice is
// packed into strips of NR columns (kc × NR, row by row); for each MC-row block of A, A's
// block into strips of MR rows (kc × MR, column by column); then every MR × NR tile of C
// is computed by the micro-kernel from one A strip (broadcast loads) and one B strip
// (vector loads), MR × NR/lanes accumulators held in registers. The first k-slice stores
// the tile, later ones add to it. Strips past the edge of A or B are padded with zeros
// and their tiles go through a small buffer, of which the valid part is copied.
// Block sizes are balanced: k = 784 with KC = 256 makes 4 slices of 196, not 3 of 256
// and one of 16.

/**
 * Default parameters, per element type. Measured on this project's machine (AMD EPYC Zen 4,
 * 2 cores, L1d 32 KiB, L2 1 MiB per core; Node 20 / V8 11.3), kernel alone, GFLOP/s, n = 512
 * (bench/wasm-gemm-tune.mjs, candidates interleaved, medians; the machine was shared, so
 * only differences beyond ~10% count — two identical candidates differed by up to 25%):
 *
 *   f32 tile (MR × NR)       mul + add   relaxed_madd   why
 *   4 × 8  (kept)              37–39       45–50        8 accumulators + 2 B + 1 A fit 15 xmm
 *   6 × 8                        24          25         12 acc.: TurboFan loads all 6 A
 *   5 × 8                        21          21           broadcasts first, then spills
 *   4 × 12                       24          24
 *   8 × 4 / 3 × 12            17 / 21
 *   4 × 8, k unrolled × 2 / × 4   23 / 10               the unrolled loads are hoisted: spills
 *   2 × 16, k unrolled × 2       23
 *   2 × 16                     35–37       46–47        as 4 × 8 within the noise on square
 *                                                       and MLP shapes (1.2× at m = 10), but
 *                                                       0.65–0.7× for n = 1…5 (matrix·vector:
 *                                                       strips of 16 columns, mostly zeros)
 *   4 × 8, k loop ended by comparing pb with its end instead of a counter: the same.
 *   4 × 8 (kept), pa and pb first set by a 32-bit add (of kc >>> 31 = 0), so that V8 knows
 *     them zero-extended: 2 movl fewer per step: 1.03–1.08× (mul + add), ~1.02× (relaxed).
 *   f64 4 × 4 (kept) 18–19, relaxed 19–25; 2 × 8 the same; 4 × 2 13; 6 × 4 12.
 *
 *   blocks KC / MC / NC: f32 256/128/1024 against 384–512 / 64–256 / 512–4096, and f64
 *   256/64/512 against 384–512 / 32–128 / 512–1024: all within the noise (±10%).
 *
 * V8 gives WebAssembly 15 allocatable xmm registers (xmm15 is its scratch register); with
 * 128-bit vectors and 2 FMA pipes the processor's ceiling is 16 f32 flops per cycle
 * (~50 GFLOP/s), which relaxed_madd reaches; mul + add is bound by instruction issue
 * (~28 instructions per 64 flops). OpenBLAS's AVX-512 kernel has twice that ceiling.
 */
export const PARAMS = {
  f32: { MR: 4, NV: 2, KC: 256, MC: 128, NC: 1024 },
  f64: { MR: 4, NV: 2, KC: 256, MC: 64, NC: 512 },
};

const BYTES = { f32: 4, f64: 8 };

/** Bytes of scratch one call needs: A block, B panel, the edge tile and alpha; 64-aligned. */
export function packBytes(t, p) {
  const T = BYTES[t];
  const NR = (p.NV * 16) / T;
  const up = (x) => Math.ceil(x / 64) * 64;
  return up(p.MC * p.KC * T) + up(p.KC * p.NC * T) + up(p.MR * NR * T + T);
}

/**
 * Epilogue flags (gemm_t's `ep`), applied in this order as the last k-slice stores a tile:
 * C(i, j) ← max(alpha·C(i, j) + bias[j] (or bias[i]), 0) — scale by alpha, add bias[j]
 * (a row vector, one entry per column), add bias[i] (a column vector, one per row), relu.
 */
export const EP = { scale: 1, biasJ: 2, biasI: 4, relu: 8 };

const get = (x) => `(local.get $${x})`;
const set = (x, v) => `(local.set $${x} ${v})`;
const i32 = (v) => `(i32.const ${v})`;
const add = (a, b) => `(i32.add ${a} ${b})`;
const sub = (a, b) => `(i32.sub ${a} ${b})`;
const mul = (a, b) => `(i32.mul ${a} ${b})`;
const min = (a, b) => `(select ${a} ${b} (i32.lt_s ${a} ${b}))`;
/** ⌈a / b⌉ for positive a, b. */
const cdiv = (a, b) => `(i32.div_u ${add(a, sub(b, i32(1)))} ${b})`;
const locals = (type, names) => names.map((x) => `(local $${x} ${type})`).join(' ');

/** `for (x = from; x < to; x += step) body`, entered only when from < to. */
function forLoop(label, x, from, to, step, body) {
  return `${set(x, from)}
(block $${label}_end
  (br_if $${label}_end (i32.ge_s ${get(x)} ${to}))
  (loop $${label}
    ${body}
    ${set(x, add(get(x), step))}
    (br_if $${label} (i32.lt_s ${get(x)} ${to}))))`;
}

/** Copies `bytes` bytes from src+off to dst+off (both addresses as code), widest loads first. */
function copyBytes(dst, src, bytes) {
  const out = [];
  let off = 0;
  for (const [w, load, store] of [
    [16, 'v128.load', 'v128.store'],
    [8, 'i64.load', 'i64.store'],
    [4, 'i32.load', 'i32.store'],
  ])
    for (; off + w <= bytes; off += w) out.push(`(${store} offset=${off} ${dst} (${load} offset=${off} ${src}))`);
  return out.join('\n');
}

/**
 * pack_t_W(x, ls, ps, l0, p0, lines, kc, dst): strips of W lines of X(l, p) = x[l·ls + p·ps]
 * (l from l0, p from p0): dst[s·kc·W + p·W + q] = X(l0 + s·W + q, p0 + p), zero past `lines`.
 * A strip whose W lines are adjacent in memory (ls = 1) is copied W elements at a time.
 */
function packFn(t, W) {
  const T = BYTES[t];
  const row = W * T;
  return `
(func $pack_${t}_${W} (param $x i32) (param $ls i32) (param $ps i32) (param $l0 i32) (param $p0 i32) (param $lines i32) (param $kc i32) (param $dst i32)
  ${locals('i32', ['l', 'h', 'q', 'p', 'src', 'd', 'psb', 'lsb'])}
  ${set('psb', mul(get('ps'), i32(T)))}
  ${set('lsb', mul(get('ls'), i32(T)))}
  ${forLoop(
    'strip',
    'l',
    i32(0),
    get('lines'),
    i32(W),
    `${set('h', min(sub(get('lines'), get('l')), i32(W)))}
    ${set('src', add(add(get('x'), mul(add(get('l0'), get('l')), get('lsb'))), mul(get('p0'), get('psb'))))}
    (if (i32.and (i32.eq ${get('ls')} ${i32(1)}) (i32.eq ${get('h')} ${i32(W)}))
      (then
        ${set('d', get('dst'))}
        ${forLoop(
          'fast',
          'p',
          i32(0),
          get('kc'),
          i32(1),
          `${copyBytes(get('d'), get('src'), row)}
          ${set('src', add(get('src'), get('psb')))}
          ${set('d', add(get('d'), i32(row)))}`,
        )})
      (else
        ${forLoop(
          'line',
          'q',
          i32(0),
          i32(W),
          i32(1),
          `${set('d', add(get('dst'), mul(get('q'), i32(T))))}
          (if (i32.lt_s ${get('q')} ${get('h')})
            (then
              ${forLoop(
                'copy',
                'p',
                i32(0),
                get('kc'),
                i32(1),
                `(${t}.store ${get('d')} (${t}.load ${get('src')}))
                ${set('src', add(get('src'), get('psb')))}
                ${set('d', add(get('d'), i32(row)))}`,
              )}
              ${set('src', add(sub(get('src'), mul(get('kc'), get('psb'))), get('lsb')))})
            (else
              ${forLoop('zero', 'p', i32(0), get('kc'), i32(1), `(${t}.store ${get('d')} (${t}.const 0))\n${set('d', add(get('d'), i32(row)))}`)}))`,
        )}))
    ${set('dst', add(get('dst'), mul(get('kc'), i32(row))))}`,
  )})`;
}

/**
 * micro_t(pa, ra, sa, pb, sb, kc, c, ldc, acc): the MR × NR tile at c (row stride ldc bytes)
 * = (or, with acc, +=) Σp A(r, p)·B(p, q) over kc steps, where A(r, p) is the element at
 * pa + r·ra + p·sa (broadcast) and B(p, q..q+lanes) the vector at pb + q·size + p·sb: a
 * packed strip (ra = size, sa = MR·size; sb = NR·size) or an operand read in place.
 * The k loop is not unrolled: V8 (TurboFan) hoists the loads of unrolled steps and then
 * spills accumulators; this way all MR·NR/lanes of them stay in xmm registers.
 */
function microFn(t, p, relaxed = false) {
  const T = BYTES[t];
  const L = 16 / T;
  const { MR, NV } = p;
  const v = `${t}x${L}`;
  /** x·y + z: mul and add, or relaxed SIMD's multiply-add (fused where the processor has FMA). */
  const madd = (x, y, z) => (relaxed ? `(${v}.relaxed_madd ${x} ${y} ${z})` : `(${v}.add ${z} (${v}.mul ${x} ${y}))`);
  const splat = t === 'f32' ? 'v128.load32_splat' : 'v128.load64_splat';
  const acc = [];
  for (let r = 0; r < MR; r++) for (let j = 0; j < NV; j++) acc.push(`c${r}_${j}`);
  const bs = Array.from({ length: NV }, (_, j) => `b${j}`);
  const rows = Array.from({ length: MR }, (_, r) => `a${r}`);
  const step = [...bs.map((b, j) => set(b, `(v128.load offset=${j * 16} ${get('pb')})`))];
  for (let r = 0; r < MR; r++) {
    step.push(set('a', `(${splat} ${get(rows[r])})`));
    for (let j = 0; j < NV; j++) step.push(set(`c${r}_${j}`, madd(get('a'), get(`b${j}`), get(`c${r}_${j}`))));
  }
  const rowPtr = (r) => (r === 0 ? get('c') : add(get('c'), mul(get('ldc'), i32(r))));
  const store = [];
  const load = [];
  for (let r = 0; r < MR; r++)
    for (let j = 0; j < NV; j++) {
      load.push(set(`c${r}_${j}`, `(${v}.add ${get(`c${r}_${j}`)} (v128.load offset=${j * 16} ${rowPtr(r)}))`));
      store.push(`(v128.store offset=${j * 16} ${rowPtr(r)} ${get(`c${r}_${j}`)})`);
    }
  // A packed (ra = size): one pointer, the rows at constant offsets — fewer integer ops per step.
  const packedStep = [...bs.map((b, j) => set(b, `(v128.load offset=${j * 16} ${get('pb')})`))];
  for (let r = 0; r < MR; r++) {
    packedStep.push(set('a', `(${splat} offset=${r * T} ${get('pa')})`));
    for (let j = 0; j < NV; j++) packedStep.push(set(`c${r}_${j}`, madd(get('a'), get(`b${j}`), get(`c${r}_${j}`))));
  }
  // The epilogue, on the sums in registers: alpha is the t at $al, bias the tile's first entry.
  const each = (f) => acc.map((x) => set(x, f(x))).join('\n      ');
  const epilogue = `(if ${get('ep')}
    (then
      (if (i32.and ${get('ep')} ${i32(EP.scale)}) (then
      ${set('a', `(${splat} ${get('al')})`)}
      ${each((x) => `(${v}.mul ${get(x)} ${get('a')})`)}))
      (if (i32.and ${get('ep')} ${i32(EP.biasJ)}) (then
      ${bs.map((b, j) => set(b, `(v128.load offset=${j * 16} ${get('bias')})`)).join('\n      ')}
      ${acc.map((x, q) => set(x, `(${v}.add ${get(x)} ${get(bs[q % NV])})`)).join('\n      ')}))
      (if (i32.and ${get('ep')} ${i32(EP.biasI)}) (then
      ${rows
        .map((_, r) =>
          [
            set('a', `(${splat} offset=${r * T} ${get('bias')})`),
            ...bs.map((_, j) => set(`c${r}_${j}`, `(${v}.add ${get(`c${r}_${j}`)} ${get('a')})`)),
          ].join('\n      '),
        )
        .join('\n      ')}))
      (if (i32.and ${get('ep')} ${i32(EP.relu)}) (then
      ${set('a', '(v128.const i64x2 0 0)')}
      ${each((x) => `(${v}.max ${get(x)} ${get('a')})`)}))))`;
  return `
(func $micro_${t} (param $pa i32) (param $ra i32) (param $sa i32) (param $pb i32) (param $sb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $acc i32) (param $ep i32) (param $bias i32) (param $al i32)
  ${locals('i32', rows)}
  ${locals('v128', ['a', ...bs, ...acc])}
  ;; pa, pb += kc >>> 31 (0, as 0 < kc < 2³¹): values of a 32-bit add, which V8 then knows
  ;; to be zero-extended, instead of zero-extending them (a movl each) at every step
  ${set('pa', add(get('pa'), `(i32.shr_u ${get('kc')} ${i32(31)})`))}
  ${set('pb', add(get('pb'), `(i32.shr_u ${get('kc')} ${i32(31)})`))}
  (if (i32.eq ${get('ra')} ${i32(T)})
    (then
      (loop $kp
        ${packedStep.join('\n        ')}
        ${set('pa', add(get('pa'), get('sa')))}
        ${set('pb', add(get('pb'), get('sb')))}
        (br_if $kp (local.tee $kc ${sub(get('kc'), i32(1))}))))
    (else
  ${rows.map((x, r) => set(x, r === 0 ? get('pa') : add(get(rows[r - 1]), get('ra')))).join('\n  ')}
  (loop $k
    ${step.join('\n    ')}
    ${rows.map((x) => set(x, add(get(x), get('sa')))).join('\n    ')}
    ${set('pb', add(get('pb'), get('sb')))}
    (br_if $k (local.tee $kc ${sub(get('kc'), i32(1))})))))
  (if ${get('acc')} (then ${load.join('\n    ')}))
  ${epilogue}
  ${store.join('\n  ')})`;
}

/**
 * edge_t(tmp, c, ldc, h, w, acc, ep, bias, al): the h × w corner of the MR × NR tile at tmp
 * into (or onto) c, with the epilogue `ep` (as the micro-kernel's, one entry at a time).
 */
function edgeFn(t, p) {
  const T = BYTES[t];
  const NR = (p.NV * 16) / T;
  const upd = (flag, v) => `(if (i32.and ${get('ep')} ${i32(flag)}) (then ${set('x', v)}))`;
  return `
(func $edge_${t} (param $tmp i32) (param $c i32) (param $ldc i32) (param $h i32) (param $w i32) (param $acc i32) (param $ep i32) (param $bias i32) (param $al i32)
  ${locals('i32', ['r', 'j', 's', 'd'])} (local $x ${t})
  ${forLoop(
    'rows',
    'r',
    i32(0),
    get('h'),
    i32(1),
    `${forLoop(
      'cols',
      'j',
      i32(0),
      get('w'),
      i32(1),
      `${set('s', add(get('tmp'), mul(add(mul(get('r'), i32(NR)), get('j')), i32(T))))}
      ${set('d', add(add(get('c'), mul(get('r'), get('ldc'))), mul(get('j'), i32(T))))}
      ${set(
        'x',
        `(if (result ${t}) ${get('acc')}
          (then (${t}.add (${t}.load ${get('d')}) (${t}.load ${get('s')})))
          (else (${t}.load ${get('s')})))`,
      )}
      (if ${get('ep')}
        (then
          ${upd(EP.scale, `(${t}.mul ${get('x')} (${t}.load ${get('al')}))`)}
          ${upd(EP.biasJ, `(${t}.add ${get('x')} (${t}.load ${add(get('bias'), mul(get('j'), i32(T)))}))`)}
          ${upd(EP.biasI, `(${t}.add ${get('x')} (${t}.load ${add(get('bias'), mul(get('r'), i32(T)))}))`)}
          ${upd(EP.relu, `(${t}.max ${get('x')} (${t}.const 0))`)}))
      (${t}.store ${get('d')} ${get('x')})`,
    )}`,
  )})`;
}

/**
 * gemm_t: the blocked loops (see the header). flags bit 0: read A in place (any strides:
 * its MR values per step are broadcast one by one anyway); bit 1: read B in place, honoured
 * only where its rows are contiguous (bcs = 1). A partial last strip of fewer than MR rows
 * (NR columns) is packed all the same, once per block, so nothing past an operand's edge
 * is read.
 */
function gemmFn(t, p) {
  const T = BYTES[t];
  const { MR, KC, MC, NC } = p;
  const NR = (p.NV * 16) / T;
  const up = (x) => Math.ceil(x / 64) * 64;
  /** ⌈x / ⌈x / B⌉⌉ rounded up to a multiple of R: blocks of at most B (R | B), about equal. */
  const balanced = (x, B, R) => {
    const e = cdiv(x, cdiv(x, i32(B)));
    return R === 1 ? e : mul(cdiv(e, i32(R)), i32(R));
  };
  const micro = (c, ldc, acc, ep) =>
    `(call $micro_${t} ${get('pa')} ${get('ra')} ${get('sa')} ${get('pb')} ${get('sb')} ${get('kc')} ${c} ${ldc} ${acc} ${ep} ${get('bt')} ${get('al')})`;
  const ir = `${set('h', min(sub(get('mc'), get('ir')), i32(MR)))}
    (if (i32.and ${get('inA')} (i32.eq ${get('h')} ${i32(MR)}))
      (then
        ${set('pa', add(get('a'), mul(add(mul(add(get('ic'), get('ir')), get('ars')), mul(get('pc'), get('acs'))), i32(T))))}
        ${set('ra', mul(get('ars'), i32(T)))}
        ${set('sa', mul(get('acs'), i32(T)))})
      (else
        ;; packed: the block's strip, or (in place) the partial last strip, packed at ap
        ${set('pa', `(select ${get('ap')} ${add(get('ap'), mul(mul(get('ir'), get('kc')), i32(T)))} ${get('inA')})`)}
        ${set('ra', i32(T))}
        ${set('sa', i32(MR * T))}))
    ${set('cp', add(get('c'), mul(add(mul(add(get('ic'), get('ir')), get('n')), add(get('jc'), get('jr'))), i32(T))))}
    ;; the tile's bias: its first row's entry, or its first column's
    ${set('bt', add(get('bias'), mul(`(select ${add(get('ic'), get('ir'))} ${add(get('jc'), get('jr'))} (i32.and ${get('ep')} ${i32(EP.biasI)}))`, i32(T))))}
    (if (i32.and (i32.eq ${get('h')} ${i32(MR)}) (i32.eq ${get('w')} ${i32(NR)}))
      (then ${micro(get('cp'), get('ldc'), get('acc'), get('epl'))})
      (else
        ${micro(get('tmp'), i32(NR * T), i32(0), i32(0))}
        (call $edge_${t} ${get('tmp')} ${get('cp')} ${get('ldc')} ${get('h')} ${get('w')} ${get('acc')} ${get('epl')} ${get('bt')} ${get('al')})))`;
  const jr = `${set('w', min(sub(get('nc'), get('jr')), i32(NR)))}
    (if (i32.and ${get('inB')} (i32.eq ${get('w')} ${i32(NR)}))
      (then
        ${set('pb', add(get('b'), mul(add(mul(get('pc'), get('brs')), add(get('jc'), get('jr'))), i32(T))))}
        ${set('sb', mul(get('brs'), i32(T)))})
      (else
        ;; packed: the panel's strip, or (in place) the partial last strip, packed at bp
        ${set('pb', `(select ${get('bp')} ${add(get('bp'), mul(mul(get('jr'), get('kc')), i32(T)))} ${get('inB')})`)}
        ${set('sb', i32(NR * T))}))
    ${forLoop('ir', 'ir', i32(0), get('mc'), i32(MR), ir)}`;
  const ic = `${set('mc', min(sub(get('m'), get('ic')), get('mcb')))}
    ${set('h', `(i32.rem_u ${get('mc')} ${i32(MR)})`)}
    (if ${get('inA')}
      (then (if ${get('h')} (then (call $pack_${t}_${MR} ${get('a')} ${get('ars')} ${get('acs')} ${add(get('ic'), sub(get('mc'), get('h')))} ${get('pc')} ${get('h')} ${get('kc')} ${get('ap')}))))
      (else (call $pack_${t}_${MR} ${get('a')} ${get('ars')} ${get('acs')} ${get('ic')} ${get('pc')} ${get('mc')} ${get('kc')} ${get('ap')})))
    ${forLoop('jr', 'jr', i32(0), get('nc'), i32(NR), jr)}`;
  const pc = `${set('kc', min(sub(get('k'), get('pc')), get('kcb')))}
    ${set('acc', `(i32.ne ${get('pc')} ${i32(0)})`)}
    ;; the epilogue with the last k-slice only
    ${set('epl', `(select ${get('ep')} ${i32(0)} (i32.ge_s ${add(get('pc'), get('kc'))} ${get('k')}))`)}
    ${set('w', `(i32.rem_u ${get('nc')} ${i32(NR)})`)}
    (if ${get('inB')}
      (then (if ${get('w')} (then (call $pack_${t}_${NR} ${get('b')} ${get('bcs')} ${get('brs')} ${add(get('jc'), sub(get('nc'), get('w')))} ${get('pc')} ${get('w')} ${get('kc')} ${get('bp')}))))
      (else (call $pack_${t}_${NR} ${get('b')} ${get('bcs')} ${get('brs')} ${get('jc')} ${get('pc')} ${get('nc')} ${get('kc')} ${get('bp')})))
    ${forLoop('ic', 'ic', i32(0), get('m'), get('mcb'), ic)}`;
  const jc = `${set('nc', min(sub(get('n'), get('jc')), get('ncb')))}
    ${forLoop('pc', 'pc', i32(0), get('k'), get('kcb'), pc)}`;
  return `
(func $gemm_${t} (export "gemm_${t}") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $brs i32) (param $bcs i32) (param $c i32) (param $ws i32) (param $flags i32) (param $alpha ${t}) (param $bias i32) (param $ep i32)
  ${locals('i32', ['inA', 'inB', 'ap', 'bp', 'tmp', 'al', 'ldc', 'kcb', 'mcb', 'ncb', 'jc', 'nc', 'pc', 'kc', 'ic', 'mc', 'jr', 'ir', 'w', 'h', 'acc', 'epl', 'bt', 'pa', 'ra', 'sa', 'pb', 'sb', 'cp'])}
  (if (i32.or (i32.or (i32.lt_s ${get('m')} ${i32(1)}) (i32.lt_s ${get('n')} ${i32(1)})) (i32.lt_s ${get('k')} ${i32(1)})) (then (return)))
  ${set('inA', `(i32.and ${get('flags')} ${i32(1)})`)}
  ${set('inB', `(i32.and (i32.ne (i32.and ${get('flags')} ${i32(2)}) ${i32(0)}) (i32.eq ${get('bcs')} ${i32(1)}))`)}
  ${set('ap', get('ws'))}
  ${set('bp', add(get('ws'), i32(up(MC * KC * T))))}
  ${set('tmp', add(get('bp'), i32(up(KC * NC * T))))}
  ${set('al', add(get('tmp'), i32(MR * NR * T)))}
  (${t}.store ${get('al')} ${get('alpha')})
  ${set('ldc', mul(get('n'), i32(T)))}
  ${set('kcb', balanced(get('k'), KC, 1))}
  ${set('mcb', balanced(get('m'), MC, MR))}
  ${set('ncb', balanced(get('n'), NC, NR))}
  ${forLoop('jc', 'jc', i32(0), get('n'), get('ncb'), jc)})`;
}

/**
 * The text of the module for element type t (f32 or f64); with `relaxed`, the micro-kernel
 * uses relaxed SIMD's multiply-add (f32x4.relaxed_madd / f64x2.relaxed_madd) instead of
 * mul + add — a separate module, used only where the runtime validates it. With `shared`, the
 * memory is imported (env.memory, shared, at most 2 GiB) instead of exported: the module
 * that worker threads instantiate on one memory (codegen/wasm/pool.ts).
 */
export function gemmWat(t, p = PARAMS[t], relaxed = false, shared = false) {
  const NR = (p.NV * 16) / BYTES[t];
  const bad = MC_OK(p);
  if (bad !== true) throw new Error(`gemm-wat: ${t} parameters ${JSON.stringify(p)}: ${bad}`);
  const parts = [
    `;; AUTOGENERATED by scripts/build-wasm.mjs from codegen/wasm/gemm-wat.mjs — do not edit.`,
    `;; ${t}${relaxed ? ' (relaxed SIMD multiply-add)' : ''}: ${p.MR} × ${NR} register tile, blocks MC ${p.MC}, KC ${p.KC}, NC ${p.NC}; scratch ${packBytes(t, p)} bytes`,
    '(module',
    shared ? '  (import "env" "memory" (memory 1 32768 shared))' : '  (memory (export "memory") 1)',
    packFn(t, p.MR),
    NR !== p.MR ? packFn(t, NR) : '',
    microFn(t, p, relaxed),
    edgeFn(t, p),
    gemmFn(t, p),
    ')',
  ];
  return parts.filter((x) => x !== '').join('\n') + '\n';
}

function MC_OK(p) {
  if (p.MC % p.MR !== 0) return 'MC must be a multiple of MR';
  if (p.MR < 1 || p.NV < 1 || p.KC < 1) return 'MR, NV, KC must be positive';
  return true;
}
