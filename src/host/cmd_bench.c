/* clae bench [CONFIG] [--batch N] [--device N|ref] [--repeats R] [--warmup W] [--json FILE]:
 * time every op of the training step, the whole step and two peak probes. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/bench.h"
#include "clae/device.h"
#include "clae/model.h"
#include "clae/parse.h"
#include "clae/output.h"
#include "cli.h"

static const clae_cmdline BENCH_CMDLINE = {
    .cmd = "clae bench", .hint = "try 'clae bench --help'", .width = 10, .about = CLAE_ABOUT_BENCH};

/* The bench of config's training step on device (o->batch 0: the config's batch), printed and,
 * with json, written there: the exit code. */
static int run_bench(const char *config, const char *device, clae_bench_opts o,
                     const char *json)
{
    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    if (o.batch == 0) o.batch = m.net.batch;
    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) {
        clae_model_free(&m);
        return 1;
    }
    clae_bench_result r;
    int rc = 1;
    if (clae_bench_run(&m, &d, &o, &r) == CLAE_OK) {
        clae_bench_print(&r, config, stdout);
        rc = json && clae_bench_write_json(&r, config, json) != CLAE_OK ? 1 : 0;
        if (json && rc == 0) printf("wrote %s\n", json);
        clae_bench_free(&r);
    }
    clae_device_close(&d);
    clae_model_free(&m);
    return rc;
}

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *device = NULL, *json = NULL;
    clae_bench_opts o = {.repeats = 5, .warmup = 2};
    const clae_opt OPTS[] = {
        {.name = "CONFIG", .kind = CLAE_OPT_ARG, .to = &config,
         .help = "model config (default configs/denoiser.cfg)"},
        {.name = "batch", .kind = CLAE_OPT_INT, .to = &o.batch, .min = 1, .max = 1 << 20,
         .help = "images per step (default: the config's batch)"},
        {.name = "device", .kind = CLAE_OPT_CALL, .to = &device, .parse = clae_opt_device,
         .help = "device index or 'ref' (default: $CLAE_DEVICE or the default device)"},
        {.name = "repeats", .kind = CLAE_OPT_INT, .to = &o.repeats, .min = 1, .max = 10000,
         .help = "timed runs per op; median and min are reported (default 5)"},
        {.name = "warmup", .kind = CLAE_OPT_INT, .to = &o.warmup, .min = 0, .max = 10000,
         .help = "discarded runs before them (default 2)"},
        {.name = "json", .kind = CLAE_OPT_STR, .to = &json,
         .help = "also write the results as JSON to FILE (atomically)"},
        {0}};
    int code = clae_cmdline_parse(&BENCH_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (json && !clae_output_check("clae bench", json)) return 2;
    return run_bench(config ? config : "configs/denoiser.cfg", device, o, json);
}
