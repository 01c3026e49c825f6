/* clae selftest [--device N] [--quick] [--seed S]: every op family and a few
 * training steps on an OpenCL device against the plain-C reference path
 * (include/clae/selftest.h); exit 0 when every check passed, 1 when one
 * failed, 2 for bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/parse.h"
#include "clae/selftest.h"
#include "cli.h"

static void selftest_usage(FILE *f)
{
    fprintf(f,
            "usage: clae selftest [--device N] [--quick] [--seed S]\n"
            "  runs every op family (forward and backward, the denoiser's shapes and odd\n"
            "  ones, both convolution paths) and three training steps on an OpenCL device\n"
            "  and on the plain-C reference path from the same random inputs, and prints\n"
            "  each comparison (op, worst error, tolerance, pass) and a verdict. Run it\n"
            "  first on a new device or driver; exit 1 when any check fails.\n"
            "  --device  the OpenCL device (default: $CLAE_DEVICE or the default device)\n"
            "  --quick   the denoiser's shapes and one odd shape per family (seconds)\n"
            "  --seed    seed of the random inputs (default 1)\n");
}

int cmd_selftest(int argc, char **argv)
{
    const char *device = NULL, *seed_arg = NULL;
    int quick = 0;
    static const struct option LONGOPTS[] = {{"help", no_argument, NULL, 'h'},
                                             {"device", required_argument, NULL, 'd'},
                                             {"quick", no_argument, NULL, 'q'},
                                             {"seed", required_argument, NULL, 's'},
                                             {0}};
    clae_opts cli = {.cmd = "clae selftest", .hint = "try 'clae selftest --help'",
                     .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            selftest_usage(stdout);
            return 0;
        case 'd': device = optarg; break;
        case 'q': quick = 1; break;
        case 's': seed_arg = optarg; break;
        case 1:
            fprintf(stderr, "clae selftest: unexpected argument '%s' (%s)\n", optarg, cli.hint);
            return 2;
        default: return clae_opt_error(&cli, c);
        }
    }
    uint64_t seed = 1;
    if (seed_arg && !clae_str_to_u64(seed_arg, &seed)) {
        fprintf(stderr, "clae selftest: --seed needs a non-negative integer, got '%s'\n",
                seed_arg);
        return 2;
    }
    if (device && strcmp(device, "ref") == 0) {
        fprintf(stderr, "clae selftest: --device ref: the selftest compares an OpenCL device "
                "with the reference path; name an OpenCL device (see 'clae devices')\n");
        return 2;
    }
    const char *env = getenv("CLAE_DEVICE");
    if (!device && !(env && *env) && clae_device_count() == 0) {
        fprintf(stderr, "clae selftest: no OpenCL device to check (see 'clae devices')\n");
        return 1;
    }
    clae_device d;
    clae_status st = clae_device_open(&d, device);
    if (st != CLAE_OK) return st == CLAE_ERR_ARG ? 2 : 1;
    if (d.be->reference) { /* $CLAE_DEVICE=ref, or no OpenCL platform at all */
        fprintf(stderr, "clae selftest: no OpenCL device to check (the reference path is what "
                "it is checked against; see 'clae devices')\n");
        clae_device_close(&d);
        return 1;
    }
    clae_selftest_opts o = {.quick = quick, .seed = seed, .out = stdout};
    clae_selftest_result r;
    st = clae_selftest(&d, &o, &r);
    clae_device_close(&d);
    if (st != CLAE_OK) {
        fprintf(stderr, "clae selftest: %s\n", clae_status_str(st));
        return 1;
    }
    return r.failed == 0 ? 0 : 1;
}
