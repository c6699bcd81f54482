/*
 * crt.c - minimal program entry for the SYNTHETIC OpenWrt-style fixture
 * binaries (stands in for musl's crt1.o).  Written for fwaudit fixtures.
 */
int main(int, char **, char **);
int __libc_start_main(int (*)(int, char **, char **), int, char **);

void __start(void)
{
    __libc_start_main(main, 0, 0);
}
