/* The training step over a model's layers; see include/clae/net.h. */
#include "clae/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t in_count(const clae_net *n, int i)  /* per image, input of layer i */
{
    return i == 0 ? clae_model_in_count(n->m) : clae_layer_out_count(&n->m->layers[i - 1]);
}

static clae_status shapes_for(clae_net *n, int nb)
{
    if (nb < 1 || nb > n->N) {
        fprintf(stderr, "clae: batch of %d images does not fit buffers for %d\n", nb, n->N);
        return CLAE_ERR_ARG;
    }
    if (n->g_n != nb) {
        CLAE_TRY(clae_model_shapes(n->m, nb, n->g));
        n->g_n = nb;
    }
    return CLAE_OK;
}

static clae_status sub_buffer(cl_mem block, size_t off_floats, size_t count, cl_mem *out)
{
    cl_buffer_region reg = {off_floats * sizeof(float), count * sizeof(float)};
    cl_int err;
    *out = clCreateSubBuffer(block, CL_MEM_READ_WRITE, CL_BUFFER_CREATE_TYPE_REGION, &reg, &err);
    CL_CHECK_RET("clCreateSubBuffer", err);
    return CLAE_OK;
}

/* What create_device is about to allocate, against the device's memory and
 * its largest allocation, before any of it is: a batch that does not fit is
 * one line here, not an abort inside the driver at first use (PoCL allocates
 * lazily). Half the device's memory is left for the trainer's upload slots,
 * the convolutions' scratch buffers and the driver. */
static clae_status fits_device(const clae_net *n)
{
    const clae_device *d = n->d;
    const clae_model *m = n->m;
    cl_ulong global = 0, max_alloc = 0;
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global, &global, NULL));
    CL_CHECK(clGetDeviceInfo(d->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc,
                             &max_alloc, NULL));
    double total = 0, largest = 0;
    for (int i = 0; i <= n->L; i++) {
        double b = (double)n->N * (double)in_count(n, i) * sizeof(float);
        total += i > 0 ? 2 * b : b; /* activation (and its gradient) */
        if (b > largest) largest = b;
        if (i < n->L && m->layers[i].type == CLAE_LAYER_MAXPOOL)
            total += (double)n->N * (double)in_count(n, i + 1) * sizeof(int32_t);
    }
    total += (double)n->N * (double)in_count(n, n->L) * sizeof(float); /* target */
    total += 4.0 * (double)m->block_floats * sizeof(float); /* params, grads, Adam m, v */
    if ((double)m->block_floats * sizeof(float) > largest)
        largest = (double)m->block_floats * sizeof(float);
    if (total > 0.5 * (double)global || largest > (double)max_alloc) {
        fprintf(stderr, "clae: a batch of %d needs %.0f MiB of device memory (largest buffer "
                "%.0f MiB); %s has %.0f MiB (largest buffer %.0f MiB), half of it usable: use a "
                "smaller batch\n",
                n->N, total / 1048576.0, largest / 1048576.0, d->name, (double)global / 1048576.0,
                (double)max_alloc / 1048576.0);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

static clae_status create_device(clae_net *n)
{
    clae_device *d = n->d;
    clae_model *m = n->m;
    int L = n->L;
    CLAE_TRY(clae_model_check_align(m, d->align_bytes));
    CLAE_TRY(fits_device(n));
    n->d_act = calloc((size_t)L + 1, sizeof(cl_mem));
    n->d_grad = calloc((size_t)L + 1, sizeof(cl_mem));
    n->d_idx = calloc((size_t)L, sizeof(cl_mem));
    n->d_w = calloc((size_t)L, sizeof(cl_mem));
    n->d_b = calloc((size_t)L, sizeof(cl_mem));
    n->d_gw = calloc((size_t)L, sizeof(cl_mem));
    n->d_gb = calloc((size_t)L, sizeof(cl_mem));
    if (!n->d_act || !n->d_grad || !n->d_idx || !n->d_w || !n->d_b || !n->d_gw || !n->d_gb)
        return CLAE_ERR_NOMEM;
    for (int i = 0; i <= L; i++) {
        size_t bytes = (size_t)n->N * in_count(n, i) * sizeof(float);
        CLAE_TRY(clae_buffer(d, bytes, &n->d_act[i]));
        if (i > 0) CLAE_TRY(clae_buffer(d, bytes, &n->d_grad[i]));
    }
    CLAE_TRY(clae_buffer(d, (size_t)n->N * in_count(n, L) * sizeof(float), &n->d_target));
    CLAE_TRY(clae_buffer(d, sizeof(float), &n->d_loss));
    for (int i = 0; i < L; i++)
        if (m->layers[i].type == CLAE_LAYER_MAXPOOL)
            CLAE_TRY(clae_buffer(d, (size_t)n->N * in_count(n, i + 1) * sizeof(int32_t),
                                 &n->d_idx[i]));
    size_t bytes = m->block_floats * sizeof(float);
    CLAE_TRY(clae_buffer(d, bytes, &n->d_params));
    CLAE_TRY(clae_buffer(d, bytes, &n->d_grads));
    CLAE_TRY(clae_buffer(d, bytes, &n->d_m));
    CLAE_TRY(clae_buffer(d, bytes, &n->d_v));
    CLAE_TRY(clae_write(d, n->d_params, m->params, bytes));
    CLAE_TRY(clae_write(d, n->d_m, m->adam_m, bytes));
    CLAE_TRY(clae_write(d, n->d_v, m->adam_v, bytes));
    CLAE_TRY(clae_fill0(d, n->d_grads, bytes));
    for (int i = 0; i < L; i++) {
        const clae_layer *l = &m->layers[i];
        if (l->weight < 0) continue;
        const clae_tensor *w = &m->tensors[l->weight], *b = &m->tensors[l->bias];
        CLAE_TRY(sub_buffer(n->d_params, w->offset, w->count, &n->d_w[i]));
        CLAE_TRY(sub_buffer(n->d_params, b->offset, b->count, &n->d_b[i]));
        CLAE_TRY(sub_buffer(n->d_grads, w->offset, w->count, &n->d_gw[i]));
        CLAE_TRY(sub_buffer(n->d_grads, b->offset, b->count, &n->d_gb[i]));
    }
    return CLAE_OK;
}

static clae_status create_host(clae_net *n)
{
    int L = n->L;
    n->h_act = calloc((size_t)L + 1, sizeof(float *));
    n->h_grad = calloc((size_t)L + 1, sizeof(float *));
    n->h_idx = calloc((size_t)L, sizeof(int32_t *));
    if (!n->h_act || !n->h_grad || !n->h_idx) return CLAE_ERR_NOMEM;
    for (int i = 0; i <= L; i++) {
        size_t cnt = (size_t)n->N * in_count(n, i);
        n->h_act[i] = calloc(cnt, sizeof(float));
        if (!n->h_act[i]) return CLAE_ERR_NOMEM;
        if (i > 0 && !(n->h_grad[i] = calloc(cnt, sizeof(float)))) return CLAE_ERR_NOMEM;
    }
    n->h_target = calloc((size_t)n->N * in_count(n, L), sizeof(float));
    if (!n->h_target) return CLAE_ERR_NOMEM;
    for (int i = 0; i < L; i++)
        if (n->m->layers[i].type == CLAE_LAYER_MAXPOOL &&
            !(n->h_idx[i] = calloc((size_t)n->N * in_count(n, i + 1), sizeof(int32_t))))
            return CLAE_ERR_NOMEM;
    return CLAE_OK;
}

clae_status clae_net_create(clae_net *n, clae_model *m, clae_device *d, int N)
{
    memset(n, 0, sizeof *n);
    n->m = m;
    n->d = d;
    n->N = N;
    n->L = m->nlayers;
    if (N < 1 || !m->params) return CLAE_ERR_ARG;
    n->g = calloc((size_t)n->L, sizeof *n->g);
    if (!n->g) return CLAE_ERR_NOMEM;
    clae_status st = shapes_for(n, N);
    if (st == CLAE_OK) st = d->is_ref ? create_host(n) : create_device(n);
    if (st == CLAE_ERR_NOMEM) fprintf(stderr, "clae: out of memory for a batch of %d\n", N);
    if (st != CLAE_OK) clae_net_free(n);
    return st;
}

static void release_all(cl_mem *a, int k)
{
    if (!a) return;
    for (int i = 0; i < k; i++)
        if (a[i]) clReleaseMemObject(a[i]);
    free(a);
}

void clae_net_free(clae_net *n)
{
    int L = n->L;
    if (n->h_act)
        for (int i = 0; i <= L; i++) free(n->h_act[i]);
    if (n->h_grad)
        for (int i = 0; i <= L; i++) free(n->h_grad[i]);
    if (n->h_idx)
        for (int i = 0; i < L; i++) free(n->h_idx[i]);
    free(n->h_act);
    free(n->h_grad);
    free(n->h_idx);
    free(n->h_target);
    /* sub-buffers before their parents */
    release_all(n->d_w, L);
    release_all(n->d_b, L);
    release_all(n->d_gw, L);
    release_all(n->d_gb, L);
    release_all(n->d_act, L + 1);
    release_all(n->d_grad, L + 1);
    release_all(n->d_idx, L);
    cl_mem singles[] = {n->d_target, n->d_loss, n->d_params, n->d_grads, n->d_m, n->d_v};
    for (size_t i = 0; i < sizeof singles / sizeof singles[0]; i++)
        if (singles[i]) clReleaseMemObject(singles[i]);
    free(n->g);
    memset(n, 0, sizeof *n);
}

/* ---- forward ------------------------------------------------------------ */

static clae_status forward_ref(clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    const clae_conv_shape *g = &n->g[i];
    float *in = n->h_act[i], *out = n->h_act[i + 1];
    const float *P = n->m->params;
    switch (l->type) {
    case CLAE_LAYER_CONV2D:
        conv2d_forward_ref(out, in, P + n->m->tensors[l->weight].offset,
                           P + n->m->tensors[l->bias].offset, g);
        break;
    case CLAE_LAYER_CONV2D_TRANSPOSE:
        conv2d_transpose_forward_ref(out, in, P + n->m->tensors[l->weight].offset,
                                     P + n->m->tensors[l->bias].offset, g);
        break;
    case CLAE_LAYER_MAXPOOL: maxpool_forward_ref(out, n->h_idx[i], in, g); break;
    case CLAE_LAYER_AVGPOOL: avgpool_forward_ref(out, in, g); break;
    }
    if (l->act != CLAE_ACT_NONE)
        act_forward_ref(out, out, (size_t)g->N * g->K * g->P * g->Q, l->act);
    return CLAE_OK;
}

static clae_status forward_cl(clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    const clae_conv_shape *g = &n->g[i];
    cl_mem in = n->d_act[i], out = n->d_act[i + 1];
    switch (l->type) {
    case CLAE_LAYER_CONV2D:
        CLAE_TRY(conv2d_forward_cl(n->d, out, in, n->d_w[i], n->d_b[i], g));
        break;
    case CLAE_LAYER_CONV2D_TRANSPOSE:
        CLAE_TRY(conv2d_transpose_forward_cl(n->d, out, in, n->d_w[i], n->d_b[i], g));
        break;
    case CLAE_LAYER_MAXPOOL: CLAE_TRY(maxpool_forward_cl(n->d, out, n->d_idx[i], in, g)); break;
    case CLAE_LAYER_AVGPOOL: CLAE_TRY(avgpool_forward_cl(n->d, out, in, g)); break;
    }
    if (l->act != CLAE_ACT_NONE)
        CLAE_TRY(act_forward_cl(n->d, out, out, (size_t)g->N * g->K * g->P * g->Q, l->act));
    return CLAE_OK;
}

clae_status clae_net_forward(clae_net *n, int nb)
{
    CLAE_TRY(shapes_for(n, nb));
    for (int i = 0; i < n->L; i++) CLAE_TRY(n->d->is_ref ? forward_ref(n, i) : forward_cl(n, i));
    return CLAE_OK;
}

clae_status clae_net_loss(clae_net *n, int nb)
{
    size_t cnt = (size_t)nb * in_count(n, n->L);
    if (n->d->is_ref) {
        mse_forward_ref(&n->h_loss, n->h_act[n->L], n->h_target, cnt);
        mse_backward_ref(n->h_grad[n->L], n->h_act[n->L], n->h_target, cnt);
        return CLAE_OK;
    }
    CLAE_TRY(mse_forward_cl(n->d, n->d_loss, n->d_act[n->L], n->d_target, cnt));
    return mse_backward_cl(n->d, n->d_grad[n->L], n->d_act[n->L], n->d_target, cnt);
}

/* ---- backward ----------------------------------------------------------- */

static clae_status backward_ref(clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    const clae_conv_shape *g = &n->g[i];
    float *dout = n->h_grad[i + 1], *din = i > 0 ? n->h_grad[i] : NULL;
    const float *in = n->h_act[i];
    clae_model *m = n->m;
    if (l->act != CLAE_ACT_NONE)
        act_backward_ref(dout, dout, n->h_act[i + 1], (size_t)g->N * g->K * g->P * g->Q, l->act);
    switch (l->type) {
    case CLAE_LAYER_CONV2D:
    case CLAE_LAYER_CONV2D_TRANSPOSE: {
        size_t wo = m->tensors[l->weight].offset, bo = m->tensors[l->bias].offset;
        if (l->type == CLAE_LAYER_CONV2D)
            conv2d_backward_ref(din, m->grads + wo, m->grads + bo, dout, in, m->params + wo, g);
        else
            conv2d_transpose_backward_ref(din, m->grads + wo, m->grads + bo, dout, in,
                                          m->params + wo, g);
        break;
    }
    case CLAE_LAYER_MAXPOOL:
        if (din) maxpool_backward_ref(din, dout, n->h_idx[i], g);
        break;
    case CLAE_LAYER_AVGPOOL:
        if (din) avgpool_backward_ref(din, dout, g);
        break;
    }
    return CLAE_OK;
}

static clae_status backward_cl(clae_net *n, int i)
{
    const clae_layer *l = &n->m->layers[i];
    const clae_conv_shape *g = &n->g[i];
    clae_device *d = n->d;
    cl_mem dout = n->d_grad[i + 1], din = i > 0 ? n->d_grad[i] : NULL, in = n->d_act[i];
    if (l->act != CLAE_ACT_NONE)
        CLAE_TRY(act_backward_cl(d, dout, dout, n->d_act[i + 1],
                                 (size_t)g->N * g->K * g->P * g->Q, l->act));
    switch (l->type) {
    case CLAE_LAYER_CONV2D:
        return conv2d_backward_cl(d, din, n->d_gw[i], n->d_gb[i], dout, in, n->d_w[i], g);
    case CLAE_LAYER_CONV2D_TRANSPOSE:
        return conv2d_transpose_backward_cl(d, din, n->d_gw[i], n->d_gb[i], dout, in, n->d_w[i],
                                            g);
    case CLAE_LAYER_MAXPOOL:
        return din ? maxpool_backward_cl(d, din, dout, n->d_idx[i], g) : CLAE_OK;
    case CLAE_LAYER_AVGPOOL:
        return din ? avgpool_backward_cl(d, din, dout, g) : CLAE_OK;
    }
    return CLAE_OK;
}

clae_status clae_net_backward(clae_net *n, int nb)
{
    CLAE_TRY(shapes_for(n, nb));
    for (int i = n->L - 1; i >= 0; i--)
        CLAE_TRY(n->d->is_ref ? backward_ref(n, i) : backward_cl(n, i));
    return CLAE_OK;
}

clae_status clae_net_zero_grad(clae_net *n)
{
    size_t bytes = n->m->block_floats * sizeof(float);
    if (n->d->is_ref) {
        memset(n->m->grads, 0, bytes);
        return CLAE_OK;
    }
    return clae_fill0(n->d, n->d_grads, bytes);
}

clae_status clae_net_adam(clae_net *n)
{
    clae_model *m = n->m;
    n->t++;
    if (n->d->is_ref) {
        adam_update_ref(m->params, m->adam_m, m->adam_v, m->grads, m->block_floats,
                        &m->net.adam, n->t);
        return CLAE_OK;
    }
    return adam_update_cl(n->d, n->d_params, n->d_m, n->d_v, n->d_grads, m->block_floats,
                          &m->net.adam, n->t);
}

clae_status clae_net_train_step(clae_net *n, int nb)
{
    CLAE_TRY(clae_net_zero_grad(n));
    CLAE_TRY(clae_net_forward(n, nb));
    CLAE_TRY(clae_net_loss(n, nb));
    CLAE_TRY(clae_net_backward(n, nb));
    return clae_net_adam(n);
}

clae_status clae_net_read_loss(clae_net *n, float *loss)
{
    if (n->d->is_ref) {
        *loss = n->h_loss;
        return CLAE_OK;
    }
    return clae_read(n->d, n->d_loss, loss, sizeof *loss);
}

clae_status clae_net_download(clae_net *n)
{
    if (n->d->is_ref) return CLAE_OK;
    size_t bytes = n->m->block_floats * sizeof(float);
    CLAE_TRY(clae_read(n->d, n->d_params, n->m->params, bytes));
    CLAE_TRY(clae_read(n->d, n->d_grads, n->m->grads, bytes));
    CLAE_TRY(clae_read(n->d, n->d_m, n->m->adam_m, bytes));
    return clae_read(n->d, n->d_v, n->m->adam_v, bytes);
}

clae_status clae_net_read_output(clae_net *n, float *out, int nb)
{
    size_t bytes = (size_t)nb * in_count(n, n->L) * sizeof(float);
    if (n->d->is_ref) {
        memcpy(out, n->h_act[n->L], bytes);
        return CLAE_OK;
    }
    return clae_read(n->d, n->d_act[n->L], out, bytes);
}
