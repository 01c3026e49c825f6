/* The optimizer's options: learning-rate schedules against Keras's and
 * PyTorch's published definitions and wired into the training step; (with
 * them) decoupled weight decay and global gradient clipping. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "clae/schedule.h"
#include "testutil.h"

/* ---- schedules --------------------------------------------------------- */

static void check_factors(const char *what, const clae_schedule *s, const double *want, int n)
{
    float got[16], wantf[16];
    for (int k = 0; k < n; k++) {
        got[k] = (float)clae_schedule_factor(s, k);
        wantf[k] = (float)want[k];
    }
    ck_assert_close(what, got, wantf, (size_t)n, TOL_HAND_ABS, TOL_HAND_REL);
}

/* Keras CosineDecay(initial_learning_rate=0, warmup_target=1,
 * warmup_steps=2, decay_steps=5, alpha=0.1), steps 0..8:
 *   warm-up: step / 2 = 0, 0.5
 *   then k = step - 2, min(k, 5): (1 - 0.1) * (1 + cos(pi k / 5)) / 2 + 0.1
 *   cos(pi/5) = 0.80901699, cos(2pi/5) = 0.30901699 (and their negatives):
 *   k=0: 1; k=1: 0.9 * 0.90450850 + 0.1 = 0.91405765; k=2: 0.9 * 0.65450850
 *   + 0.1 = 0.68905765; k=3: 0.9 * 0.34549150 + 0.1 = 0.41094235;
 *   k=4: 0.9 * 0.09549150 + 0.1 = 0.18594235; k>=5: 0.1 (Keras holds it;
 *   PyTorch CosineAnnealingLR's closed form, eta_min = 0.1, agrees to T_max). */
static const double COSINE[9] = {0, 0.5, 1, 0.91405765, 0.68905765, 0.41094235, 0.18594235,
                                 0.1, 0.1};
/* PyTorch StepLR(step_size=3, gamma=0.5), steps 0..7: 0.5^floor(step / 3) */
static const double STEP[8] = {1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25};
/* Keras ExponentialDecay(1, decay_steps=3, decay_rate=0.5): 0.5^(step / 3);
 * 0.5^(1/3) = 0.79370053, 0.5^(2/3) = 0.62996052 */
static const double EXPONENTIAL[8] = {1, 0.79370053, 0.62996052, 0.5, 0.39685026, 0.31498026,
                                      0.25, 0.19842513};

START_TEST(test_schedule_definitions)
{
    clae_schedule s = {.kind = CLAE_SCHED_COSINE, .warmup_steps = 2, .decay_steps = 5,
                       .alpha = 0.1};
    check_factors("cosine with warm-up (Keras CosineDecay)", &s, COSINE, 9);
    s = (clae_schedule){.kind = CLAE_SCHED_STEP, .decay_steps = 3, .decay_rate = 0.5};
    check_factors("step (PyTorch StepLR)", &s, STEP, 8);
    s.kind = CLAE_SCHED_EXPONENTIAL;
    check_factors("exponential (Keras ExponentialDecay)", &s, EXPONENTIAL, 8);
    /* PyTorch ExponentialLR(gamma=0.5): decay_steps 1 */
    s.decay_steps = 1;
    ck_assert(clae_schedule_factor(&s, 3) == 0.125);
    /* constant: exactly 1 (the rate as it was), and after a warm-up of 4 */
    s = (clae_schedule){.kind = CLAE_SCHED_CONSTANT, .decay_steps = 1000, .decay_rate = 0.1};
    ck_assert(clae_schedule_is_constant(&s));
    for (long k = 0; k < 10; k++) ck_assert(clae_schedule_factor(&s, k) == 1.0);
    s.warmup_steps = 4;
    ck_assert(!clae_schedule_is_constant(&s));
    ck_assert(clae_schedule_factor(&s, 1) == 0.25 && clae_schedule_factor(&s, 4) == 1.0);
}
END_TEST

enum { NB = 2, STEPS = 5 };

/* Where the steps run: k = 0 the reference path, 1 the device command by
 * command, 2 the device replaying its recorded step (where it can record:
 * what GPUs do; NULL where it cannot). */
static int g_replay = -1; /* the device's own choice, put back after each test */

static clae_device *dev_for(int k, clae_device *ref)
{
    clae_device *d = k ? tu_device() : ref;
    if (g_replay < 0) g_replay = tu_device()->replay;
    if (k == 2 && !d->cb.create) return NULL;
    if (k) d->replay = k == 2;
    return d;
}

static void load_init(clae_model *m, const char *cfg)
{
    ck_assert_int_eq(clae_model_load(cfg, m), CLAE_OK);
    clae_rng rng;
    clae_rng_seed(&rng, 99);
    ck_assert_int_eq(clae_model_init(m, &rng), CLAE_OK);
}

/* A run's steps with [train] schedule take lr times the schedule's factor:
 * the same as steps whose [net] lr is set to that rate by hand, bit for
 * bit, on the reference path and on the device (Adam's recorded step reads
 * its rate from the device; SGD's steps are not recorded then). */
START_TEST(test_schedule_drives_the_step)
{
    const char *cfg = _i ? "tests/models/sgd.cfg" : "configs/denoiser.cfg";
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    for (int k = 0; k < 3; k++) {
        clae_device *dk = dev_for(k, &ref);
        if (!dk) continue;
        clae_device *devs[3] = {dk, dk, dk};
        clae_model ma, mb;
        load_init(&ma, cfg);
        load_init(&mb, cfg);
        ma.train.sched = (clae_schedule){.kind = CLAE_SCHED_STEP, .warmup_steps = 1,
                                         .decay_steps = 1, .decay_rate = 0.5};
        const float lr = ma.net.adam.lr;
        size_t cnt = NB * clae_model_in_count(&ma);
        uint64_t seed = 5;
        float *in = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed);
        float *target = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed);
        clae_net na, nb;
        ck_assert_int_eq(clae_net_create(&na, &ma, devs[k], NB), CLAE_OK);
        ck_assert_int_eq(clae_net_create(&nb, &mb, devs[k], NB), CLAE_OK);
        clae_net *nets[2] = {&na, &nb};
        for (int j = 0; j < 2; j++) {
            ck_assert_int_eq(clae_buf_write(devs[k], nets[j]->act[0], in, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(devs[k], nets[j]->target, target, cnt * 4), CLAE_OK);
        }
        for (int s = 0; s < STEPS; s++) {
            /* warm-up 1: step 0 at 0, then 0.5^(s - 1) */
            mb.net.adam.lr = s == 0 ? 0.0f : (float)((double)lr * pow(0.5, s - 1));
            ck_assert_int_eq(clae_net_train_step(&na, NB), CLAE_OK);
            ck_assert_int_eq(clae_net_train_step(&nb, NB), CLAE_OK);
        }
        ck_assert_int_eq(clae_net_download(&na), CLAE_OK);
        ck_assert_int_eq(clae_net_download(&nb), CLAE_OK);
        size_t bytes = ma.block_floats * sizeof(float);
        ck_assert_msg(memcmp(ma.params, mb.params, bytes) == 0 &&
                          memcmp(ma.adam_m, mb.adam_m, bytes) == 0,
                      "%s %s: scheduled steps differ from steps at the same rates",
                      devs[k]->name, cfg);
        ck_assert_msg(memcmp(ma.params, mb.params, bytes) == 0, "params");
        printf("  %s%s %s: %d scheduled steps bit-identical to steps at those rates\n",
               devs[k]->name, k == 2 ? " (replayed)" : "", cfg, STEPS);
        clae_net_free(&na);
        clae_net_free(&nb);
        clae_model_free(&ma);
        clae_model_free(&mb);
        free(in), free(target);
    }
    tu_device()->replay = g_replay;
    clae_device_close(&ref);
}
END_TEST

/* ---- weight decay and clipping in the step ----------------------------- */

/* STEPS steps of tests/models/freeze.cfg (its first layers frozen) from
 * the same weights over one batch, with AdamW's decay, a schedule and
 * global clipping at clipnorm (0: off): the parameter block after them. */
static float *train_optim(clae_device *d, float clipnorm, float wd, size_t *nf, size_t *from)
{
    clae_model m;
    load_init(&m, "tests/models/freeze.cfg");
    m.net.adam.weight_decay = wd;
    m.net.clipnorm = clipnorm;
    m.train.sched = (clae_schedule){.kind = CLAE_SCHED_COSINE, .warmup_steps = 1,
                                    .decay_steps = 3, .alpha = 0.1};
    float *init = malloc(m.block_floats * sizeof(float));
    ck_assert_ptr_nonnull(init);
    memcpy(init, m.params, m.block_floats * sizeof(float));
    size_t cnt = NB * clae_model_in_count(&m);
    uint64_t seed = 9;
    float *in = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, d, NB), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(d, n.act[0], in, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(d, n.target, in, cnt * 4), CLAE_OK);
    for (int s = 0; s < STEPS; s++) ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
    ck_assert_uint_gt(n.decay_from, 0);
    /* the frozen layers keep their weights: no decay there */
    ck_assert_mem_eq(m.params, init, n.decay_from * sizeof(float));
    ck_assert(memcmp(m.params, init, m.block_floats * sizeof(float)) != 0);
    *nf = m.block_floats;
    *from = n.decay_from;
    float *out = init;
    memcpy(out, m.params, m.block_floats * sizeof(float));
    clae_net_free(&n);
    clae_model_free(&m);
    free(in);
    return out;
}

/* On the reference path and the device: the device's steps agree with the
 * reference's; a clipping norm far above the gradient's changes no bit; a
 * small one and the decay change the weights. */
START_TEST(test_decay_and_clip_drive_the_step)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    float *runs[3][4] = {{NULL}};
    size_t nf = 0, from = 0;
    clae_device *devs[3];
    for (int k = 0; k < 3; k++) {
        if (!(devs[k] = dev_for(k, &ref))) continue;
        runs[k][0] = train_optim(devs[k], 0.0f, 0.0f, &nf, &from);  /* plain Adam */
        runs[k][1] = train_optim(devs[k], 1e30f, 0.0f, &nf, &from); /* clipping a no-op */
        runs[k][2] = train_optim(devs[k], 1e-3f, 0.0f, &nf, &from); /* clipped */
        runs[k][3] = train_optim(devs[k], 1e-3f, 0.05f, &nf, &from); /* and decayed */
        const size_t bytes = nf * sizeof(float);
        ck_assert_msg(memcmp(runs[k][0], runs[k][1], bytes) == 0,
                      "%s: clipping at 1e30 changed the step", devs[k]->name);
        ck_assert_msg(memcmp(runs[k][0], runs[k][2], bytes) != 0, "%s: clipping did nothing",
                      devs[k]->name);
        ck_assert_msg(memcmp(runs[k][2], runs[k][3], bytes) != 0, "%s: weight decay did nothing",
                      devs[k]->name);
        printf("  %s%s: frozen layers kept, clip 1e30 bit-identical to none, clip and decay "
               "change the weights\n", devs[k]->name, k == 2 ? " (replayed)" : "");
    }
    static const char *what[4] = {"adam", "adam, clip 1e30", "adam, clip 1e-3",
                                  "adamw 0.05, clip 1e-3"};
    for (int k = 1; k < 3; k++)
        for (int j = 0; j < 4 && runs[k][j]; j++) {
            char w[96];
            snprintf(w, sizeof w, "%s: device%s vs reference after %d steps", what[j],
                     k == 2 ? " (replayed)" : "", STEPS);
            ck_assert_close(w, runs[k][j], runs[0][j], nf, TOL_SUM_ABS, TOL_SUM_REL);
        }
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 4; j++) free(runs[k][j]);
    tu_device()->replay = g_replay;
    clae_device_close(&ref);
}
END_TEST

static Suite *optim_suite(void)
{
    Suite *s = suite_create("optim");
    TCase *tc = tu_tcase("optim", 300, 0);
    tcase_add_test(tc, test_schedule_definitions);
    tcase_add_loop_test(tc, test_schedule_drives_the_step, 0, 2);
    tcase_add_test(tc, test_decay_and_clip_drive_the_step);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(optim_suite()); }
