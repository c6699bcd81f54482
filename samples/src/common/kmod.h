/*
 * kmod.h - tiny helpers to make a *synthetic* Linux kernel module object.
 *
 * Part of the fwaudit test fixtures.  This is not kernel code and is not
 * derived from any vendor source: it only reproduces the publicly documented
 * on-disk shape of a .ko file (a .modinfo section holding NUL-separated
 * "key=value" strings and a .gnu.linkonce.this_module section holding the
 * struct module with the module name), so that firmware analysers can be
 * tested against it.
 */
#ifndef FWAUDIT_KMOD_H
#define FWAUDIT_KMOD_H

#define KMOD_CAT2(a, b) a##b
#define KMOD_CAT(a, b) KMOD_CAT2(a, b)

#define MODINFO(tag, value)                                                  \
    static const char KMOD_CAT(__modinfo_, KMOD_CAT(tag, __LINE__))[]       \
        __attribute__((section(".modinfo"), used, aligned(1))) = #tag "=" value

/* Layout roughly follows a 32/64-bit struct module: enum state, list_head,
 * then char name[56] (MODULE_NAME_LEN).  Only the name is meaningful. */
struct fwaudit_this_module {
    int state;
    void *list_next;
    void *list_prev;
    char name[56];
    void *pad[24];
    int (*init)(void);
    void *pad2[40];
    void (*exit)(void);
};

#define THIS_MODULE_DEF(modname, initfn, exitfn)                             \
    __attribute__((section(".gnu.linkonce.this_module"), used))              \
    struct fwaudit_this_module __this_module = {                             \
        .name = modname, .init = initfn, .exit = exitfn }

extern int printk(const char *fmt, ...);

#endif
