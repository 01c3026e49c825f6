/* clae selftest: three training steps of the denoiser (configs/denoiser.cfg's
 * layers, built in) on the device and on the reference path from the same
 * weights and batches: every weight tensor within 10% of how far the
 * reference moved it, as scripts/compare-checkpoints.py judges whole runs;
 * and, on a device with command buffers, the same steps recorded and
 * replayed against the same steps enqueued one by one, bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "selftest/selftest_int.h"

static const char DENOISER[] =
    "[net]\ninput = 32,32,3\noptimizer = adam\nlr = 0.001\nloss = mse\n"
    "[conv2d]\nfilters = 8\nsize = 3\npadding = same\nactivation = relu\n"
    "[maxpool]\nsize = 2\n"
    "[conv2d]\nfilters = 16\nsize = 3\npadding = same\nactivation = relu\n"
    "[maxpool]\nsize = 2\n"
    "[conv2d_transpose]\nfilters = 16\nsize = 3\nstride = 2\npadding = same\nactivation = relu\n"
    "[conv2d_transpose]\nfilters = 16\nsize = 3\nstride = 2\npadding = same\nactivation = relu\n"
    "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = sigmoid\n";

enum { STEPS = 3 };
#define MOVE_TOL 0.10 /* of the reference's movement, as compare-checkpoints.py */

/* One run: the model, its weights before and after, the losses. */
typedef struct train_run {
    clae_model m;
    float *init;
    float loss[STEPS];
} train_run;

/* STEPS steps on d from the seed-1234 weights, batches of nb drawn from a
 * generator seeded with batch_seed (the same for every run); replay: 1 or
 * 0 forces recording on or off. */
static clae_status run_steps(clae_device *d, int nb, uint64_t batch_seed, int replay,
                             train_run *r)
{
    memset(r, 0, sizeof *r);
    CLAE_TRY(clae_model_parse_string(DENOISER, "the built-in denoiser", &r->m));
    clae_rng rng;
    clae_rng_seed(&rng, 1234);
    CLAE_TRY(clae_model_init(&r->m, &rng));
    const size_t bytes = r->m.block_floats * sizeof(float);
    if (!(r->init = malloc(bytes))) return CLAE_ERR_NOMEM;
    memcpy(r->init, r->m.params, bytes);
    const size_t cnt = (size_t)nb * clae_model_in_count(&r->m);
    float *in = malloc(cnt * sizeof *in), *target = malloc(cnt * sizeof *target);
    clae_net n;
    clae_status st = in && target ? clae_net_create(&n, &r->m, d, nb) : CLAE_ERR_NOMEM;
    if (st != CLAE_OK) {
        free(in), free(target);
        return st;
    }
    const int keep = d->replay;
    d->replay = replay; /* read only where the device records (cb.create) */
    n.rec_off = !replay;
    clae_rng_seed(&rng, batch_seed);
    for (int s = 0; s < STEPS && st == CLAE_OK; s++) {
        for (size_t i = 0; i < cnt; i++) target[i] = clae_rng_uniform(&rng);
        for (size_t i = 0; i < cnt; i++) in[i] = 0.5f * (target[i] + clae_rng_uniform(&rng));
        st = clae_buf_write(d, n.act[0], in, cnt * sizeof *in);
        if (st == CLAE_OK) st = clae_buf_write(d, n.target, target, cnt * sizeof *target);
        if (st == CLAE_OK) st = clae_net_train_step(&n, nb);
        if (st == CLAE_OK) st = clae_net_read_loss(&n, &r->loss[s]);
    }
    if (st == CLAE_OK) st = clae_net_download(&n);
    d->replay = keep;
    clae_net_free(&n);
    free(in), free(target);
    return st;
}

static void run_free(train_run *r)
{
    free(r->init);
    clae_model_free(&r->m);
}

/* A row per weight tensor: how far the device's run is from the
 * reference's, as a fraction of how far the reference moved it. */
static void compare_runs(st_ctx *c, const train_run *ref, const train_run *dev, int nb)
{
    char what[96], tol[24];
    snprintf(tol, sizeof tol, "%.0f%% of move", 100.0 * MOVE_TOL);
    for (int s = 0; s < STEPS; s++) {
        const double a = dev->loss[s], b = ref->loss[s], err = fabs(a - b);
        snprintf(what, sizeof what, "train batch %d: loss of step %d", nb, s + 1);
        st_row_value(c, what, err, "1e-04+2e-03|x|",
                     err <= TOL_MODEL_ABS + TOL_MODEL_REL * fmax(fabs(a), fabs(b)));
    }
    for (int t = 0; t < ref->m.ntensors; t++) {
        const clae_tensor *T = &ref->m.tensors[t];
        double moved = 0.0, off = 0.0;
        for (size_t j = T->offset; j < T->offset + T->count; j++) {
            moved = fmax(moved, fabs((double)ref->m.params[j] - ref->init[j]));
            const double e = fabs((double)dev->m.params[j] - ref->m.params[j]);
            off = isnan(e) ? INFINITY : fmax(off, e);
        }
        const double frac = moved > 0.0 ? off / moved : INFINITY;
        snprintf(what, sizeof what, "train batch %d, %d steps: %s", nb, STEPS, T->name);
        st_row_value(c, what, frac, tol, frac <= MOVE_TOL);
    }
}

void st_train_cases(st_ctx *c)
{
    const int nb = c->o->quick ? 4 : 16;
    const uint64_t batch_seed = clae_rng_next(&c->rng);
    train_run ref, dev, rep;
    char what[96];
    snprintf(what, sizeof what, "train batch %d, %d steps", nb, STEPS);
    if (run_steps(&c->ref, nb, batch_seed, 0, &ref) != CLAE_OK) {
        st_row_failed(c, what, "the reference path failed");
        run_free(&ref);
        return;
    }
    if (run_steps(c->dut, nb, batch_seed, 0, &dev) != CLAE_OK)
        st_row_failed(c, what, "the device failed");
    else
        compare_runs(c, &ref, &dev, nb);
    if (c->dut->cb.create) {
        snprintf(what, sizeof what, "train batch %d, %d steps replayed vs enqueued", nb, STEPS);
        if (run_steps(c->dut, nb, batch_seed, 1, &rep) != CLAE_OK) {
            st_row_failed(c, what, "the device failed");
        } else {
            size_t bad = 0;
            const size_t bytes = rep.m.block_floats * sizeof(float);
            for (size_t j = 0; j < bytes && dev.m.params; j++)
                bad += ((unsigned char *)rep.m.params)[j] != ((unsigned char *)dev.m.params)[j];
            bad += memcmp(rep.loss, dev.loss, sizeof rep.loss) != 0;
            st_row_value(c, what, (double)bad, "bit for bit", bad == 0);
        }
        run_free(&rep);
    } else {
        fprintf(c->o->out, "  (no command buffers on this device: nothing replayed)\n");
    }
    run_free(&dev);
    run_free(&ref);
}
