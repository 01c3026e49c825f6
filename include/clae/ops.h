/* Operations: shapes, and the implementations of every op, one per backend
 * (clae_backend: the OpenCL kernels, the host's reference twins).
 *
 * Size letters (used in every shape comment):
 *   N batch, C input channels, K output channels, H/W input height/width,
 *   P/Q output height/width, R/S kernel (or pool window) height/width.
 * Tensors are NCHW float32. Parameters: conv2d weight (K,C,R,S);
 * conv2d_transpose weight (C,K,R,S) like PyTorch's ConvTranspose2d.weight.
 *
 * Every op has a plain-C reference twin `<op>_<pass>_ref` (src/host/ref/) and an
 * OpenCL implementation `<op>_<pass>_cl` (src/host/ops/ + src/kernels/<op>.cl)
 * taking the same arguments in the same order (outputs, inputs, weights, sizes),
 * the OpenCL one with cl_mem buffers and the device first. Each family's
 * src/host/ops/<op>.c holds a table of them by backend id, and one entry
 * point per op (the last part of this file) dispatches through it. A new
 * family touches only its own files (ops/<op>.c with its table, ref/<op>.c,
 * kernels/<op>.cl, tests/test_<op>.c) and its declarations here.
 *
 * Gradient convention: backward passes WRITE the input gradient (din) and
 * ACCUMULATE (+=) into parameter gradients (dw, db), which the trainer clears
 * once per step. Passing NULL for din/dw/db skips that output.
 */
#ifndef CLAE_OPS_H
#define CLAE_OPS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "clae/device.h"

typedef enum clae_padding { CLAE_PAD_VALID = 0, CLAE_PAD_SAME = 1 } clae_padding;
typedef enum clae_act {
    CLAE_ACT_NONE = 0,
    CLAE_ACT_RELU,
    CLAE_ACT_SIGMOID,
    CLAE_ACT_TANH,
    CLAE_ACT_LEAKY_RELU, /* x > 0 ? x : alpha x (Keras LeakyReLU), 0 <= alpha <= 1 */
    CLAE_ACT_SOFTMAX     /* over each sample's values (a [dense] classification head, the last
                            layer, with categorical_crossentropy only): never elementwise */
} clae_act;

/* An activation fused into the op that writes a tensor; zeroed: none.
 * Forward ops (conv2d, conv2d_transpose) write f(x) instead of x, the
 * layer's own activation. Backward ops (their din, maxpool's din) write
 * din * f'(x) instead of din, for the activation of the layer that produced
 * their input, taken through its saved output y = f(x) (the op's `in`): din
 * is then the gradient of that layer's pre-activation, and the separate
 * act_forward / act_backward passes are not needed. */
typedef struct clae_epi {
    clae_act act;
    float alpha;
} clae_epi;
#define CLAE_EPI_NONE ((clae_epi){.act = CLAE_ACT_NONE})

/* Geometry shared by conv2d, conv2d_transpose and pooling.
 * conv2d:           out[n,k,p,q] = b[k] + sum_{c,r,s} in[n,c,p*sh+r-pt, q*sw+s-pl] * w[k,c,r,s]
 * conv2d_transpose: out[n,k,h*sh+r-pt, w*sw+s-pl] += in[n,c,h,w] * w[c,k,r,s]  (+ b[k])
 * pooling:          window rows p*sh-pt .. p*sh-pt+R-1 (K == C). */
typedef struct clae_conv_shape {
    int N, C, H, W;  /* input */
    int K, R, S;     /* output channels, kernel / window size */
    int sh, sw;      /* strides */
    int P, Q;        /* output size */
    int pt, pl;      /* padding before the first row / column (Keras puts the odd one after) */
} clae_conv_shape;

/* Fill g for a Keras Conv2D / MaxPooling2D / AveragePooling2D:
 * 'valid': P = (H - R) / sh + 1; 'same': P = ceil(H / sh), pad_total =
 * max((P-1)*sh + R - H, 0), pt = pad_total / 2 (extra row at the bottom).
 * Returns CLAE_ERR_SHAPE if the output would be empty or sizes are < 1. */
clae_status clae_conv2d_shape(clae_conv_shape *g, int N, int C, int H, int W, int K, int R, int S,
                              int sh, int sw, clae_padding pad);

/* Fill g for a Keras Conv2DTranspose. 'same': P = H * sh; 'valid':
 * P = H*sh + max(R - sh, 0). The full (uncropped) output has (H-1)*sh + R rows;
 * 'same' crops pad_total = (H-1)*sh + R - P rows, pt = pad_total / 2 at the top
 * and the rest at the bottom: for R=3, sh=2 that is 0 at the top and 1 at the
 * bottom (Keras/TensorFlow crop the LAST row/column). PyTorch's
 * ConvTranspose2d(padding=1, output_padding=1) gives the same size but crops
 * the FIRST row/column instead, so its output is shifted by one pixel. */
clae_status clae_conv2d_transpose_shape(clae_conv_shape *g, int N, int C, int H, int W, int K,
                                        int R, int S, int sh, int sw, clae_padding pad);

/* Adam hyper-parameters (Keras defaults: 0.001, 0.9, 0.999, 1e-7), and
 * decoupled weight decay (Keras AdamW, PyTorch AdamW; 0: plain Adam). */
typedef struct clae_adam {
    float lr, beta1, beta2, eps;
    float weight_decay;
} clae_adam;

/* Keras SGD: lr, momentum in [0, 1), nesterov 0 or 1. */
typedef struct clae_sgd {
    float lr, momentum;
    int nesterov;
} clae_sgd;
typedef enum clae_optimizer { CLAE_OPT_ADAM = 0, CLAE_OPT_SGD } clae_optimizer;

/* Keras's bias-corrected step size for step t (1-based), computed in double:
 * lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t). Part of the op's contract:
 * every backend (the twin, the launchers, the recorded step) takes it from here. */
static inline float clae_adam_lr_t(const clae_adam *h, long t)
{
    double b1t = pow((double)h->beta1, (double)t);
    double b2t = pow((double)h->beta2, (double)t);
    return (float)((double)h->lr * sqrt(1.0 - b2t) / (1.0 - b1t));
}

/* AdamW's decay of a step, lr * weight_decay (the step's rate, not the
 * bias-corrected one: Keras's and PyTorch's AdamW), computed in double. */
static inline float clae_adam_wd_lr(const clae_adam *h)
{
    return (float)((double)h->lr * (double)h->weight_decay);
}

/* ---- reference twins (src/host/ref/) ---------------------------------- */

/* in (N,C,H,W), w (K,C,R,S), b (K) or NULL, out (N,K,P,Q) */
void conv2d_forward_ref(float *out, const float *in, const float *w, const float *b,
                        const clae_conv_shape *g);
/* dout (N,K,P,Q), in (N,C,H,W), w (K,C,R,S) -> din (N,C,H,W) =, dw (K,C,R,S) +=, db (K) += */
void conv2d_backward_ref(float *din, float *dw, float *db, const float *dout, const float *in,
                         const float *w, const clae_conv_shape *g);

/* in (N,C,H,W), w (C,K,R,S), b (K) or NULL, out (N,K,P,Q) */
void conv2d_transpose_forward_ref(float *out, const float *in, const float *w, const float *b,
                                  const clae_conv_shape *g);
/* dout (N,K,P,Q), in (N,C,H,W), w (C,K,R,S) -> din =, dw (C,K,R,S) +=, db (K) += */
void conv2d_transpose_backward_ref(float *din, float *dw, float *db, const float *dout,
                                   const float *in, const float *w, const clae_conv_shape *g);

/* in (N,C,H,W) -> out (N,C,P,Q), idx (N,C,P,Q) = argmax row*W+col within the
 * plane (ties: first in row-major order, as TensorFlow); padding never wins. */
void maxpool_forward_ref(float *out, int32_t *idx, const float *in, const clae_conv_shape *g);
/* dout (N,C,P,Q), idx (N,C,P,Q) -> din (N,C,H,W) = sum of dout routed to idx */
void maxpool_backward_ref(float *din, const float *dout, const int32_t *idx,
                          const clae_conv_shape *g);

/* in (N,C,H,W) -> out (N,C,P,Q): mean over the window's in-image elements
 * (padding excluded from the count, as TensorFlow) */
void avgpool_forward_ref(float *out, const float *in, const clae_conv_shape *g);
/* dout (N,C,P,Q) -> din (N,C,H,W) = */
void avgpool_backward_ref(float *din, const float *dout, const clae_conv_shape *g);

/* Max-unpooling with a max pool's saved indices: in, idx (N,C,H,W) are the
 * pool's output shape and its argmax (row*Q+col within an output plane of
 * P x Q, the pool's input; -1: none) -> out (N,C,P,Q) = 0 but
 * out[n,c,idx] = in[n,c,h,w]. The pool's windows must not overlap (no two
 * indices of a plane equal). */
void max_unpool_forward_ref(float *out, const float *in, const int32_t *idx,
                            const clae_conv_shape *g);
/* dout (N,C,P,Q) -> din (N,C,H,W) = dout[n,c,idx] (0 where idx is -1) */
void max_unpool_backward_ref(float *din, const float *dout, const int32_t *idx,
                             const clae_conv_shape *g);

/* Upsampling by integer factors sh, sw: in (N,C,H,W) -> out (N,C,P,Q),
 * P = H*sh, Q = W*sw. nearest: out[p,q] = in[p/sh, q/sw]; bilinear: as
 * tf.image.resize (Keras UpSampling2D): half-pixel centres, x = (o + 0.5) *
 * H/P - 0.5, inputs floor(x) and ceil(x) clamped to the image, weight
 * x - floor(x); bed of nails: in at (p, q) multiples of (sh, sw), 0
 * elsewhere. Backward: din (N,C,H,W) = the adjoint applied to dout. */
typedef enum clae_upsample { CLAE_UP_NEAREST = 0, CLAE_UP_BILINEAR, CLAE_UP_NAILS } clae_upsample;
void upsample_nearest_forward_ref(float *out, const float *in, const clae_conv_shape *g);
void upsample_nearest_backward_ref(float *din, const float *dout, const clae_conv_shape *g);
void upsample_bilinear_forward_ref(float *out, const float *in, const clae_conv_shape *g);
void upsample_bilinear_backward_ref(float *din, const float *dout, const clae_conv_shape *g);
void bed_of_nails_forward_ref(float *out, const float *in, const clae_conv_shape *g);
void bed_of_nails_backward_ref(float *din, const float *dout, const clae_conv_shape *g);

/* Fully connected (PyTorch nn.Linear layout): in (N,I), w (U,I), b (U) or
 * NULL -> out (N,U) = in w^T + b; backward: din (N,I) = dout w, dw += dout^T
 * in, db += the column sums of dout (each output skipped when NULL). */
void dense_forward_ref(float *out, const float *in, const float *w, const float *b, int N, int I,
                       int U);
void dense_backward_ref(float *din, float *dw, float *db, const float *dout, const float *in,
                        const float *w, int N, int I, int U);
/* dst (C,R) = src (R,C)^T: the twin of dense.cl's dense_transpose (the direct din's
 * transposed weights). */
void dense_transpose_ref(float *dst, const float *src, int R, int C);

/* Elementwise sums (n): out = a + b; y += x. */
void add_forward_ref(float *out, const float *a, const float *b, size_t n);
void add_into_ref(float *y, const float *x, size_t n);

/* Inverted dropout: element i is kept (times scale = 1 / (1 - rate)) when
 * the top 24 bits of a hash of (i, key0, key1), over 2^24, are >= rate, else
 * 0. The keys name the seed, layer and step (clae_dropout_params), so a
 * step's mask is the same on every device and again on resume; the
 * backward pass applies the same mask to dout. */
typedef struct clae_dropout {
    float rate, scale;
    uint32_t key0, key1;
} clae_dropout;
clae_dropout clae_dropout_params(float rate, uint64_t seed, int layer, long step);
int clae_dropout_keep(uint32_t i, const clae_dropout *p);
void dropout_forward_ref(float *out, const float *in, size_t n, const clae_dropout *p);
void dropout_backward_ref(float *din, const float *dout, size_t n, const clae_dropout *p);

/* Gaussian noise (Keras GaussianNoise, training only): out = in + stddev * z
 * with z standard normal, drawn by Box-Muller from hashes of (i, key0, key1);
 * the keys name the seed, layer and step (clae_gaussian_noise_params). Its
 * backward pass is the identity. */
typedef struct clae_gaussian_noise {
    float stddev;
    uint32_t key0, key1;
} clae_gaussian_noise;
clae_gaussian_noise clae_gaussian_noise_params(float stddev, uint64_t seed, int layer, long step);
/* z of element i */
float clae_gaussian_noise_draw(uint32_t i, const clae_gaussian_noise *p);
void gaussian_noise_forward_ref(float *out, const float *in, size_t n,
                                const clae_gaussian_noise *p);

/* x (n): out = f(in); in == out allowed; alpha: leaky_relu's slope (others ignore it) */
void act_forward_ref(float *out, const float *in, size_t n, clae_act a, float alpha);
/* dout, out = f(in) (n) -> din = dout * f'(in) expressed through out; din == dout allowed */
void act_backward_ref(float *din, const float *dout, const float *out, size_t n, clae_act a,
                      float alpha);

/* Batch normalization (Keras BatchNormalization, PyTorch BatchNorm2d and
 * BatchNorm1d) of x (N,C,HW) per channel. stats (4C floats): the mean, then
 * 1 / sqrt(var + eps), then the backward pass's sums of dy and of dy * x_hat.
 * A training step uses the batch's statistics (biased variance, as both
 * normalise with) and moves the moving ones toward them: moving = momentum *
 * moving + (1 - momentum) * batch (Keras's momentum, 0.99; PyTorch's
 * momentum m is Keras's 1 - m, and PyTorch moves running_var toward the
 * unbiased variance); inference uses the moving ones. */
typedef struct clae_batch_norm {
    float momentum, eps;
} clae_batch_norm;
/* training: stats[0..2C) from x; the moving ones updated when run_mean is not NULL */
void batch_norm_stats_ref(float *stats, float *run_mean, float *run_var, const float *x, int N,
                          int C, int HW, const clae_batch_norm *p);
/* inference: stats[0..2C) from the moving ones */
void batch_norm_moving_ref(float *stats, const float *run_mean, const float *run_var, int C,
                           float eps);
/* y = (x - mean) * inv * gamma + beta (gamma, beta NULL: 1, 0); y == x allowed */
void batch_norm_apply_ref(float *y, const float *x, const float *stats, const float *gamma,
                          const float *beta, int N, int C, int HW);
/* stats[2C..4C) = sum dy, sum dy * x_hat; dgamma += the second, dbeta += the
 * first (NULL: skipped); dx (NULL: skipped) = gamma * inv * (dy - sum dy / M -
 * x_hat * sum(dy x_hat) / M), M = N * HW: the gradient through the batch's
 * statistics */
void batch_norm_backward_ref(float *dx, float *dgamma, float *dbeta, float *stats,
                             const float *dy, const float *x, const float *gamma, int N, int C,
                             int HW);

/* x (N,C,HW) += b (C), in place */
void bias_forward_ref(float *x, const float *b, int N, int C, int HW);
/* dout (N,C,HW) -> db (C) += sum over n and hw */
void bias_backward_ref(float *db, const float *dout, int N, int C, int HW);

/* y, t (n) -> loss[0] = mean((y - t)^2) */
void mse_forward_ref(float *loss, const float *y, const float *t, size_t n);
/* y, t (n) -> dy = 2 (y - t) / n */
void mse_backward_ref(float *dy, const float *y, const float *t, size_t n);

/* The losses a config may ask for (loss = mse | mae | binary_crossentropy). */
typedef enum clae_loss {
    CLAE_LOSS_MSE = 0,
    CLAE_LOSS_MAE,
    CLAE_LOSS_BCE,
    CLAE_LOSS_CCE /* categorical_crossentropy after a softmax: cce_step */
} clae_loss;
/* loss[0] = mean(|y - t|); dy = sign(y - t) / n (0 where equal) */
void mae_forward_ref(float *loss, const float *y, const float *t, size_t n);
void mae_backward_ref(float *dy, const float *y, const float *t, size_t n);
/* Keras binary_crossentropy: c = clip(y, 1e-7, 1 - 1e-7), loss[0] =
 * mean(-(t log(c + 1e-7) + (1 - t) log(1 - c + 1e-7))); dy its derivative
 * (0 where the clip holds y) */
void bce_forward_ref(float *loss, const float *y, const float *t, size_t n);
void bce_backward_ref(float *dy, const float *y, const float *t, size_t n);

/* Classification heads. softmax over rows of K values (in == out allowed).
 * cce_step: Keras categorical_crossentropy of probabilities p (rows, K)
 * against one-hot t, p clipped to [1e-7, 1 - 1e-7]: loss[0] = the mean over
 * rows of -sum_k t log p; dz = (p - t) / rows, the gradient at the
 * softmax's input (the last layer's pre-activation). loss or dz may be NULL.
 * labels_onehot: records (N, 1 + C*H*W), label byte first -> t (N, K), t[n, label] = 1
 * (labels >= K: a row of zeros; the trainer refuses such data first). */
void softmax_forward_ref(float *out, const float *in, size_t rows, int K);
void cce_step_ref(float *loss, float *dz, const float *p, const float *t, size_t rows, int K);
void labels_onehot_ref(float *t, const uint8_t *records, int N, int K, int C, int H, int W);

/* Keras Adam, step t (1-based), per element:
 *   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
 *   p -= lr_t * m / (sqrt(v) + eps),  lr_t = clae_adam_lr_t(h, t)
 * (eps is added to sqrt(v) after the bias correction moved into lr_t). */
void adam_update_ref(float *p, float *m, float *v, const float *g, size_t n, const clae_adam *h,
                     long t);
/* The same with g scaled by gscale first (global clipping) and, from
 * element decay_from on, AdamW's decoupled weight decay before the step
 * (Keras AdamW, PyTorch AdamW):  p -= p * wd_lr,  wd_lr = clae_adam_wd_lr(h)
 * (skipped where wd_lr is 0: plain Adam, bit for bit). adam_update_ref is
 * this with decay_from 0 and gscale 1. */
void adamw_update_ref(float *p, float *m, float *v, const float *g, size_t n, size_t decay_from,
                      const clae_adam *h, long t, float gscale);
/* Global gradient clipping's scale for g (n), PyTorch clip_grad_norm_'s:
 * min(1, clipnorm / (||g||_2 + 1e-6)), the squares summed in double. */
float grad_clip_scale_ref(const float *g, size_t n, float clipnorm);

/* Keras SGD, per element, v the velocity (zero at the start):
 *   momentum 0: p -= lr g
 *   else:       v = momentum v - lr g;  p += v   (nesterov: p += momentum v - lr g) */
void sgd_update_ref(float *p, float *v, const float *g, size_t n, const clae_sgd *h);

/* Dataset records (N, 1 + C*H*W): 1 label byte then C planes of H x W uint8
 * pixels (CIFAR-10: 3073 bytes, R,G,B planes of 32x32) -> out (N,C,H,W) = pixel / 255 */
void cifar_to_float_ref(float *out, const uint8_t *records, int N, int C, int H, int W);

/* Per-image normalisation, x (N, P) in place (P = C*H*W, one image's values):
 * global contrast normalisation with the l1 scale over the whole image,
 *   y = (x - mean) / scale,  mean = sum(x) / P,  scale = sum(|x - mean|) / P
 * (scale 0, a constant image: 1), then min-max scaling with one pair for
 * every image, x = (y - lo) / (hi - lo) (Ruff et al. 2018, CIFAR-10). The two
 * sums in a fixed order: element j in chunk j % GCN_NCHUNK, each chunk
 * summed in increasing j, the chunk sums added in a tree of offsets
 * GCN_NCHUNK/2 .. 1; the kernel (any work-group size) adds in the same order. */
#define GCN_NCHUNK 64
void gcn_minmax_ref(float *x, int N, int P, float lo, float hi);
/* One image's mean and scale as gcn_minmax_ref takes them. */
void gcn_l1_stats_ref(const float *x, int P, float *mean, float *scale);

/* Normalised 1-D Gaussian of odd size ksize (OpenCV getGaussianKernel with sigma > 0). */
void clae_gaussian_kernel(float *k, int ksize, double sigma);
/* in (N,C,H,W) -> out (N,C,H,W): separable blur with the 1-D kernel k (ksize),
 * reflect-101 borders (OpenCV BORDER_DEFAULT: ... c b | a b c ... | b a ...) */
void blur_forward_ref(float *out, const float *in, const float *k, int ksize, int N, int C, int H,
                      int W);

/* Loss terms beside the reconstruction loss (penalties), each summed into
 * one slot of a small vector `terms` (clae_net: CLAE_TERM_*):
 *   penalty_sum: terms[slot] += scale * sum_i f(x[i]), f(x) = x or |x|
 *   loss_terms:  terms[0] = loss[0] (the reconstruction term), then
 *                loss[0] = terms[0] + terms[1] + ... + terms[nterms - 1]
 * The sums run in a fixed order: no atomics, the same result every run. */
typedef enum clae_pen_f { CLAE_PEN_SUM = 0, CLAE_PEN_ABS } clae_pen_f;
void penalty_sum_ref(float *terms, int slot, float scale, const float *x, size_t n,
                     clae_pen_f f);
void loss_terms_ref(float *loss, float *terms, int nterms);
/* Keras activity_regularizer=l1: the gradient of scale * sum |y|, dy (n) +=
 * scale * sign(y) (0 at y = 0, as tf.abs). */
void activity_l1_backward_ref(float *dy, const float *y, size_t n, float scale);

/* VAE sampling (reparameterisation). x (N, 2L, HW): channels 0..L-1 the
 * mean mu, L..2L-1 the log-variance lv (a [dense] of 2L units: HW = 1);
 * aux (2 * N*L*HW): eps, then the KL terms.
 * Forward: eps[i] a standard normal from (i, key0, key1) when training, else
 * 0; z (N,L,HW) = mu + exp(lv / 2) * eps; kl[i] = -(1 + lv - mu^2 -
 * exp(lv)) / 2 (sum them, times kl_weight / N, for the loss term).
 * Backward: dx = (dz + w mu, dz eps exp(lv / 2) / 2 + w (exp(lv) - 1) / 2),
 * w = kl_weight / N: the reconstruction's gradient through z plus the KL
 * term's. */
typedef struct clae_sampling {
    uint32_t key0, key1; /* the seed, layer and step (as clae_dropout_params) */
} clae_sampling;
clae_sampling clae_sampling_params(uint64_t seed, int layer, long step);
/* A standard normal from (i, keys): Box-Muller on two 24-bit hashes. */
float clae_sampling_normal(uint32_t i, const clae_sampling *p);
void sampling_forward_ref(float *z, float *aux, const float *x, int N, int L, int HW,
                          const clae_sampling *p, int training);
void sampling_backward_ref(float *dx, const float *dz, const float *x, const float *aux, int N,
                           int L, int HW, float w);

/* Contractive penalty of a dense sigmoid layer (Rifai et al. 2011, closed
 * form): h (N,U) its output, w (U,I) its weight, s = h (1 - h):
 *   P = scale * sum_n sum_j s_nj^2 * sum_i w_ji^2      (scale = lambda / N)
 * contractive_forward:  terms[slot] += P
 * contractive_backward: dz (N,U) += scale * 2 s^2 (1 - 2h) * sum_i w_ji^2
 *                       (dz: the gradient at the pre-activation, before
 *                       the dense backward takes it on to w, b and the input);
 *                       dw (U,I) += scale * 2 w_ji * sum_n s_nj^2 */
void contractive_forward_ref(float *terms, int slot, float scale, const float *h, const float *w,
                             int N, int I, int U);
void contractive_backward_ref(float *dz, float *dw, float scale, const float *h, const float *w,
                              int N, int I, int U);

/* clae bench's peak probes (the bench family: src/kernels/bench.cl).
 * bench_fma: out (n): lane j = 0..127 of item i starts at (i % 1024) + j,
 * then iters times x = x * a + b; out[i] = the sum of the 128 lanes (order as
 * the kernel). The twin uses x * a + b rather than fmaf (a libm call on
 * baseline x86-64, which would make the host probe meaningless); the two
 * agree exactly whenever x * a + b is exact, as for a = b = 1 with integer
 * values below 2^24. FLOPs: n * iters * 128 * 2. bench_fma_cl runs the same
 * 128 lanes as float16 chains on a device whose native float vector is 16
 * wide: the lanes' sum in another order (exact for such values).
 * bench_copy: src (n) -> dst (n). */
void bench_fma_ref(float *out, int n, int iters, float a, float b);
void bench_copy_ref(float *dst, const float *src, size_t n);

/* ---- OpenCL implementations (src/host/ops/, src/kernels/) --------------- */

clae_status conv2d_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b,
                              const clae_conv_shape *g, clae_epi act);
clae_status conv2d_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                               cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem w,
                                        cl_mem b, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                         cl_mem dout, cl_mem in, cl_mem w,
                                         const clae_conv_shape *g, clae_epi act);
/* Fused passes of a training step (src/host/ops/conv2d_direct.c; the net
 * takes them where the *_fusable rules say so, the OpenCL backend's direct
 * convolutions only). Their twins are the compositions of the passes they
 * replace.
 *  conv2d_pool: conv2d (shape g, activation act) and the 2x2 stride-2
 *    max-pool after it (shape pool). Forward writes only the pooled values
 *    and their argmax (maxpool_forward's), not the conv's output. Backward
 *    takes the pool's dout (dpool) with idx and pooled in place of the
 *    conv's dout: the weight-gradient pass rebuilds it (maxpool_backward
 *    through act's derivative), adds into dw and db, and stores it in dout
 *    for the input gradient (din times din_act's derivative, as
 *    conv2d_backward_cl). dw is required; din, db and dout may be NULL
 *    (dout not with din). Given dout, where one work-group holds a whole
 *    batch slice of the weight gradient, the group rebuilds the slice's
 *    dout there once and reads it back (the net passes dout always).
 *  conv2d_loss: the last layer's backward with the loss (lk, not CCE)
 *    and its gradient through act taken in the weight-gradient pass from
 *    the layer's output y and the target t: loss[0] the mean loss, dw and db
 *    added into, dout (where not NULL; required with din) and din as
 *    loss_step and conv2d_backward_cl give them. */
int conv2d_pool_fusable(const clae_device *d, const clae_conv_shape *g,
                        const clae_conv_shape *pool);
int conv2d_loss_fusable(const clae_device *d, const clae_conv_shape *g, clae_loss lk);
clae_status conv2d_pool_forward_cl(clae_device *d, cl_mem pooled, cl_mem idx, cl_mem in,
                                   cl_mem w, cl_mem b, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_pool_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                    cl_mem dout, cl_mem dpool, cl_mem idx, cl_mem pooled,
                                    cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act,
                                    clae_epi din_act);
clae_status conv2d_loss_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                    cl_mem dout, cl_mem loss, clae_loss lk, cl_mem y, cl_mem t,
                                    cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act,
                                    clae_epi din_act);
clae_status maxpool_forward_cl(clae_device *d, cl_mem out, cl_mem idx, cl_mem in,
                               const clae_conv_shape *g);
clae_status maxpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem idx, cl_mem in,
                                const clae_conv_shape *g, clae_epi act);
clae_status avgpool_forward_cl(clae_device *d, cl_mem out, cl_mem in, const clae_conv_shape *g);
clae_status avgpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout,
                                const clae_conv_shape *g);
clae_status max_unpool_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem idx,
                                  const clae_conv_shape *g);
clae_status max_unpool_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem idx,
                                   const clae_conv_shape *g);
clae_status upsample_forward_cl(clae_device *d, clae_upsample mode, cl_mem out, cl_mem in,
                                const clae_conv_shape *g);
clae_status upsample_backward_cl(clae_device *d, clae_upsample mode, cl_mem din, cl_mem dout,
                                 const clae_conv_shape *g);
clae_status act_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n, clae_act a,
                           float alpha);
clae_status act_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem out, size_t n,
                            clae_act a, float alpha);
clae_status batch_norm_stats_cl(clae_device *d, cl_mem stats, cl_mem run_mean, cl_mem run_var,
                                cl_mem x, int N, int C, int HW, const clae_batch_norm *p);
clae_status batch_norm_moving_cl(clae_device *d, cl_mem stats, cl_mem run_mean, cl_mem run_var,
                                 int C, float eps);
clae_status batch_norm_apply_cl(clae_device *d, cl_mem y, cl_mem x, cl_mem stats, cl_mem gamma,
                                cl_mem beta, int N, int C, int HW);
clae_status batch_norm_backward_cl(clae_device *d, cl_mem dx, cl_mem dgamma, cl_mem dbeta,
                                   cl_mem stats, cl_mem dy, cl_mem x, cl_mem gamma, int N, int C,
                                   int HW);
clae_status bias_forward_cl(clae_device *d, cl_mem x, cl_mem b, int N, int C, int HW);
clae_status bias_backward_cl(clae_device *d, cl_mem db, cl_mem dout, int N, int C, int HW);
/* loss: a device buffer of 1 float; nothing is read back */
clae_status mse_forward_cl(clae_device *d, cl_mem loss, cl_mem y, cl_mem t, size_t n);
clae_status mse_backward_cl(clae_device *d, cl_mem dy, cl_mem y, cl_mem t, size_t n);
clae_status loss_forward_cl(clae_device *d, clae_loss kind, cl_mem loss, cl_mem y, cl_mem t,
                            size_t n);
clae_status loss_backward_cl(clae_device *d, clae_loss kind, cl_mem dy, cl_mem y, cl_mem t,
                             size_t n);
/* Both in one pass (either may be NULL), dy times the derivative of act, the
 * activation that produced y: loss_forward, loss_backward, then
 * act_backward on dy. */
clae_status loss_step_cl(clae_device *d, clae_loss kind, cl_mem loss, cl_mem dy, cl_mem y,
                         cl_mem t, size_t n, clae_epi act);
clae_status adam_update_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                           const clae_adam *h, long t);
/* adamw_update_ref's step; adam_update_cl is it at decay_from 0. */
clae_status adamw_update_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                            size_t decay_from, const clae_adam *h, long t);
/* The same with its step's numbers read from the device, hp = {lr_t =
 * clae_adam_lr_t(h, t), wd_lr = clae_adam_wd_lr(h), gscale} (a recorded
 * step: the caller writes them before each replay; gscale 1, or
 * grad_clip_cl's after the write). */
clae_status adam_update_dev_cl(clae_device *d, cl_mem p, cl_mem m, cl_mem v, cl_mem g, size_t n,
                               size_t decay_from, const clae_adam *h, cl_mem hp);
/* hp[2] = grad_clip_scale_ref(g, n, clipnorm), on the device. */
clae_status grad_clip_cl(clae_device *d, cl_mem g, size_t n, float clipnorm, cl_mem hp);
/* The dense layer: dense_forward_ref then the activation act (act_forward_ref);
 * backward as dense_backward_ref with din times the derivative of din_act
 * through in (act_backward_ref: the activation of the layer before). */
clae_status dense_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b, int N,
                             int I, int U, clae_epi act);
clae_status dense_backward_cl(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                              cl_mem in, cl_mem w, int N, int I, int U, clae_epi din_act);
clae_status add_forward_cl(clae_device *d, cl_mem out, cl_mem a, cl_mem b, size_t n);
clae_status add_into_cl(clae_device *d, cl_mem y, cl_mem x, size_t n);
clae_status dropout_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n,
                               const clae_dropout *p);
clae_status dropout_backward_cl(clae_device *d, cl_mem din, cl_mem dout, size_t n,
                                const clae_dropout *p);
clae_status gaussian_noise_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n,
                                      const clae_gaussian_noise *p);
clae_status sgd_update_cl(clae_device *d, cl_mem p, cl_mem v, cl_mem g, size_t n,
                          const clae_sgd *h);
clae_status cifar_to_float_cl(clae_device *d, cl_mem out, cl_mem records, int N, int C, int H,
                              int W);
clae_status gcn_minmax_cl(clae_device *d, cl_mem x, int N, int P, float lo, float hi);
/* The same with work-groups of L work-items (any L from 1 to the kernel's
 * largest): the tests' check that the result does not depend on L. */
clae_status gcn_minmax_cl_wg(clae_device *d, cl_mem x, int N, int P, float lo, float hi,
                             size_t L);
clae_status softmax_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t rows, int K);
clae_status cce_step_cl(clae_device *d, cl_mem loss, cl_mem dz, cl_mem p, cl_mem t, size_t rows,
                        int K);
clae_status labels_onehot_cl(clae_device *d, cl_mem t, cl_mem records, int N, int K, int C,
                             int H, int W);
/* x: n floats from element x_off of the buffer */
clae_status penalty_sum_cl(clae_device *d, cl_mem terms, int slot, float scale, cl_mem x,
                           size_t x_off, size_t n, clae_pen_f f);
clae_status loss_terms_cl(clae_device *d, cl_mem loss, cl_mem terms, int nterms);
clae_status activity_l1_backward_cl(clae_device *d, cl_mem dy, cl_mem y, size_t n, float scale);
clae_status sampling_forward_cl(clae_device *d, cl_mem z, cl_mem aux, cl_mem x, int N, int L,
                                int HW, const clae_sampling *p, int training);
clae_status sampling_backward_cl(clae_device *d, cl_mem dx, cl_mem dz, cl_mem x, cl_mem aux,
                                 int N, int L, int HW, float w);
clae_status contractive_forward_cl(clae_device *d, cl_mem terms, int slot, float scale, cl_mem h,
                                   cl_mem w, int N, int I, int U);
clae_status contractive_backward_cl(clae_device *d, cl_mem dz, cl_mem dw, float scale, cl_mem h,
                                    cl_mem w, int N, int I, int U);
clae_status bench_fma_cl(clae_device *d, cl_mem out, int n, int iters, float a, float b);
/* n4 float4 elements (16 bytes each) */
clae_status bench_copy_cl(clae_device *d, cl_mem dst, cl_mem src, int n4);
/* k: device buffer of ksize floats */
clae_status blur_forward_cl(clae_device *d, cl_mem out, cl_mem in, cl_mem k, int ksize, int N,
                            int C, int H, int W);

/* ---- one entry per op: the implementation of d's backend (clae_device.be) --
 * Each checks what every backend shares, then dispatches once through its
 * family's table (src/host/ops/<op>.c); layers and the net call these.
 * Arguments as the twins above; an absent optional buffer (din of the first
 * layer, a bias) is a zeroed clae_buf. */
clae_status conv2d_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf w, clae_buf b,
                           const clae_conv_shape *g, clae_epi act);
clae_status conv2d_backward(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                            clae_buf dout, clae_buf in, clae_buf w, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf w,
                                     clae_buf b, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_backward(clae_device *d, clae_buf din, clae_buf dw, clae_buf db,
                                      clae_buf dout, clae_buf in, clae_buf w,
                                      const clae_conv_shape *g, clae_epi act);
clae_status maxpool_forward(clae_device *d, clae_buf out, clae_buf idx, clae_buf in,
                            const clae_conv_shape *g);
clae_status maxpool_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf idx, clae_buf in,
                             const clae_conv_shape *g, clae_epi act);
clae_status avgpool_forward(clae_device *d, clae_buf out, clae_buf in, const clae_conv_shape *g);
clae_status avgpool_backward(clae_device *d, clae_buf din, clae_buf dout,
                             const clae_conv_shape *g);
clae_status max_unpool_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf idx,
                               const clae_conv_shape *g);
clae_status max_unpool_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf idx,
                                const clae_conv_shape *g);
clae_status upsample_forward(clae_device *d, clae_upsample mode, clae_buf out, clae_buf in,
                             const clae_conv_shape *g);
clae_status upsample_backward(clae_device *d, clae_upsample mode, clae_buf din, clae_buf dout,
                              const clae_conv_shape *g);
clae_status act_forward(clae_device *d, clae_buf out, clae_buf in, size_t n, clae_act a,
                        float alpha);
clae_status act_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf out, size_t n,
                         clae_act a, float alpha);
clae_status loss_forward(clae_device *d, clae_loss kind, clae_buf loss, clae_buf y, clae_buf t,
                         size_t n);
clae_status loss_backward(clae_device *d, clae_loss kind, clae_buf dy, clae_buf y, clae_buf t,
                          size_t n);
clae_status loss_step(clae_device *d, clae_loss kind, clae_buf loss, clae_buf dy, clae_buf y,
                      clae_buf t, size_t n, clae_epi act);
clae_status adam_update(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g, size_t n,
                        const clae_adam *h, long t);
clae_status adamw_update(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g, size_t n,
                         size_t decay_from, const clae_adam *h, long t);
/* AdamW with the gradient scale hp[2] (grad_clip's; the device kernel also
 * takes lr_t and wd_lr from hp[0], hp[1], written by the caller). */
clae_status adamw_update_hp(clae_device *d, clae_buf p, clae_buf m, clae_buf v, clae_buf g,
                            size_t n, size_t decay_from, const clae_adam *h, long t, clae_buf hp);
clae_status grad_clip(clae_device *d, clae_buf g, size_t n, float clipnorm, clae_buf hp);
clae_status dense_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf w, clae_buf b,
                          int N, int I, int U, clae_epi act);
clae_status dense_backward(clae_device *d, clae_buf din, clae_buf dw, clae_buf db, clae_buf dout,
                           clae_buf in, clae_buf w, int N, int I, int U, clae_epi din_act);
clae_status add_forward(clae_device *d, clae_buf out, clae_buf a, clae_buf b, size_t n);
clae_status add_into(clae_device *d, clae_buf y, clae_buf x, size_t n);
/* batch normalization's forward pass: with training, the batch's statistics
 * (and the moving ones updated when run_mean is present), else the moving
 * ones; then y from x. Its backward pass after a training forward. */
clae_status batch_norm_forward(clae_device *d, clae_buf y, clae_buf x, clae_buf stats,
                               clae_buf gamma, clae_buf beta, clae_buf run_mean, clae_buf run_var,
                               int N, int C, int HW, const clae_batch_norm *p, int training);
clae_status batch_norm_backward(clae_device *d, clae_buf dx, clae_buf dgamma, clae_buf dbeta,
                                clae_buf stats, clae_buf dy, clae_buf x, clae_buf gamma, int N,
                                int C, int HW);
clae_status dropout_forward(clae_device *d, clae_buf out, clae_buf in, size_t n,
                            const clae_dropout *p);
clae_status dropout_backward(clae_device *d, clae_buf din, clae_buf dout, size_t n,
                             const clae_dropout *p);
clae_status gaussian_noise_forward(clae_device *d, clae_buf out, clae_buf in, size_t n,
                                   const clae_gaussian_noise *p);
clae_status sgd_update(clae_device *d, clae_buf p, clae_buf v, clae_buf g, size_t n,
                       const clae_sgd *h);
clae_status cifar_to_float(clae_device *d, clae_buf out, clae_buf records, int N, int C, int H,
                           int W);
clae_status gcn_minmax(clae_device *d, clae_buf x, int N, int P, float lo, float hi);
clae_status softmax_forward(clae_device *d, clae_buf out, clae_buf in, size_t rows, int K);
clae_status cce_step(clae_device *d, clae_buf loss, clae_buf dz, clae_buf p, clae_buf t,
                     size_t rows, int K);
clae_status labels_onehot(clae_device *d, clae_buf t, clae_buf records, int N, int K, int C,
                          int H, int W);
clae_status blur_forward(clae_device *d, clae_buf out, clae_buf in, clae_buf k, int ksize, int N,
                         int C, int H, int W);
clae_status penalty_sum(clae_device *d, clae_buf terms, int slot, float scale, clae_buf x,
                        size_t x_off, size_t n, clae_pen_f f);
clae_status loss_terms(clae_device *d, clae_buf loss, clae_buf terms, int nterms);
clae_status activity_l1_backward(clae_device *d, clae_buf dy, clae_buf y, size_t n, float scale);
clae_status sampling_forward(clae_device *d, clae_buf z, clae_buf aux, clae_buf x, int N, int L,
                             int HW, const clae_sampling *p, int training);
clae_status sampling_backward(clae_device *d, clae_buf dx, clae_buf dz, clae_buf x, clae_buf aux,
                              int N, int L, int HW, float w);
clae_status contractive_forward(clae_device *d, clae_buf terms, int slot, float scale, clae_buf h,
                                clae_buf w, int N, int I, int U);
clae_status contractive_backward(clae_device *d, clae_buf dz, clae_buf dw, float scale,
                                 clae_buf h, clae_buf w, int N, int I, int U);
/* n floats (bench_copy: a multiple of 4 on OpenCL, which copies float4s) */
clae_status bench_fma(clae_device *d, clae_buf out, int n, int iters, float a, float b);
clae_status bench_copy(clae_device *d, clae_buf dst, clae_buf src, size_t n);
/* The probes' sizes on d: FMA work-items, and bytes to copy (past the
 * last-level cache, within the device's largest allocation). */
void bench_sizes(const clae_device *d, int *fma_n, size_t *copy_bytes);

#endif
