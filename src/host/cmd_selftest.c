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

static void selftest_usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae selftest [--device N] [--quick] [--seed S]\n"
            "  runs every op family (forward and backward, the denoiser's shapes and odd\n"
            "  ones, both convolution paths) and three training steps on an OpenCL device\n"
            "  and on the plain-C reference path from the same random inputs, and prints\n"
            "  each comparison (op, worst error, tolerance, pass) and a verdict. Run it\n"
            "  first on a new device or driver; exit 1 when any check fails.\n");
    clae_opts_help(f, opts, 9);
}

int cmd_selftest(int argc, char **argv)
{
    const char *device = NULL, *seed_arg = NULL;
    int quick = 0;
    const clae_opt OPTS[] = {
        {.name = "device", .kind = CLAE_OPT_STR, .to = &device,
         .help = "the OpenCL device (default: $CLAE_DEVICE or the default device)"},
        {.name = "quick", .kind = CLAE_OPT_FLAG, .to = &quick,
         .help = "the denoiser's shapes and one odd shape per family (seconds)"},
        {.name = "seed", .kind = CLAE_OPT_STR, .to = &seed_arg,
         .help = "seed of the random inputs (default 1)"},
        {0}};
    const clae_cmdline cl = {.cmd = "clae selftest", .hint = "try 'clae selftest --help'",
                             .opts = OPTS, .usage = selftest_usage};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
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
