// c2l-copy for aarch64 Linux: the same program as x86_64.S (read 128 KiB blocks from 0, write them to 2, the
// last 64 KiB to 3 at end of input; buffer of 1 MiB at 0x600000, zero-filled by the loader).
        .text
        .globl _start
_start:
        movz    x19, #0x60, lsl #16     // buf
        mov     x20, #0                 // end = 0
next:
        movz    x9, #0xe, lsl #16       // end + 128K > 1M ?
        cmp     x20, x9
        b.ls    fill
        movz    x9, #0x1, lsl #16       // keep the last 64K at the start (no overlap: end - 64K > 64K)
        sub     x10, x20, x9
        add     x10, x19, x10
        mov     x11, x19
        mov     x12, x9
1:      ldr     x13, [x10], #8
        str     x13, [x11], #8
        subs    x12, x12, #8
        b.ne    1b
        mov     x20, x9
fill:
        mov     x0, #0                  // read(0, buf + end, 128K)
        add     x1, x19, x20
        movz    x2, #0x2, lsl #16
        mov     x8, #63
        svc     #0
        cmn     x0, #4                  // EINTR: again
        b.eq    fill
        cmp     x0, #0
        b.le    eof                     // end of input, or an error reading it
        add     x21, x19, x20           // p = what was read
        mov     x22, x0                 // n
        add     x20, x20, x0            // end += n
copy:
        cbz     x22, next
        mov     x0, #2                  // write(2, p, n)
        mov     x1, x21
        mov     x2, x22
        mov     x8, #64
        svc     #0
        cmn     x0, #4
        b.eq    copy
        cmp     x0, #0
        b.le    next                    // stderr failed: drop this block, keep reading (and keeping the tail)
        add     x21, x21, x0
        sub     x22, x22, x0
        b       copy
eof:
        mov     x21, x19                // the tail: buf[max(0, end - 64K), end)
        mov     x22, x20
        movz    x9, #0x1, lsl #16
        cmp     x20, x9
        b.ls    tail
        sub     x21, x20, x9
        add     x21, x19, x21
        mov     x22, x9
tail:
        cbz     x22, done
        mov     x0, #3                  // write(3, p, n)
        mov     x1, x21
        mov     x2, x22
        mov     x8, #64
        svc     #0
        cmn     x0, #4
        b.eq    tail
        cmp     x0, #0
        b.le    done
        add     x21, x21, x0
        sub     x22, x22, x0
        b       tail
done:
        mov     x0, #0                  // exit(0)
        mov     x8, #93
        svc     #0
