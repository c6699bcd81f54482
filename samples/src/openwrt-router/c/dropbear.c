/*
 * dropbear.c - SYNTHETIC SSH-server stand-in that only identifies itself
 * like Dropbear 2022.82.  Written from scratch for fwaudit test fixtures.
 */
int puts(const char *s);

static const char k_ident[] = "SSH-2.0-dropbear_2022.82";
static const char k_version[] = "Dropbear v2022.82";
static const char k_keys[] = "/etc/dropbear/dropbear_ed25519_host_key";

int main(int argc, char **argv, char **envp)
{
    (void)argc;
    (void)argv;
    (void)envp;
    puts(k_version);
    puts(k_ident);
    puts(k_keys);
    return 0;
}
