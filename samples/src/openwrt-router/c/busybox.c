/*
 * busybox.c - SYNTHETIC multi-call binary that only identifies itself like
 * BusyBox does.  Written from scratch for fwaudit test fixtures; it is not
 * BusyBox.
 */
int puts(const char *s);
int strcmp(const char *a, const char *b);

static const char k_banner[] =
    "BusyBox v1.36.1 (2023-11-14 00:00:00 UTC) multi-call binary.";
static const char *const k_applets[] = {
    "ash", "cat", "cp", "echo", "ls", "mount", "ps", "sh", "uname", 0,
};

int main(int argc, char **argv, char **envp)
{
    int i;
    (void)envp;
    puts(k_banner);
    if (argc > 1 && strcmp(argv[1], "--list") == 0)
        for (i = 0; k_applets[i]; i++)
            puts(k_applets[i]);
    return 0;
}
