/* A model bound to a device (or the reference path) at a batch size: the
 * activation and gradient buffers of every layer, the parameter blocks on
 * the device, and the training step
 *   zero grads -> forward -> MSE loss and its gradient -> backward -> Adam.
 * Everything is allocated once in clae_net_create; a step allocates nothing
 * and reads nothing back (the loss stays on the device until asked for). */
#ifndef CLAE_NET_H
#define CLAE_NET_H

#include "clae/device.h"
#include "clae/layer.h"
#include "clae/model.h"

typedef struct clae_net {
    clae_model *m;
    clae_device *d;
    int N;                 /* images the buffers hold (a step may use fewer) */
    int L;                 /* layers */
    clae_conv_shape *g;    /* per-layer geometry for the batch size of the last call */
    int g_n;               /* batch size g is built for */
    long t;                /* Adam steps taken */
    int training;          /* inside clae_net_train_step (dropout drops) */
    uint64_t seed;         /* the run's seed (dropout's masks) */
    /* act[0] the input, act[i+1] layer i's output; grad[i] the loss
     * gradient w.r.t. act[i] (grad[0] absent); aux[i] layer i's auxiliary
     * buffer (maxpool's indices); target; loss (1 float). */
    clae_buf *act, *grad, *aux, target, loss;
    clae_buf params, grads, adam_m, adam_v; /* whole blocks (m->block_floats) */
    clae_buf *w, *b, *gw, *gb;              /* per-layer views of them, absent for pools */
    clae_buf *state;       /* state[2 * i + s]: layer i's state tensor s in params (absent: none) */
    clae_buf terms;        /* the loss's terms (CLAE_NTERMS floats, clae/layer.h), absent when
                              the model has no penalty: loss = their sum */
    clae_buf *pend;        /* pend[j]: gradient for act[j] from a later residual add, added to
                              grad[j] once layer j's backward has written it (absent if none) */
    /* The training step recorded once as a command buffer and replayed
     * (devices with cl_khr_command_buffer): one recording per batch size
     * seen last (a full batch and an epoch's short last one), recorded
     * again when a buffer or kernel it holds was replaced (its gen behind
     * the device's) or the learning rate changed. */
    struct clae_net_recording {
        clae_recording r;
        int nb;
        unsigned long gen;
        float lr;
    } rec[2];
    int rec_next;          /* the slot the next recording replaces */
    int rec_off;           /* a step could not be recorded (dropout, CLBlast): none are */
    /* Called between the backward pass and the update of every training
     * step (NULL: none), e.g. to average the gradient block over the ranks
     * of a data-parallel run; a net with a hook is never recorded. */
    clae_status (*grad_hook)(struct clae_net *n, void *user);
    void *grad_user;
    clae_buf lr_t;         /* Adam's step for the replayed or clipped update (3 floats: the
                              step size, lr * weight_decay, the gradient scale; adam.cl) */
    float lr_host[4][3];   /* its values in flight to the device, and their writes */
    cl_event lr_ev[4];
    size_t decay_from;     /* AdamW decays the block from here ([train] freeze's layers first) */
    /* A model with branches (m->nbranches > 0) runs one path at a time:
     * the trunk, then the layers of branch `branch` (clae_net_set_branch);
     * the first of them takes the trunk's output. A step's update touches
     * only that path's tensors: range[0] the trunk's, range[1 + k] branch
     * k's (views of the four blocks; count 0: no tensors). Steps of such a
     * net are never recorded. */
    int branch;
    struct clae_net_range {
        size_t from, count;   /* floats of the blocks */
        size_t frozen;        /* the first of them [train] freeze keeps */
        clae_buf p, g, m, v;
    } range[1 + CLAE_MAX_BRANCHES];
} clae_net;

/* The path a model with branches runs from now on: the trunk, then branch
 * k's layers (0 <= k < m->nbranches; CLAE_ERR_ARG otherwise). */
clae_status clae_net_set_branch(clae_net *n, int k);
/* The path's layers in order: how many, and the p-th's index. */
int clae_net_path_len(const clae_net *n);
int clae_net_path_layer(const clae_net *n, int p);
/* The layer before (after) layer i on the path, -1 at its start (end). */
int clae_net_path_prev(const clae_net *n, int i);
int clae_net_path_next(const clae_net *n, int i);
/* Whether a training step computes layer i's input gradient: only where a layer before it
 * on the path has parameters to train (not the first layer's, not through a flatten or a
 * noise layer to the input, not into the layers [train] freeze keeps). */
int clae_net_din_needed(const clae_net *n, int i);
/* Which act[] (and grad[]) slot holds layer i's input: i, or for a
 * branch's first layer the trunk's output; and the path's output's slot. */
int clae_net_in_slot(const clae_net *n, int i);
int clae_net_out_slot(const clae_net *n);
/* Whether layer i's output slot is a view of its input slot (a views_input
 * kind reading the slot before it): no buffer and no pass of its own. */
int clae_net_out_is_view(const clae_net *n, int i);

/* Allocate buffers for batches of up to N images and upload the model's
 * parameters and Adam moments (m->params, adam_m, adam_v; allocated by the caller). */
clae_status clae_net_create(clae_net *n, clae_model *m, clae_device *d, int N);
void clae_net_free(clae_net *n);
/* Device memory of the net's buffers: those that grow with the batch
 * (activations, their gradients, pool indices, residual gradients, the
 * target), the parameter blocks (parameters, gradients, Adam moments), and
 * the largest single buffer. Scratch buffers and upload slots not counted. */
void clae_net_memory(const clae_net *n, double *batch_bytes, double *param_bytes,
                     double *largest);


/* Layer i's buffers and geometry, as its kind's forward and backward take
 * them (what the training step runs; `clae bench` times the same). */
clae_layer_run clae_net_layer_run(clae_net *n, int i);
/* ... with the activations the step fuses: the forward pass's own (kinds
 * with fuses_act), the backward pass's derivative of the layer before's
 * (fuses_din_act, where no residual gradient joins it). */
clae_layer_run clae_net_forward_run(clae_net *n, int i);
clae_layer_run clae_net_backward_run(clae_net *n, int i);
/* Whether the step runs layer i's activation as a pass of its own: forward,
 * and backward (never for the last layer, whose derivative the loss takes). */
int clae_net_act_fwd_separate(const clae_net *n, int i);
int clae_net_act_bwd_separate(const clae_net *n, int i);
/* Whether the model adds loss terms to the reconstruction loss (activity_l1,
 * a sampling layer's KL, a contractive penalty): clae_net.terms is there. */
int clae_model_has_terms(const clae_model *m);
/* Which terms it has, bit k for CLAE_TERM k (the reconstruction always). */
unsigned clae_model_term_mask(const clae_model *m);
/* Layer i's activation as a pass of its own, on its output (softmax over
 * each sample's values, else elementwise). */
clae_status clae_net_act_forward(clae_net *n, int i);
/* Forward nb <= N images of the input; the output is act[L]. With terms,
 * the penalties of the pass are in n->terms (slot 0 until clae_net_loss). */
clae_status clae_net_forward(clae_net *n, int nb);
/* The same from layer `first` on, its input act[first] already written
 * (a VAE's decoder from a code: first = the sampling layer + 1). */
clae_status clae_net_forward_from(clae_net *n, int first, int nb);
/* The loss of act[L] against the target (into loss) and its gradient through
 * the last layer's activation, in one pass; with terms, the reconstruction
 * loss moves to terms[CLAE_TERM_RECON] and loss becomes the sum of the terms. */
clae_status clae_net_loss(clae_net *n, int nb);
/* Backward through every layer: parameter gradients accumulate into the grads block. */
clae_status clae_net_backward(clae_net *n, int nb);
/* Clear the gradient block. */
clae_status clae_net_zero_grad(clae_net *n);
/* One optimizer step over the whole parameter block (Adam, or SGD with its
 * velocity in the adam_m block; t += 1). */
clae_status clae_net_update(clae_net *n);
/* zero_grad, forward, loss, backward, adam. On a device with command
 * buffers the first step of each batch size is recorded, and every step is
 * a replay of its recording: the same kernels with the same arguments,
 * enqueued at once (n->rec). */
clae_status clae_net_train_step(clae_net *n, int nb);

/* Read the last loss (blocking on the device path). */
clae_status clae_net_read_loss(clae_net *n, float *loss);
/* Copy parameters, gradients and Adam moments back into the model's host
 * blocks (no-op on the reference path, where they live there already). */
clae_status clae_net_download(clae_net *n);
/* Inference on host images: in (nb,C,H,W) into the input, forward, and
 * the output into out (nb,C,H,W). */
clae_status clae_net_infer(clae_net *n, const float *in, float *out, int nb);
/* Read nb images of the output act[L] into host memory. */
clae_status clae_net_read_output(clae_net *n, float *out, int nb);

/* Fused passes of the training step (src/host/net_fuse.c; clae/ops.h's
 * conv2d_pool and conv2d_loss): whether layer i (a conv2d) runs with the
 * max-pool i + 1 as one pass, and the layer whose backward takes the loss
 * (-1: none), where the net runs a training step (n->training; the other
 * passes never fuse); then running them (r: the layer's backward run). */
int clae_net_pool_fused(const clae_net *n, int i);
int clae_net_loss_fused(const clae_net *n);
clae_status clae_net_pool_forward(clae_net *n, int i);
clae_status clae_net_pool_backward(clae_net *n, const clae_layer_run *r);
clae_status clae_net_loss_backward(clae_net *n, const clae_layer_run *r);

#endif
