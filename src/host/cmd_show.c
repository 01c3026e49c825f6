/* clae show CKPT OUT.png: the figure of the source: original, blurred and
 * restored CIFAR-10 test images in three rows. */
#include <stdio.h>
#include <stdlib.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/net.h"
#include "cli.h"

enum {
    SCALE = CLAE_APP_FIGURE_SCALE,
    GAP = CLAE_APP_FIGURE_GAP,
    TILE = CLAE_CIFAR_SIDE * SCALE, /* 128 */
    LABEL_W = CLAE_APP_FIGURE_LABEL_W,
    MAX_N = 256
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clae show CKPT OUT.png [options]\n"
            "  a figure of N CIFAR-10 test images: original, corrupted (as the checkpoint's\n"
            "  config says, e.g. blurred) and restored by the model, one row each, every\n"
            "  image enlarged x%d; size (%d + %d N) x %d pixels\n"
            "  --data DIR       CIFAR-10 binary folder (default: the one it was\n"
            "                   trained on, else the config's [train] data)\n"
            "  --n N            number of images (default 8, at most %d)\n"
            "  --offset K       start at test image K (default 0)\n"
            "  --device N|ref   OpenCL device index or the reference path\n",
            SCALE, LABEL_W + GAP, TILE + GAP, GAP + 3 * (TILE + GAP), MAX_N);
}

int cmd_show(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *data = NULL, *device = NULL;
    long count = 8, offset = 0;
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"data", required_argument, NULL, 'd'},
        {"device", required_argument, NULL, 'D'},
        {"n", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},
        {0}};
    clae_opts cli = {.cmd = "clae show", .hint = "see --help", .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'd': data = optarg; break;
        case 'D': device = optarg; break;
        case 'n':
            if (!clae_parse_long("--n", optarg, 1, &count)) return 2;
            if (count > MAX_N) {
                fprintf(stderr, "clae show: --n %ld: at most %d images\n", count, MAX_N);
                return 2;
            }
            break;
        case 'o':
            if (!clae_parse_long("--offset", optarg, 0, &offset)) return 2;
            if (offset >= CLAE_CIFAR_MAX_RECORDS) { /* no test set is that long */
                fprintf(stderr, "clae show: --offset %ld: at most %d\n", offset,
                        CLAE_CIFAR_MAX_RECORDS - 1);
                return 2;
            }
            break;
        case 1:
            if (!ckpt) {
                ckpt = optarg;
            } else if (!out) {
                out = optarg;
            } else {
                fprintf(stderr, "clae show: unexpected argument '%s' (see --help)\n", optarg);
                return 2;
            }
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (!ckpt || !out) {
        fprintf(stderr, "clae show: missing %s (usage: clae show CKPT OUT.png)\n",
                ckpt ? "OUT.png" : "CKPT");
        return 2;
    }

    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("show", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1, dev_open = 0;
    clae_dataset test = {0};
    clae_device d;
    if (!clae_app_check_cifar(ckpt, &m)) goto done;
    if (!data) data = m.train.data;
    if (clae_cifar_load(data, CLAE_CIFAR_TEST, &test) != CLAE_OK) goto done;
    if ((size_t)offset + (size_t)count > test.n) {
        fprintf(stderr, "clae show: images %ld..%ld asked for, the test set has %zu\n", offset,
                offset + count - 1, test.n);
        goto done;
    }
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    const char *what = NULL;
    if (!clae_app_figure(&m, &d, &test, (size_t)offset, (int)count, out, &what)) goto done;
    printf("wrote %s (%dx%d): test images %ld..%ld, rows original / %s / restored\n", out,
           LABEL_W + GAP + (int)count * (TILE + GAP), GAP + 3 * (TILE + GAP), offset,
           offset + count - 1, what);
    rc = 0;
done:
    if (dev_open) clae_device_close(&d);
    clae_dataset_free(&test);
    clae_model_free(&m);
    return rc;
}
