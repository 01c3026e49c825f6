/* Data augmentation on the host: a Keras ImageDataGenerator-style random
 * affine transform, and the experiment's fixed recipe (30% extra images, each
 * a left-right flip, an up-down flip or a -30 degree rotation of a randomly
 * chosen training image). Seeded with clae_rng (include/clae/model.h).
 *
 * Geometry (both): pixel centres at integer coordinates, rotation/shear/zoom
 * about the image centre ((H-1)/2, (W-1)/2). A transform maps every OUTPUT
 * pixel (row r, col c) to an input coordinate, as scipy.ndimage.
 * affine_transform with Keras's matrix:
 *   M = R(theta) . T(tx, ty) . Sh(shear) . Z(zx, zy)  (3x3, in (row, col)),
 *   R = [[cos, -sin, 0], [sin, cos, 0]],  T = [[1, 0, tx], [0, 1, ty]],
 *   Sh = [[1, -sin(shear), 0], [0, cos(shear), 0]],  Z = diag(zx, zy),
 *   (r_in, c_in) = o + M[:2,:2] ((r, c) - o) + M[:2,2],  o = (H/2 - 0.5, W/2 - 0.5).
 * Positive theta turns the picture clockwise on screen (the top-left corner
 * moves towards the top-right), the same sense as imgaug's Affine(rotate=+).
 * A positive tx (ty) moves the content up (left) by tx (ty) pixels; zoom > 1
 * shrinks the content (Keras's convention). Flips are applied after the
 * affine warp, then rescale (Keras's random_transform, then standardize).
 *
 * Sampling:
 *   interpolation nearest: the input pixel at floor(x + 0.5) (scipy order 0);
 *                 bilinear: weights from the fractional part (scipy order 1,
 *                 cv2 INTER_LINEAR without its 1/32-pixel fixed point).
 *   fill modes, for points outside the image (Keras fill_mode / scipy mode):
 *     CONSTANT      scipy 'constant' (Keras): a point whose coordinate lies
 *                   outside [0, len-1] (1e-9 slack) gets cval; points inside
 *                   interpolate between in-image pixels only.
 *     NEAREST       aaaa|abcd|dddd (edge pixel repeated)
 *     REFLECT       dcba|abcd|dcba (scipy/Keras 'reflect', half-sample: the
 *                   edge pixel is repeated once)
 *     WRAP          abcd|abcd|abcd (period len, as Keras documents; this is
 *                   scipy >= 1.6 'grid-wrap'. scipy's own 'wrap' -- what Keras
 *                   actually calls -- uses period len-1 for off-grid coordinates.)
 *     GRID_CONSTANT the image is extended by cval and then interpolated
 *                   (scipy 'grid-constant', OpenCV BORDER_CONSTANT, imgaug):
 *                   bilinear taps outside the image contribute cval.
 *   uint8 output: round half up, clamp to [0, 255] (scipy / OpenCV saturate). */
#ifndef CLAE_AUGMENT_H
#define CLAE_AUGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "clae/cifar.h"
#include "clae/model.h" /* clae_rng */
#include "clae/status.h"

typedef enum clae_fill {
    CLAE_FILL_CONSTANT = 0,
    CLAE_FILL_NEAREST,
    CLAE_FILL_REFLECT,
    CLAE_FILL_WRAP,
    CLAE_FILL_GRID_CONSTANT
} clae_fill;

typedef enum clae_interp { CLAE_INTERP_NEAREST = 0, CLAE_INTERP_BILINEAR } clae_interp;

/* One drawn transform (Keras get_random_transform's dictionary). */
typedef struct clae_affine {
    double theta;  /* rotation, degrees */
    double tx, ty; /* shift in pixels: tx rows (height), ty columns (width) */
    double shear;  /* degrees */
    double zx, zy; /* zoom of rows, of columns (1 = none) */
    int flip_h;    /* left-right, after the warp */
    int flip_v;    /* up-down, after the warp */
} clae_affine;

/* The identity: theta = tx = ty = shear = 0, zx = zy = 1, no flips. */
clae_affine clae_affine_identity(void);

/* ImageDataGenerator's random-transform arguments. */
typedef struct clae_augment_cfg {
    double rotation_range;     /* theta ~ U(-r, r) degrees */
    double width_shift_range;  /* ty ~ U(-r, r), times W when r < 1 (fraction), else pixels */
    double height_shift_range; /* tx ~ U(-r, r), times H when r < 1 */
    double shear_range;        /* shear ~ U(-r, r) degrees */
    double zoom_lo, zoom_hi;   /* zx, zy ~ U(lo, hi) independently; 1, 1 = off */
    int horizontal_flip;       /* flip_h with probability 1/2 */
    int vertical_flip;         /* flip_v with probability 1/2 */
    clae_fill fill_mode;       /* Keras default: nearest */
    float cval;                /* in pixel units (0..255 for CIFAR bytes) */
    clae_interp interp;        /* Keras default: bilinear (order 1) */
    float rescale;             /* multiply after the transform; 0 = none (Keras None) */
} clae_augment_cfg;

/* Keras defaults: everything off, zoom [1,1], fill nearest, cval 0, bilinear,
 * no rescale. */
void clae_augment_defaults(clae_augment_cfg *c);
/* Keras zoom_range = z (a float): [1 - z, 1 + z]. */
void clae_augment_set_zoom(clae_augment_cfg *c, double z);

/* Draw one transform for an H x W image. Draws, in this order and only for
 * the enabled ones: theta, tx, ty, shear, zx, zy, flip_h, flip_v
 * (each one clae_rng_uniform). */
void clae_augment_draw(clae_affine *t, const clae_augment_cfg *c, int H, int W, clae_rng *rng);

/* in (C,H,W) -> out (C,H,W) = flips(warp(in)); out != in */
void clae_affine_apply(float *out, const float *in, int C, int H, int W, const clae_affine *t,
                       clae_fill fill, float cval, clae_interp interp);
/* Same on bytes (computed in double per pixel, rounded half up, clamped). */
void clae_affine_apply_u8(uint8_t *out, const uint8_t *in, int C, int H, int W,
                          const clae_affine *t, clae_fill fill, float cval, clae_interp interp);

/* One Keras-style random augmentation of CIFAR pixels (3,32,32 bytes, planar
 * R,G,B) -> out (3,32,32) floats = transform(pixels as 0..255) * rescale
 * (or unscaled when rescale == 0). */
void clae_augment_image(float *out, const uint8_t *pixels, const clae_augment_cfg *c,
                        clae_rng *rng);

/* ---- the experiment's recipe ------------------------------------------------ */

typedef enum clae_recipe_op {
    CLAE_RECIPE_FLIPLR = 0, /* imgaug Fliplr(1) */
    CLAE_RECIPE_FLIPUD,     /* imgaug Flipud(1) */
    CLAE_RECIPE_ROT_M30     /* imgaug Affine(rotate=-30): see below */
} clae_recipe_op;
#define CLAE_RECIPE_ROTATE_DEG (-30.0)

/* Apply one recipe op to an image's pixels, in (C,H,W) bytes (planar) -> out
 * (C,H,W) bytes; out != in.
 * ROT_M30: imgaug Affine(rotate=-30) defaults (order=1, cval=0, mode
 * 'constant', OpenCV backend for uint8): rotation by 30 degrees
 * counter-clockwise on screen about the centre ((H-1)/2, (W-1)/2; 15.5,
 * 15.5 for CIFAR-10), bilinear,
 * GRID_CONSTANT fill 0, rounded half up. It differs from OpenCV's warpAffine
 * only through OpenCV's 1/32-pixel fixed-point coordinates (at most a grey
 * level or so on strong edges). */
void clae_recipe_apply(uint8_t *out, const uint8_t *in, clae_recipe_op op, int C, int H, int W);

/* The augmented training set (of in's shape): out = the n records of in, then
 * extra = round(fraction * n) records (30% of 50,000 = 15,000), record k made
 * from in's record src = clae_rng_below(rng, n) (with replacement) with the op
 * clae_rng_below(rng, 3) (drawn in that order, per record, rng seeded with
 * seed), label copied. op_counts (3, may be NULL) receives how many of each
 * op were made. On error *out is {NULL, 0}: CLAE_ERR_ARG (empty input,
 * fraction < 0 or not finite), CLAE_ERR_NOMEM. */
clae_status clae_augment_recipe(clae_dataset *out, const clae_dataset *in, double fraction,
                                uint64_t seed, size_t op_counts[3]);

#endif
