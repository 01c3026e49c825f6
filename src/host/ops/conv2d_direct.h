/* Internal to conv2d and conv2d_transpose (not part of the op contract):
 * direct-convolution variants (src/kernels/conv2d_direct.cl, one program
 * per shape and pass, built on first use and cached in the device) and the
 * rule choosing them over im2col + GEMM. The *_direct functions take the
 * same arguments as the *_cl ops in include/clae/ops.h and keep their
 * semantics (backward writes din, adds into dw and db; NULL skips). */
#ifndef CLAE_OPS_CONV2D_DIRECT_H
#define CLAE_OPS_CONV2D_DIRECT_H

#include "clae/ops.h"

/* 1 when conv2d (transpose = 0) or conv2d_transpose (transpose = 1) of
 * shape g should run the direct kernels on d: $CLAE_CONV=direct always,
 * gemm never, auto (default): kernels up to 7x7, on CPU devices for any
 * channel count, on other devices for at most 32 input and output channels. */
int clae_conv_use_direct(const clae_device *d, const clae_conv_shape *g, int transpose);

clae_status conv2d_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b,
                                  const clae_conv_shape *g, clae_epi act);
clae_status conv2d_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                                   cl_mem in, cl_mem w, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w,
                                            cl_mem b, const clae_conv_shape *g, clae_epi act);
clae_status conv2d_transpose_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db,
                                             cl_mem dout, cl_mem in, cl_mem w,
                                             const clae_conv_shape *g, clae_epi act);

#endif
