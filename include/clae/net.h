/* A model bound to a device (or the reference path) at a batch size: the
 * activation and gradient buffers of every layer, the parameter blocks on
 * the device, and the training step
 *   zero grads -> forward -> MSE loss and its gradient -> backward -> Adam.
 * Everything is allocated once in clae_net_create; a step allocates nothing
 * and reads nothing back (the loss stays on the device until asked for). */
#ifndef CLAE_NET_H
#define CLAE_NET_H

#include "clae/device.h"
#include "clae/model.h"

typedef struct clae_net {
    clae_model *m;
    clae_device *d;
    int N;                 /* images the buffers hold (a step may use fewer) */
    int L;                 /* layers */
    clae_conv_shape *g;    /* per-layer geometry for the batch size of the last call */
    int g_n;               /* batch size g is built for */
    long t;                /* Adam steps taken */
    /* Reference path: act[0] input, act[i+1] output of layer i; grad[i]
     * the loss gradient w.r.t. act[i]; idx[i] maxpool indices of layer i. */
    float **h_act, **h_grad, *h_target, h_loss;
    int32_t **h_idx;
    /* OpenCL path, the same roles. */
    cl_mem *d_act, *d_grad, *d_idx, d_target, d_loss;
    cl_mem d_params, d_grads, d_m, d_v;  /* whole blocks (m->block_floats) */
    cl_mem *d_w, *d_b, *d_gw, *d_gb;     /* per-layer sub-buffers, NULL for pools */
} clae_net;

/* Allocate buffers for batches of up to N images and upload the model's
 * parameters and Adam moments (m->params, adam_m, adam_v; allocated by the caller). */
clae_status clae_net_create(clae_net *n, clae_model *m, clae_device *d, int N);
void clae_net_free(clae_net *n);

/* The input (act[0], (N,C,H,W)) and target ((N,C,H,W)) buffers. */
static inline float *clae_net_host_input(clae_net *n) { return n->h_act[0]; }
static inline cl_mem clae_net_dev_input(clae_net *n) { return n->d_act[0]; }

/* Forward nb <= N images of the input; the output is act[L]. */
clae_status clae_net_forward(clae_net *n, int nb);
/* MSE of act[L] against the target (loss into h_loss / d_loss) and its gradient. */
clae_status clae_net_loss(clae_net *n, int nb);
/* Backward through every layer: parameter gradients accumulate into the grads block. */
clae_status clae_net_backward(clae_net *n, int nb);
/* Clear the gradient block. */
clae_status clae_net_zero_grad(clae_net *n);
/* One Adam update over the whole parameter block (t += 1). */
clae_status clae_net_adam(clae_net *n);
/* zero_grad, forward, loss, backward, adam. */
clae_status clae_net_train_step(clae_net *n, int nb);

/* Read the last loss (blocking on the device path). */
clae_status clae_net_read_loss(clae_net *n, float *loss);
/* Copy parameters, gradients and Adam moments back into the model's host
 * blocks (no-op on the reference path, where they live there already). */
clae_status clae_net_download(clae_net *n);
/* Read nb images of the output act[L] into host memory. */
clae_status clae_net_read_output(clae_net *n, float *out, int nb);

#endif
