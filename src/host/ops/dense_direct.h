/* Internal to the dense op (not part of the op contract): the direct
 * kernels of the fully connected layer (src/kernels/dense.cl) and the rule
 * choosing them over CLBlast's GEMM. The *_direct functions take the same
 * arguments as dense_forward_cl / dense_backward_cl in include/clae/ops.h
 * and keep their semantics (backward writes din, adds into dw and db; NULL
 * skips). */
#ifndef CLAE_OPS_DENSE_DIRECT_H
#define CLAE_OPS_DENSE_DIRECT_H

#include "clae/ops.h"

/* 1 when a dense layer of batch N, I inputs and U units should run the
 * direct kernels on d: $CLAE_DENSE=direct always (where the kernels' loops
 * fit the device's loop budget), gemm never, auto (default): on CPU
 * devices, not on others (src/host/ops/dense_direct.c says why). */
int clae_dense_use_direct(const clae_device *d, int N, int I, int U);

clae_status dense_forward_direct(clae_device *d, cl_mem out, cl_mem in, cl_mem w, cl_mem b, int N,
                                 int I, int U, clae_epi act);
clae_status dense_backward_direct(clae_device *d, cl_mem din, cl_mem dw, cl_mem db, cl_mem dout,
                                  cl_mem in, cl_mem w, int N, int I, int U, clae_epi din_act);
/* dst (C,R) = src (R,C)^T (dense.cl's dense_transpose; twin dense_transpose_ref). */
clae_status dense_transpose_cl(clae_device *d, cl_mem dst, cl_mem src, int R, int C);
/* 1 when the direct input gradient of batch N over U units runs as a forward pass on the
 * transposed weights (dense_backward_direct): a long U, a batch worth the transposition. */
int clae_dense_din_by_transpose(int N, int U);

#endif
