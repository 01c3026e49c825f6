/* clae compress / decompress (src/host/apps/compress.c) on a freshly initialised
 * configs/compress-8x8x4.cfg: an image file through compress -> .clz -> decompress gives,
 * byte for byte, the image of the same steps in memory (encode, quantise, dequantise,
 * decode); at 16 bits the decode is within 1e-3 of the unquantised code's; a checkpoint of
 * other weights refuses the file in one line; an image of another size is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/compress.h"
#include "clae/image.h"
#include "clae/rng.h"
#include "testutil.h"

#define CFG "configs/compress-8x8x4.cfg"

static char g_dir[64];

static void path_of(char *buf, const char *name) { snprintf(buf, 128, "%s/%s", g_dir, name); }

/* CFG's model with Glorot weights from seed, saved at dir/name. */
static void save_model(const char *name, uint64_t seed)
{
    clae_model m;
    ck_assert_int_eq(clae_model_load(CFG, &m), CLAE_OK);
    clae_rng rng;
    clae_rng_seed(&rng, seed);
    ck_assert_int_eq(clae_model_init(&m, &rng), CLAE_OK);
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    char p[128];
    path_of(p, name);
    ck_assert_int_eq(clae_ckpt_save(p, &m, &meta, 0), CLAE_OK);
    clae_ckpt_meta_free(&meta);
    clae_model_free(&m);
}

/* A w x h RGB image of smooth colours at dir/name. */
static void save_image(const char *name, int w, int h)
{
    clae_image img;
    ck_assert_int_eq(clae_image_alloc(&img, w, h, 3), CLAE_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                img.px[(y * w + x) * 3 + c] = (uint8_t)(128 + 100 * sin(0.3 * x + 0.2 * y + c));
    char p[128];
    path_of(p, name);
    ck_assert_int_eq(clae_image_write(p, &img), CLAE_OK);
    clae_image_free(&img);
}

/* The in-memory path: the image file in -> codes -> bits -> decode -> 8-bit image. */
static void in_memory(clae_codec *c, const char *in, int bits, clae_image *out, float *y)
{
    const size_t per = c->v.per, zc = c->v.zc;
    float *x = malloc(per * sizeof(float)), *code = malloc(zc * sizeof(float)),
          *deq = malloc(zc * sizeof(float));
    uint16_t *q = malloc(zc * sizeof(uint16_t));
    ck_assert(x && code && deq && q);
    clae_image img;
    ck_assert_int_eq(clae_image_load(in, 3, &img), CLAE_OK);
    clae_image_to_chw(x, &img);
    clae_image_free(&img);
    ck_assert(clae_vae_encode(&c->v, x, code, 1));
    float lo, hi;
    ck_assert(clae_clz_range(code, zc, &lo, &hi));
    clae_clz_quantise(code, zc, bits, lo, hi, q);
    clae_clz_dequantise(q, zc, bits, lo, hi, deq);
    ck_assert(clae_vae_decode(&c->v, bits ? deq : code, y, 1));
    if (out) {
        ck_assert_int_eq(clae_image_alloc(out, 32, 32, 3), CLAE_OK);
        clae_image_from_chw(out, y);
    }
    free(x);
    free(code);
    free(deq);
    free(q);
}

/* The files the cases share (the first case; the suite runs without forking, in order). */
START_TEST(test_compress_files)
{
    save_model("a.safetensors", 42);
    save_model("b.safetensors", 7);
    save_image("in.png", 32, 32);
    save_image("small.png", 16, 16);
}
END_TEST

START_TEST(test_compress_roundtrip)
{
    char ckpt[128], in[128], clz[128], png[128];
    path_of(ckpt, "a.safetensors");
    path_of(in, "in.png");
    path_of(clz, "in.clz");
    path_of(png, "back.png");
    const int bits[3] = {3, 8, 16};
    for (int k = 0; k < 3; k++) {
        clae_codec c;
        size_t bytes = 0;
        ck_assert_int_eq(clae_codec_open(&c, "compress", ckpt, NULL), 0);
        ck_assert_int_eq(c.code_h * c.code_w * c.code_c, 256);
        ck_assert(clae_vae_bind(&c.v, "ref", 1));
        ck_assert(clae_compress_file(&c, in, clz, bits[k], &bytes));
        ck_assert_uint_gt(bytes, CLAE_CLZ_HEADER_BYTES);
        clae_image want;
        float *y = malloc(c.v.per * sizeof(float));
        in_memory(&c, in, bits[k], &want, y);
        clae_codec_close(&c);

        clae_clz_header h;
        float *codes;
        ck_assert(clae_decompress_open(&c, ckpt, clz, &h, &codes));
        ck_assert_int_eq(h.bits, bits[k]);
        ck_assert(clae_vae_bind(&c.v, "ref", 1));
        ck_assert(clae_decompress_write(&c, codes, png));
        clae_image got;
        ck_assert_int_eq(clae_image_load(png, 3, &got), CLAE_OK);
        ck_assert_mem_eq(got.px, want.px, (size_t)32 * 32 * 3);
        if (bits[k] == 16) { /* against the unquantised code's decode */
            float *yf = malloc(c.v.per * sizeof(float));
            in_memory(&c, in, 0, NULL, yf);
            ck_assert(tu_close("16 bits against float32", y, yf, c.v.per, 1e-3, 0));
            free(yf);
        }
        free(y);
        free(codes);
        clae_image_free(&got);
        clae_image_free(&want);
        clae_codec_close(&c);
    }
}
END_TEST

START_TEST(test_compress_refusals)
{
    char a[128], b[128], in[128], small[128], clz[128], out[128];
    path_of(a, "a.safetensors");
    path_of(b, "b.safetensors");
    path_of(in, "in.png");
    path_of(small, "small.png");
    path_of(clz, "r.clz");
    path_of(out, "r.png");
    clae_codec c;
    size_t bytes;
    ck_assert_int_eq(clae_codec_open(&c, "compress", a, NULL), 0);
    ck_assert(clae_vae_bind(&c.v, "ref", 1));
    tu_capture_begin();
    int ok = clae_compress_file(&c, small, clz, 8, &bytes);
    const char *err = tu_capture_end();
    ck_assert(!ok);
    ck_assert_msg(strstr(err, "a 16x16 image; the model compresses 32x32") != NULL, "%s", err);
    ck_assert_int_ne(access(clz, F_OK), 0); /* nothing written */
    ck_assert(clae_compress_file(&c, in, clz, 8, &bytes));
    clae_codec_close(&c);
    clae_clz_header h;
    float *codes;
    tu_capture_begin();
    ok = clae_decompress_open(&c, b, clz, &h, &codes);
    err = tu_capture_end();
    ck_assert(!ok);
    ck_assert_msg(strstr(err, "made with another model") != NULL && strchr(err, '\n') ==
                      err + strlen(err) - 1, "%s", err);
    free(codes);
    clae_codec_close(&c);
    tu_capture_begin();
    ck_assert_int_eq(clae_codec_open(&c, "compress", a, "nope"), 2);
    tu_capture_end();
    clae_codec_close(&c);
}
END_TEST

static Suite *compress_suite(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("compress");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_compress_files);
    tcase_add_test(tc, test_compress_roundtrip);
    tcase_add_test(tc, test_compress_refusals);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/clae-compress-XXXXXX",
             tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    int rc = tu_run(compress_suite());
    const char *names[] = {"a.safetensors", "b.safetensors", "in.png", "small.png", "in.clz",
                           "back.png", "r.clz", "r.png"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char p[128];
        path_of(p, names[i]);
        unlink(p);
    }
    rmdir(g_dir);
    return rc;
}
