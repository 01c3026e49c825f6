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
#include "cli.h"

static void bench_usage(FILE *f)
{
    fprintf(f,
            "usage: clae bench [CONFIG] [--batch N] [--device N|ref] [--repeats R] [--warmup W]\n"
            "                  [--json FILE]\n"
            "  times each part of CONFIG's training step (every layer's forward, activation,\n"
            "  input gradient and parameter gradients; MSE loss, zero-grad, Adam) and the\n"
            "  whole step, with FLOPs, bytes, GFLOP/s and GB/s against the device's FMA and copy\n"
            "  probes. Device times come from OpenCL profiling events.\n"
            "  CONFIG     model config (default configs/denoiser.cfg)\n"
            "  --batch    images per step (default: the config's batch)\n"
            "  --device   device index or 'ref' (default: $CLAE_DEVICE or the default device)\n"
            "  --repeats  timed runs per op; median and min are reported (default 5)\n"
            "  --warmup   discarded runs before them (default 2)\n"
            "  --json     also write the results as JSON to FILE (atomically)\n");
}

int cmd_bench(int argc, char **argv)
{
    const char *config = NULL, *device = NULL, *json = NULL;
    int batch = 0, repeats = 5, warmup = 2;
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"batch", required_argument, NULL, 'b'},
        {"device", required_argument, NULL, 'd'},
        {"repeats", required_argument, NULL, 'r'},
        {"warmup", required_argument, NULL, 'w'},
        {"json", required_argument, NULL, 'j'},
        {0}};
    clae_opts cli = {.cmd = "clae bench", .hint = "try 'clae bench --help'", .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        int ok = 1;
        switch (c) {
        case 'h':
            bench_usage(stdout);
            return 0;
        case 'b': ok = clae_str_to_int(optarg, 1, 1 << 20, &batch); break;
        case 'd': device = optarg; break;
        case 'r': ok = clae_str_to_int(optarg, 1, 10000, &repeats); break;
        case 'w': ok = clae_str_to_int(optarg, 0, 10000, &warmup); break;
        case 'j': json = optarg; break;
        case 1:
            if (config) {
                fprintf(stderr, "clae bench: unexpected argument '%s'\n", optarg);
                return 2;
            }
            config = optarg;
            break;
        default: return clae_opt_error(&cli, c);
        }
        if (!ok) {
            const char *flag = c == 'b' ? "--batch" : c == 'r' ? "--repeats" : "--warmup";
            const char *range = c == 'b' ? "from 1 to 1048576" : c == 'r' ? "from 1 to 10000"
                                                                        : "from 0 to 10000";
            fprintf(stderr, "clae bench: %s needs a whole number %s, not '%s'\n", flag, range,
                    optarg);
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
