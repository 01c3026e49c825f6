/* clae devices: list every OpenCL platform and device, marking the default. */
#include <stdio.h>

#include "clae/device.h"
#include "cli.h"

static void usage(FILE *f, const clae_opt *opts)
{
    (void)opts;
    fprintf(f, "usage: clae devices\n  lists platforms and devices; the default is marked *\n");
}

int cmd_devices(int argc, char **argv)
{
    const clae_cmdline cl = {.cmd = "clae devices", .usage = usage};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    return clae_devices_list(stdout) == CLAE_OK ? 0 : 1;
}
