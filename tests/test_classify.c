/* A classification head: softmax rows, categorical cross-entropy and one-hot
 * targets, each kernel against its twin and by hand; a small classifier
 * (conv, flatten, dense softmax, categorical_crossentropy, target = labels)
 * whose every parameter gradient matches central finite differences of the
 * loss, and whose training step on the device matches the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/cifar.h"
#include "clae/net.h"
#include "testutil.h"

/* softmax(0, ln 2, ln 3) = (1, 2, 3) / 6; the loss of one-hot class 1 is
 * -ln(1/3) = ln 3 over 1 row; dz = p - t = (1/6, -2/3, 1/2). */
START_TEST(test_classify_by_hand)
{
    float x[3] = {0.0f, logf(2.0f), logf(3.0f)}, p[3], t[3] = {0, 1, 0}, loss, dz[3];
    softmax_forward_ref(p, x, 1, 3);
    float want_p[3] = {1.0f / 6, 2.0f / 6, 3.0f / 6};
    ck_assert_close("softmax by hand", p, want_p, 3, TOL_HAND_ABS, 1e-6);
    cce_step_ref(&loss, dz, p, t, 1, 3);
    ck_assert_close("cross-entropy by hand", &loss, &(float){logf(3.0f)}, 1, TOL_HAND_ABS, 1e-6);
    float want_dz[3] = {1.0f / 6, -2.0f / 3, 0.5f};
    ck_assert_close("dz = p - t by hand", dz, want_dz, 3, TOL_HAND_ABS, 1e-6);
    uint8_t rec[2 * CLAE_CIFAR_RECORD] = {0};
    rec[0] = 2, rec[CLAE_CIFAR_RECORD] = 0;
    float oh[6], want_oh[6] = {0, 0, 1, 1, 0, 0};
    labels_onehot_ref(oh, rec, 2, 3, 3, 32, 32);
    ck_assert_close("one-hot by hand", oh, want_oh, 6, TOL_EXACT_ABS, TOL_EXACT_REL);
}
END_TEST

START_TEST(test_classify_kernels)
{
    clae_device *d = tu_device();
    const size_t rows = 37;
    const int K = 10;
    size_t n = rows * (size_t)K;
    uint64_t seed = 61;
    float *x = tu_alloc_rand(n, -6, 6, &seed), *pr = tu_alloc0(n), *pc = tu_alloc0(n);
    float *t = tu_alloc0(n), *dzr = tu_alloc0(n), *dzc = tu_alloc0(n), lr, lc;
    enum { IC = 1, IH = 5, IW = 7, R = 1 + IC * IH * IW }; /* records of another shape */
    uint8_t *rec = malloc(rows * R);
    ck_assert_ptr_nonnull(rec);
    for (size_t i = 0; i < rows * R; i++) rec[i] = (uint8_t)(i * 13 + 5); /* pixels: not labels */
    for (size_t r = 0; r < rows; r++) rec[r * R] = (uint8_t)((r * 7) % K);
    labels_onehot_ref(t, rec, (int)rows, K, IC, IH, IW);
    for (size_t r = 0; r < rows; r++) ck_assert_float_eq(t[r * K + (r * 7) % K], 1.0f);
    softmax_forward_ref(pr, x, rows, K);
    cce_step_ref(&lr, dzr, pr, t, rows, K);
    cl_mem mx = tu_upload(x, n * 4), mrec = tu_upload(rec, rows * R), mp, mt, mdz;
    cl_mem ml = tu_upload(&(float){123.0f}, 4); /* the loss is written, not added */
    ck_assert_int_eq(clae_buffer(d, n * 4, &mp), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &mt), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n * 4, &mdz), CLAE_OK);
    ck_assert_int_eq(labels_onehot_cl(d, mt, mrec, (int)rows, K, IC, IH, IW), CLAE_OK);
    ck_assert_int_eq(softmax_forward_cl(d, mp, mx, rows, K), CLAE_OK);
    ck_assert_int_eq(cce_step_cl(d, ml, mdz, mp, mt, rows, K), CLAE_OK);
    float *tc = tu_alloc0(n);
    tu_download(mt, tc, n * 4);
    tu_download(mp, pc, n * 4);
    tu_download(mdz, dzc, n * 4);
    tu_download(ml, &lc, 4);
    ck_assert_close("one-hot labels", tc, t, n, TOL_EXACT_ABS, TOL_EXACT_REL);
    ck_assert_close("softmax rows", pc, pr, n, TOL_ELEM_ABS, TOL_SUM_REL);
    ck_assert_close("cross-entropy", &lc, &lr, 1, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("cross-entropy dz", dzc, dzr, n, TOL_ELEM_ABS, TOL_SUM_REL);
    ck_assert_int_eq(softmax_forward_cl(d, mx, mx, rows, K), CLAE_OK); /* in place */
    tu_download(mx, pc, n * 4);
    ck_assert_close("softmax in place", pc, pr, n, TOL_ELEM_ABS, TOL_SUM_REL);
    clReleaseMemObject(mx), clReleaseMemObject(mrec), clReleaseMemObject(mp);
    clReleaseMemObject(mt), clReleaseMemObject(mdz), clReleaseMemObject(ml);
    free(x), free(pr), free(pc), free(t), free(tc), free(dzr), free(dzc), free(rec);
}
END_TEST

static const char *NET = "[net]\ninput = 4,4,2\nbatch = 3\nloss = categorical_crossentropy\n"
                         "[train]\ntarget = labels\ncorrupt = none\n"
                         "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = tanh\n"
                         "[flatten]\n[dense]\nunits = 5\nactivation = softmax\n";
enum { NB = 3, K = 5 };

static void load(clae_model *m)
{
    ck_assert_int_eq(clae_model_parse_string(NET, "classifier", m), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, 9);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
    for (int t = 0; t < m->ntensors; t++) /* nonzero biases too */
        if (m->tensors[t].ndim == 1)
            for (size_t i = 0; i < m->tensors[t].count; i++)
                m->params[m->tensors[t].offset + i] = 0.1f * (float)(i % 3) - 0.1f;
}

static float loss_of(clae_net *n, const float *x, const float *t)
{
    ck_assert_int_eq(clae_buf_write(n->d, n->act[0], x, NB * 32 * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(n->d, n->target, t, NB * K * 4), CLAE_OK);
    ck_assert_int_eq(clae_net_forward(n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_loss(n, NB), CLAE_OK);
    float l;
    ck_assert_int_eq(clae_net_read_loss(n, &l), CLAE_OK);
    return l;
}

START_TEST(test_classify_net_fd)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    load(&m);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, NB), CLAE_OK);
    uint64_t seed = 17;
    float *x = tu_alloc_rand(NB * 32, -1, 1, &seed), t[NB * K] = {0};
    t[0 * K + 1] = t[1 * K + 4] = t[2 * K + 0] = 1.0f;
    float l0 = loss_of(&n, x, t);
    ck_assert(l0 > 0.5f && l0 < 5.0f); /* about ln 5 at the start */
    float out[NB * K];
    ck_assert_int_eq(clae_net_read_output(&n, out, NB), CLAE_OK);
    for (int r = 0; r < NB; r++) { /* probabilities */
        float s = 0;
        for (int k = 0; k < K; k++) s += out[r * K + k];
        ck_assert_float_eq_tol(s, 1.0f, 1e-6f);
    }
    ck_assert_int_eq(clae_net_zero_grad(&n), CLAE_OK);
    ck_assert_int_eq(clae_net_backward(&n, NB), CLAE_OK);
    float *an = tu_alloc0(m.block_floats), *fd = tu_alloc0(m.block_floats);
    memcpy(an, m.grads, m.block_floats * sizeof(float));
    for (size_t i = 0; i < m.block_floats; i++) {
        float p0 = m.params[i];
        m.params[i] = p0 + (float)FD_STEP;
        double lp = loss_of(&n, x, t);
        m.params[i] = p0 - (float)FD_STEP;
        double lm = loss_of(&n, x, t);
        m.params[i] = p0;
        fd[i] = (float)((lp - lm) / (2.0 * FD_STEP));
    }
    ck_assert_close("classifier: every parameter gradient vs finite diff", an, fd, m.block_floats,
                    TOL_FD_ABS, TOL_FD_REL);
    clae_net_free(&n);
    clae_model_free(&m);
    free(x), free(an), free(fd);
}
END_TEST

START_TEST(test_classify_net_cl_vs_ref)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *devs[2] = {&ref, tu_device()};
    clae_model m[2];
    float loss[2];
    uint64_t seed = 23;
    float *x = tu_alloc_rand(NB * 32, -1, 1, &seed), t[NB * K] = {0};
    t[0 * K + 3] = t[1 * K + 2] = t[2 * K + 3] = 1.0f;
    for (int k = 0; k < 2; k++) {
        load(&m[k]);
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m[k], devs[k], NB), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.act[0], x, NB * 32 * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.target, t, NB * K * 4), CLAE_OK);
        ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
        ck_assert_int_eq(clae_net_read_loss(&n, &loss[k]), CLAE_OK);
        ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
        clae_net_free(&n);
    }
    ck_assert_close("classifier: loss, device vs reference", &loss[1], &loss[0], 1, TOL_MODEL_ABS,
                    TOL_MODEL_REL);
    ck_assert_close("classifier: gradients, device vs reference", m[1].grads, m[0].grads,
                    m[0].block_floats, TOL_MODEL_ABS, TOL_MODEL_REL);
    ck_assert_close("classifier: weights after a step, device vs reference", m[1].params,
                    m[0].params, m[0].block_floats, TOL_MODEL_ABS, TOL_MODEL_REL);
    clae_model_free(&m[0]);
    clae_model_free(&m[1]);
    free(x);
}
END_TEST

static Suite *classify_suite(void)
{
    Suite *s = suite_create("classify");
    TCase *tc = tu_tcase("classify", 120, 1); /* small: all of it under oclgrind */
    tcase_add_test(tc, test_classify_by_hand);
    tcase_add_test(tc, test_classify_kernels);
    tcase_add_test(tc, test_classify_net_fd);
    tcase_add_test(tc, test_classify_net_cl_vs_ref);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(classify_suite()); }
