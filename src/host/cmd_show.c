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
    SCALE = 4,                      /* nearest enlargement */
    GAP = 4,                        /* between tiles and around the figure */
    TILE = CLAE_CIFAR_SIDE * SCALE, /* 128 */
    LABEL_W = 112,                  /* label column: "corrupted" at scale 2 is 106 pixels */
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
    int rc = 1, dev_open = 0, net_made = 0;
    clae_corrupt cor;
    clae_dataset test = {0};
    clae_device d;
    clae_net net;
    float *clean = NULL, *input = NULL, *output = NULL;
    clae_image fig = {0}, tile = {0};
    if (!clae_app_check_cifar(ckpt, &m)) goto done;
    if (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK) goto done;
    if (!data) data = m.train.data;
    if (clae_cifar_load(data, CLAE_CIFAR_TEST, &test) != CLAE_OK) goto done;
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
    cifar_to_float_ref(clean, clae_dataset_record(&test, (size_t)offset), nb);
    clae_rng rng;
    clae_rng_seed(&rng, m.train.seed);
    if (clae_corrupt_apply(input, clean, nb, 3, 32, 32, &cor, &rng) != CLAE_OK) goto done;
    if (clae_device_open(&d, device) != CLAE_OK) goto done;
    dev_open = 1;
    if (clae_net_create(&net, &m, &d, nb) != CLAE_OK) goto done;
    net_made = 1;
    if (clae_net_infer(&net, input, output, nb) != CLAE_OK) goto done;

    int W = LABEL_W + GAP + nb * (TILE + GAP), H = GAP + 3 * (TILE + GAP);
    static const uint8_t bg[3] = {255, 255, 255}, ink[3] = {20, 20, 20};
    if (clae_image_alloc(&fig, W, H, 3) != CLAE_OK ||
        clae_image_alloc(&tile, CLAE_CIFAR_SIDE, CLAE_CIFAR_SIDE, 3) != CLAE_OK)
        goto done;
    clae_image_fill(&fig, bg);
    const char *labels[3] = {"original",
                             cor.kind == CLAE_CORRUPT_BLUR   ? "blurred"
                             : cor.kind == CLAE_CORRUPT_NONE ? "input"
                                                             : "corrupted",
                             "restored"};
    const float *rows[3] = {clean, input, output};
    for (int r = 0; r < 3; r++) {
        int y = GAP + r * (TILE + GAP);
        clae_draw_text(&fig, GAP, y + TILE / 2 - CLAE_FONT_H, labels[r], ink, 2, 0);
        for (int k = 0; k < nb; k++) {
            clae_image_from_chw(&tile, rows[r] + (size_t)k * per);
            clae_image_blit_scaled(&fig, &tile, LABEL_W + GAP + k * (TILE + GAP), y, SCALE);
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
