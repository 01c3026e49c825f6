/* clae devices: list every OpenCL platform and device, marking the default. */
#include <stdio.h>

#include "clae/device.h"
#include "cli.h"

int cmd_devices(int argc, char **argv)
{
    static const struct option LONGOPTS[] = {{"help", no_argument, NULL, 'h'}, {0}};
    clae_opts cli = {.cmd = "clae devices", .hint = "see --help", .longopts = LONGOPTS};
    optind = 0;
    int c = clae_getopt(&cli, argc, argv);
    if (c == 'h') {
        printf("usage: clae devices\n  lists platforms and devices; the default is marked *\n");
        return 0;
    }
    if (c != -1) { /* no options or arguments */
        fprintf(stderr, "clae devices: unexpected argument '%s'\n", cli.arg);
        return 2;
    }
    return clae_devices_list(stdout) == CLAE_OK ? 0 : 1;
}
