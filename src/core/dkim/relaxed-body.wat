;; Relaxed body canonicalization, RFC 6376 §3.4.4, with the line rules of body-hash.ts: bare LF ends a line as CRLF
;; does, a CR not followed by LF is an ordinary byte, WSP runs become one SP, WSP at a line end goes, and empty
;; lines are counted (the caller writes them before the next content, or drops them at the end of the body, §3.4.4).
;; The byte loop of relaxed-body-loop.ts does the same one byte at a time; it is the reference this module is
;; tested against.
;;
;; Memory (five 64 KiB pages, 327,680 bytes), laid out by the constant globals below, which relaxed-kernel.ts
;; exports under the same names (a test checks that they match):
;;   [0, $INPUT_SIZE)           input: the caller copies up to 65,536 bytes here per call;
;;   [$OUTPUT_BASE, …)          canonical output: at most twice the input plus $MAX_BLANKS empty lines carried in
;;                              from earlier calls, so it ends by 65,536 + 131,072 + 32,768 = 229,376, and a 64-byte
;;                              store past the end still stays below the table;
;;   [$SWIZZLE_TABLE, +2,048)   the swizzle table: 8 lane indices for each of the 256 byte masks.
;; `relax(i, end)` reads input [i, end), appends to the output (`out` bytes so far) and returns where it stopped:
;; `end`, or the offset of a content byte that must wait for more than $MAX_BLANKS pending empty lines (`blank`),
;; which the caller writes. The line state lives in the globals between calls, so a body may arrive in any number
;; of pieces.
;;
;; Block sizes: a block of the fast path is 64 bytes (four v128 vectors, loaded at offsets 0, 16, 32, 48; its masks
;; are i64, one bit per byte); near the end of the input a block is 16 bytes (one v128, i32 masks); the byte loop
;; takes up to 16 bytes before it tries a block again. These numbers are the vector width (16) and four of it, so
;; they are written as they are.
;;
;; A 64-byte block whose canonical form is itself is copied. A block that changes only by WSP (runs shortened to one
;; SP, HTAB written as SP, runs before a CRLF dropped) is written by a swizzle per eight bytes (a table of the kept
;; lanes for each mask); empty lines in it are copied when content follows them in the block (so they are not the
;; body's end). Otherwise the bytes before the first that changes are copied and the bytes from there go one at a
;; time until nothing is pending; so do the last bytes, sixteen at a time when nothing in them changes. Built into
;; relaxed-body-wasm.ts by scripts/build-wasm.mjs.
(module
  (memory (export "memory") 5)
  ;; The memory layout (see above).
  (global $INPUT_SIZE (export "INPUT_SIZE") i32 (i32.const 65536))
  (global $OUTPUT_BASE (export "OUTPUT_BASE") i32 (i32.const 65536))
  (global $MAX_BLANKS (export "MAX_BLANKS") i32 (i32.const 16384))
  (global $SWIZZLE_TABLE (export "SWIZZLE_TABLE") i32 (i32.const 262144))
  (global $space (export "space") (mut i32) (i32.const 0))
  (global $content (export "content") (mut i32) (i32.const 0))
  (global $cr (export "cr") (mut i32) (i32.const 0))
  (global $blank (export "blank") (mut i32) (i32.const 0))
  (global $out (export "out") (mut i32) (i32.const 0))
  ;; The swizzle table at $SWIZZLE_TABLE: for each byte mask m, the indices 0-7 whose bit in m is clear, in order, then 255
  ;; (a lane that swizzles to zero). Filled once when the module starts.
  (func $fillTable
    (local $m i32) (local $j i32) (local $at i32) (local $k i32)
    (loop $mask
      (local.set $at (i32.add (global.get $SWIZZLE_TABLE) (i32.shl (local.get $m) (i32.const 3))))
      (local.set $k (i32.const 0))
      (local.set $j (i32.const 0))
      (loop $lane
        (if (i32.eqz (i32.and (local.get $m) (i32.shl (i32.const 1) (local.get $j))))
          (then
            (i32.store8 (i32.add (local.get $at) (local.get $k)) (local.get $j))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lane (i32.lt_u (local.get $j) (i32.const 8))))
      (loop $pad
        (if (i32.lt_u (local.get $k) (i32.const 8))
          (then
            (i32.store8 (i32.add (local.get $at) (local.get $k)) (i32.const 255))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $pad))))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br_if $mask (i32.lt_u (local.get $m) (i32.const 256)))))
  (start $fillTable)
  ;; Writes the pending empty lines (at most $MAX_BLANKS: more are left to the caller) at $o; returns the new end.
  (func $blanks (param $o i32) (result i32)
    (loop $line
      (i32.store16 (local.get $o) (i32.const 0x0a0d))
      (local.set $o (i32.add (local.get $o) (i32.const 2)))
      (global.set $blank (i32.sub (global.get $blank) (i32.const 1)))
      (br_if $line (global.get $blank)))
    (local.get $o))
  (func (export "relax") (param $i i32) (param $end i32) (result i32)
    (local $c i32) (local $o i32) (local $space i32) (local $content i32) (local $cr i32)
    (local $spOut i32) (local $blockEnd i32) (local $v v128)
    (local $S i32) (local $C i32) (local $L i32) (local $Lo i32) (local $bad i32) (local $p i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $table i32)
    (local $S64 i64) (local $C64 i64) (local $L64 i64) (local $T64 i64) (local $W64 i64) (local $G64 i64) (local $LS64 i64)
    (local $Y64 i64) (local $W2 i64) (local $E64 i64) (local $drop64 i64) (local $bad64 i64) (local $drop i32) (local $half i32)
    (local.set $space (global.get $space))
    (local.set $content (global.get $content))
    (local.set $cr (global.get $cr))
    (local.set $o (i32.add (global.get $OUTPUT_BASE) (global.get $out)))
    (local.set $table (global.get $SWIZZLE_TABLE))
    (block $exit
      (loop $main
        (br_if $exit (i32.ge_u (local.get $i) (local.get $end)))
        ;; A block that ended with SP was copied with it; take it back if WSP or a line end follows.
        (if (local.get $spOut)
          (then
            (local.set $spOut (i32.const 0))
            (if (i32.le_u (i32.load8_u (local.get $i)) (i32.const 32))
              (then
                (local.set $o (i32.sub (local.get $o) (i32.const 1)))
                (local.set $space (i32.const 1))))))
        (block $slowPath
        ;; Fast path, 64 bytes: masks over four vectors at once (a CRLF across two of them is no trouble). Blocks that
        ;; change only by WSP (runs shortened to one SP, HTAB written as SP, runs before a CRLF dropped) are written by
        ;; a swizzle; empty lines are copied when content follows them in the block (so they are not the body's end).
        (if (i32.and
              (i32.le_u (i32.add (local.get $i) (i32.const 64)) (local.get $end))
              (i32.eqz (i32.or (i32.or (local.get $space) (local.get $cr)) (global.get $blank))))
          (then
            (local.set $v0 (v128.load (local.get $i)))
            (local.set $v1 (v128.load offset=16 (local.get $i)))
            (local.set $v2 (v128.load offset=32 (local.get $i)))
            (local.set $v3 (v128.load offset=48 (local.get $i)))
            (local.set $S64 (i64.or (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))) (i64.const 16))) (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))) (i64.const 48)))))
            (local.set $T64 (i64.or (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))) (i64.const 16))) (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9)))) (i64.const 48)))))
            (local.set $C64 (i64.or (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))) (i64.const 16))) (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))) (i64.const 48)))))
            (local.set $L64 (i64.or (i64.or (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v0) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v1) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))) (i64.const 16))) (i64.or (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v2) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))) (i64.const 32)) (i64.shl (i64.extend_i32_u (i8x16.bitmask (i8x16.eq (local.get $v3) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))) (i64.const 48)))))
            (local.set $W64 (i64.or (local.get $S64) (local.get $T64)))
            ;; Content: every byte but WSP, CR and LF (other control bytes are content to §3.4.4).
            (local.set $G64 (i64.xor (i64.or (local.get $W64) (i64.or (local.get $C64) (local.get $L64))) (i64.const -1)))
            ;; Line starts: after each LF, and the block's first byte when its line has no content yet.
            (local.set $LS64 (i64.or (i64.shl (local.get $L64) (i64.const 1)) (i64.extend_i32_u (i32.eqz (local.get $content)))))
            ;; WSP runs before a CR: from the WSP right before each CR down the run (runs of up to 8; a longer one is
            ;; left to the byte loop).
            (local.set $Y64 (i64.and (i64.shr_u (local.get $C64) (i64.const 1)) (local.get $W64)))
            (local.set $W2 (i64.and (local.get $W64) (i64.shr_u (local.get $W64) (i64.const 1))))
            (local.set $Y64 (i64.or (local.get $Y64) (i64.and (i64.shr_u (local.get $Y64) (i64.const 1)) (local.get $W64))))
            (local.set $Y64 (i64.or (local.get $Y64) (i64.and (i64.shr_u (local.get $Y64) (i64.const 2)) (local.get $W2))))
            (local.set $Y64 (i64.or (local.get $Y64)
              (i64.and (i64.shr_u (local.get $Y64) (i64.const 4)) (i64.and (local.get $W2) (i64.shr_u (local.get $W2) (i64.const 2))))))
            ;; Empty lines (a CR at a line start).
            (local.set $E64 (i64.and (local.get $C64) (local.get $LS64)))
            (local.set $bad64
              (i64.or
                (i64.or
                  ;; a CR not followed by LF; an LF not after a CR
                  (i64.and (local.get $C64) (i64.xor (i64.shr_u (local.get $L64) (i64.const 1)) (i64.const -1)))
                  (i64.and (local.get $L64) (i64.xor (i64.shl (local.get $C64) (i64.const 1)) (i64.const -1))))
                (i64.or
                  (i64.or
                    ;; a WSP run before a CR longer than the fill reached
                    (i64.and (i64.and (i64.shr_u (local.get $Y64) (i64.const 1)) (local.get $W64))
                      (i64.xor (local.get $Y64) (i64.const -1)))
                    ;; a line of WSP only (it becomes an empty line, which may be at the body's end)
                    (i64.and (local.get $Y64) (local.get $LS64)))
                  ;; empty lines with no content after them in the block
                  (select (local.get $E64) (i64.const 0)
                    (i32.and (i64.ne (local.get $E64) (i64.const 0))
                      (i64.ge_u (i64.clz (local.get $G64)) (i64.clz (local.get $E64))))))))
            ;; The bytes dropped: all but the last WSP of each run, and whole runs before a CR.
            (local.set $drop64 (i64.or (i64.and (local.get $W64) (i64.shr_u (local.get $W64) (i64.const 1))) (local.get $Y64)))
            (v128.store (local.get $o) (local.get $v0))
            (v128.store offset=16 (local.get $o) (local.get $v1))
            (v128.store offset=32 (local.get $o) (local.get $v2))
            (v128.store offset=48 (local.get $o) (local.get $v3))
            (if (i64.eqz (local.get $bad64))
              (then
                (if (i64.eqz (i64.or (local.get $drop64) (local.get $T64)))
                  (then (local.set $o (i32.add (local.get $o) (i32.const 64))))
                  (else
                    (if (i64.ne (local.get $T64) (i64.const 0))
                      (then
                        (local.set $v0 (v128.bitselect (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32) (local.get $v0) (i8x16.eq (local.get $v0) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))
                        (local.set $v1 (v128.bitselect (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32) (local.get $v1) (i8x16.eq (local.get $v1) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))
                        (local.set $v2 (v128.bitselect (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32) (local.get $v2) (i8x16.eq (local.get $v2) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))
                        (local.set $v3 (v128.bitselect (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32) (local.get $v3) (i8x16.eq (local.get $v3) (v128.const i8x16 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9))))))
                    (local.set $drop (i32.wrap_i64 (i64.and (local.get $drop64) (i64.const 0xffff))))
                    (local.set $half (i32.and (local.get $drop) (i32.const 255)))
                    (v128.store (local.get $o) (i8x16.swizzle (local.get $v0) (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3))))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $half (i32.shr_u (local.get $drop) (i32.const 8)))
                    (v128.store (local.get $o)
                      (i8x16.swizzle (local.get $v0) (i8x16.add (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3)))) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $drop (i32.wrap_i64 (i64.and (i64.shr_u (local.get $drop64) (i64.const 16)) (i64.const 0xffff))))
                    (local.set $half (i32.and (local.get $drop) (i32.const 255)))
                    (v128.store (local.get $o) (i8x16.swizzle (local.get $v1) (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3))))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $half (i32.shr_u (local.get $drop) (i32.const 8)))
                    (v128.store (local.get $o)
                      (i8x16.swizzle (local.get $v1) (i8x16.add (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3)))) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $drop (i32.wrap_i64 (i64.and (i64.shr_u (local.get $drop64) (i64.const 32)) (i64.const 0xffff))))
                    (local.set $half (i32.and (local.get $drop) (i32.const 255)))
                    (v128.store (local.get $o) (i8x16.swizzle (local.get $v2) (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3))))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $half (i32.shr_u (local.get $drop) (i32.const 8)))
                    (v128.store (local.get $o)
                      (i8x16.swizzle (local.get $v2) (i8x16.add (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3)))) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $drop (i32.wrap_i64 (i64.shr_u (local.get $drop64) (i64.const 48))))
                    (local.set $half (i32.and (local.get $drop) (i32.const 255)))
                    (v128.store (local.get $o) (i8x16.swizzle (local.get $v3) (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3))))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))
                    (local.set $half (i32.shr_u (local.get $drop) (i32.const 8)))
                    (v128.store (local.get $o)
                      (i8x16.swizzle (local.get $v3) (i8x16.add (v128.load64_zero (i32.add (local.get $table) (i32.shl (local.get $half) (i32.const 3)))) (v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8))))
                    (local.set $o (i32.sub (i32.add (local.get $o) (i32.const 8)) (i32.popcnt (local.get $half))))))
                (local.set $i (i32.add (local.get $i) (i32.const 64)))
                ;; The line has content when a content byte follows its last LF (or, with no LF, when it had).
                (local.set $content
                  (if (result i32) (i64.eqz (local.get $L64))
                    (then (i32.or (local.get $content) (i64.ne (local.get $G64) (i64.const 0))))
                    (else
                      (i64.ne
                        (i64.shr_u (i64.shr_u (local.get $G64) (i64.sub (i64.const 63) (i64.clz (local.get $L64)))) (i64.const 1))
                        (i64.const 0)))))
                ;; A last WSP is kept (as SP) for now: it goes if WSP or a line end follows.
                (local.set $spOut (i64.ne (i64.and (local.get $W64) (i64.const 0x8000000000000000)) (i64.const 0)))
                (br $main)))
            ;; Keep the bytes before the first one that changes or must go one at a time (not a trailing SP: it may
            ;; join a WSP run).
            (local.set $bad64 (i64.or (local.get $bad64) (i64.or (local.get $drop64) (local.get $T64))))
            (local.set $p (i32.wrap_i64 (i64.ctz (local.get $bad64))))
            (if (i32.and (i32.ne (local.get $p) (i32.const 0))
                  (i64.ne (i64.and (local.get $S64) (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $p) (i32.const 1)))))
                    (i64.const 0)))
              (then (local.set $p (i32.sub (local.get $p) (i32.const 1)))))
            (if (local.get $p)
              (then
                (local.set $o (i32.add (local.get $o) (local.get $p)))
                (local.set $i (i32.add (local.get $i) (local.get $p)))
                (local.set $content
                  (i64.eqz (i64.and (local.get $L64) (i64.shl (i64.const 1) (i64.extend_i32_u (i32.sub (local.get $p) (i32.const 1)))))))))
            (br $slowPath)))
        ;; Fast path: 16 bytes whose canonical form is themselves.
        (if (i32.and
              (i32.le_u (i32.add (local.get $i) (i32.const 16)) (local.get $end))
              (i32.eqz (i32.or (i32.or (local.get $space) (local.get $cr)) (global.get $blank))))
          (then
            (local.set $v (v128.load (local.get $i)))
            (local.set $S (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))
            (local.set $C (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13))))
            (local.set $L (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
            (local.set $Lo (i8x16.bitmask (i8x16.le_u (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32))))
            ;; The bytes whose canonical form is not themselves, given the bytes around them in the block.
            (local.set $bad
              (i32.or
                (i32.or
                  ;; HTAB or another control byte
                  (i32.and (local.get $Lo) (i32.xor (i32.or (local.get $S) (i32.or (local.get $C) (local.get $L))) (i32.const -1)))
                  ;; the first SP of a pair; an SP before a CR
                  (i32.and (local.get $S) (i32.or (i32.shr_u (local.get $S) (i32.const 1)) (i32.shr_u (local.get $C) (i32.const 1)))))
                (i32.or
                  (i32.or
                    ;; a CR not followed by LF; an LF not after a CR
                    (i32.and (local.get $C) (i32.xor (i32.shr_u (local.get $L) (i32.const 1)) (i32.const -1)))
                    (i32.and (local.get $L) (i32.xor (i32.shl (local.get $C) (i32.const 1)) (i32.const -1))))
                  ;; a CR right after an LF, or at a line start: an empty line
                  (i32.and (local.get $C)
                    (i32.or (i32.shl (local.get $L) (i32.const 1)) (i32.eqz (local.get $content)))))))
            (if (i32.eqz (local.get $bad))
              (then
                (v128.store (local.get $o) (local.get $v))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                ;; Content unless the block ends with LF, or with SP right after an LF (a line of WSP so far).
                (local.set $content
                  (i32.eqz (i32.or (i32.and (local.get $L) (i32.const 0x8000))
                    (i32.and (i32.and (local.get $S) (i32.const 0x8000)) (i32.shl (i32.and (local.get $L) (i32.const 0x4000)) (i32.const 1))))))
                (local.set $spOut (i32.ne (i32.and (local.get $S) (i32.const 0x8000)) (i32.const 0)))
                (br $main)))
            ;; Copy the bytes before the first one that changes (not a trailing SP: it may join a WSP run).
            (local.set $p (i32.ctz (local.get $bad)))
            (if (i32.and (i32.ne (local.get $p) (i32.const 0))
                  (i32.ne (i32.and (local.get $S) (i32.shl (i32.const 1) (i32.sub (local.get $p) (i32.const 1))))
                    (i32.const 0)))
              (then (local.set $p (i32.sub (local.get $p) (i32.const 1)))))
            (if (local.get $p)
              (then
                (v128.store (local.get $o) (local.get $v))
                (local.set $o (i32.add (local.get $o) (local.get $p)))
                (local.set $i (i32.add (local.get $i) (local.get $p)))
                (local.set $content
                  (i32.eqz (i32.and (local.get $L) (i32.shl (i32.const 1) (i32.sub (local.get $p) (i32.const 1))))))))))
        ) ;; $slowPath
        ;; Slow path: one byte at a time, up to 16, until the state is plain again.
        (local.set $blockEnd (i32.add (local.get $i) (i32.const 16)))
        (if (i32.gt_u (local.get $blockEnd) (local.get $end)) (then (local.set $blockEnd (local.get $end))))
        (loop $byte
          (local.set $c (i32.load8_u (local.get $i)))
          (block $next
            (if (i32.eq (local.get $c) (i32.const 10))
              (then
                (if (local.get $content)
                  (then
                    (i32.store16 (local.get $o) (i32.const 0x0a0d))
                    (local.set $o (i32.add (local.get $o) (i32.const 2))))
                  (else (global.set $blank (i32.add (global.get $blank) (i32.const 1)))))
                (local.set $content (i32.const 0))
                (local.set $space (i32.const 0))
                (local.set $cr (i32.const 0))
                (br $next)))
            ;; A CR not followed by LF is an ordinary byte.
            (if (local.get $cr)
              (then
                (if (i32.and (i32.eqz (local.get $content)) (i32.ne (global.get $blank) (i32.const 0)))
                  (then
                    (br_if $exit (i32.gt_u (global.get $blank) (global.get $MAX_BLANKS)))
                    (local.set $o (call $blanks (local.get $o)))))
                (if (local.get $space)
                  (then
                    (i32.store8 (local.get $o) (i32.const 32))
                    (local.set $o (i32.add (local.get $o) (i32.const 1)))
                    (local.set $space (i32.const 0))))
                (i32.store8 (local.get $o) (i32.const 13))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (local.set $content (i32.const 1))
                (local.set $cr (i32.const 0))))
            (if (i32.eq (local.get $c) (i32.const 13))
              (then (local.set $cr (i32.const 1)) (br $next)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))
              (then (local.set $space (i32.const 1)) (br $next)))
            ;; Other bytes are content: the pending empty lines first (the caller writes them), then one SP.
            (if (i32.and (i32.eqz (local.get $content)) (i32.ne (global.get $blank) (i32.const 0)))
              (then
                (br_if $exit (i32.gt_u (global.get $blank) (global.get $MAX_BLANKS)))
                (local.set $o (call $blanks (local.get $o)))))
            (if (local.get $space)
              (then
                (i32.store8 (local.get $o) (i32.const 32))
                (local.set $o (i32.add (local.get $o) (i32.const 1)))
                (local.set $space (i32.const 0))))
            (i32.store8 (local.get $o) (local.get $c))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (local.set $content (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          ;; Back to the 16-byte path as soon as nothing is pending.
          (br_if $main (i32.eqz (i32.or (i32.or (local.get $space) (local.get $cr)) (global.get $blank))))
          (br_if $byte (i32.lt_u (local.get $i) (local.get $blockEnd))))
        (br $main)))
    ;; A block's trailing SP is pending until the next byte is seen.
    (if (local.get $spOut)
      (then
        (local.set $o (i32.sub (local.get $o) (i32.const 1)))
        (local.set $space (i32.const 1))))
    (global.set $space (local.get $space))
    (global.set $content (local.get $content))
    (global.set $cr (local.get $cr))
    (global.set $out (i32.sub (local.get $o) (global.get $OUTPUT_BASE)))
    (local.get $i)))
