/* Input corruptions for denoising / inpainting autoencoders, on float NCHW
 * batches on the host (values in [0,1]), seeded with clae_rng
 * (include/clae/model.h). The network learns corrupt(x) -> x.
 *
 *   blur        separable Gaussian, blur_forward_ref with clae_gaussian_kernel
 *               (OpenCV GaussianBlur(ksize, sigma), reflect-101 borders);
 *               uses no random numbers.
 *   noise       x + sigma * z, z ~ N(0,1) per value (Box-Muller, both outputs
 *               of each pair used, in memory order), clipped to [0,1].
 *   saltpepper  each PIXEL (all channels together) independently: one uniform
 *               u per (n, h, w) in memory order; u < rate/2 -> every channel
 *               1 (salt), rate/2 <= u < rate -> every channel 0 (pepper),
 *               otherwise unchanged. So a fraction `rate` of pixels, half each.
 *   mask        per image, mask_count rectangles set to 0 in every channel:
 *               height h and width w uniform integers in [mask_min, mask_max]
 *               (clipped to the image), top-left row uniform in [0, H-h], column
 *               in [0, W-w]; drawn in the order h, w, row, col (clae_rng_below).
 *               Rectangles may overlap.
 *   none        a copy.
 *
 * Config keys (the [train] section; clae_corrupt_set), defaults in brackets:
 *   corrupt = blur | noise | saltpepper | mask | none   [none]
 *   blur_size  odd integer 1..255  [5]       blur_sigma  number > 0     [1.1]
 *   noise_sigma  number >= 0       [0.1]     sp_rate     number in [0,1] [0.05]
 *   mask_count integer 0..1000     [1]
 *   mask_min, mask_max integers 1..4096, min <= max  [8, 16]
 * Compact form (clae_corrupt_parse): "none", "blur[:size[,sigma]]",
 * "noise[:sigma]", "saltpepper[:rate]", "mask[:count[,min[,max]]]"; omitted
 * numbers keep their current values. */
#ifndef CLAE_CORRUPT_H
#define CLAE_CORRUPT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/model.h" /* clae_train_config */
#include "clae/rng.h"
#include "clae/status.h"

typedef enum clae_corrupt_kind {
    CLAE_CORRUPT_NONE = 0,
    CLAE_CORRUPT_BLUR,
    CLAE_CORRUPT_NOISE,
    CLAE_CORRUPT_SALTPEPPER,
    CLAE_CORRUPT_MASK
} clae_corrupt_kind;

typedef struct clae_corrupt {
    clae_corrupt_kind kind;
    int blur_size;
    double blur_sigma;
    double noise_sigma;
    double sp_rate;
    int mask_count, mask_min, mask_max;
} clae_corrupt;

void clae_corrupt_defaults(clae_corrupt *c);
/* "none", "blur", "noise", "saltpepper", "mask" ("?" if out of range) */
const char *clae_corrupt_name(clae_corrupt_kind k);

/* Set one key (see above) from its text value. Bad value or unknown key:
 * one line on stderr ("corrupt: noise_sigma = 'x': expected a number >= 0")
 * and CLAE_ERR_ARG, c unchanged. */
clae_status clae_corrupt_set(clae_corrupt *c, const char *key, const char *value);
/* Parse the compact form; on error one line on stderr, CLAE_ERR_ARG, c unchanged. */
clae_status clae_corrupt_parse(clae_corrupt *c, const char *spec);
/* The corruption a model's [train] section asks for (corrupt, blur_size,
 * blur_sigma, noise_sigma, sp_rate, mask_*): the one place that reads them,
 * for train, eval, show and denoise alike. CLAE_ERR_ARG (one line) if they
 * do not pass clae_corrupt_check. */
struct clae_train_config;
clae_status clae_corrupt_from_config(const struct clae_train_config *t, clae_corrupt *c);
/* "blur (size 5, sigma 1.1)", "noise (sigma 0.3)", "none", ... */
void clae_corrupt_describe(const clae_corrupt *c, char *buf, size_t len);
/* Cross-field check (mask_min <= mask_max): one line and CLAE_ERR_ARG if not. */
clae_status clae_corrupt_check(const clae_corrupt *c);

/* in (N,C,H,W) -> out (N,C,H,W) corrupted as c says; out == in allowed.
 * rng: advanced by noise / saltpepper / mask only. CLAE_ERR_ARG for invalid
 * parameters (clae_corrupt_check and the per-key ranges), CLAE_ERR_NOMEM. */
clae_status clae_corrupt_apply(float *out, const float *in, int N, int C, int H, int W,
                               const clae_corrupt *c, clae_rng *rng);

/* ---- the pieces, in place on x (N,C,H,W) ------------------------------------- */

/* x (n) += sigma z, clipped to [0,1] */
void clae_corrupt_noise(float *x, size_t n, double sigma, clae_rng *rng);
/* x (N,C,H,W): salt and pepper per pixel */
void clae_corrupt_saltpepper(float *x, int N, int C, int H, int W, double rate, clae_rng *rng);
/* Draw one rectangle: rect = {row, col, h, w} */
void clae_mask_rect(int rect[4], int H, int W, int min_size, int max_size, clae_rng *rng);
/* x (N,C,H,W): count rectangles per image set to 0; mask (N,H,W) or NULL
 * receives 1 where masked, 0 elsewhere. */
void clae_corrupt_mask(float *x, uint8_t *mask, int N, int C, int H, int W, int count, int min_size,
                       int max_size, clae_rng *rng);
/* in (N,C,H,W) -> out (N,C,H,W) blurred; out == in allowed (CLAE_ERR_NOMEM
 * possible then). size odd 1..255, sigma > 0, else CLAE_ERR_ARG. */
clae_status clae_corrupt_blur(float *out, const float *in, int N, int C, int H, int W, int size,
                              double sigma);

#endif
