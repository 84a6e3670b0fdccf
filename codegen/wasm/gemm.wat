(module
  (memory (export "memory") 1)
  ;; ── f32: 4 × 8 register tile, blocks MC 128, KC 256, NC 1024 ──

(func $pack_f32_4 (param $x i32) (param $ls i32) (param $ps i32) (param $l0 i32) (param $p0 i32) (param $lines i32) (param $kc i32) (param $dst i32)
  (local $l i32) (local $h i32) (local $q i32) (local $p i32) (local $src i32) (local $d i32) (local $psb i32) (local $lsb i32)
  (local.set $psb (i32.mul (local.get $ps) (i32.const 4)))
  (local.set $lsb (i32.mul (local.get $ls) (i32.const 4)))
  (local.set $l (i32.const 0))
(block $strip_end
  (br_if $strip_end (i32.ge_s (local.get $l) (local.get $lines)))
  (loop $strip
    (local.set $h (select (i32.sub (local.get $lines) (local.get $l)) (i32.const 4) (i32.lt_s (i32.sub (local.get $lines) (local.get $l)) (i32.const 4))))
    (local.set $src (i32.add (i32.add (local.get $x) (i32.mul (i32.add (local.get $l0) (local.get $l)) (local.get $lsb))) (i32.mul (local.get $p0) (local.get $psb))))
    (if (i32.and (i32.eq (local.get $ls) (i32.const 1)) (i32.eq (local.get $h) (i32.const 4)))
      (then
        (local.set $d (local.get $dst))
        (local.set $p (i32.const 0))
(block $fast_end
  (br_if $fast_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $fast
    (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $psb)))
          (local.set $d (i32.add (local.get $d) (i32.const 16)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $fast (i32.lt_s (local.get $p) (local.get $kc))))))
      (else
        (local.set $q (i32.const 0))
(block $line_end
  (br_if $line_end (i32.ge_s (local.get $q) (i32.const 4)))
  (loop $line
    (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $q) (i32.const 4))))
          (if (i32.lt_s (local.get $q) (local.get $h))
            (then
              (local.set $p (i32.const 0))
(block $copy_end
  (br_if $copy_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $copy
    (f32.store (local.get $d) (f32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (local.get $psb)))
                (local.set $d (i32.add (local.get $d) (i32.const 16)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $copy (i32.lt_s (local.get $p) (local.get $kc)))))
              (local.set $src (i32.add (i32.sub (local.get $src) (i32.mul (local.get $kc) (local.get $psb))) (local.get $lsb))))
            (else
              (local.set $p (i32.const 0))
(block $zero_end
  (br_if $zero_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $zero
    (f32.store (local.get $d) (f32.const 0))
(local.set $d (i32.add (local.get $d) (i32.const 16)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $zero (i32.lt_s (local.get $p) (local.get $kc)))))))
    (local.set $q (i32.add (local.get $q) (i32.const 1)))
    (br_if $line (i32.lt_s (local.get $q) (i32.const 4)))))))
    (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const 16))))
    (local.set $l (i32.add (local.get $l) (i32.const 4)))
    (br_if $strip (i32.lt_s (local.get $l) (local.get $lines))))))

(func $pack_f32_8 (param $x i32) (param $ls i32) (param $ps i32) (param $l0 i32) (param $p0 i32) (param $lines i32) (param $kc i32) (param $dst i32)
  (local $l i32) (local $h i32) (local $q i32) (local $p i32) (local $src i32) (local $d i32) (local $psb i32) (local $lsb i32)
  (local.set $psb (i32.mul (local.get $ps) (i32.const 4)))
  (local.set $lsb (i32.mul (local.get $ls) (i32.const 4)))
  (local.set $l (i32.const 0))
(block $strip_end
  (br_if $strip_end (i32.ge_s (local.get $l) (local.get $lines)))
  (loop $strip
    (local.set $h (select (i32.sub (local.get $lines) (local.get $l)) (i32.const 8) (i32.lt_s (i32.sub (local.get $lines) (local.get $l)) (i32.const 8))))
    (local.set $src (i32.add (i32.add (local.get $x) (i32.mul (i32.add (local.get $l0) (local.get $l)) (local.get $lsb))) (i32.mul (local.get $p0) (local.get $psb))))
    (if (i32.and (i32.eq (local.get $ls) (i32.const 1)) (i32.eq (local.get $h) (i32.const 8)))
      (then
        (local.set $d (local.get $dst))
        (local.set $p (i32.const 0))
(block $fast_end
  (br_if $fast_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $fast
    (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $src)))
(v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $psb)))
          (local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $fast (i32.lt_s (local.get $p) (local.get $kc))))))
      (else
        (local.set $q (i32.const 0))
(block $line_end
  (br_if $line_end (i32.ge_s (local.get $q) (i32.const 8)))
  (loop $line
    (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $q) (i32.const 4))))
          (if (i32.lt_s (local.get $q) (local.get $h))
            (then
              (local.set $p (i32.const 0))
(block $copy_end
  (br_if $copy_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $copy
    (f32.store (local.get $d) (f32.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (local.get $psb)))
                (local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $copy (i32.lt_s (local.get $p) (local.get $kc)))))
              (local.set $src (i32.add (i32.sub (local.get $src) (i32.mul (local.get $kc) (local.get $psb))) (local.get $lsb))))
            (else
              (local.set $p (i32.const 0))
(block $zero_end
  (br_if $zero_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $zero
    (f32.store (local.get $d) (f32.const 0))
(local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $zero (i32.lt_s (local.get $p) (local.get $kc)))))))
    (local.set $q (i32.add (local.get $q) (i32.const 1)))
    (br_if $line (i32.lt_s (local.get $q) (i32.const 8)))))))
    (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const 32))))
    (local.set $l (i32.add (local.get $l) (i32.const 8)))
    (br_if $strip (i32.lt_s (local.get $l) (local.get $lines))))))

(func $micro_f32 (param $pa i32) (param $ra i32) (param $sa i32) (param $pb i32) (param $sb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $acc i32)
  (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
  (local $a v128) (local $b0 v128) (local $b1 v128) (local $c0_0 v128) (local $c0_1 v128) (local $c1_0 v128) (local $c1_1 v128) (local $c2_0 v128) (local $c2_1 v128) (local $c3_0 v128) (local $c3_1 v128)
  (local.set $a0 (local.get $pa))
  (local.set $a1 (i32.add (local.get $a0) (local.get $ra)))
  (local.set $a2 (i32.add (local.get $a1) (local.get $ra)))
  (local.set $a3 (i32.add (local.get $a2) (local.get $ra)))
  (loop $k
    (local.set $b0 (v128.load offset=0 (local.get $pb)))
    (local.set $b1 (v128.load offset=16 (local.get $pb)))
    (local.set $a (v128.load32_splat (local.get $a0)))
    (local.set $c0_0 (f32x4.add (local.get $c0_0) (f32x4.mul (local.get $a) (local.get $b0))))
    (local.set $c0_1 (f32x4.add (local.get $c0_1) (f32x4.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load32_splat (local.get $a1)))
    (local.set $c1_0 (f32x4.add (local.get $c1_0) (f32x4.mul (local.get $a) (local.get $b0))))
    (local.set $c1_1 (f32x4.add (local.get $c1_1) (f32x4.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load32_splat (local.get $a2)))
    (local.set $c2_0 (f32x4.add (local.get $c2_0) (f32x4.mul (local.get $a) (local.get $b0))))
    (local.set $c2_1 (f32x4.add (local.get $c2_1) (f32x4.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load32_splat (local.get $a3)))
    (local.set $c3_0 (f32x4.add (local.get $c3_0) (f32x4.mul (local.get $a) (local.get $b0))))
    (local.set $c3_1 (f32x4.add (local.get $c3_1) (f32x4.mul (local.get $a) (local.get $b1))))
    (local.set $a0 (i32.add (local.get $a0) (local.get $sa)))
    (local.set $a1 (i32.add (local.get $a1) (local.get $sa)))
    (local.set $a2 (i32.add (local.get $a2) (local.get $sa)))
    (local.set $a3 (i32.add (local.get $a3) (local.get $sa)))
    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
    (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
  (if (local.get $acc) (then (local.set $c0_0 (f32x4.add (local.get $c0_0) (v128.load offset=0 (local.get $c))))
    (local.set $c0_1 (f32x4.add (local.get $c0_1) (v128.load offset=16 (local.get $c))))
    (local.set $c1_0 (f32x4.add (local.get $c1_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
    (local.set $c1_1 (f32x4.add (local.get $c1_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
    (local.set $c2_0 (f32x4.add (local.get $c2_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
    (local.set $c2_1 (f32x4.add (local.get $c2_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
    (local.set $c3_0 (f32x4.add (local.get $c3_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))
    (local.set $c3_1 (f32x4.add (local.get $c3_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))))
  (v128.store offset=0 (local.get $c) (local.get $c0_0))
  (v128.store offset=16 (local.get $c) (local.get $c0_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_1)))

(func $edge_f32 (param $tmp i32) (param $c i32) (param $ldc i32) (param $h i32) (param $w i32) (param $acc i32)
  (local $r i32) (local $j i32) (local $s i32) (local $d i32)
  (local.set $r (i32.const 0))
(block $rows_end
  (br_if $rows_end (i32.ge_s (local.get $r) (local.get $h)))
  (loop $rows
    (local.set $j (i32.const 0))
(block $cols_end
  (br_if $cols_end (i32.ge_s (local.get $j) (local.get $w)))
  (loop $cols
    (local.set $s (i32.add (local.get $tmp) (i32.mul (i32.add (i32.mul (local.get $r) (i32.const 8)) (local.get $j)) (i32.const 4))))
      (local.set $d (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (i32.mul (local.get $j) (i32.const 4))))
      (f32.store (local.get $d)
        (if (result f32) (local.get $acc)
          (then (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
          (else (f32.load (local.get $s)))))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (br_if $cols (i32.lt_s (local.get $j) (local.get $w)))))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br_if $rows (i32.lt_s (local.get $r) (local.get $h))))))

(func $gemm_f32 (export "gemm_f32") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $brs i32) (param $bcs i32) (param $c i32) (param $ws i32) (param $flags i32)
  (local $inA i32) (local $inB i32) (local $ap i32) (local $bp i32) (local $tmp i32) (local $ldc i32) (local $kcb i32) (local $mcb i32) (local $ncb i32) (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32) (local $jr i32) (local $ir i32) (local $w i32) (local $h i32) (local $acc i32) (local $pa i32) (local $ra i32) (local $sa i32) (local $pb i32) (local $sb i32) (local $cp i32)
  (if (i32.or (i32.or (i32.lt_s (local.get $m) (i32.const 1)) (i32.lt_s (local.get $n) (i32.const 1))) (i32.lt_s (local.get $k) (i32.const 1))) (then (return)))
  (local.set $inA (i32.and (local.get $flags) (i32.const 1)))
  (local.set $inB (i32.and (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0)) (i32.eq (local.get $bcs) (i32.const 1))))
  (local.set $ap (local.get $ws))
  (local.set $bp (i32.add (local.get $ws) (i32.const 131072)))
  (local.set $tmp (i32.add (local.get $bp) (i32.const 1048576)))
  (local.set $ldc (i32.mul (local.get $n) (i32.const 4)))
  (local.set $kcb (i32.div_u (i32.add (local.get $k) (i32.sub (i32.div_u (i32.add (local.get $k) (i32.sub (i32.const 256) (i32.const 1))) (i32.const 256)) (i32.const 1))) (i32.div_u (i32.add (local.get $k) (i32.sub (i32.const 256) (i32.const 1))) (i32.const 256))))
  (local.set $mcb (i32.mul (i32.div_u (i32.add (i32.div_u (i32.add (local.get $m) (i32.sub (i32.div_u (i32.add (local.get $m) (i32.sub (i32.const 128) (i32.const 1))) (i32.const 128)) (i32.const 1))) (i32.div_u (i32.add (local.get $m) (i32.sub (i32.const 128) (i32.const 1))) (i32.const 128))) (i32.sub (i32.const 4) (i32.const 1))) (i32.const 4)) (i32.const 4)))
  (local.set $ncb (i32.mul (i32.div_u (i32.add (i32.div_u (i32.add (local.get $n) (i32.sub (i32.div_u (i32.add (local.get $n) (i32.sub (i32.const 1024) (i32.const 1))) (i32.const 1024)) (i32.const 1))) (i32.div_u (i32.add (local.get $n) (i32.sub (i32.const 1024) (i32.const 1))) (i32.const 1024))) (i32.sub (i32.const 8) (i32.const 1))) (i32.const 8)) (i32.const 8)))
  (local.set $jc (i32.const 0))
(block $jc_end
  (br_if $jc_end (i32.ge_s (local.get $jc) (local.get $n)))
  (loop $jc
    (local.set $nc (select (i32.sub (local.get $n) (local.get $jc)) (local.get $ncb) (i32.lt_s (i32.sub (local.get $n) (local.get $jc)) (local.get $ncb))))
    (local.set $pc (i32.const 0))
(block $pc_end
  (br_if $pc_end (i32.ge_s (local.get $pc) (local.get $k)))
  (loop $pc
    (local.set $kc (select (i32.sub (local.get $k) (local.get $pc)) (local.get $kcb) (i32.lt_s (i32.sub (local.get $k) (local.get $pc)) (local.get $kcb))))
    (local.set $acc (i32.ne (local.get $pc) (i32.const 0)))
    (if (i32.eqz (local.get $inB))
      (then (call $pack_f32_8 (local.get $b) (local.get $bcs) (local.get $brs) (local.get $jc) (local.get $pc) (local.get $nc) (local.get $kc) (local.get $bp))))
    (local.set $ic (i32.const 0))
(block $ic_end
  (br_if $ic_end (i32.ge_s (local.get $ic) (local.get $m)))
  (loop $ic
    (local.set $mc (select (i32.sub (local.get $m) (local.get $ic)) (local.get $mcb) (i32.lt_s (i32.sub (local.get $m) (local.get $ic)) (local.get $mcb))))
    (if (i32.eqz (local.get $inA))
      (then (call $pack_f32_4 (local.get $a) (local.get $ars) (local.get $acs) (local.get $ic) (local.get $pc) (local.get $mc) (local.get $kc) (local.get $ap))))
    (local.set $jr (i32.const 0))
(block $jr_end
  (br_if $jr_end (i32.ge_s (local.get $jr) (local.get $nc)))
  (loop $jr
    (local.set $w (select (i32.sub (local.get $nc) (local.get $jr)) (i32.const 8) (i32.lt_s (i32.sub (local.get $nc) (local.get $jr)) (i32.const 8))))
    (if (i32.and (local.get $inB) (i32.eq (local.get $w) (i32.const 8)))
      (then
        (local.set $pb (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $pc) (local.get $brs)) (i32.add (local.get $jc) (local.get $jr))) (i32.const 4))))
        (local.set $sb (i32.mul (local.get $brs) (i32.const 4))))
      (else
        (if (local.get $inB)
          (then
            (call $pack_f32_8 (local.get $b) (local.get $bcs) (local.get $brs) (i32.add (local.get $jc) (local.get $jr)) (local.get $pc) (local.get $w) (local.get $kc) (local.get $bp))
            (local.set $pb (local.get $bp)))
          (else (local.set $pb (i32.add (local.get $bp) (i32.mul (i32.mul (local.get $jr) (local.get $kc)) (i32.const 4))))))
        (local.set $sb (i32.const 32))))
    (local.set $ir (i32.const 0))
(block $ir_end
  (br_if $ir_end (i32.ge_s (local.get $ir) (local.get $mc)))
  (loop $ir
    (local.set $h (select (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4) (i32.lt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4))))
    (if (i32.and (local.get $inA) (i32.eq (local.get $h) (i32.const 4)))
      (then
        (local.set $pa (i32.add (local.get $a) (i32.mul (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ars)) (i32.mul (local.get $pc) (local.get $acs))) (i32.const 4))))
        (local.set $ra (i32.mul (local.get $ars) (i32.const 4)))
        (local.set $sa (i32.mul (local.get $acs) (i32.const 4))))
      (else
        (if (local.get $inA)
          (then
            (call $pack_f32_4 (local.get $a) (local.get $ars) (local.get $acs) (i32.add (local.get $ic) (local.get $ir)) (local.get $pc) (local.get $h) (local.get $kc) (local.get $ap))
            (local.set $pa (local.get $ap)))
          (else (local.set $pa (i32.add (local.get $ap) (i32.mul (i32.mul (local.get $ir) (local.get $kc)) (i32.const 4))))))
        (local.set $ra (i32.const 4))
        (local.set $sa (i32.const 16))))
    (local.set $cp (i32.add (local.get $c) (i32.mul (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $n)) (i32.add (local.get $jc) (local.get $jr))) (i32.const 4))))
    (if (i32.and (i32.eq (local.get $h) (i32.const 4)) (i32.eq (local.get $w) (i32.const 8)))
      (then (call $micro_f32 (local.get $pa) (local.get $ra) (local.get $sa) (local.get $pb) (local.get $sb) (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $acc)))
      (else
        (call $micro_f32 (local.get $pa) (local.get $ra) (local.get $sa) (local.get $pb) (local.get $sb) (local.get $kc) (local.get $tmp) (i32.const 32) (i32.const 0))
        (call $edge_f32 (local.get $tmp) (local.get $cp) (local.get $ldc) (local.get $h) (local.get $w) (local.get $acc))))
    (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
    (br_if $ir (i32.lt_s (local.get $ir) (local.get $mc)))))
    (local.set $jr (i32.add (local.get $jr) (i32.const 8)))
    (br_if $jr (i32.lt_s (local.get $jr) (local.get $nc)))))
    (local.set $ic (i32.add (local.get $ic) (local.get $mcb)))
    (br_if $ic (i32.lt_s (local.get $ic) (local.get $m)))))
    (local.set $pc (i32.add (local.get $pc) (local.get $kcb)))
    (br_if $pc (i32.lt_s (local.get $pc) (local.get $k)))))
    (local.set $jc (i32.add (local.get $jc) (local.get $ncb)))
    (br_if $jc (i32.lt_s (local.get $jc) (local.get $n))))))
  ;; ── f64: 4 × 4 register tile, blocks MC 64, KC 256, NC 512 ──

(func $pack_f64_4 (param $x i32) (param $ls i32) (param $ps i32) (param $l0 i32) (param $p0 i32) (param $lines i32) (param $kc i32) (param $dst i32)
  (local $l i32) (local $h i32) (local $q i32) (local $p i32) (local $src i32) (local $d i32) (local $psb i32) (local $lsb i32)
  (local.set $psb (i32.mul (local.get $ps) (i32.const 8)))
  (local.set $lsb (i32.mul (local.get $ls) (i32.const 8)))
  (local.set $l (i32.const 0))
(block $strip_end
  (br_if $strip_end (i32.ge_s (local.get $l) (local.get $lines)))
  (loop $strip
    (local.set $h (select (i32.sub (local.get $lines) (local.get $l)) (i32.const 4) (i32.lt_s (i32.sub (local.get $lines) (local.get $l)) (i32.const 4))))
    (local.set $src (i32.add (i32.add (local.get $x) (i32.mul (i32.add (local.get $l0) (local.get $l)) (local.get $lsb))) (i32.mul (local.get $p0) (local.get $psb))))
    (if (i32.and (i32.eq (local.get $ls) (i32.const 1)) (i32.eq (local.get $h) (i32.const 4)))
      (then
        (local.set $d (local.get $dst))
        (local.set $p (i32.const 0))
(block $fast_end
  (br_if $fast_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $fast
    (v128.store offset=0 (local.get $d) (v128.load offset=0 (local.get $src)))
(v128.store offset=16 (local.get $d) (v128.load offset=16 (local.get $src)))
          (local.set $src (i32.add (local.get $src) (local.get $psb)))
          (local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $fast (i32.lt_s (local.get $p) (local.get $kc))))))
      (else
        (local.set $q (i32.const 0))
(block $line_end
  (br_if $line_end (i32.ge_s (local.get $q) (i32.const 4)))
  (loop $line
    (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $q) (i32.const 8))))
          (if (i32.lt_s (local.get $q) (local.get $h))
            (then
              (local.set $p (i32.const 0))
(block $copy_end
  (br_if $copy_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $copy
    (f64.store (local.get $d) (f64.load (local.get $src)))
                (local.set $src (i32.add (local.get $src) (local.get $psb)))
                (local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $copy (i32.lt_s (local.get $p) (local.get $kc)))))
              (local.set $src (i32.add (i32.sub (local.get $src) (i32.mul (local.get $kc) (local.get $psb))) (local.get $lsb))))
            (else
              (local.set $p (i32.const 0))
(block $zero_end
  (br_if $zero_end (i32.ge_s (local.get $p) (local.get $kc)))
  (loop $zero
    (f64.store (local.get $d) (f64.const 0))
(local.set $d (i32.add (local.get $d) (i32.const 32)))
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (br_if $zero (i32.lt_s (local.get $p) (local.get $kc)))))))
    (local.set $q (i32.add (local.get $q) (i32.const 1)))
    (br_if $line (i32.lt_s (local.get $q) (i32.const 4)))))))
    (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $kc) (i32.const 32))))
    (local.set $l (i32.add (local.get $l) (i32.const 4)))
    (br_if $strip (i32.lt_s (local.get $l) (local.get $lines))))))

(func $micro_f64 (param $pa i32) (param $ra i32) (param $sa i32) (param $pb i32) (param $sb i32) (param $kc i32) (param $c i32) (param $ldc i32) (param $acc i32)
  (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
  (local $a v128) (local $b0 v128) (local $b1 v128) (local $c0_0 v128) (local $c0_1 v128) (local $c1_0 v128) (local $c1_1 v128) (local $c2_0 v128) (local $c2_1 v128) (local $c3_0 v128) (local $c3_1 v128)
  (local.set $a0 (local.get $pa))
  (local.set $a1 (i32.add (local.get $a0) (local.get $ra)))
  (local.set $a2 (i32.add (local.get $a1) (local.get $ra)))
  (local.set $a3 (i32.add (local.get $a2) (local.get $ra)))
  (loop $k
    (local.set $b0 (v128.load offset=0 (local.get $pb)))
    (local.set $b1 (v128.load offset=16 (local.get $pb)))
    (local.set $a (v128.load64_splat (local.get $a0)))
    (local.set $c0_0 (f64x2.add (local.get $c0_0) (f64x2.mul (local.get $a) (local.get $b0))))
    (local.set $c0_1 (f64x2.add (local.get $c0_1) (f64x2.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load64_splat (local.get $a1)))
    (local.set $c1_0 (f64x2.add (local.get $c1_0) (f64x2.mul (local.get $a) (local.get $b0))))
    (local.set $c1_1 (f64x2.add (local.get $c1_1) (f64x2.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load64_splat (local.get $a2)))
    (local.set $c2_0 (f64x2.add (local.get $c2_0) (f64x2.mul (local.get $a) (local.get $b0))))
    (local.set $c2_1 (f64x2.add (local.get $c2_1) (f64x2.mul (local.get $a) (local.get $b1))))
    (local.set $a (v128.load64_splat (local.get $a3)))
    (local.set $c3_0 (f64x2.add (local.get $c3_0) (f64x2.mul (local.get $a) (local.get $b0))))
    (local.set $c3_1 (f64x2.add (local.get $c3_1) (f64x2.mul (local.get $a) (local.get $b1))))
    (local.set $a0 (i32.add (local.get $a0) (local.get $sa)))
    (local.set $a1 (i32.add (local.get $a1) (local.get $sa)))
    (local.set $a2 (i32.add (local.get $a2) (local.get $sa)))
    (local.set $a3 (i32.add (local.get $a3) (local.get $sa)))
    (local.set $pb (i32.add (local.get $pb) (local.get $sb)))
    (br_if $k (local.tee $kc (i32.sub (local.get $kc) (i32.const 1)))))
  (if (local.get $acc) (then (local.set $c0_0 (f64x2.add (local.get $c0_0) (v128.load offset=0 (local.get $c))))
    (local.set $c0_1 (f64x2.add (local.get $c0_1) (v128.load offset=16 (local.get $c))))
    (local.set $c1_0 (f64x2.add (local.get $c1_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
    (local.set $c1_1 (f64x2.add (local.get $c1_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))))))
    (local.set $c2_0 (f64x2.add (local.get $c2_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
    (local.set $c2_1 (f64x2.add (local.get $c2_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))))))
    (local.set $c3_0 (f64x2.add (local.get $c3_0) (v128.load offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))
    (local.set $c3_1 (f64x2.add (local.get $c3_1) (v128.load offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))))))))
  (v128.store offset=0 (local.get $c) (local.get $c0_0))
  (v128.store offset=16 (local.get $c) (local.get $c0_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 1))) (local.get $c1_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 2))) (local.get $c2_1))
  (v128.store offset=0 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_0))
  (v128.store offset=16 (i32.add (local.get $c) (i32.mul (local.get $ldc) (i32.const 3))) (local.get $c3_1)))

(func $edge_f64 (param $tmp i32) (param $c i32) (param $ldc i32) (param $h i32) (param $w i32) (param $acc i32)
  (local $r i32) (local $j i32) (local $s i32) (local $d i32)
  (local.set $r (i32.const 0))
(block $rows_end
  (br_if $rows_end (i32.ge_s (local.get $r) (local.get $h)))
  (loop $rows
    (local.set $j (i32.const 0))
(block $cols_end
  (br_if $cols_end (i32.ge_s (local.get $j) (local.get $w)))
  (loop $cols
    (local.set $s (i32.add (local.get $tmp) (i32.mul (i32.add (i32.mul (local.get $r) (i32.const 4)) (local.get $j)) (i32.const 8))))
      (local.set $d (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $ldc))) (i32.mul (local.get $j) (i32.const 8))))
      (f64.store (local.get $d)
        (if (result f64) (local.get $acc)
          (then (f64.add (f64.load (local.get $d)) (f64.load (local.get $s))))
          (else (f64.load (local.get $s)))))
    (local.set $j (i32.add (local.get $j) (i32.const 1)))
    (br_if $cols (i32.lt_s (local.get $j) (local.get $w)))))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br_if $rows (i32.lt_s (local.get $r) (local.get $h))))))

(func $gemm_f64 (export "gemm_f64") (param $m i32) (param $n i32) (param $k i32) (param $a i32) (param $ars i32) (param $acs i32) (param $b i32) (param $brs i32) (param $bcs i32) (param $c i32) (param $ws i32) (param $flags i32)
  (local $inA i32) (local $inB i32) (local $ap i32) (local $bp i32) (local $tmp i32) (local $ldc i32) (local $kcb i32) (local $mcb i32) (local $ncb i32) (local $jc i32) (local $nc i32) (local $pc i32) (local $kc i32) (local $ic i32) (local $mc i32) (local $jr i32) (local $ir i32) (local $w i32) (local $h i32) (local $acc i32) (local $pa i32) (local $ra i32) (local $sa i32) (local $pb i32) (local $sb i32) (local $cp i32)
  (if (i32.or (i32.or (i32.lt_s (local.get $m) (i32.const 1)) (i32.lt_s (local.get $n) (i32.const 1))) (i32.lt_s (local.get $k) (i32.const 1))) (then (return)))
  (local.set $inA (i32.and (local.get $flags) (i32.const 1)))
  (local.set $inB (i32.and (i32.ne (i32.and (local.get $flags) (i32.const 2)) (i32.const 0)) (i32.eq (local.get $bcs) (i32.const 1))))
  (local.set $ap (local.get $ws))
  (local.set $bp (i32.add (local.get $ws) (i32.const 131072)))
  (local.set $tmp (i32.add (local.get $bp) (i32.const 1048576)))
  (local.set $ldc (i32.mul (local.get $n) (i32.const 8)))
  (local.set $kcb (i32.div_u (i32.add (local.get $k) (i32.sub (i32.div_u (i32.add (local.get $k) (i32.sub (i32.const 256) (i32.const 1))) (i32.const 256)) (i32.const 1))) (i32.div_u (i32.add (local.get $k) (i32.sub (i32.const 256) (i32.const 1))) (i32.const 256))))
  (local.set $mcb (i32.mul (i32.div_u (i32.add (i32.div_u (i32.add (local.get $m) (i32.sub (i32.div_u (i32.add (local.get $m) (i32.sub (i32.const 64) (i32.const 1))) (i32.const 64)) (i32.const 1))) (i32.div_u (i32.add (local.get $m) (i32.sub (i32.const 64) (i32.const 1))) (i32.const 64))) (i32.sub (i32.const 4) (i32.const 1))) (i32.const 4)) (i32.const 4)))
  (local.set $ncb (i32.mul (i32.div_u (i32.add (i32.div_u (i32.add (local.get $n) (i32.sub (i32.div_u (i32.add (local.get $n) (i32.sub (i32.const 512) (i32.const 1))) (i32.const 512)) (i32.const 1))) (i32.div_u (i32.add (local.get $n) (i32.sub (i32.const 512) (i32.const 1))) (i32.const 512))) (i32.sub (i32.const 4) (i32.const 1))) (i32.const 4)) (i32.const 4)))
  (local.set $jc (i32.const 0))
(block $jc_end
  (br_if $jc_end (i32.ge_s (local.get $jc) (local.get $n)))
  (loop $jc
    (local.set $nc (select (i32.sub (local.get $n) (local.get $jc)) (local.get $ncb) (i32.lt_s (i32.sub (local.get $n) (local.get $jc)) (local.get $ncb))))
    (local.set $pc (i32.const 0))
(block $pc_end
  (br_if $pc_end (i32.ge_s (local.get $pc) (local.get $k)))
  (loop $pc
    (local.set $kc (select (i32.sub (local.get $k) (local.get $pc)) (local.get $kcb) (i32.lt_s (i32.sub (local.get $k) (local.get $pc)) (local.get $kcb))))
    (local.set $acc (i32.ne (local.get $pc) (i32.const 0)))
    (if (i32.eqz (local.get $inB))
      (then (call $pack_f64_4 (local.get $b) (local.get $bcs) (local.get $brs) (local.get $jc) (local.get $pc) (local.get $nc) (local.get $kc) (local.get $bp))))
    (local.set $ic (i32.const 0))
(block $ic_end
  (br_if $ic_end (i32.ge_s (local.get $ic) (local.get $m)))
  (loop $ic
    (local.set $mc (select (i32.sub (local.get $m) (local.get $ic)) (local.get $mcb) (i32.lt_s (i32.sub (local.get $m) (local.get $ic)) (local.get $mcb))))
    (if (i32.eqz (local.get $inA))
      (then (call $pack_f64_4 (local.get $a) (local.get $ars) (local.get $acs) (local.get $ic) (local.get $pc) (local.get $mc) (local.get $kc) (local.get $ap))))
    (local.set $jr (i32.const 0))
(block $jr_end
  (br_if $jr_end (i32.ge_s (local.get $jr) (local.get $nc)))
  (loop $jr
    (local.set $w (select (i32.sub (local.get $nc) (local.get $jr)) (i32.const 4) (i32.lt_s (i32.sub (local.get $nc) (local.get $jr)) (i32.const 4))))
    (if (i32.and (local.get $inB) (i32.eq (local.get $w) (i32.const 4)))
      (then
        (local.set $pb (i32.add (local.get $b) (i32.mul (i32.add (i32.mul (local.get $pc) (local.get $brs)) (i32.add (local.get $jc) (local.get $jr))) (i32.const 8))))
        (local.set $sb (i32.mul (local.get $brs) (i32.const 8))))
      (else
        (if (local.get $inB)
          (then
            (call $pack_f64_4 (local.get $b) (local.get $bcs) (local.get $brs) (i32.add (local.get $jc) (local.get $jr)) (local.get $pc) (local.get $w) (local.get $kc) (local.get $bp))
            (local.set $pb (local.get $bp)))
          (else (local.set $pb (i32.add (local.get $bp) (i32.mul (i32.mul (local.get $jr) (local.get $kc)) (i32.const 8))))))
        (local.set $sb (i32.const 32))))
    (local.set $ir (i32.const 0))
(block $ir_end
  (br_if $ir_end (i32.ge_s (local.get $ir) (local.get $mc)))
  (loop $ir
    (local.set $h (select (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4) (i32.lt_s (i32.sub (local.get $mc) (local.get $ir)) (i32.const 4))))
    (if (i32.and (local.get $inA) (i32.eq (local.get $h) (i32.const 4)))
      (then
        (local.set $pa (i32.add (local.get $a) (i32.mul (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $ars)) (i32.mul (local.get $pc) (local.get $acs))) (i32.const 8))))
        (local.set $ra (i32.mul (local.get $ars) (i32.const 8)))
        (local.set $sa (i32.mul (local.get $acs) (i32.const 8))))
      (else
        (if (local.get $inA)
          (then
            (call $pack_f64_4 (local.get $a) (local.get $ars) (local.get $acs) (i32.add (local.get $ic) (local.get $ir)) (local.get $pc) (local.get $h) (local.get $kc) (local.get $ap))
            (local.set $pa (local.get $ap)))
          (else (local.set $pa (i32.add (local.get $ap) (i32.mul (i32.mul (local.get $ir) (local.get $kc)) (i32.const 8))))))
        (local.set $ra (i32.const 8))
        (local.set $sa (i32.const 32))))
    (local.set $cp (i32.add (local.get $c) (i32.mul (i32.add (i32.mul (i32.add (local.get $ic) (local.get $ir)) (local.get $n)) (i32.add (local.get $jc) (local.get $jr))) (i32.const 8))))
    (if (i32.and (i32.eq (local.get $h) (i32.const 4)) (i32.eq (local.get $w) (i32.const 4)))
      (then (call $micro_f64 (local.get $pa) (local.get $ra) (local.get $sa) (local.get $pb) (local.get $sb) (local.get $kc) (local.get $cp) (local.get $ldc) (local.get $acc)))
      (else
        (call $micro_f64 (local.get $pa) (local.get $ra) (local.get $sa) (local.get $pb) (local.get $sb) (local.get $kc) (local.get $tmp) (i32.const 32) (i32.const 0))
        (call $edge_f64 (local.get $tmp) (local.get $cp) (local.get $ldc) (local.get $h) (local.get $w) (local.get $acc))))
    (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
    (br_if $ir (i32.lt_s (local.get $ir) (local.get $mc)))))
    (local.set $jr (i32.add (local.get $jr) (i32.const 4)))
    (br_if $jr (i32.lt_s (local.get $jr) (local.get $nc)))))
    (local.set $ic (i32.add (local.get $ic) (local.get $mcb)))
    (br_if $ic (i32.lt_s (local.get $ic) (local.get $m)))))
    (local.set $pc (i32.add (local.get $pc) (local.get $kcb)))
    (br_if $pc (i32.lt_s (local.get $pc) (local.get $k)))))
    (local.set $jc (i32.add (local.get $jc) (local.get $ncb)))
    (br_if $jc (i32.lt_s (local.get $jc) (local.get $n))))))
)
