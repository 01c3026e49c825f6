/* clae tune [CONFIG] [--batch N] [--device N] [--repeats R] [--budget-s S] [--dry-run]:
 * search the direct convolutions' parameters of CONFIG's training step on a
 * device and write its tuning file (clae/tune.h). */
#include <stdio.h>
#include <string.h>

#include "clae/device.h"
#include "clae/model.h"
#include "clae/tune.h"
#include "cli.h"

static const clae_cmdline TUNE_CMDLINE = {
    .cmd = "clae tune", .hint = "try 'clae tune --help'", .width = 14, .about = CLAE_ABOUT_TUNE};

int cmd_tune(int argc, char **argv)
{
    const char *config = NULL, *device = NULL;
    int dry_run = 0, budget = 0;
    clae_tune_opts o = {.repeats = 5};
    const clae_opt OPTS[] = {
        CLAE_ARG_OPTIONAL("CONFIG", &config),
        {.name = "batch", .meta = "N", .kind = CLAE_OPT_INT, .to = &o.batch, .min = 1,
         .max = 1 << 20, .help = "images per step (default: the config's batch)"},
        {.name = "device", .meta = "N", .kind = CLAE_OPT_CALL, .to = &device,
         .parse = clae_opt_device,
         .help = "OpenCL device index (default: $CLAE_DEVICE or the default)"},
        {.name = "repeats", .meta = "R", .kind = CLAE_OPT_INT, .to = &o.repeats, .min = 1,
         .max = 1000, .help = "timed runs per candidate; the median is compared (default 5)"},
        {.name = "budget-s", .meta = "S", .kind = CLAE_OPT_INT, .to = &budget, .min = 0,
         .max = 7 * 86400,
         .help = "stop trying candidates after S seconds, keeping the\nbest so far (default 0: "
                 "no limit)"},
        {.name = "dry-run", .kind = CLAE_OPT_FLAG, .to = &dry_run,
         .help = "list the shapes and their candidates; run and write nothing"},
        {0}};
    int code = clae_cmdline_parse(&TUNE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (device && strcmp(device, "ref") == 0) {
        fprintf(stderr, "clae tune: the reference path has no kernels to tune; choose an OpenCL "
                        "device (--device N)\n");
        return 2;
    }
    o.budget_s = budget;
    o.dry_run = dry_run;
    o.out = stdout;
    clae_model m;
    if (clae_model_load(config ? config : "configs/denoiser.cfg", &m) != CLAE_OK) return 1;
    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) {
        clae_model_free(&m);
        return 1;
    }
    clae_status st = clae_tune_model(&m, &d, &o);
    clae_device_close(&d);
    clae_model_free(&m);
    return st == CLAE_OK ? 0 : st == CLAE_ERR_ARG ? 2 : 1;
}
