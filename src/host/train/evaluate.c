/* Validation and test passes: forward and loss over a span of a dataset
 * in file order, with PSNR and accuracy from the outputs read back. */
#include <math.h>

#include "clae/image.h"
#include "clae/metrics.h"
#include "internal.h"

static void val_metrics_add(val_metrics *vm, const feeder *f, const uint8_t *records, int nb)
{
    if (vm->classes) { /* a classifier: the largest of the K outputs against the label */
        for (int i = 0; i < nb; i++) {
            const float *o = vm->out + (size_t)i * vm->classes;
            int best = 0;
            for (int k = 1; k < vm->classes; k++) best = o[k] > o[best] ? k : best;
            vm->correct += best == records[(size_t)i * f->R];
        }
        vm->pixels += (size_t)nb; /* accuracy: correct of images */
        vm->images += (size_t)nb;
        return;
    }
    clae_records_to_float(vm->target, records, nb, f->C, f->H, f->W);
    clae_norm_apply(&f->net->m->train.norm, vm->target, nb, f->P, NULL); /* as fed */
    for (int i = 0; i < nb; i++) {
        size_t o = (size_t)i * f->P;
        vm->psnr_sum += clae_psnr_from_mse(clae_mse(vm->out + o, vm->target + o, f->P));
    }
    vm->correct += clae_argmax_equal(vm->out, vm->target, nb, f->C, f->H, f->W);
    vm->pixels += (size_t)nb * f->H * f->W;
    vm->images += (size_t)nb;
}

clae_status evaluate_pass(feeder *f, loss_history *hs, const clae_dataset *ds, size_t base,
                          size_t count, double *mse, val_metrics *vm)
{
    clae_net *n = f->net;
    int B = f->B;
    long steps = (long)((count + (size_t)B - 1) / (size_t)B);
    if (count == 0) {
        *mse = NAN;
        return CLAE_OK;
    }
    /* evaluation batches draw the same corruption every time: keys from 2^62 on */
    const uint64_t key0 = (uint64_t)1 << 62;
    CLAE_TRY(feeder_prepare(f, 0, ds, base, NULL, (int)(count < (size_t)B ? count : (size_t)B),
                            key0 + base));
    for (long s = 0; s < steps; s++) {
        int k = (int)(s % 2);
        int nb = (int)(count - (size_t)s * B < (size_t)B ? count - (size_t)s * B : (size_t)B);
        CLAE_TRY(feeder_consume(f, k, nb));
        CLAE_TRY(clae_net_forward(n, nb));
        CLAE_TRY(clae_net_loss(n, nb));
        CLAE_TRY(loss_history_put(hs, n, s));
        if (vm) { /* slot k's records stay until the prepare two batches on */
            CLAE_TRY(clae_net_read_output(n, vm->out, nb));
            val_metrics_add(vm, f, f->stage[k], nb);
        }
        const int stop = f->stop && *f->stop; /* no batch left in flight */
        if (s + 1 < steps && !stop) {
            size_t nxt = base + (size_t)(s + 1) * B;
            size_t left = count - (size_t)(s + 1) * B;
            CLAE_TRY(feeder_prepare(f, 1 - k, ds, nxt, NULL,
                                    (int)(left < (size_t)B ? left : (size_t)B), key0 + nxt));
        }
        CLAE_TRY(clae_flush(f->d, NULL));
        if (stop) return CLAE_ERR_INTERRUPTED;
    }
    double sum;
    CLAE_TRY(loss_history_sum(hs, f->d, 0, steps, NULL, count, B, 0.0, NULL, &sum));
    *mse = sum / (double)count;
    return CLAE_OK;
}
