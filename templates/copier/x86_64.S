# c2l-copy for x86_64 Linux: copies standard input to standard error in blocks of up to 128 KiB and, at end of
# input, writes the last 64 KiB it copied to descriptor 3. No libc: three system calls (read, write, exit).
# The buffer (1 MiB, zero-filled by the loader) is at 0x600000. Bytes [0, end) hold data; before a read would
# pass the end of the buffer, the last 64 KiB are moved to its start, so the tail is always buf[max(0,end-64K), end).
        .intel_syntax noprefix
        .text
        .globl _start
_start:
        mov     r12d, 0x600000          # buf
        xor     r13d, r13d              # end = 0
next:
        cmp     r13, 0xE0000            # end + 128K > 1M ?
        jbe     fill
        lea     rsi, [r12 + r13 - 0x10000]
        mov     rdi, r12
        mov     ecx, 0x10000
        rep movsb                       # keep the last 64K at the start (no overlap: end - 64K > 64K)
        mov     r13d, 0x10000
fill:
        xor     eax, eax                # read(0, buf + end, 128K)
        xor     edi, edi
        lea     rsi, [r12 + r13]
        mov     edx, 0x20000
        syscall
        cmp     rax, -4                 # EINTR: again
        je      fill
        test    rax, rax
        jle     eof                     # end of input, or an error reading it
        lea     r14, [r12 + r13]        # p = what was read
        mov     r15, rax                # n
        add     r13, rax                # end += n
copy:
        test    r15, r15
        jz      next
        mov     eax, 1                  # write(2, p, n)
        mov     edi, 2
        mov     rsi, r14
        mov     rdx, r15
        syscall
        cmp     rax, -4
        je      copy
        test    rax, rax
        jle     next                    # stderr failed: drop this block, keep reading (and keeping the tail)
        add     r14, rax
        sub     r15, rax
        jmp     copy
eof:
        mov     r14, r12                # the tail: buf[max(0, end - 64K), end)
        mov     r15, r13
        cmp     r13, 0x10000
        jbe     tail
        lea     r14, [r12 + r13 - 0x10000]
        mov     r15d, 0x10000
tail:
        test    r15, r15
        jz      done
        mov     eax, 1                  # write(3, p, n)
        mov     edi, 3
        mov     rsi, r14
        mov     rdx, r15
        syscall
        cmp     rax, -4
        je      tail
        test    rax, rax
        jle     done
        add     r14, rax
        sub     r15, rax
        jmp     tail
done:
        mov     eax, 60                 # exit(0)
        xor     edi, edi
        syscall
