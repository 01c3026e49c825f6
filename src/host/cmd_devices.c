/* clae devices: list every OpenCL platform and device, marking the default. */
#include <stdio.h>
#include <string.h>

#include "clae/device.h"
#include "cli.h"

int cmd_devices(int argc, char **argv)
{
    if (argc > 1) {
        if (strcmp(argv[1], "--help") == 0) {
            printf("usage: clae devices\n  lists platforms and devices; the default is marked *\n");
            return 0;
        }
        fprintf(stderr, "clae devices: unexpected argument '%s'\n", argv[1]);
        return 2;
    }
    return clae_devices_list(stdout) == CLAE_OK ? 0 : 1;
}
