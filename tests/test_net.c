/* Whole-model check: the denoiser from configs/denoiser.cfg (and the
 * max-unpooling, nearest, bilinear and bed-of-nails upsampling ones), one forward + backward +
 * Adam step on a fixed random batch, on the OpenCL device and on the
 * reference path; loss, every parameter gradient and the updated weights
 * must agree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "ops/dense_direct.h"
#include "testutil.h"

enum { NB = 2 }; /* batch > 1, small enough for oclgrind */

/* The first four also run under oclgrind (scripts/check-kernels-sim.sh), on
 * both convolution paths: every kind of layer among them at least once. */
static const char *CONFIGS[] = {"configs/denoiser.cfg", "configs/unpool-ae.cfg",
                                "tests/models/upsample.cfg", "tests/models/dense.cfg",
                                "configs/conv-ae-upsampling.cfg", "tests/models/sgd.cfg",
                                "tests/models/dropout.cfg", "tests/models/batchnorm.cfg"};
enum { NSIM = 4, NCONFIGS = 8 };
static const char *g_config = "configs/denoiser.cfg";

static void load_init(clae_model *m)
{
    ck_assert_int_eq(clae_model_load(g_config, m), CLAE_OK);
    clae_rng rng;
    clae_rng_seed(&rng, 1234);
    ck_assert_int_eq(clae_model_init(m, &rng), CLAE_OK);
}

/* Smooth images: something a few steps of training can fit. */
static void fill_smooth(float *x, size_t cnt)
{
    for (size_t i = 0; i < cnt; i++) {
        size_t px = i % 1024, c = (i / 1024) % 3;
        x[i] = 0.5f + 0.4f * sinf((float)(px % 32) / 5.0f + (float)c) * cosf((float)(px / 32) / 7.0f);
    }
}

static void fill_batch(float *in, float *target, size_t cnt)
{
    uint64_t seed = 99;
    tu_rand(target, cnt, 0.0f, 1.0f, &seed);
    tu_rand(in, cnt, 0.0f, 1.0f, &seed);
}

START_TEST(test_net_step_cl_vs_ref)
{
    g_config = CONFIGS[_i];
    printf("  %s\n", g_config);
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *dev = tu_device();
    clae_model mr, mc;
    load_init(&mr);
    load_init(&mc);
    size_t cnt = NB * clae_model_in_count(&mr);
    float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
    fill_batch(in, target, cnt);

    clae_net nr, nc;
    ck_assert_int_eq(clae_net_create(&nr, &mr, &ref, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_create(&nc, &mc, dev, NB), CLAE_OK);
    memcpy(nr.act[0].h, in, cnt * sizeof(float));
    memcpy(nr.target.h, target, cnt * sizeof(float));
    ck_assert_int_eq(clae_write(dev, nc.act[0].d, in, cnt * sizeof(float)), CLAE_OK);
    ck_assert_int_eq(clae_write(dev, nc.target.d, target, cnt * sizeof(float)), CLAE_OK);

    ck_assert_int_eq(clae_net_train_step(&nr, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_train_step(&nc, NB), CLAE_OK);
    float lr_, lc;
    ck_assert_int_eq(clae_net_read_loss(&nr, &lr_), CLAE_OK);
    ck_assert_int_eq(clae_net_read_loss(&nc, &lc), CLAE_OK);
    ck_assert_int_eq(clae_net_download(&nc), CLAE_OK);
    ck_assert(lr_ > 0.01f && lr_ < 1.0f);
    ck_assert_close("denoiser loss", &lc, &lr_, 1, TOL_MODEL_ABS, TOL_MODEL_REL);

    float *out_r = tu_alloc0(cnt), *out_c = tu_alloc0(cnt);
    ck_assert_int_eq(clae_net_read_output(&nr, out_r, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_read_output(&nc, out_c, NB), CLAE_OK);
    ck_assert_close("denoiser output", out_c, out_r, cnt, TOL_MODEL_ABS, TOL_MODEL_REL);

    for (int t = 0; t < mr.ntensors; t++) {
        const clae_tensor *T = &mr.tensors[t];
        char what[80];
        if (clae_tensor_is_state(T)) { /* moved by the forward pass, not by gradients */
            snprintf(what, sizeof what, "state %s", T->name);
            ck_assert_close(what, mc.params + T->offset, mr.params + T->offset, T->count,
                            TOL_MODEL_ABS, TOL_MODEL_REL);
            continue;
        }
        snprintf(what, sizeof what, "grad %s", T->name);
        float gmax = 0.0f;
        for (size_t j = 0; j < T->count; j++) gmax = fmaxf(gmax, fabsf(mr.grads[T->offset + j]));
        ck_assert_msg(gmax > 0.0f, "%s: all gradients zero", T->name);
        ck_assert_close(what, mc.grads + T->offset, mr.grads + T->offset, T->count,
                        TOL_MODEL_SCALED * gmax, TOL_MODEL_REL);
        /* Adam's first step moves every weight by about lr * sign(g), so a
         * weight whose gradient is within tolerance of zero may move either
         * way; compare the updated values where the gradient sign is clear. */
        float *pr = malloc(T->count * sizeof(float)), *pc = malloc(T->count * sizeof(float));
        size_t k = 0;
        for (size_t j = 0; j < T->count; j++) {
            float g = mr.grads[T->offset + j];
            if (fabsf(g) > 10.0f * (float)TOL_MODEL_SCALED * gmax) {
                pr[k] = mr.params[T->offset + j];
                pc[k] = mc.params[T->offset + j];
                k++;
            }
        }
        ck_assert_msg(k > 0, "%s: no gradient clear of zero", T->name);
        snprintf(what, sizeof what, "updated %s (%zu of %zu)", T->name, k, T->count);
        ck_assert_close(what, pc, pr, k, TOL_ELEM_ABS, TOL_ELEM_REL);
        free(pr);
        free(pc);
    }
    clae_net_free(&nr);
    clae_net_free(&nc);
    clae_model_free(&mr);
    clae_model_free(&mc);
    free(in), free(target), free(out_r), free(out_c);
}
END_TEST

/* Training a few steps on one batch lowers the loss (both paths). */
START_TEST(test_net_loss_falls)
{
    g_config = CONFIGS[_i];
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *devs[2] = {&ref, tu_device()};
    for (int k = 0; k < 2; k++) {
        clae_model m;
        load_init(&m);
        size_t cnt = NB * clae_model_in_count(&m);
        float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
        fill_smooth(target, cnt);
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m, devs[k], NB), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.act[0], target, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.target, target, cnt * 4), CLAE_OK);
        float first = 0, last = 0;
        for (int s = 0; s < 30; s++) {
            ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
            ck_assert_int_eq(clae_net_read_loss(&n, s == 0 ? &first : &last), CLAE_OK);
        }
        printf("  %s: loss %.5f -> %.5f after 30 steps\n", devs[k]->name, first, last);
        ck_assert_msg(last < 0.95f * first, "loss did not fall: %g -> %g", first, last);
        clae_net_free(&n);
        clae_model_free(&m);
        free(in), free(target);
    }
}
END_TEST

/* A recorded step (devices with cl_khr_command_buffer) replays exactly what
 * the step enqueued command by command would run: two nets from the same
 * weights, one replaying and one with recording off, agree bit for bit in
 * every loss, parameter and Adam moment over steps of two batch sizes (two
 * recordings, the second made again), past the four-slot ring of Adam's
 * step sizes. A net with dropout (per-step masks), or with a dense layer
 * on the GEMM path (CLBlast enqueues on its own), is never recorded. */
START_TEST(test_net_replay_matches_unrecorded)
{
    static const char *cfgs[] = {"configs/denoiser.cfg", "tests/models/sgd.cfg",
                                 "tests/models/dense.cfg", "tests/models/dropout.cfg",
                                 "configs/unpool-ae.cfg", "configs/sparse-ae.cfg",
                                 "tests/models/penalties.cfg"};
    /* dense: where its layers (192 -> 16 -> 192) take the direct kernels,
     * not CLBlast; dropout and sampling: per-step draws; sparse-ae's
     * activity_l1 term is recorded with the rest */
    clae_device *d0 = tu_device();
    const int dense_rec = clae_dense_use_direct(d0, NB, 192, 16) &&
                          clae_dense_use_direct(d0, NB, 16, 192);
    const int recordable[] = {1, 1, dense_rec, 0, 1, 1, 0};
    g_config = cfgs[_i];
    clae_device *dev = tu_device();
    clae_model ma, mb;
    load_init(&ma);
    load_init(&mb);
    clae_net na, nb;
    ck_assert_int_eq(clae_net_create(&na, &ma, dev, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_create(&nb, &mb, dev, NB), CLAE_OK);
    na.rec_off = 1; /* command by command */
    int replay = dev->replay;
    dev->replay = 1; /* on CPU devices too, where it is off by default */
    size_t cnt = NB * clae_model_in_count(&ma);
    float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
    static const int sizes[] = {NB, NB, 1, 1, NB, 1, NB, NB, 1};
    enum { STEPS = sizeof sizes / sizeof sizes[0] };
    unsigned long r0 = dev->replays;
    uint64_t seed = 7;
    for (int s = 0; s < STEPS; s++) {
        tu_rand(in, cnt, 0.0f, 1.0f, &seed);
        tu_rand(target, cnt, 0.0f, 1.0f, &seed);
        clae_net *nets[2] = {&na, &nb};
        float loss[2];
        for (int k = 0; k < 2; k++) {
            ck_assert_int_eq(clae_buf_write(dev, nets[k]->act[0], in, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(dev, nets[k]->target, target, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_net_train_step(nets[k], sizes[s]), CLAE_OK);
            ck_assert_int_eq(clae_net_read_loss(nets[k], &loss[k]), CLAE_OK);
        }
        ck_assert_msg(memcmp(&loss[0], &loss[1], sizeof(float)) == 0,
                      "%s step %d: loss %.9g unrecorded, %.9g replayed", g_config, s, loss[0],
                      loss[1]);
    }
    ck_assert_int_eq(clae_net_download(&na), CLAE_OK);
    ck_assert_int_eq(clae_net_download(&nb), CLAE_OK);
    size_t bytes = ma.block_floats * sizeof(float);
    ck_assert(memcmp(ma.params, mb.params, bytes) == 0);
    ck_assert(memcmp(ma.adam_m, mb.adam_m, bytes) == 0);
    ck_assert(memcmp(ma.adam_v, mb.adam_v, bytes) == 0);
    ck_assert(memcmp(ma.grads, mb.grads, bytes) == 0);
    ck_assert_int_eq(na.t, nb.t);
    dev->replay = replay;
    unsigned long replays = dev->replays - r0;
    printf("  %s: %d steps, %lu replayed (%s), bit-identical to unrecorded\n", g_config, STEPS,
           replays, dev->cb.create ? "device has command buffers" : "no command buffers");
    /* CLAE_CONV=gemm (test_net_gemm): every convolution is CLBlast's; a
     * loop limit (test_net_looplimit) sends some of them there */
    int rec = recordable[_i] && dev->conv_path != CLAE_CONV_GEMM;
    if (dev->loop_limit > 0 && dev->cb.create && !nb.rec_off) ck_assert(rec);
    if (dev->loop_limit > 0) rec = rec && !nb.rec_off;
    ck_assert_uint_eq(replays, dev->cb.create && rec ? STEPS : 0);
    ck_assert_int_eq(nb.rec_off, dev->cb.create ? !rec : 0);
    clae_net_free(&na);
    clae_net_free(&nb);
    clae_model_free(&ma);
    clae_model_free(&mb);
    free(in), free(target);
}
END_TEST

/* [train] freeze = NAME: five steps on the reference path and on the device;
 * the frozen layers' tensors stay bit-identical (even from nonzero Adam
 * moments, which the net clears for them), the others move. */
START_TEST(test_net_freeze)
{
    g_config = "tests/models/freeze.cfg";
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *devs[2] = {&ref, tu_device()};
    for (int k = 0; k < 2; k++) {
        clae_model m;
        load_init(&m);
        ck_assert_int_eq(m.train.freeze, 1);
        for (size_t i = 0; i < m.block_floats; i++) /* a resumed run's moments */
            m.adam_m[i] = 0.01f, m.adam_v[i] = 1e-4f;
        float *before = tu_alloc0(m.block_floats);
        memcpy(before, m.params, m.block_floats * sizeof(float));
        size_t cnt = NB * clae_model_in_count(&m);
        float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt);
        fill_batch(in, target, cnt);
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m, devs[k], NB), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.act[0], in, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.target, target, cnt * 4), CLAE_OK);
        for (int s = 0; s < 5; s++) ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
        ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
        for (int t = 0; t < m.ntensors; t++) {
            const clae_tensor *T = &m.tensors[t];
            int same = memcmp(before + T->offset, m.params + T->offset,
                              T->count * sizeof(float)) == 0;
            printf("  %s: %s %s\n", devs[k]->name, T->name, same ? "unchanged" : "trained");
            ck_assert_int_eq(same, T->layer <= 1);
        }
        clae_net_free(&n);
        clae_model_free(&m);
        free(before), free(in), free(target);
    }
    g_config = "configs/denoiser.cfg";
}
END_TEST

/* An input gradient only where a trainable layer comes before (clae_net_din_needed): not
 * the dense layer's after a flatten at the input, not into the layers [train] freeze
 * keeps. A device step leaves the skipped gradient's buffer as it was (a NaN sentinel). */
START_TEST(test_net_din_needed)
{
    static const struct {
        const char *cfg;
        int want[4];
    } cases[] = {{"tests/models/dense.cfg", {0, 0, 1, 1}},   /* flatten, dense, dense, reshape */
                 {"tests/models/freeze.cfg", {0, 0, 0, 1}}}; /* freeze = its layer 1 */
    for (int c = 0; c < 2; c++) {
        g_config = cases[c].cfg;
        clae_model m;
        load_init(&m);
        ck_assert_int_eq(m.nlayers, 4);
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m, tu_device(), NB), CLAE_OK);
        for (int i = 0; i < 4; i++) ck_assert_int_eq(clae_net_din_needed(&n, i), cases[c].want[i]);
        if (c == 0) { /* grad[1]: the first dense layer's input gradient; grad[2]: the next's */
            const size_t cnt = NB * clae_model_in_count(&m), cnt2 = NB * 16;
            float *in = tu_alloc0(cnt), *target = tu_alloc0(cnt), *g = tu_alloc0(cnt);
            fill_batch(in, target, cnt);
            for (size_t k = 0; k < cnt; k++) g[k] = NAN;
            ck_assert_int_eq(clae_buf_write(n.d, n.act[0], in, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(n.d, n.target, target, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(n.d, n.grad[1], g, cnt * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_write(n.d, n.grad[2], g, cnt2 * 4), CLAE_OK);
            ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
            ck_assert_int_eq(clae_buf_read(n.d, n.grad[1], g, cnt * 4), CLAE_OK);
            for (size_t k = 0; k < cnt; k++) ck_assert(isnan(g[k]));
            ck_assert_int_eq(clae_buf_read(n.d, n.grad[2], g, cnt2 * 4), CLAE_OK);
            for (size_t k = 0; k < cnt2; k++) ck_assert(isfinite(g[k]));
            free(in), free(target), free(g);
        }
        clae_net_free(&n);
        clae_model_free(&m);
    }
    g_config = "configs/denoiser.cfg";
}
END_TEST

static Suite *net_suite(void)
{
    Suite *s = suite_create("net");
    TCase *sim = tu_tcase("denoiser step", 300, 1); /* one whole step under oclgrind */
    tcase_add_loop_test(sim, test_net_step_cl_vs_ref, 0, NSIM);
    suite_add_tcase(s, sim);
    TCase *tc = tu_tcase("denoiser steps", 300, 0);
    tcase_add_loop_test(tc, test_net_step_cl_vs_ref, NSIM, NCONFIGS);
    tcase_add_loop_test(tc, test_net_loss_falls, 0, NCONFIGS);
    tcase_add_loop_test(tc, test_net_replay_matches_unrecorded, 0, 7);
    tcase_add_test(tc, test_net_freeze);
    tcase_add_test(tc, test_net_din_needed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(net_suite()); }
