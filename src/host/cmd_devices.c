/* clae devices: list every OpenCL platform and device, marking the default. */
#include <stdio.h>

#include "clae/device.h"
#include "cli.h"

static const clae_cmdline DEVICES_CMDLINE = {.cmd = "clae devices", .about = CLAE_ABOUT_DEVICES};

int cmd_devices(int argc, char **argv)
{
    int code = clae_cmdline_parse(&DEVICES_CMDLINE, NULL, argc, argv);
    if (code >= 0) return code;
    return clae_devices_list(stdout) == CLAE_OK ? 0 : 1;
}
