/* clae show CKPT OUT.png: the figure of the source: original, blurred and
 * restored test images in three rows. */
#include <stdio.h>
#include <stdlib.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "clae/net.h"
#include "cli.h"

enum {
    SCALE = CLAE_APP_FIGURE_SCALE, /* nearest enlargement of a 32x32 image, */
    TILE = CLAE_APP_FIGURE_TILE,   /* and of larger ones, to tiles of about this side */
    GAP = CLAE_APP_FIGURE_GAP,
    LABEL_W = CLAE_APP_FIGURE_LABEL_W,
    MAX_N = 256
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clae show CKPT OUT.png [options]\n"
            "  a figure of N test images: original, corrupted (as the checkpoint's config\n"
            "  says, e.g. blurred) and restored by the model, one row each, every image\n"
            "  enlarged x%d (CIFAR-10's 32x32: a figure of (%d + %d N) x %d pixels; larger\n"
            "  images to tiles of about %d pixels)\n"
            "  --data DIR       data folder, CIFAR-10 binary or clae data import's (default:\n"
            "                   the one it was trained on, else [train] data)\n"
            "  --n N            number of images (default 8, at most %d)\n"
            "  --offset K       start at test image K (default 0)\n"
            "  --device N|ref   OpenCL device index or the reference path\n",
            SCALE, LABEL_W + GAP, TILE + GAP, GAP + 3 * (TILE + GAP), TILE, MAX_N);
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
    const char **const POS[] = {&ckpt, &out};
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
            if (!clae_opt_positional(&cli, optarg, POS, 2)) return 2;
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    static const char *const NAMES[] = {"CKPT", "OUT.png"};
    if (clae_opt_missing(&cli, POS, NAMES, 2, "clae show CKPT OUT.png")) return 2;

    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("show", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1, dev_open = 0;
    clae_dataset test = {0};
    clae_device d;
    if (!data) data = m.train.data;
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, m.net.H, m.net.W, m.net.C, &test) != CLAE_OK)
        goto done;
    if ((size_t)offset + (size_t)count > test.n) {
        fprintf(stderr, "clae show: images %ld..%ld asked for, the test set has %zu\n", offset,
                offset + count - 1, test.n);
        goto done;
    }
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    const char *what = NULL;
    int W, H;
    if (!clae_app_figure(&m, &d, &test, (size_t)offset, (int)count, out, &what, &W, &H))
        goto done;
    printf("wrote %s (%dx%d): test images %ld..%ld, rows original / %s / restored\n", out, W, H,
           offset, offset + count - 1, what);
    rc = 0;
done:
    if (dev_open) clae_device_close(&d);
    clae_dataset_free(&test);
    clae_model_free(&m);
    return rc;
}
