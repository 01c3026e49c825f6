/* The figures' TrueType text (io/text.c) and what the history plot draws
 * (io/plot.c): descenders, the title, the legends' train/val names, the
 * loss axes' linear or log choice on the VAE's history, a classifier's
 * accuracy curve. All on the host (no OpenCL). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/draw.h"
#include "clae/history.h"
#include "clae/plot.h"
#include "testutil.h"

static const uint8_t WHITE[3] = {255, 255, 255}, INK[3] = {0, 0, 0};

/* The lowest and highest rows of img with a pixel darker than 128. */
static void ink_rows(const clae_image *img, int *top, int *bottom)
{
    *top = img->h;
    *bottom = -1;
    for (int y = 0; y < img->h; y++)
        for (int x = 0; x < img->w; x++)
            if (img->px[((size_t)y * img->w + x) * img->c] < 128) {
                if (y < *top) *top = y;
                if (y > *bottom) *bottom = y;
            }
}

/* Text drawn at (10, 10) px tall on a white 200 x 60 image: its inked rows. */
static void text_rows(const char *s, int px, int *top, int *bottom, long *grey)
{
    clae_image img;
    ck_assert_int_eq(clae_image_alloc(&img, 200, 60, 3), CLAE_OK);
    clae_image_fill(&img, WHITE);
    clae_text_draw(&img, 10, 10, s, INK, px, 0);
    ink_rows(&img, top, bottom);
    *grey = 0; /* anti-aliasing: pixels between ink and paper */
    for (size_t i = 0; i < (size_t)img.w * img.h * 3; i++) *grey += img.px[i] > 0 && img.px[i] < 255;
    clae_image_free(&img);
}

START_TEST(test_text_descenders)
{
    const char *font = clae_text_font();
    ck_assert_msg(font != NULL, "no TrueType font: install fonts-dejavu-core (scripts/setup.sh)");
    printf("font: %s\n", font);
    const int px = 20, base = 10 + clae_text_baseline(px);
    int top, gyp, ace;
    long grey;
    text_rows("gyp", px, &top, &gyp, &grey);
    text_rows("ace", px, &top, &ace, &grey);
    printf("baseline row %d: 'gyp' reaches row %d, 'ace' row %d; %ld grey values\n", base, gyp,
           ace, grey);
    ck_assert_int_gt(gyp, base + 2);  /* descenders below the baseline */
    ck_assert_int_le(ace, base + 1);  /* and none without them */
    ck_assert_int_gt(grey, 20);       /* anti-aliased */
    /* the whole box: from the top, descenders within clae_text_height */
    text_rows("Égjy|", px, &top, &gyp, &grey);
    ck_assert_int_ge(top, 10);
    ck_assert_int_lt(gyp, 10 + clae_text_height(px));
    /* widths grow with the text and the size; the empty text is 0 wide */
    ck_assert_int_eq(clae_text_width_px("", px), 0);
    ck_assert_int_gt(clae_text_width_px("epoch", px), clae_text_width_px("epo", px));
    ck_assert_int_gt(clae_text_width_px("epoch", 2 * px), clae_text_width_px("epoch", px));
    /* vertical text: inside its turned box, clipped at the image's edge */
    clae_image img;
    ck_assert_int_eq(clae_image_alloc(&img, 60, 120, 3), CLAE_OK);
    clae_image_fill(&img, WHITE);
    clae_text_draw(&img, 5, 5, "loss (log scale)", INK, 15, 1);
    int w = clae_text_width_px("loss (log scale)", 15), bottom;
    ink_rows(&img, &top, &bottom);
    ck_assert_int_ge(top, 5);
    ck_assert_int_le(bottom, img.h - 1);
    ck_assert_int_lt(top, 5 + w);
    clae_text_draw(&img, -30, 110, "clipped", INK, 40, 0); /* no crash */
    clae_image_free(&img);
}
END_TEST

START_TEST(test_plot_log_axis)
{
    ck_assert_int_eq(clae_plot_log_axis(0.0207, 0.0458), 0); /* the VAE's losses */
    ck_assert_int_eq(clae_plot_log_axis(0.0029, 0.043), 1);  /* its terms */
    ck_assert_int_eq(clae_plot_log_axis(0.0038, 0.0375), 1); /* blur removal: epoch 1 far up */
    ck_assert_int_eq(clae_plot_log_axis(0, 1), 0);
    ck_assert_int_eq(clae_plot_log_axis(-1, 1), 0);
}
END_TEST

/* Mean row of the pixels of colour rgb in column x, rows [y0, y1); -1: none. */
static double colour_row(const clae_image *img, int x, int y0, int y1, const uint8_t rgb[3])
{
    double sum = 0;
    int n = 0;
    for (int y = y0; y < y1; y++) {
        const uint8_t *p = img->px + ((size_t)y * img->w + x) * 3;
        if (p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2]) {
            sum += y;
            n++;
        }
    }
    return n ? sum / n : -1;
}

/* Pixels darker than 100 in rows [y0, y1). */
static long dark_pixels(const clae_image *img, int y0, int y1)
{
    long n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < img->w; x++) n += img->px[((size_t)y * img->w + x) * 3] < 100;
    return n;
}

/* docs/vae-history.jsonl: the losses on a linear axis where train and val
 * lie well apart, the terms in their own panel with train and val each. */
START_TEST(test_plot_vae_history)
{
    clae_history h;
    ck_assert_int_eq(clae_history_load("docs/vae-history.jsonl", &h), CLAE_OK);
    ck_assert_int_eq(h.nterms, 2);
    ck_assert(fabs(h.val_term[1][0] - 0.00513065885) < 1e-12); /* "val_terms" read */
    ck_assert(fabs(h.val_accuracy[0] - 0.465002) < 1e-12);
    clae_image img;
    clae_plot_info info;
    ck_assert_int_eq(clae_plot_draw(&h, "vae", &img, &info), CLAE_OK);
    ck_assert_int_eq(img.w, CLAE_PLOT_W);
    ck_assert_int_eq(img.h, CLAE_PLOT_H + CLAE_PLOT_TERMS_H);
    ck_assert_int_eq(info.loss_log, 0);
    ck_assert_int_eq(info.terms_panel, 1);
    ck_assert_int_eq(info.terms_log, 1);
    ck_assert_int_eq(info.right, CLAE_PLOT_RIGHT_PSNR);
    static const char *const WANT[] = {"train loss",      "val loss",
                                       "val PSNR (right axis)", "train reconstruction",
                                       "val reconstruction",    "train kl", "val kl"};
    ck_assert_int_eq(info.nlegend, 7);
    for (int k = 0; k < 7; k++) ck_assert_str_eq(info.legend[k], WANT[k]);
    /* the last epochs' train (0.0238) and val (0.0207) loss: far enough apart
     * to read (the decade-wide log axis before had them 9 pixels apart) */
    static const uint8_t BLUE[3] = {31, 119, 180}, ORANGE[3] = {255, 127, 14};
    const int x = CLAE_PLOT_X1_PSNR - 40;
    double yt = colour_row(&img, x, CLAE_PLOT_Y0 + 1, CLAE_PLOT_Y1, BLUE),
           yv = colour_row(&img, x, CLAE_PLOT_Y0 + 1, CLAE_PLOT_Y1, ORANGE);
    printf("VAE plot: train loss at row %.1f, val loss at row %.1f\n", yt, yv);
    ck_assert(yt > 0 && yv > 0);
    ck_assert_double_ge(yv - yt, 30.0);
    /* the terms panel: green (reconstruction) and red (kl), below the loss panel */
    static const uint8_t GREEN[3] = {44, 160, 44}, RED[3] = {214, 39, 40};
    double yr = colour_row(&img, x, CLAE_PLOT_TY0 + 1, CLAE_PLOT_TY1, GREEN),
           yk = colour_row(&img, x, CLAE_PLOT_TY0 + 1, CLAE_PLOT_TY1, RED);
    ck_assert(yr > 0 && yk > yr + 30);
    /* the title */
    long title = dark_pixels(&img, 0, CLAE_PLOT_Y0 - 8);
    printf("VAE plot: %ld dark title pixels\n", title);
    ck_assert_int_gt(title, 30);
    clae_image_free(&img);
    /* no title given: "training history" */
    ck_assert_int_eq(clae_plot_draw(&h, NULL, &img, NULL), CLAE_OK);
    ck_assert_int_gt(dark_pixels(&img, 0, CLAE_PLOT_Y0 - 8), title);
    clae_image_free(&img);
    clae_history_free(&h);
}
END_TEST

static const char *write_text(const char *name, const char *text)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* A classifier's history (val_psnr -1, val_accuracy measured): its accuracy
 * in % on the right-hand axis, dashed teal. */
START_TEST(test_plot_classifier_accuracy)
{
    char name[64];
    snprintf(name, sizeof name, "clae-test-plot-cls-%d.jsonl", (int)getpid());
    const char *p = write_text(
        name, "{\"epoch\": 1, \"train_loss\": 2.3387, \"val_loss\": 2.2163, \"val_psnr\": -1, "
              "\"val_accuracy\": 0.2}\n"
              "{\"epoch\": 2, \"train_loss\": 2.1466, \"val_loss\": 2.1473, \"val_psnr\": -1, "
              "\"val_accuracy\": 0.205}\n"
              "{\"epoch\": 3, \"train_loss\": 2.05, \"val_loss\": 2.08, \"val_psnr\": -1, "
              "\"val_accuracy\": 0.26}\n");
    clae_history h;
    ck_assert_int_eq(clae_history_load(p, &h), CLAE_OK);
    remove(p);
    ck_assert(isnan(h.val_psnr[0]) && h.val_accuracy[2] == 0.26);
    clae_image img;
    clae_plot_info info;
    ck_assert_int_eq(clae_plot_draw(&h, "classify", &img, &info), CLAE_OK);
    ck_assert_int_eq(info.right, CLAE_PLOT_RIGHT_ACCURACY);
    ck_assert_int_eq(info.terms_panel, 0);
    ck_assert_int_eq(img.h, CLAE_PLOT_H);
    ck_assert_int_eq(info.nlegend, 3);
    ck_assert_str_eq(info.legend[2], "val accuracy (right axis)");
    static const uint8_t TEAL[3] = CLAE_PLOT_PSNR_RGB;
    long inside = 0;
    for (int y = CLAE_PLOT_Y0 + 1; y < CLAE_PLOT_Y1; y++)
        for (int x = CLAE_PLOT_X0 + 1; x < CLAE_PLOT_X1_PSNR; x++) {
            const uint8_t *q = img.px + ((size_t)y * img.w + x) * 3;
            inside += q[0] == TEAL[0] && q[1] == TEAL[1] && q[2] == TEAL[2];
        }
    printf("classifier plot: %ld teal (accuracy) pixels in the box\n", inside);
    ck_assert_int_gt(inside, 100);
    clae_image_free(&img);
    clae_history_free(&h);
    /* bad val_accuracy: refused by name */
    snprintf(name, sizeof name, "clae-test-plot-bad-%d.jsonl", (int)getpid());
    p = write_text(name, "{\"epoch\": 1, \"train_loss\": 0.1, \"val_accuracy\": \"x\"}\n");
    ck_assert_int_eq(clae_history_load(p, &h), CLAE_ERR_FORMAT);
    p = write_text(name, "{\"epoch\": 1, \"train_loss\": 0.1, \"val_terms\": {\"kl\": []}}\n");
    ck_assert_int_eq(clae_history_load(p, &h), CLAE_ERR_FORMAT);
    remove(p);
}
END_TEST

static Suite *plot_suite(void)
{
    Suite *s = suite_create("plot");
    TCase *tc = tcase_create("plot");
    tcase_add_test(tc, test_text_descenders);
    tcase_add_test(tc, test_plot_log_axis);
    tcase_add_test(tc, test_plot_vae_history);
    tcase_add_test(tc, test_plot_classifier_accuracy);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(plot_suite()); }
