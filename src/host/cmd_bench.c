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
#include "cli.h"

static void bench_usage(FILE *f)
{
    fprintf(f,
            "usage: clae bench [CONFIG] [--batch N] [--device N|ref] [--repeats R] [--warmup W]\n"
            "                  [--json FILE]\n"
            "  times each op of CONFIG's training step (conv forward with bias, activations,\n"
            "  conv backward din/dw/db, pooling, MSE loss, zero-grad, Adam) and the whole\n"
            "  step, with FLOPs, bytes, GFLOP/s and GB/s against the device's FMA and copy\n"
            "  probes. Device times come from OpenCL profiling events.\n"
            "  CONFIG     model config (default configs/denoiser.cfg)\n"
            "  --batch    images per step (default: the config's batch)\n"
            "  --device   device index or 'ref' (default: $CLAE_DEVICE or the default device)\n"
            "  --repeats  timed runs per op; median and min are reported (default 5)\n"
            "  --warmup   discarded runs before them (default 2)\n"
            "  --json     also write the results as JSON to FILE (atomically)\n");
}

/* A whole decimal integer in [lo, hi]. */
static int parse_int(const char *s, int lo, int hi, int *out)
{
    if (!s || !*s) return 0;
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end != '\0' || v < lo || v > hi) return 0;
    *out = (int)v;
    return 1;
}

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *device = NULL, *json = NULL;
    int batch = 0, repeats = 5, warmup = 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            bench_usage(stdout);
            return 0;
        }
        const char *flags[] = {"--batch", "--device", "--repeats", "--warmup", "--json"};
        int f = -1;
        for (int k = 0; k < 5; k++)
            if (strcmp(a, flags[k]) == 0) f = k;
        if (f < 0 && a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "clae bench: unknown option '%s' (try 'clae bench --help')\n", a);
            return 2;
        }
        if (f < 0) {
            if (config) {
                fprintf(stderr, "clae bench: unexpected argument '%s'\n", a);
                return 2;
            }
            config = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "clae bench: %s needs a value (try 'clae bench --help')\n", a);
            return 2;
        }
        const char *v = argv[++i];
        int ok = 1;
        switch (f) {
        case 0: ok = parse_int(v, 1, 1 << 20, &batch); break;
        case 1: device = v; break;
        case 2: ok = parse_int(v, 1, 10000, &repeats); break;
        case 3: ok = parse_int(v, 0, 10000, &warmup); break;
        case 4: json = v; break;
        }
        if (!ok) {
            const char *range = f == 0 ? "from 1 to 1048576" : f == 2 ? "from 1 to 10000"
                                                                      : "from 0 to 10000";
            fprintf(stderr, "clae bench: %s needs a whole number %s, not '%s'\n", a, range, v);
            return 2;
        }
    }
    if (!config) config = "configs/denoiser.cfg";
    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 1;
    clae_bench_opts o = {.batch = batch ? batch : m.net.batch, .repeats = repeats,
                         .warmup = warmup};
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
