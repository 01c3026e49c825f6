/* Image-quality metrics (MSE, PSNR, SSIM, channel-argmax accuracy), double
 * accumulation. Definitions and conventions: include/clae/metrics.h. */
#include "clae/metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* x, y (n) -> mean((x - y)^2) */
double clae_mse(const float *x, const float *y, size_t n)
{
    if (n == 0) return 0.0;
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] - (double)y[i];
        s += d * d;
    }
    return s / (double)n;
}

double clae_psnr_from_mse(double mse)
{
    const double floor_mse = pow(10.0, -CLAE_PSNR_CAP_DB / 10.0);
    if (!(mse > floor_mse)) return CLAE_PSNR_CAP_DB; /* also mse == 0 */
    return 10.0 * log10(1.0 / mse);
}

/* Normalised 1-D Gaussian window (CLAE_SSIM_WIN taps, sigma CLAE_SSIM_SIGMA);
 * the 2-D window is its outer product (tf.image.ssim's _fspecial_gauss). */
static void ssim_window(double g[CLAE_SSIM_WIN])
{
    const double c = (CLAE_SSIM_WIN - 1) * 0.5;
    double sum = 0.0;
    for (int i = 0; i < CLAE_SSIM_WIN; i++) {
        g[i] = exp(-(i - c) * (i - c) / (2.0 * CLAE_SSIM_SIGMA * CLAE_SSIM_SIGMA));
        sum += g[i];
    }
    for (int i = 0; i < CLAE_SSIM_WIN; i++) g[i] /= sum;
}

/* x, y (H,W) plane -> sum over valid positions of the SSIM map; tmp holds
 * 5 * H * Q doubles (Q = W - 10). Separable filtering: rows, then columns. */
static double ssim_plane_sum(const float *x, const float *y, int H, int W, const double *g,
                             double *tmp)
{
    const int R = CLAE_SSIM_WIN, P = H - R + 1, Q = W - R + 1;
    const double C1 = (CLAE_SSIM_K1 * 1.0) * (CLAE_SSIM_K1 * 1.0);
    const double C2 = (CLAE_SSIM_K2 * 1.0) * (CLAE_SSIM_K2 * 1.0);
    double *hx = tmp, *hy = hx + (size_t)H * Q, *hxx = hy + (size_t)H * Q;
    double *hyy = hxx + (size_t)H * Q, *hxy = hyy + (size_t)H * Q;
    for (int h = 0; h < H; h++)
        for (int q = 0; q < Q; q++) {
            double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (int s = 0; s < R; s++) {
                double a = x[h * W + q + s], b = y[h * W + q + s], w = g[s];
                sx += w * a, sy += w * b;
                sxx += w * a * a, syy += w * b * b, sxy += w * a * b;
            }
            size_t o = (size_t)h * Q + q;
            hx[o] = sx, hy[o] = sy, hxx[o] = sxx, hyy[o] = syy, hxy[o] = sxy;
        }
    double total = 0.0;
    for (int p = 0; p < P; p++)
        for (int q = 0; q < Q; q++) {
            double mx = 0, my = 0, exx = 0, eyy = 0, exy = 0;
            for (int r = 0; r < R; r++) {
                size_t o = (size_t)(p + r) * Q + q;
                double w = g[r];
                mx += w * hx[o], my += w * hy[o];
                exx += w * hxx[o], eyy += w * hyy[o], exy += w * hxy[o];
            }
            /* as tf.image.ssim's _ssim_helper (compensation 1) */
            double num0 = 2.0 * mx * my, den0 = mx * mx + my * my;
            double lum = (num0 + C1) / (den0 + C1);
            double cs = (2.0 * exy - num0 + C2) / (exx + eyy - den0 + C2);
            total += lum * cs;
        }
    return total;
}

/* x, y (C,H,W) -> mean SSIM over channels and valid positions */
double clae_ssim_image(const float *x, const float *y, int C, int H, int W)
{
    if (C < 1 || H < CLAE_SSIM_WIN || W < CLAE_SSIM_WIN) return NAN;
    const int P = H - CLAE_SSIM_WIN + 1, Q = W - CLAE_SSIM_WIN + 1;
    double g[CLAE_SSIM_WIN];
    ssim_window(g);
    double *tmp = malloc(5 * (size_t)H * Q * sizeof *tmp);
    if (!tmp) return NAN;
    double s = 0.0;
    for (int c = 0; c < C; c++) {
        size_t off = (size_t)c * H * W;
        s += ssim_plane_sum(x + off, y + off, H, W, g, tmp);
    }
    free(tmp);
    return s / ((double)C * P * Q);
}

/* out, target (N,C,H,W) -> count of pixels with equal channel argmax */
size_t clae_argmax_equal(const float *out, const float *target, int N, int C, int H, int W)
{
    const size_t HW = (size_t)H * W;
    size_t equal = 0;
    for (int n = 0; n < N; n++) {
        const float *o = out + (size_t)n * C * HW, *t = target + (size_t)n * C * HW;
        for (size_t i = 0; i < HW; i++) {
            int ao = 0, at = 0;
            for (int c = 1; c < C; c++) { /* strict '>': ties keep the first */
                if (o[c * HW + i] > o[ao * HW + i]) ao = c;
                if (t[c * HW + i] > t[at * HW + i]) at = c;
            }
            equal += ao == at;
        }
    }
    return equal;
}

clae_status clae_metrics_init(clae_metrics *acc, int C, int H, int W)
{
    *acc = (clae_metrics){0};
    if (C < 1 || H < CLAE_SSIM_WIN || W < CLAE_SSIM_WIN) {
        fprintf(stderr, "metrics: images %dx%dx%d too small (SSIM needs at least %dx%d)\n", C, H, W,
                CLAE_SSIM_WIN, CLAE_SSIM_WIN);
        return CLAE_ERR_SHAPE;
    }
    acc->C = C, acc->H = H, acc->W = W;
    return CLAE_OK;
}

/* out, target (n,C,H,W) */
void clae_metrics_add(clae_metrics *acc, const float *out, const float *target, size_t n)
{
    const size_t img = (size_t)acc->C * acc->H * acc->W;
    const double floor_mse = pow(10.0, -CLAE_PSNR_CAP_DB / 10.0);
    for (size_t i = 0; i < n; i++) {
        const float *o = out + i * img, *t = target + i * img;
        double mse = clae_mse(o, t, img);
        acc->sq_sum += mse * (double)img;
        acc->psnr_sum += clae_psnr_from_mse(mse);
        acc->psnr_capped += !(mse > floor_mse);
        acc->ssim_sum += clae_ssim_image(o, t, acc->C, acc->H, acc->W);
        acc->acc_equal += clae_argmax_equal(o, t, 1, acc->C, acc->H, acc->W);
    }
    acc->images += n;
}

clae_metrics_summary clae_metrics_result(const clae_metrics *acc)
{
    clae_metrics_summary r = {0};
    if (acc->images == 0) return r;
    const double n = (double)acc->images;
    r.images = acc->images;
    r.mse = acc->sq_sum / (n * acc->C * acc->H * acc->W);
    r.psnr = acc->psnr_sum / n;
    r.psnr_global = clae_psnr_from_mse(r.mse);
    r.psnr_capped = acc->psnr_capped;
    r.ssim = acc->ssim_sum / n;
    r.accuracy = (double)acc->acc_equal / (n * acc->H * acc->W);
    return r;
}

/* ---- ROC-AUC --------------------------------------------------------------- */

typedef struct auc_item {
    double s;
    int pos;
} auc_item;

static int auc_cmp(const void *a, const void *b)
{
    double x = ((const auc_item *)a)->s, y = ((const auc_item *)b)->s;
    return (x > y) - (x < y);
}

double clae_roc_auc(const double *score, const uint8_t *positive, size_t n)
{
    auc_item *it = malloc((n ? n : 1) * sizeof *it);
    if (!it) return NAN;
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        it[i] = (auc_item){.s = score[i], .pos = positive[i] != 0};
        np += it[i].pos;
    }
    size_t nn = n - np;
    if (np == 0 || nn == 0) {
        free(it);
        return NAN;
    }
    qsort(it, n, sizeof *it, auc_cmp);
    double rank_sum = 0; /* of the positives, ranks from 1, ties averaged */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && it[j].s == it[i].s) j++;
        double avg = 0.5 * (double)(i + 1 + j); /* ranks i+1 .. j */
        for (size_t k = i; k < j; k++)
            if (it[k].pos) rank_sum += avg;
        i = j;
    }
    free(it);
    return (rank_sum - 0.5 * (double)np * (double)(np + 1)) / ((double)np * (double)nn);
}
