/* Image-quality metrics on the host, accumulated in double: MSE, PSNR, SSIM
 * and Keras's categorical "accuracy" over the channel axis.
 *
 * Images are float NCHW (N,C,H,W), values meant to be in [0,1] (peak L = 1).
 *
 * PSNR, two figures:
 *   psnr        (MAIN figure) mean over images of the per-image PSNR
 *               10 log10(1 / mse_i), mse_i over that image's C*H*W values;
 *               what tf.image.psnr(max_val=1) averaged over the batch and
 *               skimage.metrics.peak_signal_noise_ratio per image, averaged, give.
 *   psnr_global 10 log10(1 / mse) of the whole set's MSE (all values of all
 *               images pooled), i.e. the PSNR of the reported MSE. By Jensen it
 *               is <= the per-image mean.
 * Identical images (mse_i == 0): PSNR is +inf in TF/skimage. Here every PSNR
 * (per image, global, clae_psnr) is capped at CLAE_PSNR_CAP_DB = 100 dB
 * (i.e. mse floored at 1e-10), so means stay finite; the accumulator counts
 * how many images hit the cap (psnr_capped) so a report can say so.
 *
 * SSIM (Wang et al. 2004), as tf.image.ssim(max_val=1, filter_size=11,
 * filter_sigma=1.5, k1=0.01, k2=0.03) and skimage structural_similarity(
 * gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1):
 * per channel, Gaussian-weighted local statistics (11x11 window, normalised
 * Gaussian sigma 1.5, the outer product of the 1-D one) at the 'valid' window
 * positions only ((H-10) x (W-10) of them: 22x22 for 32x32), population
 * (biased) variances,
 *   SSIM = (2 mx my + C1)(2 sxy + C2) / ((mx^2 + my^2 + C1)(sx^2 + sy^2 + C2)),
 *   C1 = (0.01 L)^2, C2 = (0.03 L)^2, L = 1,
 * averaged over positions, then channels, then images. Needs H, W >= 11.
 *
 * Accuracy: Keras metrics=["accuracy"] with an MSE loss on (N,H,W,3) images
 * resolves to categorical_accuracy: per pixel, argmax over the channels of the
 * output equals argmax over the channels of the target (ties: the first
 * channel, as tf.argmax); the fraction of equal pixels over all N*H*W pixels. */
#ifndef CLAE_METRICS_H
#define CLAE_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "clae/status.h"

#define CLAE_PSNR_CAP_DB 100.0
#define CLAE_SSIM_WIN 11
#define CLAE_SSIM_SIGMA 1.5
#define CLAE_SSIM_K1 0.01
#define CLAE_SSIM_K2 0.03

/* ---- single-call functions (x, y (N,C,H,W)) ------------------------------ */

/* mean((x - y)^2) over all n values, summed in double */
double clae_mse(const float *x, const float *y, size_t n);
/* 10 log10(1 / mse), capped at CLAE_PSNR_CAP_DB (mse <= 1e-10 -> 100 dB) */
double clae_psnr_from_mse(double mse);
/* SSIM of one (C,H,W) image pair: mean over channels and valid positions.
 * H, W >= 11 (returns NAN otherwise). */
double clae_ssim_image(const float *x, const float *y, int C, int H, int W);
/* Number of pixels (of N*H*W) where the channel argmax of out equals that of
 * target (ties -> first channel). */
size_t clae_argmax_equal(const float *out, const float *target, int N, int C, int H, int W);

/* Area under the ROC curve of score as a detector of positive[i] != 0: the
 * probability that a random positive scores above a random negative, ties
 * counting one half (Mann-Whitney U with average ranks). NAN when there is
 * no positive or no negative; NAN too if memory runs out. */
double clae_roc_auc(const double *score, const uint8_t *positive, size_t n);

/* ---- accumulator: add batches, read the result at the end ------------------ */

typedef struct clae_metrics {
    int C, H, W;
    size_t images;
    double sq_sum;      /* sum of squared errors over every value */
    double psnr_sum;    /* sum of capped per-image PSNR */
    size_t psnr_capped; /* images with mse_i <= 1e-10 */
    double ssim_sum;    /* sum of per-image SSIM */
    size_t acc_equal;   /* pixels whose channel argmax agrees */
} clae_metrics;

typedef struct clae_metrics_summary {
    size_t images;
    double mse;         /* over all values of all images */
    double psnr;        /* MAIN: mean of per-image PSNR (dB) */
    double psnr_global; /* PSNR of mse (dB) */
    size_t psnr_capped; /* images whose PSNR was capped at CLAE_PSNR_CAP_DB */
    double ssim;        /* mean over images */
    double accuracy;    /* fraction in [0,1] */
} clae_metrics_summary;

/* Zero the sums for images of shape (C,H,W). CLAE_ERR_SHAPE (one line on
 * stderr) unless C >= 1 and H, W >= CLAE_SSIM_WIN. */
clae_status clae_metrics_init(clae_metrics *acc, int C, int H, int W);
/* out, target (n,C,H,W) */
void clae_metrics_add(clae_metrics *acc, const float *out, const float *target, size_t n);
/* Means so far; all zero (and images 0) when nothing was added. */
clae_metrics_summary clae_metrics_result(const clae_metrics *acc);

#endif
