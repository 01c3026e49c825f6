/* clae compress CKPT IN OUT.clz / clae decompress CKPT IN.clz OUT.png: an image through an
 * autoencoder's code, quantised and deflated into a file; the options and the report. The
 * work is in src/host/apps/compress.c (include/clae/compress.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/compress.h"
#include "clae/output.h"
#include "cli.h"

#define DEF_BITS 8

static const clae_cmdline COMPRESS_CMDLINE = {
    .cmd = "clae compress", .width = 19, .about = CLAE_ABOUT_COMPRESS};

int cmd_compress(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *layer = NULL, *device = NULL;
    int bits = DEF_BITS;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("IN", &in), CLAE_ARG("OUT.clz", &out),
        {.name = "bits", .meta = "B", .kind = CLAE_OPT_INT, .to = &bits, .min = 1,
         .max = CLAE_CLZ_BITS_MAX,
         .help = "quantise the code to B bits a value (1 to " CLAE_STR(CLAE_CLZ_BITS_MAX)
                 ", default " CLAE_STR(DEF_BITS) ")"},
        CLAE_OPT_LAYER(&layer, CLAE_HELP_LAYER),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&COMPRESS_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_output_check("clae compress", out)) return 2;
    clae_codec c;
    int rc = clae_codec_open(&c, "compress", ckpt, layer);
    size_t bytes = 0;
    if (rc == 0)
        rc = clae_vae_bind(&c.v, device, 1) && clae_compress_file(&c, in, out, bits, &bytes)
                 ? 0
                 : 1;
    if (rc == 0) {
        const clae_model *m = &c.v.m;
        printf("wrote %s: %zu bytes, %.3f bits per pixel (%dx%d image; code %dx%dx%d of layer "
               "%d at %d bits, model 0x%08x)\n", out, bytes,
               8.0 * (double)bytes / ((double)m->net.H * m->net.W), m->net.W, m->net.H,
               c.code_h, c.code_w, c.code_c, c.v.s, bits, c.model);
    }
    clae_codec_close(&c);
    return rc;
}

static const clae_cmdline DECOMPRESS_CMDLINE = {
    .cmd = "clae decompress", .width = 16, .about = CLAE_ABOUT_DECOMPRESS};

int cmd_decompress(int argc, char **argv)
{
    const char *ckpt = NULL, *in = NULL, *out = NULL, *device = NULL;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("IN.clz", &in), CLAE_ARG("OUT", &out),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&DECOMPRESS_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_output_check_image("clae decompress", out)) return 2;
    clae_codec c;
    clae_clz_header h;
    float *codes = NULL;
    int ok = clae_decompress_open(&c, ckpt, in, &h, &codes) && clae_vae_bind(&c.v, device, 1) &&
             clae_decompress_write(&c, codes, out);
    if (ok)
        printf("wrote %s (%dx%d, %d channel%s) from %s: code %dx%dx%d of layer %d at %d bits\n",
               out, h.W, h.H, h.C, h.C == 1 ? "" : "s", in, h.code_h, h.code_w, h.code_c,
               h.layer, h.bits);
    free(codes);
    clae_codec_close(&c);
    return ok ? 0 : 1;
}
