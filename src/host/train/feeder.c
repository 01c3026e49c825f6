/* The batch feeder of the training scheduler: a batch's uint8 records
 * gathered on the host into one of two staging slots and uploaded on their
 * own queue while the device runs the previous step, then converted to the
 * net's target and corrupted into its input; see internal.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/image.h"
#include "internal.h"

clae_status feeder_init(feeder *f, clae_net *net, const clae_model *m, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->net = net;
    clae_device *d = f->d = net->d;
    f->B = net->N;
    f->C = m->net.C, f->H = m->net.H, f->W = m->net.W;
    f->P = (size_t)f->C * f->H * f->W, f->R = 1 + f->P;
    f->seed = seed;
    CLAE_TRY(clae_corrupt_from_config(&m->train, &f->cor));
    f->blur = f->cor.kind == CLAE_CORRUPT_BLUR; /* on the device; the others on the host */
    f->ksize = f->cor.blur_size;
    f->host_corrupt = !f->blur && f->cor.kind != CLAE_CORRUPT_NONE;
    size_t bytes = (size_t)f->B * f->R, cnt = (size_t)f->B * f->P;
    for (int k = 0; k < 2; k++) {
        if (!(f->stage[k] = calloc(bytes, 1))) return CLAE_ERR_NOMEM;
        CLAE_TRY(clae_buf_mirror(d, f->stage[k], bytes, &f->rec[k]));
    }
    if (f->host_corrupt) {
        if (!(f->h_clean = malloc(cnt * sizeof(float)))) return CLAE_ERR_NOMEM;
        for (int k = 0; k < 2; k++) {
            if (!(f->h_input[k] = calloc(cnt, sizeof(float)))) return CLAE_ERR_NOMEM;
            CLAE_TRY(clae_buf_mirror(d, f->h_input[k], cnt * sizeof(float), &f->input[k]));
        }
    }
    if (f->blur) {
        if (f->ksize < 1 || f->ksize > 63 || f->ksize % 2 == 0) {
            fprintf(stderr, "clae: %s: blur_size must be odd and at most 63\n", m->name);
            return CLAE_ERR_ARG;
        }
        clae_gaussian_kernel(f->kern, f->ksize, f->cor.blur_sigma);
        CLAE_TRY(clae_buf_mirror(d, f->kern, sizeof(float) * (size_t)f->ksize, &f->kbuf));
    }
    return clae_queue_create(d, &f->upq);
}

void feeder_free(feeder *f)
{
    clae_queue_release(f->upq);
    for (int k = 0; k < 2; k++) {
        if (f->write_ev[k]) clReleaseEvent(f->write_ev[k]);
        if (f->conv_ev[k]) clReleaseEvent(f->conv_ev[k]);
        clae_buf_free(&f->rec[k]);
        clae_buf_free(&f->input[k]);
        free(f->stage[k]);
        free(f->h_input[k]);
    }
    clae_buf_free(&f->kbuf);
    free(f->h_clean);
    memset(f, 0, sizeof *f);
}

clae_status feeder_prepare(feeder *f, int k, const clae_dataset *ds, size_t base,
                           const uint32_t *idx, int nb, uint64_t key)
{
    CLAE_TRY(clae_event_wait(&f->write_ev[k])); /* the stage is free once its upload is done */
    for (int i = 0; i < nb; i++) {
        size_t r = base + (idx ? idx[i] : (size_t)i);
        memcpy(f->stage[k] + (size_t)i * f->R, clae_dataset_record(ds, r), f->R);
    }
    if (f->host_corrupt) {
        clae_rng r;
        clae_rng_seed(&r, f->seed ^ (key * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
        clae_records_to_float(f->h_clean, f->stage[k], nb, f->C, f->H, f->W);
        clae_norm_apply(&f->net->m->train.norm, f->h_clean, nb, f->P, NULL);
        CLAE_TRY(clae_corrupt_apply(f->h_input[k], f->h_clean, nb, f->C, f->H, f->W, &f->cor, &r));
    }
    /* after slot k's last conversion; the input upload follows the records on the same queue */
    cl_uint nwait = f->conv_ev[k] ? 1 : 0;
    CLAE_TRY(clae_buf_write_async(f->d, f->upq, f->rec[k], f->stage[k],
                                  (size_t)nb * f->R, nwait, &f->conv_ev[k],
                                  &f->write_ev[k]));
    if (f->host_corrupt) {
        if (f->write_ev[k]) clReleaseEvent(f->write_ev[k]);
        CLAE_TRY(clae_buf_write_async(f->d, f->upq, f->input[k], f->h_input[k],
                                      (size_t)nb * f->P * sizeof(float), nwait,
                                      &f->conv_ev[k], &f->write_ev[k]));
    }
    return clae_flush(f->d, f->upq);
}

/* [train] normalize on the device, x (nb images) in place. */
static clae_status feeder_normalize(feeder *f, clae_buf x, int nb)
{
    const clae_normalize *nz = &f->net->m->train.norm;
    if (nz->kind == CLAE_NORM_NONE) return CLAE_OK;
    return gcn_minmax(f->d, x, nb, (int)f->P, nz->lo, nz->hi);
}

clae_status feeder_consume(feeder *f, int k, int nb)
{
    clae_net *n = f->net;
    clae_device *d = f->d;
    CLAE_TRY(clae_wait_on(d, f->write_ev[k]));
    if (n->m->train.labels) { /* a classifier: clean images in, one-hot labels as targets */
        CLAE_TRY(cifar_to_float(d, n->act[0], f->rec[k], nb, f->C, f->H, f->W));
        CLAE_TRY(feeder_normalize(f, n->act[0], nb));
        CLAE_TRY(labels_onehot(d, n->target, f->rec[k], nb,
                               clae_layer_out_count(&n->m->layers[n->L - 1]), f->C, f->H, f->W));
        return clae_marker(d, &f->conv_ev[k]);
    }
    CLAE_TRY(cifar_to_float(d, n->target, f->rec[k], nb, f->C, f->H, f->W));
    CLAE_TRY(feeder_normalize(f, n->target, nb)); /* the target; corruption follows */
    if (f->blur)
        CLAE_TRY(blur_forward(d, n->act[0], n->target, f->kbuf, f->ksize, nb, f->C, f->H, f->W));
    else
        CLAE_TRY(clae_buf_copy(d, n->act[0], 0, f->host_corrupt ? f->input[k] : n->target, 0,
                               (size_t)nb * f->P * sizeof(float)));
    /* slot k's device buffers are free for the next upload after this point */
    return clae_marker(d, &f->conv_ev[k]);
}
