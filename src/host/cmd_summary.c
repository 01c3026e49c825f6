/* clae summary CONFIG: parse a config and print its layers, output shapes
 * and parameter counts like Keras's model.summary(). */
#include <stdio.h>

#include "clae/device.h"
#include "clae/model.h"
#include "cli.h"

static const clae_cmdline SUMMARY_CMDLINE = {
    .cmd = "clae summary", .hint = "try 'clae summary --help'", .width = 9,
    .about = CLAE_ABOUT_SUMMARY};

int cmd_summary(int argc, char **argv)
{
    const char *config = NULL, *device = NULL;
    const clae_opt OPTS[] = {
        CLAE_ARG("CONFIG", &config),
        {.name = "device", .kind = CLAE_OPT_STR, .to = &device, .need = "an index or 'ref'",
         .help = "also open this device and check the parameter layout fits it"},
        {0}};
    int code = clae_cmdline_parse(&SUMMARY_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
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
