/* Internal to conv2d and conv2d_transpose (not part of the op contract):
 * GEMM through CLBlast, and launchers for the column-lowering kernels in
 * src/kernels/conv2d.cl that turn a convolution into one GEMM per chunk of
 * images. */
#ifndef CLAE_OPS_GEMM_H
#define CLAE_OPS_GEMM_H

#include "clae/ops.h"

/* Largest scratch buffer one conv call asks for (also capped at the device's
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE); the batch is processed in chunks below it. */
#define CLAE_CONV_SCRATCH_MAX ((size_t)256 << 20)

/* C (M,N) = alpha * op(A) * op(B) + beta * C, all row-major with leading
 * dimensions lda/ldb/ldc and offsets in floats. op(A) is (M,Kd): A is stored
 * (M,Kd) when ta == 0 and (Kd,M) when ta == 1; op(B) is (Kd,N) likewise.
 * With beta == 0 CLBlast does not read C, so C may hold garbage (checked on
 * PoCL with C full of NaN, for both its direct and indirect GEMM kernels). */
clae_status clae_gemm(clae_device *d, int ta, int tb, size_t M, size_t N, size_t Kd, float alpha,
                      cl_mem A, size_t a_off, size_t lda, cl_mem B, size_t b_off, size_t ldb,
                      float beta, cl_mem C, size_t c_off, size_t ldc);

/* A lowering: an image (C channels, H x W) seen through an R x S window on a
 * P x Q grid; grid point (p,q), tap (r,s) reads pixel (p*sh+r-pt, q*sw+s-pl).
 * conv2d lowers its input on its output grid; conv2d_transpose its output
 * on its input grid. */
typedef struct clae_lowering {
    int C, H, W;
    int P, Q;
    int R, S, sh, sw, pt, pl;
} clae_lowering;

/* Fail with CLAE_ERR_SHAPE (one line naming op) unless every tensor of g
 * has at most INT_MAX elements (the kernels index with int). */
clae_status clae_conv_check(const clae_conv_shape *g, const char *op);
/* Images per chunk so that a scratch buffer of per_image floats per image
 * stays within CLAE_CONV_SCRATCH_MAX and the device's max allocation. */
clae_status clae_conv_chunk(clae_device *d, const char *op, size_t per_image, int N, int *Nc);

/* img (Nc,C,H,W) starting at float img_off -> col (C*R*S, Nc*P*Q) */
clae_status clae_im2col(clae_device *d, cl_mem col, cl_mem img, size_t img_off,
                        const clae_lowering *L, int Nc);
/* col (C*R*S, Nc*P*Q) -> img (Nc,C,H,W) at img_off = bias[c] (bias may be
 * NULL) + the sum of the column entries reading each pixel (a gather) */
clae_status clae_col2im(clae_device *d, cl_mem img, size_t img_off, cl_mem col, cl_mem bias,
                        const clae_lowering *L, int Nc);
/* src (Nc,C,HW) at src_off -> dst (C, Nc*HW) */
clae_status clae_to_cnhw(clae_device *d, cl_mem dst, cl_mem src, size_t src_off, int C, int HW,
                         int Nc);
/* src (C, Nc*HW) -> dst (Nc,C,HW) at dst_off, + bias[c] unless bias is NULL */
clae_status clae_from_cnhw(clae_device *d, cl_mem dst, size_t dst_off, cl_mem src, cl_mem bias,
                           int C, int HW, int Nc);
/* dout (N,K,HW) -> db (K) += sum over n and hw (deterministic reduction) */
clae_status clae_conv_bias_grad(clae_device *d, cl_mem db, cl_mem dout, int N, int K, int HW);

#endif
