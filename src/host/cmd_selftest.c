/* clae selftest [--device N] [--quick] [--seed S]: every op family and a few
 * training steps on an OpenCL device against the plain-C reference path
 * (include/clae/selftest.h); exit 0 when every check passed, 1 when one
 * failed, 2 for bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/selftest.h"
#include "cli.h"

static const clae_cmdline SELFTEST_CMDLINE = {
    .cmd = "clae selftest", .hint = "try 'clae selftest --help'", .width = 9,
    .about = CLAE_ABOUT_SELFTEST};

int cmd_selftest(int argc, char **argv)
{
    const char *device = NULL;
    int quick = 0;
    uint64_t seed = 1;
    const clae_opt OPTS[] = {
        {.name = "device", .kind = CLAE_OPT_STR, .to = &device,
         .help = "the OpenCL device (default: $CLAE_DEVICE or the default device)"},
        {.name = "quick", .kind = CLAE_OPT_FLAG, .to = &quick,
         .help = "the denoiser's shapes and one odd shape per family (seconds)"},
        {.name = "seed", .kind = CLAE_OPT_U64, .to = &seed,
         .help = "seed of the random inputs (default 1)"},
        {0}};
    int code = clae_cmdline_parse(&SELFTEST_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
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
