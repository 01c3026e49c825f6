/* clae denoise CKPT IN OUT: restore one image file of any size with a fully
 * convolutional model: reflect-pad to a multiple of the model's downsampling,
 * rebuild the model at that size (same parameters), run it, crop back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/corrupt.h"
#include "clae/image.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: clae denoise CKPT IN OUT [options]\n"
        "  restore the image IN (PNG/JPG/BMP, any size, the model's channel count) with the\n"
        "  model in CKPT and write OUT (.png, .jpg or .bmp); the image is reflect-padded to\n"
        "  a multiple of the model's downsampling and cropped back\n"
        "  --blur           blur IN first as in training (blur_size, blur_sigma), to demonstrate\n"
        "  --blurred FILE   also write that blurred input to FILE (with --blur)\n"
        "  --device N|ref   OpenCL device index or the reference path (very large images\n"
        "                   run on the reference path)\n");
}

int cmd_denoise(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *device = NULL, *blurred_out = NULL;
    int blur = 0;
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'},
        {"device", required_argument, NULL, 'D'},
        {"blurred", required_argument, NULL, 'B'},
        {"blur", no_argument, NULL, 'b'},
        {0}};
    clae_opts cli = {.cmd = "clae denoise", .hint = "see --help", .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 'D': device = optarg; break;
        case 'B': blurred_out = optarg; break;
        case 'b': blur = 1; break;
        case 1:
            if (!ckpt) {
                ckpt = optarg;
            } else if (!in) {
                in = optarg;
            } else if (!out) {
                out = optarg;
            } else {
                fprintf(stderr, "clae denoise: unexpected argument '%s' (see --help)\n", optarg);
                return 2;
            }
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (!out) {
        fprintf(stderr, "clae denoise: missing %s (usage: clae denoise CKPT IN OUT)\n",
                !ckpt ? "CKPT"
                : !in ? "IN"
                      : "OUT");
        return 2;
    }
    if (blurred_out && !blur) {
        fprintf(stderr, "clae denoise: --blurred needs --blur\n");
        return 2;
    }
    const char *outs[2] = {out, blurred_out};
    for (int k = 0; k < 2; k++)
        if (outs[k] && !clae_app_image_ext(outs[k])) {
            fprintf(stderr, "clae: %s: unknown image type (use .png, .jpg or .bmp)\n", outs[k]);
            return 2;
        }

    clae_model m;
    if (!clae_app_load(ckpt, &m)) return 1;
    if (!clae_app_check_images("denoise", ckpt, &m)) {
        clae_model_free(&m);
        return 1;
    }
    int rc = 1;
    clae_image img = {0};
    float *x = NULL;
    const int C = m.net.C;
    if (clae_image_load(in, C, &img) != CLAE_OK) goto done;
    const int H = img.h, W = img.w;
    size_t n = (size_t)C * H * W;
    x = malloc(n * sizeof(float));
    if (!x) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", W, H);
        goto done;
    }
    clae_image_to_chw(x, &img);
    if (blur) {
        clae_corrupt cor;
        if (clae_corrupt_from_config(&m.train, &cor) != CLAE_OK ||
            clae_corrupt_blur(x, x, 1, C, H, W, cor.blur_size, cor.blur_sigma) != CLAE_OK)
            goto done;
        if (blurred_out) {
            clae_image_from_chw(&img, x);
            if (clae_image_write(blurred_out, &img) != CLAE_OK) goto done;
        }
    }
    clae_app_run run;
    if (!clae_app_run_image(ckpt, &m, in, x, H, W, device, &run)) goto done;
    clae_image_from_chw(&img, x);
    if (clae_image_write(out, &img) != CLAE_OK) goto done;
    printf("wrote %s (%dx%d, %d channel%s; model run at %dx%d on %s)\n", out, W, H, C,
           C == 1 ? "" : "s", run.W, run.H, run.device);
    if (blurred_out) printf("wrote %s (the blurred input)\n", blurred_out);
    rc = 0;
done:
    free(x);
    clae_image_free(&img);
    clae_model_free(&m);
    return rc;
}
