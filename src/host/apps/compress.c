/* clae compress's and clae decompress's work: a checkpoint opened as a codec, one image's
 * code into a .clz file and back; see include/clae/compress.h. */
#include "clae/compress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/app.h"
#include "clae/crc32c.h"
#include "clae/encode.h"
#include "clae/fs.h"
#include "clae/image.h"

uint32_t clae_codec_fingerprint(const clae_model *m)
{
    uint32_t crc = 0;
    for (int t = 0; t < m->ntensors; t++)
        crc = clae_crc32c(crc, m->params + m->tensors[t].offset,
                          m->tensors[t].count * sizeof(float));
    return crc;
}

/* With c->v.m loaded and c->v.s its code layer: the checks and the code's shape. */
static int codec_setup(clae_codec *c, const char *cmd, const char *ckpt)
{
    const clae_model *m = &c->v.m;
    if (!clae_app_check_images(cmd, ckpt, m)) return 0;
    if (m->net.C != 1 && m->net.C != 3) {
        fprintf(stderr, "clae %s: %s: the model's images have %d channels, image files here "
                "need 1 or 3\n", cmd, ckpt, m->net.C);
        return 0;
    }
    if (!clae_vae_check(&c->v, cmd, ckpt)) return 0;
    const clae_layer *l = &m->layers[c->v.s];
    c->code_c = l->out_c;
    c->code_h = l->out_h;
    c->code_w = l->out_w;
    c->model = clae_codec_fingerprint(m);
    return 1;
}

int clae_codec_open(clae_codec *c, const char *cmd, const char *ckpt, const char *spec)
{
    *c = (clae_codec){.v.s = -1};
    if (!clae_app_load(ckpt, &c->v.m)) return 1;
    char full[64];
    snprintf(full, sizeof full, "clae %s", cmd);
    c->v.s = clae_encode_find_layer(&c->v.m, full, ckpt, spec);
    if (c->v.s < 0) return 2;
    if (c->v.s == c->v.m.nlayers - 1) {
        fprintf(stderr, "clae %s: %s: layer %d is the model's output, not a code: choose the "
                "code with --layer\n", cmd, ckpt, c->v.s);
        return 2;
    }
    return codec_setup(c, cmd, ckpt) ? 0 : 1;
}

void clae_codec_close(clae_codec *c) { clae_vae_close(&c->v); }

void clae_codec_header(const clae_codec *c, int bits, clae_clz_header *h)
{
    const clae_model *m = &c->v.m;
    *h = (clae_clz_header){.version = CLAE_CLZ_VERSION, .bits = bits, .layer = c->v.s,
                           .H = m->net.H, .W = m->net.W, .C = m->net.C, .code_c = c->code_c,
                           .code_h = c->code_h, .code_w = c->code_w, .model = c->model};
}

/* The image file in as the model's input x (per floats); 1, or 0 after one line. */
static int read_input(const clae_codec *c, const char *in, float *x)
{
    const clae_model *m = &c->v.m;
    clae_image img;
    if (clae_image_load(in, 0, &img) != CLAE_OK) return 0;
    int ok = img.w == m->net.W && img.h == m->net.H;
    if (ok)
        clae_image_to_chw_as(x, m->net.C, &img);
    else
        fprintf(stderr, "clae: %s: a %dx%d image; the model compresses %dx%d images (no "
                "padding or tiling)\n", in, img.w, img.h, m->net.W, m->net.H);
    clae_image_free(&img);
    return ok;
}

int clae_compress_file(clae_codec *c, const char *in, const char *out, int bits, size_t *bytes)
{
    float *x = malloc(c->v.per * sizeof(float)), *code = malloc(c->v.zc * sizeof(float));
    uint8_t *file = NULL;
    size_t len = 0;
    int ok = x && code;
    if (!ok) fprintf(stderr, "clae: out of memory\n");
    ok = ok && read_input(c, in, x) && clae_vae_encode(&c->v, x, code, 1);
    if (ok) {
        clae_clz_header h;
        char why[160];
        clae_codec_header(c, bits, &h);
        ok = clae_clz_encode(&h, code, &file, &len, why, sizeof why) == CLAE_OK;
        if (!ok) fprintf(stderr, "clae: %s: %s\n", in, why);
    }
    ok = ok && clae_file_write_atomic(out, file, len) == CLAE_OK;
    if (ok) *bytes = len;
    free(x);
    free(code);
    free(file);
    return ok;
}

/* "8x8x4": a code's shape as H x W x C (the summary's order). */
static void shape_str(char *buf, size_t len, int h, int w, int c)
{
    snprintf(buf, len, "%dx%dx%d", h, w, c);
}

/* 1 if the file's header fits the model in c (loaded, no layer chosen yet), else one line. */
static int header_fits(clae_codec *c, const char *ckpt, const char *path,
                       const clae_clz_header *h)
{
    const clae_model *m = &c->v.m;
    char fs[32], ms[32];
    if (h->model != clae_codec_fingerprint(m)) {
        fprintf(stderr, "clae: %s: made with another model (weights 0x%08x, %s's are 0x%08x)\n",
                path, h->model, ckpt, clae_codec_fingerprint(m));
        return 0;
    }
    const clae_layer *l = h->layer < m->nlayers - 1 ? &m->layers[h->layer] : NULL;
    shape_str(fs, sizeof fs, h->code_h, h->code_w, h->code_c);
    if (!l || l->out_c != h->code_c || l->out_h != h->code_h || l->out_w != h->code_w ||
        h->H != m->net.H || h->W != m->net.W || h->C != m->net.C) {
        if (l) shape_str(ms, sizeof ms, l->out_h, l->out_w, l->out_c);
        fprintf(stderr, "clae: %s: made with another model (a %dx%dx%d image's code %s of "
                "layer %d; %s %s%s)\n", path, h->H, h->W, h->C, fs, h->layer, ckpt,
                l ? "gives " : "has no such code layer", l ? ms : "");
        return 0;
    }
    return 1;
}

int clae_decompress_open(clae_codec *c, const char *ckpt, const char *path, clae_clz_header *h,
                         float **codes)
{
    *c = (clae_codec){.v.s = -1};
    *codes = NULL;
    if (clae_clz_read(path, h, codes) != CLAE_OK) return 0;
    if (!clae_app_load(ckpt, &c->v.m) || !header_fits(c, ckpt, path, h)) return 0;
    c->v.s = h->layer;
    return codec_setup(c, "decompress", ckpt);
}

int clae_decompress_write(clae_codec *c, const float *codes, const char *out)
{
    const clae_model *m = &c->v.m;
    float *y = malloc(c->v.per * sizeof(float));
    clae_image img = {0};
    int ok = y != NULL;
    if (!ok) fprintf(stderr, "clae: out of memory\n");
    ok = ok && clae_vae_decode(&c->v, codes, y, 1) &&
         clae_image_alloc(&img, m->net.W, m->net.H, m->net.C) == CLAE_OK;
    if (ok) {
        clae_image_from_chw(&img, y);
        ok = clae_image_write(out, &img) == CLAE_OK;
    }
    clae_image_free(&img);
    free(y);
    return ok;
}
