/* clae show CKPT OUT.png: the figure of the source: original, blurred and
 * restored test images in three rows. */
#include <stdio.h>
#include <stdlib.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/net.h"
#include "clae/output.h"
#include "cli.h"

enum {
    SCALE = CLAE_APP_FIGURE_SCALE, /* nearest enlargement of a 32x32 image, */
    TILE = CLAE_APP_FIGURE_TILE,   /* and of larger ones, to tiles of about this side */
    GAP = CLAE_APP_FIGURE_GAP,
    LABEL_W = CLAE_APP_FIGURE_LABEL_W,
};
#define MAX_N 256 /* images */

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae show CKPT OUT.png [options]\n"
            "  a figure of N test images: original, corrupted (as the checkpoint's config\n"
            "  says, e.g. blurred) and restored by the model, one row each, every image\n"
            "  enlarged x%d (CIFAR-10's 32x32: a figure of (%d + %d N) x %d pixels; larger\n"
            "  images to tiles of about %d pixels)\n",
            SCALE, LABEL_W + GAP, TILE + GAP, GAP + 3 * (TILE + GAP), TILE);
    clae_opts_help(f, opts, 16);
}
/* its help holds the figure's size, computed */
static const clae_cmdline SHOW_CMDLINE = {.cmd = "clae show", .usage = usage};

/* --n N: 1 to MAX_N */
static int parse_count(const clae_opt *opt, const char *v)
{
    long *count = opt->to;
    if (!clae_parse_long("--n", v, 1, count)) return 0;
    if (*count <= MAX_N) return 1;
    fprintf(stderr, "clae show: --n %ld: at most %d images\n", *count, MAX_N);
    return 0;
}

/* --offset K: no test set is that long */
static int parse_offset(const clae_opt *opt, const char *v)
{
    long *offset = opt->to;
    if (!clae_parse_long("--offset", v, 0, offset)) return 0;
    if (*offset < CLAE_CIFAR_MAX_RECORDS) return 1;
    fprintf(stderr, "clae show: --offset %ld: at most %d\n", *offset, CLAE_CIFAR_MAX_RECORDS - 1);
    return 0;
}

/* A model with branches: each branch's test images (its [branch] data or
 * --data, its classes) and their decodes by every branch. The exit code. */
static int show_branches(clae_model *m, const char *data, const char *device, long offset,
                         long count, const char *out)
{
    clae_dataset tests[CLAE_MAX_BRANCHES] = {{0}};
    int rc = 1, k = 0, dev_open = 0;
    clae_device d;
    for (; k < m->nbranches; k++) {
        const clae_branch *b = &m->branches[k];
        const char *dir = b->data[0] ? b->data : data ? data : m->train.data;
        if (clae_dataset_load(dir, CLAE_CIFAR_TEST, m->net.H, m->net.W, m->net.C, &tests[k]) !=
            CLAE_OK)
            goto done;
        clae_dataset_keep_classes(&tests[k], &b->classes);
        if ((size_t)offset + (size_t)count > tests[k].n) {
            fprintf(stderr, "clae show: images %ld..%ld asked for, branch %s's test images in %s "
                    "are %zu\n", offset, offset + count - 1, b->name, dir, tests[k].n);
            goto done;
        }
    }
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    int W, H;
    if (!clae_app_figure_branches(m, &d, tests, (size_t)offset, (int)count, out, &W, &H))
        goto done;
    printf("wrote %s (%dx%d): each branch's test images %ld..%ld, then their decodes by each "
           "branch (its own: reconstruction; another's: swapped)\n", out, W, H, offset,
           offset + count - 1);
    rc = 0;
done:
    if (dev_open) clae_device_close(&d);
    for (int j = 0; j < m->nbranches; j++) clae_dataset_free(&tests[j]); /* empty: no-op */
    return rc;
}

int cmd_show(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *data = NULL, *device = NULL;
    long count = 8, offset = 0;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("OUT.png", &out),
        CLAE_OPT_DATA(&data, "data folder, CIFAR-10 binary or clae data import's (default:\n"
                             "the one it was trained on, else [train] data)"),
        {.name = "n", .meta = "N", .kind = CLAE_OPT_CALL, .to = &count, .parse = parse_count,
         .help = "number of images (default 8, at most " CLAE_STR(MAX_N) ")"},
        {.name = "offset", .meta = "K", .kind = CLAE_OPT_CALL, .to = &offset,
         .parse = parse_offset, .help = "start at test image K (default 0)"},
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&SHOW_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_output_check_image("clae show", out)) return 2;

    clae_model m;
    if (!clae_app_load_any(ckpt, &m)) return 1;
    if (m.nbranches > 0) {
        int rc = show_branches(&m, data, device, offset, count, out);
        clae_model_free(&m);
        return rc;
    }
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
