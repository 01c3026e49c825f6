/* clae summary CONFIG: parse a config and print its layers, output shapes
 * and parameter counts like Keras's model.summary(). */
#include <stdio.h>

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
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'}, {"device", required_argument, NULL, 'd'}, {0}};
    clae_opts cli = {.cmd = "clae summary", .hint = "try 'clae summary --help'",
                     .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            summary_usage(stdout);
            return 0;
        case 'd': device = optarg; break;
        case ':':
            fprintf(stderr, "clae summary: --device needs a value (an index or 'ref')\n");
            return 2;
        case 1:
            if (config) {
                fprintf(stderr, "clae summary: unexpected argument '%s'\n", optarg);
                return 2;
            }
            config = optarg;
            break;
        default: return clae_opt_error(&cli, c);
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
        if (clae_model_check_align(&m, d.align_bytes) != CLAE_OK) rc = 1;
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
