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
    SCALE = 4,     /* nearest enlargement of a 32x32 image, */
    TILE = 128,    /* and of larger ones, to tiles of about this side (at least x1) */
    GAP = 4,       /* between tiles and around the figure */
    LABEL_W = 112, /* label column: "corrupted" at scale 2 is 106 pixels */
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
            "                   the config's [train] data)\n"
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
    int rc = 1, dev_open = 0, net_made = 0;
    clae_corrupt cor;
    clae_dataset test = {0};
    clae_device d;
    clae_net net;
    float *clean = NULL, *input = NULL, *output = NULL;
    clae_image fig = {0}, tile = {0};
    if (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK) goto done;
    if (!data) data = m.train.data;
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, m.net.H, m.net.W, m.net.C, &test) != CLAE_OK)
        goto done;
    const int C = test.C, IH = test.H, IW = test.W; /* one image */
    const int side = IH > IW ? IH : IW, scale = side >= TILE ? 1 : (TILE + side - 1) / side;
    const int th = IH * scale, tw = IW * scale;     /* one tile */
    if ((size_t)offset + (size_t)count > test.n) {
        fprintf(stderr, "clae show: images %ld..%ld asked for, the test set has %zu\n", offset,
                offset + count - 1, test.n);
        goto done;
    }
    int nb = (int)count;
    size_t per = clae_model_in_count(&m);
    clean = malloc((size_t)nb * per * sizeof(float));
    input = malloc((size_t)nb * per * sizeof(float));
    output = malloc((size_t)nb * per * sizeof(float));
    if (!clean || !input || !output) {
        fprintf(stderr, "clae: out of memory\n");
        goto done;
    }
    cifar_to_float_ref(clean, clae_dataset_record(&test, (size_t)offset), nb, C, IH, IW);
    clae_rng rng;
    clae_rng_seed(&rng, m.train.seed);
    if (clae_corrupt_apply(input, clean, nb, C, IH, IW, &cor, &rng) != CLAE_OK) goto done;
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    if (clae_net_create(&net, &m, &d, nb) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, input, output, nb) != CLAE_OK) goto done;

    int W = LABEL_W + GAP + nb * (tw + GAP), H = GAP + 3 * (th + GAP);
    static const uint8_t bg[3] = {255, 255, 255}, ink[3] = {20, 20, 20};
    if (clae_image_alloc(&fig, W, H, 3) != CLAE_OK ||
        clae_image_alloc(&tile, IW, IH, C) != CLAE_OK)
        goto done;
    clae_image_fill(&fig, bg);
    const char *labels[3] = {"original",
                             cor.kind == CLAE_CORRUPT_BLUR   ? "blurred"
                             : cor.kind == CLAE_CORRUPT_NONE ? "input"
                                                             : "corrupted",
                             "restored"};
    const float *rows[3] = {clean, input, output};
    for (int r = 0; r < 3; r++) {
        int y = GAP + r * (th + GAP);
        clae_draw_text(&fig, GAP, y + th / 2 - CLAE_FONT_H, labels[r], ink, 2, 0);
        for (int k = 0; k < nb; k++) {
            clae_image_from_chw(&tile, rows[r] + (size_t)k * per);
            clae_image_blit_scaled(&fig, &tile, LABEL_W + GAP + k * (tw + GAP), y, scale);
        }
    }
    if (clae_image_write(out, &fig) != CLAE_OK) goto done;
    printf("wrote %s (%dx%d): test images %ld..%ld, rows original / %s / restored\n", out, W, H,
           offset, offset + count - 1, labels[1]);
    rc = 0;
done:
    clae_image_free(&fig);
    clae_image_free(&tile);
    free(clean);
    free(input);
    free(output);
    if (net_made) clae_net_free(&net);
    if (dev_open) clae_device_close(&d);
    clae_dataset_free(&test);
    clae_model_free(&m);
    return rc;
}
