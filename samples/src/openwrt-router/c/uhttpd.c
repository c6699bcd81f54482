/*
 * uhttpd.c - SYNTHETIC web-server stand-in that only identifies itself like
 * OpenWrt's uhttpd.  Written from scratch for fwaudit test fixtures.
 */
int puts(const char *s);

static const char k_usage[] =
    "Usage: uhttpd -p [addr:]port -h docroot\n"
    "  -x string  URL prefix for CGI handler, default is '/cgi-bin'\n"
    "  -u string  URL prefix for UBUS via JSON-RPC handler";
static const char k_docroot[] = "/www";
static const char k_server[] = "Server: uhttpd";

int main(int argc, char **argv, char **envp)
{
    (void)argv;
    (void)envp;
    if (argc < 2)
        puts(k_usage);
    puts(k_docroot);
    puts(k_server);
    return 0;
}
