/* Image helpers of the result commands: reflect padding and cropping,
 * nearest enlargement, PNG/BMP/JPG writing and reading, the 5x7 font, lines
 * and the history plot. All on the host (no OpenCL). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/draw.h"
#include "clae/history.h"
#include "clae/image.h"
#include "clae/plot.h"
#include "testutil.h"

static char g_dir[] = "/tmp/clae_test_image_XXXXXX";

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k, made;
    k = (k + 1) % 4;
    if (!made) { /* once: the random name may itself end in 'X' */
        ck_assert_ptr_nonnull(mkdtemp(g_dir));
        made = 1;
    }
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

static void rand_bytes(uint8_t *p, size_t n, uint64_t *seed)
{
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (uint8_t)(*seed >> 56);
    }
}

START_TEST(test_reflect_index_hand)
{
    /* n = 4: ... 2 1 | 0 1 2 3 | 2 1 0 1 ... */
    const int want[] = {0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0};
    for (int i = -6; i <= 6; i++) {
        int got = clae_reflect_index(i, 4);
        printf("reflect(%d, 4) = %d (want %d)\n", i, got, want[i + 6]);
        ck_assert_int_eq(got, want[i + 6]);
    }
    ck_assert_int_eq(clae_reflect_index(-3, 1), 0);
    ck_assert_int_eq(clae_reflect_index(5, 1), 0);
    ck_assert_int_eq(clae_reflect_index(-1, 2), 1);
    ck_assert_int_eq(clae_reflect_index(2, 2), 0);
    ck_assert_int_eq(clae_round_up(29, 4), 32);
    ck_assert_int_eq(clae_round_up(32, 4), 32);
    ck_assert_int_eq(clae_round_up(1, 4), 4);
    ck_assert_int_eq(clae_round_up(7, 1), 7);
}
END_TEST

/* Pad to a multiple of 4 (reflect) and crop back: the identity; the border
 * is the mirror image of the inside. */
START_TEST(test_pad_crop_identity)
{
    const int shapes[][3] = {{3, 29, 37}, {1, 32, 32}, {3, 1, 2}, {2, 5, 3}, {3, 4, 9}};
    uint64_t seed = 7;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int C = shapes[s][0], H = shapes[s][1], W = shapes[s][2];
        int Hp = clae_round_up(H, 4), Wp = clae_round_up(W, 4);
        int top = (Hp - H) / 2, left = (Wp - W) / 2;
        size_t n = (size_t)C * H * W, np = (size_t)C * Hp * Wp;
        float *x = tu_alloc_rand(n, 0.0f, 1.0f, &seed), *xp = tu_alloc0(np), *y = tu_alloc0(n);
        clae_pad_reflect(xp, x, C, H, W, Hp, Wp, top, left);
        clae_crop(y, xp, C, Hp, Wp, top, left, H, W);
        char what[64];
        snprintf(what, sizeof what, "pad %dx%dx%d -> %dx%d, crop back", C, H, W, Hp, Wp);
        ck_assert_close(what, y, x, n, 0.0, 0.0);
        /* every padded value is the reflect-101 source value */
        for (int c = 0; c < C; c++)
            for (int i = 0; i < Hp; i++)
                for (int j = 0; j < Wp; j++) {
                    float want = x[((size_t)c * H + clae_reflect_index(i - top, H)) * W +
                                   clae_reflect_index(j - left, W)];
                    ck_assert(xp[((size_t)c * Hp + i) * Wp + j] == want);
                }
        if (H >= 2 && top >= 1) /* the row above the image mirrors row 1 */
            ck_assert(xp[(size_t)(top - 1) * Wp + left] == x[W]);
        free(x), free(xp), free(y);
    }
}
END_TEST

START_TEST(test_enlarge_nearest_x4)
{
    clae_image src, dst;
    ck_assert_int_eq(clae_image_alloc(&src, 3, 2, 3), CLAE_OK);
    uint64_t seed = 3;
    rand_bytes(src.px, 3 * 2 * 3, &seed);
    ck_assert_int_eq(clae_image_alloc(&dst, 3 * 4 + 2, 2 * 4 + 2, 3), CLAE_OK);
    clae_image_blit_scaled(&dst, &src, 1, 1, 4);
    int bad = 0;
    for (int y = 0; y < dst.h; y++)
        for (int x = 0; x < dst.w; x++)
            for (int c = 0; c < 3; c++) {
                uint8_t got = dst.px[((size_t)y * dst.w + x) * 3 + c], want = 0;
                int sx = x - 1, sy = y - 1;
                if (sx >= 0 && sy >= 0 && sx < 12 && sy < 8)
                    want = src.px[((size_t)(sy / 4) * 3 + sx / 4) * 3 + c];
                bad += got != want;
            }
    printf("nearest x4 of a 3x2 image: %d wrong values of %d\n", bad, dst.w * dst.h * 3);
    ck_assert_int_eq(bad, 0);
    clae_image_free(&src);
    clae_image_free(&dst);
}
END_TEST

START_TEST(test_chw_round_trip)
{
    clae_image a, b;
    ck_assert_int_eq(clae_image_alloc(&a, 7, 5, 3), CLAE_OK);
    ck_assert_int_eq(clae_image_alloc(&b, 7, 5, 3), CLAE_OK);
    uint64_t seed = 11;
    rand_bytes(a.px, 7 * 5 * 3, &seed);
    a.px[0] = 0, a.px[1] = 255;
    float *x = tu_alloc0(7 * 5 * 3);
    clae_image_to_chw(x, &a);
    ck_assert(x[0] == 0.0f && x[35] == 1.0f); /* (c0,0,0) and (c1,0,0): planar */
    ck_assert(fabsf(x[2 * 35 + 4] - a.px[4 * 3 + 2] / 255.0f) == 0.0f);
    clae_image_from_chw(&b, x);
    ck_assert_int_eq(memcmp(a.px, b.px, 7 * 5 * 3), 0);
    /* clamping and rounding */
    float v[3] = {-0.5f, 1.7f, 0.5f};
    clae_image one;
    ck_assert_int_eq(clae_image_alloc(&one, 1, 1, 3), CLAE_OK);
    clae_image_from_chw(&one, v);
    ck_assert_int_eq(one.px[0], 0);
    ck_assert_int_eq(one.px[1], 255);
    ck_assert_int_eq(one.px[2], 128);
    free(x);
    clae_image_free(&a);
    clae_image_free(&b);
    clae_image_free(&one);
}
END_TEST

/* An image's colours as a model's channels and back (clae denoise): grey
 * replicated for an RGB model, BT.601 luma for a grey one, alpha left out
 * and never touched; the same layout is clae_image_to_chw's. */
START_TEST(test_chw_as_channels)
{
    uint64_t seed = 13;
    for (int ic = 1; ic <= 4; ic++) {
        const int colors = ic >= 3 ? 3 : 1, alpha = ic == 2 || ic == 4;
        clae_image img, orig;
        ck_assert_int_eq(clae_image_alloc(&img, 6, 5, ic), CLAE_OK);
        ck_assert_int_eq(clae_image_alloc(&orig, 6, 5, ic), CLAE_OK);
        rand_bytes(img.px, (size_t)6 * 5 * ic, &seed);
        memcpy(orig.px, img.px, (size_t)6 * 5 * ic);
        ck_assert_int_eq(clae_image_has_alpha(&img), alpha);
        const size_t hw = 30;
        for (int C = 1; C <= 3; C += 2) {
            float *x = tu_alloc0((size_t)C * hw);
            clae_image_to_chw_as(x, C, &img);
            int bad = 0;
            for (size_t i = 0; i < hw; i++) {
                const uint8_t *p = orig.px + i * ic;
                for (int c = 0; c < C; c++) {
                    float want = colors == C ? p[c] / 255.0f
                                 : C == 3    ? p[0] / 255.0f
                                             : CLAE_LUMA_R * (p[0] / 255.0f) +
                                                CLAE_LUMA_G * (p[1] / 255.0f) +
                                                CLAE_LUMA_B * (p[2] / 255.0f);
                    bad += fabsf(x[c * hw + i] - want) > 1e-6f;
                }
            }
            /* back: the same layout gives the bytes back; alpha untouched */
            clae_image_from_chw_as(&img, x, C);
            for (size_t i = 0; i < hw; i++) {
                const uint8_t *p = img.px + i * ic, *q = orig.px + i * ic;
                if (alpha) bad += p[ic - 1] != q[ic - 1];
                if (colors == C)
                    for (int c = 0; c < colors; c++) bad += p[c] != q[c];
                else if (colors == 3) /* a grey model's output: R = G = B */
                    bad += p[0] != p[1] || p[1] != p[2];
            }
            printf("image of %d channels as a %d-channel model's: %d wrong\n", ic, C, bad);
            ck_assert_int_eq(bad, 0);
            memcpy(img.px, orig.px, (size_t)6 * 5 * ic);
            free(x);
        }
        clae_image_free(&img);
        clae_image_free(&orig);
    }
    /* by hand: pure red, green, blue and white through a grey model */
    clae_image rgb;
    ck_assert_int_eq(clae_image_alloc(&rgb, 4, 1, 4), CLAE_OK);
    const uint8_t px[16] = {255, 0, 0, 7, 0, 255, 0, 0, 0, 0, 255, 255, 255, 255, 255, 128};
    memcpy(rgb.px, px, 16);
    float y[4];
    clae_image_to_chw_as(y, 1, &rgb);
    ck_assert(fabsf(y[0] - 0.299f) < 1e-6f && fabsf(y[1] - 0.587f) < 1e-6f);
    ck_assert(fabsf(y[2] - 0.114f) < 1e-6f && fabsf(y[3] - 1.0f) < 1e-6f);
    /* a grey model's values back into RGBA: replicated, clamped, alpha kept */
    const float back[4] = {0.5f, -1.0f, 2.0f, NAN};
    clae_image_from_chw_as(&rgb, back, 1);
    const uint8_t want[16] = {128, 128, 128, 7, 0, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128};
    ck_assert_int_eq(memcmp(rgb.px, want, 16), 0);
    /* an RGB model's values into a grey + alpha image: luma of the clamped values */
    clae_image ga;
    ck_assert_int_eq(clae_image_alloc(&ga, 2, 1, 2), CLAE_OK);
    ga.px[1] = 9, ga.px[3] = 200;
    /* planes R, G, B: pixels (1,0,0) and (3,-2,1), clamped (1,0,1) */
    const float rgbv[6] = {1.0f, 3.0f, 0.0f, -2.0f, 0.0f, 1.0f};
    clae_image_from_chw_as(&ga, rgbv, 3);
    ck_assert_int_eq(ga.px[0], 76);  /* 0.299 * 255 = 76.2 */
    ck_assert_int_eq(ga.px[2], 105); /* (0.299 + 0.114) * 255 = 105.3 */
    ck_assert(ga.px[1] == 9 && ga.px[3] == 200);
    clae_image_free(&rgb);
    clae_image_free(&ga);
}
END_TEST

START_TEST(test_write_read_round_trip)
{
    const int shapes[][3] = {{37, 29, 3}, {5, 3, 1}, {4, 4, 4}};
    uint64_t seed = 5;
    for (size_t s = 0; s < 3; s++) {
        clae_image a, b;
        ck_assert_int_eq(clae_image_alloc(&a, shapes[s][0], shapes[s][1], shapes[s][2]), CLAE_OK);
        rand_bytes(a.px, (size_t)a.w * a.h * a.c, &seed);
        const char *exts[] = {"png", "bmp"};
        for (int e = 0; e < 2; e++) {
            if (e == 1 && a.c != 3) continue; /* stb writes grey BMPs as 24-bit RGB */
            char name[32];
            snprintf(name, sizeof name, "rt%zu.%s", s, exts[e]);
            const char *p = tmp_path(name);
            ck_assert_int_eq(clae_image_write(p, &a), CLAE_OK);
            ck_assert_int_eq(clae_image_load(p, a.c, &b), CLAE_OK);
            printf("%s: %dx%dx%d written, %dx%dx%d read\n", name, a.w, a.h, a.c, b.w, b.h, b.c);
            ck_assert_int_eq(b.w, a.w);
            ck_assert_int_eq(b.h, a.h);
            ck_assert_int_eq(b.c, a.c);
            ck_assert_int_eq(memcmp(a.px, b.px, (size_t)a.w * a.h * a.c), 0);
            clae_image_free(&b);
        }
        clae_image_free(&a);
    }
    /* JPG: lossy, but the size and channels survive */
    clae_image a, b;
    ck_assert_int_eq(clae_image_alloc(&a, 37, 29, 3), CLAE_OK);
    const uint8_t grey[3] = {128, 64, 200};
    clae_image_fill(&a, grey);
    const char *jp = tmp_path("rt.JPG");
    ck_assert_int_eq(clae_image_write(jp, &a), CLAE_OK);
    ck_assert_int_eq(clae_image_load(jp, 3, &b), CLAE_OK);
    ck_assert_int_eq(b.w, 37);
    ck_assert_int_eq(b.h, 29);
    ck_assert(abs(b.px[0] - 128) < 6 && abs(b.px[1] - 64) < 6 && abs(b.px[2] - 200) < 6);
    clae_image_free(&b);
    /* errors */
    ck_assert_int_eq(clae_image_write(tmp_path("x.tiff"), &a), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_image_load(tmp_path("missing.png"), 3, &b), CLAE_ERR_IO);
    ck_assert_int_eq(clae_image_load(tmp_path("rt1.png"), 3, &b), CLAE_ERR_FORMAT); /* grey */
    ck_assert_ptr_null(b.px);
    FILE *f = fopen(tmp_path("junk.png"), "wb");
    ck_assert_ptr_nonnull(f);
    fputs("not an image at all", f);
    fclose(f);
    ck_assert_int_eq(clae_image_load(tmp_path("junk.png"), 0, &b), CLAE_ERR_FORMAT);
    ck_assert_int_eq(clae_image_write("/nonexistent-dir/x.png", &a), CLAE_ERR_IO);
    clae_image_free(&a);
}
END_TEST

START_TEST(test_font_glyphs)
{
    const char *must = "0123456789.-eEabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+()%:";
    for (const char *p = must; *p; p++) {
        const uint8_t *g = clae_font_glyph((unsigned char)*p);
        int bits = 0;
        for (int r = 0; r < CLAE_FONT_H; r++) {
            ck_assert_int_eq(g[r] & ~0x1F, 0); /* 5 columns */
            bits += __builtin_popcount(g[r]);
        }
        ck_assert_msg(bits > 0, "glyph '%c' is empty", *p);
    }
    const uint8_t *sp = clae_font_glyph(' ');
    for (int r = 0; r < CLAE_FONT_H; r++) ck_assert_int_eq(sp[r], 0);
    ck_assert_ptr_eq(clae_font_glyph(1), clae_font_glyph('?'));
    /* distinct digits */
    for (int a = '0'; a <= '9'; a++)
        for (int b = a + 1; b <= '9'; b++)
            ck_assert(memcmp(clae_font_glyph(a), clae_font_glyph(b), CLAE_FONT_H) != 0);
    ck_assert_int_eq(clae_text_width("0.5e-3", 1), 6 * 6 - 1);
    ck_assert_int_eq(clae_text_width("ab", 2), 22);
    ck_assert_int_eq(clae_text_width("", 2), 0);

    /* drawing: ink inside the text box only, both orientations */
    for (int vertical = 0; vertical < 2; vertical++) {
        clae_image img;
        ck_assert_int_eq(clae_image_alloc(&img, 80, 80, 3), CLAE_OK);
        const uint8_t white[3] = {255, 255, 255}, ink[3] = {0, 0, 0};
        clae_image_fill(&img, white);
        const char *s = "0.5e-3";
        int tw = clae_text_width(s, 2), th = CLAE_FONT_H * 2;
        int bw = vertical ? th : tw, bh = vertical ? tw : th;
        clae_draw_text(&img, 10, 10, s, ink, 2, vertical);
        int inside = 0, outside = 0;
        for (int y = 0; y < 80; y++)
            for (int x = 0; x < 80; x++) {
                int dark = img.px[((size_t)y * 80 + x) * 3] == 0;
                int in = x >= 10 && x < 10 + bw && y >= 10 && y < 10 + bh;
                inside += dark && in;
                outside += dark && !in;
            }
        printf("text '%s' %s: %d ink pixels in its %dx%d box, %d outside\n", s,
               vertical ? "vertical" : "horizontal", inside, bw, bh, outside);
        ck_assert_int_gt(inside, 40);
        ck_assert_int_eq(outside, 0);
        clae_image_free(&img);
    }
}
END_TEST

START_TEST(test_draw_line)
{
    clae_image img;
    ck_assert_int_eq(clae_image_alloc(&img, 20, 10, 3), CLAE_OK);
    const uint8_t red[3] = {255, 0, 0};
    clae_draw_line(&img, 2, 8, 17, 1, red, 1);
    ck_assert_int_eq(img.px[(8 * 20 + 2) * 3], 255);
    ck_assert_int_eq(img.px[(1 * 20 + 17) * 3], 255);
    int count = 0;
    for (int i = 0; i < 200; i++) count += img.px[i * 3] == 255;
    ck_assert_int_eq(count, 16);                  /* one pixel per column of the x-major line */
    clae_draw_line(&img, -5, -5, 30, 30, red, 3); /* clipped, no crash */
    clae_image_free(&img);
}
END_TEST

static const char *write_text(const char *name, const char *text)
{
    const char *p = tmp_path(name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

START_TEST(test_history_plot)
{
    const char *hp = write_text(
        "history.jsonl",
        "{\"epoch\": 1, \"train_loss\": 0.0629, \"val_loss\": 0.0619, \"val_psnr\": 12.08, "
        "\"images_per_s\": 117.7, \"seconds\": 8.15, \"steps\": 2}\n"
        "\n"
        "{\"epoch\": 2, \"train_loss\": 0.0412, \"val_loss\": 0.0398, \"val_psnr\": 14.0, "
        "\"images_per_s\": 120.1, \"seconds\": 8.0, \"steps\": 4}\n"
        "{\"epoch\": 3, \"train_loss\": 0.0201, \"val_loss\": -1, \"steps\": 6}\n");
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 3);
    ck_assert(h.epoch[2] == 3.0 && h.train_loss[1] == 0.0412 && h.val_loss[0] == 0.0619);
    ck_assert(isnan(h.val_loss[2]));
    clae_image img;
    ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
    const char *pp = tmp_path("plot.png");
    ck_assert_int_eq(clae_image_write(pp, &img), CLAE_OK);
    clae_image_free(&img);
    ck_assert_int_eq(clae_image_load(pp, 3, &img), CLAE_OK);
    ck_assert_int_eq(img.w, CLAE_PLOT_W);
    ck_assert_int_eq(img.h, CLAE_PLOT_H);
    long nonwhite = 0, blue = 0, orange = 0, white_corner = 0;
    for (int y = CLAE_PLOT_Y0 + 1; y < CLAE_PLOT_Y1; y++)
        for (int x = CLAE_PLOT_X0 + 1; x < CLAE_PLOT_X1; x++) {
            const uint8_t *p = img.px + ((size_t)y * img.w + x) * 3;
            nonwhite += p[0] != 255 || p[1] != 255 || p[2] != 255;
            blue += p[0] == 31 && p[1] == 119 && p[2] == 180;
            orange += p[0] == 255 && p[1] == 127 && p[2] == 14;
        }
    white_corner = img.px[(size_t)(CLAE_PLOT_H - 1) * img.w * 3 + (CLAE_PLOT_W - 1) * 3];
    printf("plot %dx%d: %ld non-white pixels in the plot area, %ld train (blue), %ld val "
           "(orange)\n",
           img.w, img.h, nonwhite, blue, orange);
    ck_assert_int_gt(nonwhite, 500);
    ck_assert_int_gt(blue, 100);
    ck_assert_int_gt(orange, 50);
    ck_assert_int_eq(white_corner, 255);
    clae_image_free(&img);
    clae_history_free(&h);

    /* one epoch only: still a plot */
    const char *h1 = write_text("one.jsonl", "{\"epoch\": 1, \"train_loss\": 0.05}\n");
    ck_assert_int_eq(clae_history_load(h1, &h), CLAE_OK);
    ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
    clae_image_free(&img);
    clae_history_free(&h);

    /* errors */
    ck_assert_int_eq(
        clae_history_load(write_text("bad.jsonl", "{\"epoch\": 1, \"train_loss\": 0.1}\n"
                                                  "{\"epoch\": 2, \"train_lo\n"),
                          &h),
        CLAE_ERR_FORMAT);
    ck_assert_uint_eq(h.n, 0);
    ck_assert_int_eq(clae_history_load(write_text("nokey.jsonl", "{\"train_loss\": 0.1}\n"), &h),
                     CLAE_ERR_FORMAT);
    ck_assert_int_eq(clae_history_load(write_text("empty.jsonl", "\n\n"), &h), CLAE_ERR_FORMAT);
    ck_assert_int_eq(clae_history_load(tmp_path("nope.jsonl"), &h), CLAE_ERR_IO);
}
END_TEST

/* A model with loss terms: "terms" names the series (in the order of the
 * first line that has them); the plot draws them in their colours in a
 * panel of their own, on a logarithmic axis (the KL term is far below). */
START_TEST(test_history_terms)
{
    const char *hp = write_text(
        "terms.jsonl",
        "{\"epoch\": 1, \"train_loss\": 0.0621, \"val_loss\": 0.063, \"terms\": "
        "{\"reconstruction\": 0.0620, \"kl\": 0.0001}, \"val_terms\": {\"kl\": 0.0002}}\n"
        "{\"epoch\": 2, \"train_loss\": 0.041, \"val_loss\": 0.042, \"terms\": "
        "{\"kl\": 0.0006, \"reconstruction\": 0.0404}}\n"
        "{\"epoch\": 3, \"train_loss\": 0.030, \"val_loss\": 0.031}\n"
        "{\"epoch\": 4, \"train_loss\": 0.021, \"val_loss\": 0.022, \"terms\": "
        "{\"reconstruction\": 0.020, \"kl\": 0.001}}\n");
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_int_eq(h.nterms, 2);
    ck_assert_str_eq(h.term_name[0], "reconstruction");
    ck_assert_str_eq(h.term_name[1], "kl");
    ck_assert(h.term[0][1] == 0.0404 && h.term[1][1] == 0.0006);
    ck_assert(isnan(h.term[0][2]) && isnan(h.term[1][2])); /* a line without terms */
    clae_image img;
    ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
    long green = 0, red = 0, lo_red = 0;
    ck_assert_int_eq(img.h, CLAE_PLOT_H + CLAE_PLOT_TERMS_H);
    for (int y = CLAE_PLOT_TY0 + 1; y < CLAE_PLOT_TY1; y++)
        for (int x = CLAE_PLOT_X0 + 1; x < CLAE_PLOT_X1; x++) {
            const uint8_t *p = img.px + ((size_t)y * img.w + x) * 3;
            green += p[0] == 44 && p[1] == 160 && p[2] == 44;
            int r = p[0] == 214 && p[1] == 39 && p[2] == 40;
            red += r;
            lo_red += r && y > (CLAE_PLOT_TY0 + CLAE_PLOT_TY1) / 2;
        }
    printf("terms plot: %ld reconstruction (green), %ld kl (red) pixels, %ld of them in the "
           "lower half\n", green, red, lo_red);
    ck_assert_int_gt(green, 50);
    ck_assert_int_gt(red, 50);
    ck_assert_int_gt(lo_red, red / 2); /* log axis: 1e-4..1e-3 well below 0.02..0.06 */
    clae_image_free(&img);
    clae_history_free(&h);
    static const char *const BAD[] = {
        "{\"epoch\": 1, \"train_loss\": 0.1, \"terms\": 3}\n",
        "{\"epoch\": 1, \"train_loss\": 0.1, \"terms\": {\"kl\": \"x\"}}\n",
        "{\"epoch\": 1, \"train_loss\": 0.1, \"terms\": {\"kl\": 1e31}}\n",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "badterms%zu.jsonl", i);
        ck_assert_msg(clae_history_load(write_text(name, BAD[i]), &h) == CLAE_ERR_FORMAT,
                      "history %zu accepted: %s", i, BAD[i]);
    }
    /* the loader's extremes on a log axis: sixty decades, still a plot */
    ck_assert_int_eq(clae_history_load(write_text("wide.jsonl",
                                                  "{\"epoch\": 1, \"train_loss\": 1e30, "
                                                  "\"terms\": {\"a\": 1e-30, \"b\": 1e30, "
                                                  "\"c\": 1, \"d\": 2, \"e\": 3}}\n"),
                                       &h),
                     CLAE_OK);
    ck_assert_int_eq(h.nterms, CLAE_HISTORY_MAX_TERMS); /* "e" left out of the plot */
    ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
    clae_image_free(&img);
    clae_history_free(&h);
}
END_TEST

/* Histories that once hung `clae plot` (tick loops over an infinite or
 * unrepresentable range) or were taken with garbage after the object are
 * refused by name; at the loader's limits the plot is still drawn. */
START_TEST(test_history_extremes)
{
    static const char *const BAD[] = {
        "{\"epoch\": 1, \"train_loss\": 1e308}\n{\"epoch\": 2, \"train_loss\": -1e308}\n",
        "{\"epoch\": 1e17, \"train_loss\": 0.1}\n",
        "{\"epoch\": 0, \"train_loss\": 0.1}\n",
        "{\"epoch\": 1.5, \"train_loss\": 0.1}\n",
        "{\"epoch\": 1, \"train_loss\": 0.1, \"val_loss\": 1e31}\n",
        "{\"epoch\": 1, \"train_loss\": 0.1} garbage\n",
        "{\"epoch\": 1, \"train_loss\": 0.1}{\"epoch\": 2, \"train_loss\": 0.1}\n",
    };
    clae_history h;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "extreme%zu.jsonl", i);
        ck_assert_msg(clae_history_load(write_text(name, BAD[i]), &h) == CLAE_ERR_FORMAT,
                      "history %zu accepted: %s", i, BAD[i]);
    }
    /* At the limits: epochs 1 and 1e9, losses -1e30 and 1e30; and one epoch
     * far out with a tiny loss range. */
    static const char *const EDGE[] = {
        "{\"epoch\": 1, \"train_loss\": 1e30}\n"
        "{\"epoch\": 1000000000, \"train_loss\": -1e30, \"val_loss\": 0}\n",
        "{\"epoch\": 999999999, \"train_loss\": 0.1}\n",
    };
    for (size_t i = 0; i < sizeof EDGE / sizeof EDGE[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "edge%zu.jsonl", i);
        ck_assert_int_eq(clae_history_load(write_text(name, EDGE[i]), &h), CLAE_OK);
        clae_image img;
        ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
        clae_image_free(&img);
        clae_history_free(&h);
    }
}
END_TEST

/* Teal (the PSNR colour) pixels of a plot in columns [x0, x1), rows [y0, y1). */
static long teal_pixels(const clae_image *img, int x0, int x1, int y0, int y1)
{
    static const uint8_t teal[3] = CLAE_PLOT_PSNR_RGB;
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = img->px + ((size_t)y * img->w + x) * 3;
            n += p[0] == teal[0] && p[1] == teal[1] && p[2] == teal[2];
        }
    return n;
}

/* Pixels of teal blended over white (anti-aliased text) in columns [x0, x1). */
static long tealish_pixels(const clae_image *img, int x0, int x1, int y0, int y1)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = img->px + ((size_t)y * img->w + x) * 3;
            n += p[1] == p[2] && p[1] > p[0] + 40;
        }
    return n;
}

/* Validation PSNR: read (NAN where -1 or absent), drawn on a right-hand dB
 * axis only when some epoch has it; the frame moves left to make room. */
START_TEST(test_history_psnr)
{
    const char *hp = write_text(
        "psnr.jsonl", "{\"epoch\": 1, \"train_loss\": 0.06, \"val_loss\": 0.061, \"val_psnr\": 12.5}\n"
                      "{\"epoch\": 2, \"train_loss\": 0.04, \"val_loss\": 0.041, \"val_psnr\": -1}\n"
                      "{\"epoch\": 3, \"train_loss\": 0.03, \"val_loss\": 0.031}\n"
                      "{\"epoch\": 4, \"train_loss\": 0.02, \"val_loss\": 0.021, \"val_psnr\": 17.25}\n");
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 4);
    ck_assert(h.val_psnr[0] == 12.5 && h.val_psnr[3] == 17.25);
    ck_assert(isnan(h.val_psnr[1]) && isnan(h.val_psnr[2]));
    clae_image img;
    ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
    ck_assert(img.w == CLAE_PLOT_W && img.h == CLAE_PLOT_H);
    const int X1 = CLAE_PLOT_X1_PSNR, Y0 = CLAE_PLOT_Y0, Y1 = CLAE_PLOT_Y1;
    long inside = teal_pixels(&img, CLAE_PLOT_X0 + 1, X1, Y0 + 1, Y1),
         axis = tealish_pixels(&img, X1 + 1, CLAE_PLOT_W, 0, CLAE_PLOT_H);
    /* the frame's right edge, black, at X1_PSNR */
    const uint8_t *edge = img.px + ((size_t)((Y0 + Y1) / 2) * img.w + X1) * 3;
    printf("PSNR plot: %ld teal pixels inside the box, %ld on the right axis\n", inside, axis);
    ck_assert(edge[0] == 0 && edge[1] == 0 && edge[2] == 0);
    ck_assert_int_gt(inside, 50);
    ck_assert_int_gt(axis, 200); /* ticks, labels, "val PSNR (dB)" */
    clae_image_free(&img);
    clae_history_free(&h);

    /* none measured (-1) or none written: no PSNR axis, the frame where it was */
    static const char *const NONE[] = {
        "{\"epoch\": 1, \"train_loss\": 0.06, \"val_psnr\": -1}\n"
        "{\"epoch\": 2, \"train_loss\": 0.05, \"val_psnr\": -1}\n",
        "{\"epoch\": 1, \"train_loss\": 0.06}\n{\"epoch\": 2, \"train_loss\": 0.05}\n"};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(clae_history_load(write_text(k ? "nopsnr1.jsonl" : "nopsnr0.jsonl", NONE[k]),
                                           &h),
                         CLAE_OK);
        ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
        edge = img.px + ((size_t)((Y0 + Y1) / 2) * img.w + CLAE_PLOT_X1) * 3;
        ck_assert_int_eq(teal_pixels(&img, 0, CLAE_PLOT_W, 0, CLAE_PLOT_H), 0);
        ck_assert(edge[0] == 0 && edge[1] == 0 && edge[2] == 0);
        clae_image_free(&img);
        clae_history_free(&h);
    }
    /* one epoch, and the loader's extremes: still a plot */
    static const char *const EDGE[] = {
        "{\"epoch\": 1, \"train_loss\": 0.06, \"val_psnr\": 20}\n",
        "{\"epoch\": 1, \"train_loss\": 0.06, \"val_psnr\": 0}\n"
        "{\"epoch\": 1000000000, \"train_loss\": 0.05, \"val_psnr\": 1e30}\n"};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(clae_history_load(write_text(k ? "psnre1.jsonl" : "psnre0.jsonl", EDGE[k]),
                                           &h),
                         CLAE_OK);
        ck_assert_int_eq(clae_plot_history(&h, &img), CLAE_OK);
        ck_assert_int_gt(teal_pixels(&img, CLAE_PLOT_X0 + 1, X1, Y0 + 1, Y1), 0);
        clae_image_free(&img);
        clae_history_free(&h);
    }
    /* not a number: refused by name */
    ck_assert_int_eq(clae_history_load(write_text("badpsnr.jsonl", "{\"epoch\": 1, \"train_loss\": "
                                                                   "0.1, \"val_psnr\": \"x\"}\n"),
                                       &h),
                     CLAE_ERR_FORMAT);
    ck_assert_int_eq(clae_history_load(write_text("hugepsnr.jsonl", "{\"epoch\": 1, \"train_loss\": "
                                                                    "0.1, \"val_psnr\": 1e31}\n"),
                                       &h),
                     CLAE_ERR_FORMAT);
}
END_TEST

/* A resume from an earlier checkpoint drops the history lines past it. */
START_TEST(test_history_keep)
{
    const char *hp = write_text("keep.jsonl", "{\"epoch\": 1, \"train_loss\": 0.3}\n"
                                              "{\"epoch\": 2, \"train_loss\": 0.2}\n"
                                              "\n"
                                              "{\"epoch\": 3, \"train_loss\": 0.1}\n"
                                              "{\"epoch\": 4, \"train_loss\": 0.05}\n");
    ck_assert_int_eq(clae_history_keep(hp, 4, NULL), CLAE_OK);
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 4);
    clae_history_free(&h);
    ck_assert_int_eq(clae_history_keep(hp, 2, NULL), CLAE_OK);
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 2);
    ck_assert(h.epoch[1] == 2.0 && h.train_loss[1] == 0.2);
    clae_history_free(&h);
    ck_assert_int_eq(clae_history_keep(hp, 0, NULL), CLAE_OK);
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_ERR_FORMAT); /* no epochs left */
    const char *absent = tmp_path("absent.jsonl");
    ck_assert_int_eq(clae_history_keep(absent, 3, NULL), CLAE_OK);
    ck_assert_int_eq(access(absent, F_OK), -1); /* not created for nothing */
}
END_TEST

/* A history file past CLAE_HISTORY_MAX_BYTES is refused by its size, unread
 * (a sparse file: no disk used). */
START_TEST(test_history_too_big)
{
    const char *hp = write_text("big.jsonl", "{\"epoch\": 1, \"train_loss\": 0.3}\n");
    if (truncate(hp, (off_t)CLAE_HISTORY_MAX_BYTES + 1) != 0) return;
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_ERR_FORMAT);
    ck_assert_int_eq(clae_history_keep(hp, 1, NULL), CLAE_ERR_FORMAT);
    unlink(hp);
}
END_TEST

/* A resume puts the checkpoint's own line for its epoch in place: after
 * lines up to the epoch before, replacing a line for that epoch or
 * supplying a missing one (a kill between the checkpoint and the append),
 * and a final line cut short by a failed append goes. */
START_TEST(test_history_keep_line)
{
    const char *hp = write_text("keepl.jsonl", "{\"epoch\": 1, \"train_loss\": 0.3}\n"
                                               "{\"epoch\": 2, \"train_loss\": 0.2}\n"
                                               "{\"epoch\": 3, \"train_");
    ck_assert_int_eq(clae_history_keep(hp, 3, "{\"epoch\": 3, \"train_loss\": 0.125}"), CLAE_OK);
    clae_history h;
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 3);
    ck_assert(h.epoch[2] == 3.0 && h.train_loss[2] == 0.125);
    clae_history_free(&h);
    /* the same epoch again: replaced, not repeated */
    ck_assert_int_eq(clae_history_keep(hp, 2, "{\"epoch\": 2, \"train_loss\": 0.25}"), CLAE_OK);
    ck_assert_int_eq(clae_history_load(hp, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 2);
    ck_assert(h.epoch[1] == 2.0 && h.train_loss[1] == 0.25);
    clae_history_free(&h);
    /* a missing file is created with the line */
    const char *fresh = tmp_path("fresh.jsonl");
    ck_assert_int_eq(clae_history_keep(fresh, 1, "{\"epoch\": 1, \"train_loss\": 0.5}"), CLAE_OK);
    ck_assert_int_eq(clae_history_load(fresh, &h), CLAE_OK);
    ck_assert_uint_eq(h.n, 1);
    clae_history_free(&h);
}
END_TEST

/* An image is bounded by its header before it is decoded: a PNG header
 * that declares 20000 x 20000 or 8000 x 8000 pixels in a few dozen bytes is
 * refused by name at once (no decoding: a crafted file once cost seconds). */
START_TEST(test_image_limits)
{
    ck_assert_ptr_null(clae_image_over_limits(32, 32, 3000));
    ck_assert_ptr_null(clae_image_over_limits(4000, 3000, 2000000));
    ck_assert_ptr_nonnull(clae_image_over_limits(20000, 10, 1000000));
    ck_assert_ptr_nonnull(clae_image_over_limits(10000, 10000, 100000000));
    ck_assert_ptr_nonnull(clae_image_over_limits(8000, 8000, 224));
    ck_assert_ptr_nonnull(clae_image_over_limits(0, 5, 100));
    ck_assert_ptr_nonnull(clae_image_over_limits(100, 100, CLAE_IMAGE_MAX_FILE + 1));
    static const int dims[][2] = {{20000, 20000}, {8000, 8000}};
    for (int k = 0; k < 2; k++) {
        /* signature, IHDR (w, h, 8-bit RGB), an empty IDAT, IEND; CRCs unchecked by stb */
        unsigned char png[57] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                                 'I', 'H', 'D', 'R'};
        int w = dims[k][0], h = dims[k][1];
        unsigned char *p = png + 16;
        *p++ = (unsigned char)(w >> 24), *p++ = (unsigned char)(w >> 16);
        *p++ = (unsigned char)(w >> 8), *p++ = (unsigned char)w;
        *p++ = (unsigned char)(h >> 24), *p++ = (unsigned char)(h >> 16);
        *p++ = (unsigned char)(h >> 8), *p++ = (unsigned char)h;
        *p++ = 8, *p++ = 2, *p++ = 0, *p++ = 0, *p++ = 0;
        p += 4; /* CRC */
        memcpy(p, "\0\0\0\0IDAT\0\0\0\0\0\0\0\0IEND\0\0\0\0", 24);
        char name[32];
        snprintf(name, sizeof name, "huge%d.png", k);
        const char *path = tmp_path(name);
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(png, 1, sizeof png, f), sizeof png);
        fclose(f);
        clae_image img;
        ck_assert_int_eq(clae_image_load(path, 0, &img), CLAE_ERR_FORMAT);
        ck_assert_ptr_null(img.px);
    }
}
END_TEST

static Suite *image_suite(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    tcase_add_test(tc, test_reflect_index_hand);
    tcase_add_test(tc, test_pad_crop_identity);
    tcase_add_test(tc, test_enlarge_nearest_x4);
    tcase_add_test(tc, test_chw_round_trip);
    tcase_add_test(tc, test_chw_as_channels);
    tcase_add_test(tc, test_write_read_round_trip);
    tcase_add_test(tc, test_font_glyphs);
    tcase_add_test(tc, test_draw_line);
    tcase_add_test(tc, test_history_plot);
    tcase_add_test(tc, test_history_extremes);
    tcase_add_test(tc, test_history_terms);
    tcase_add_test(tc, test_history_psnr);
    tcase_add_test(tc, test_history_keep);
    tcase_add_test(tc, test_history_keep_line);
    tcase_add_test(tc, test_history_too_big);
    tcase_add_test(tc, test_image_limits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    int rc = tu_run(image_suite());
    char cmd[300];
    if (g_dir[strlen(g_dir) - 1] != 'X') {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
        if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    }
    return rc;
}
