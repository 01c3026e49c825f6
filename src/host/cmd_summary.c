/* clae summary CONFIG: parse a config and print its layers, output shapes
 * and parameter counts like Keras's model.summary(). */
#include <stdio.h>
#include <string.h>

#include "clae/device.h"
#include "clae/model.h"
#include "cli.h"

static void summary_usage(FILE *f)
{
    fprintf(f,
            "usage: clae summary CONFIG [--device N|ref]\n"
            "  prints the model in CONFIG: each layer's output shape and parameter count\n"
            "  --device  also open this device and check the parameter layout fits it\n");
}

int cmd_summary(int argc, char **argv)
{
    const char *config = NULL, *device = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            summary_usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--device") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "clae summary: --device needs a value (an index or 'ref')\n");
                return 2;
            }
            device = argv[++i];
        } else if (strncmp(argv[i], "--device=", 9) == 0) {
            device = argv[i] + 9;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "clae summary: unknown option '%s' (try 'clae summary --help')\n",
                    argv[i]);
            return 2;
        } else if (config) {
            fprintf(stderr, "clae summary: unexpected argument '%s'\n", argv[i]);
            return 2;
        } else {
            config = argv[i];
        }
    }
    if (!config) {
        fprintf(stderr, "clae summary: missing CONFIG (usage: clae summary CONFIG)\n");
        return 2;
    }
    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    int rc = 0;
    if (device) {
        clae_device d;
        if (clae_device_open(&d, device) != CLAE_OK) {
            clae_model_free(&m);
            return 1;
        }
        if (!d.is_ref && clae_model_check_align(&m, d.align_bytes) != CLAE_OK) rc = 1;
        if (rc == 0) {
            clae_model_summary(&m, stdout);
            printf("device: %s (tensor offsets aligned to %zu bytes, device needs %u)\n", d.name,
                   m.align * sizeof(float), (unsigned)d.align_bytes);
        }
        clae_device_close(&d);
    } else {
        clae_model_summary(&m, stdout);
    }
    clae_model_free(&m);
    return rc;
}
