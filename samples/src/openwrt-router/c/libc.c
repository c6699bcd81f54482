/*
 * libc.c - a tiny freestanding C library for the SYNTHETIC OpenWrt-style
 * control image (installed as /lib/libc.so, the name musl uses).
 * Written from scratch for fwaudit test fixtures; it is not musl.
 * MIPS o32 Linux syscalls only.
 */
typedef unsigned long size_t;

const char __libc_banner[] = "musl-compatible fixture libc (mips)\nVersion 1.2.4\n";

static long sys3(long n, long a, long b, long c)
{
    register long v0 __asm__("$2") = n;
    register long a0 __asm__("$4") = a;
    register long a1 __asm__("$5") = b;
    register long a2 __asm__("$6") = c;
    register long a3 __asm__("$7");
    __asm__ volatile("syscall"
                     : "+r"(v0), "=r"(a3)
                     : "r"(a0), "r"(a1), "r"(a2)
                     : "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13",
                       "$14", "$15", "$24", "$25", "hi", "lo", "memory");
    return a3 ? -v0 : v0;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

long write(int fd, const void *buf, size_t len)
{
    return sys3(4004, fd, (long)buf, (long)len);
}

int puts(const char *s)
{
    write(1, s, strlen(s));
    return (int)write(1, "\n", 1);
}

void _exit(int code)
{
    for (;;)
        sys3(4001, code, 0, 0);
}

void exit(int code)
{
    _exit(code);
}

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv)
{
    exit(main(argc, argv, argv + argc + 1));
    return 0;
}
