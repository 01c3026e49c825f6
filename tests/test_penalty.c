/* Loss terms beside the reconstruction loss: the sparse AE's activity_l1,
 * the VAE's sampling layer and KL term, the contractive AE's penalty.
 *  - every kernel of src/kernels/penalty.cl against its twin on random inputs;
 *  - the sampling layer's normals: mean about 0, variance about 1;
 *  - hand-worked values of each term;
 *  - for a small net with each penalty (and a layer before the penalised
 *    one, so the input gradient is checked through that layer's weights),
 *    every parameter gradient of the reference path against central finite
 *    differences of the whole loss, and the penalty's part of the gradient
 *    well above the tolerance (so the check would see it missing);
 *  - the same training step on the OpenCL device against the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/layer.h"
#include "clae/net.h"
#include "testutil.h"

/* ---- kernels against their twins ------------------------------------------ */

START_TEST(test_penalty_kernels)
{
    clae_device *d = tu_device();
    const size_t n = 5003, off = 7;
    uint64_t seed = 11;
    float *x = tu_alloc_rand(n + off, -2, 2, &seed);
    x[off + 3] = 0.0f; /* sign(0) = 0 */
    cl_mem mx = tu_upload(x, (n + off) * 4);
    for (int f = 0; f < 2; f++) {
        float tr[4] = {1, 2, 3, 4}, tc[4];
        penalty_sum_ref(tr, 2, 0.25f, x + off, n, (clae_pen_f)f);
        cl_mem mt = tu_upload((float[4]){1, 2, 3, 4}, 16);
        ck_assert_int_eq(penalty_sum_cl(d, mt, 2, 0.25f, mx, off, n, (clae_pen_f)f), CLAE_OK);
        tu_download(mt, tc, 16);
        ck_assert_close(f ? "penalty sum |x|" : "penalty sum x", tc, tr, 4, TOL_SUM_ABS,
                        TOL_SUM_REL);
        clReleaseMemObject(mt);
    }
    { /* loss_terms */
        float loss_r = 0.5f, tr[CLAE_NTERMS] = {9, 0.25f, 0.125f, 1}, tc[CLAE_NTERMS], loss_c;
        cl_mem ml = tu_upload(&loss_r, 4), mt = tu_upload(tr, sizeof tr);
        loss_terms_ref(&loss_r, tr, CLAE_NTERMS);
        ck_assert_int_eq(loss_terms_cl(d, ml, mt, CLAE_NTERMS), CLAE_OK);
        tu_download(ml, &loss_c, 4);
        tu_download(mt, tc, sizeof tc);
        ck_assert_float_eq(tr[0], 0.5f);
        ck_assert_float_eq(loss_r, 1.875f);
        ck_assert_close("loss terms: total", &loss_c, &loss_r, 1, TOL_EXACT_ABS, TOL_EXACT_REL);
        ck_assert_close("loss terms: terms", tc, tr, CLAE_NTERMS, TOL_EXACT_ABS, TOL_EXACT_REL);
        clReleaseMemObject(ml), clReleaseMemObject(mt);
    }
    { /* activity_l1 backward */
        float *dy = tu_alloc_rand(n, -1, 1, &seed), *dc = tu_alloc0(n);
        cl_mem md = tu_upload(dy, n * 4), my = tu_upload(x + off, n * 4);
        activity_l1_backward_ref(dy, x + off, n, 0.3f);
        ck_assert_int_eq(activity_l1_backward_cl(d, md, my, n, 0.3f), CLAE_OK);
        tu_download(md, dc, n * 4);
        ck_assert_close("activity_l1 backward", dc, dy, n, TOL_ELEM_ABS, TOL_ELEM_REL);
        clReleaseMemObject(md), clReleaseMemObject(my);
        free(dy), free(dc);
    }
    clReleaseMemObject(mx);
    free(x);
}
END_TEST

/* Shapes: a dense code (HW 1) and a convolutional one (HW 6), training
 * (drawn eps) and not (eps 0). */
START_TEST(test_sampling_kernels)
{
    clae_device *d = tu_device();
    static const int shapes[][3] = {{5, 7, 1}, {3, 4, 6}}; /* N, L, HW */
    const int N = shapes[_i / 2][0], L = shapes[_i / 2][1], HW = shapes[_i / 2][2];
    const int training = _i % 2 == 0;
    size_t nz = (size_t)N * L * HW, nx = 2 * nz;
    uint64_t seed = 40 + (uint64_t)_i;
    float *x = tu_alloc_rand(nx, -1.5f, 1.5f, &seed), *dz = tu_alloc_rand(nz, -1, 1, &seed);
    float *zr = tu_alloc0(nz), *zc = tu_alloc0(nz), *ar = tu_alloc0(2 * nz), *ac = tu_alloc0(2 * nz);
    float *dxr = tu_alloc0(nx), *dxc = tu_alloc0(nx);
    clae_sampling p = clae_sampling_params(42, 3, 17);
    sampling_forward_ref(zr, ar, x, N, L, HW, &p, training);
    sampling_backward_ref(dxr, dz, x, ar, N, L, HW, 0.2f);
    cl_mem mx = tu_upload(x, nx * 4), mdz = tu_upload(dz, nz * 4), mz, ma, mdx;
    ck_assert_int_eq(clae_buffer(d, nz * 4, &mz), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, 2 * nz * 4, &ma), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, nx * 4, &mdx), CLAE_OK);
    ck_assert_int_eq(sampling_forward_cl(d, mz, ma, mx, N, L, HW, &p, training), CLAE_OK);
    ck_assert_int_eq(sampling_backward_cl(d, mdx, mdz, mx, ma, N, L, HW, 0.2f), CLAE_OK);
    tu_download(mz, zc, nz * 4);
    tu_download(ma, ac, 2 * nz * 4);
    tu_download(mdx, dxc, nx * 4);
    /* eps: the same hashes, then a log, a square root and a cosine in
     * OpenCL's and libm's float precision */
    ck_assert_close("sampling eps", ac, ar, nz, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("sampling KL terms", ac + nz, ar + nz, nz, TOL_ELEM_ABS, TOL_SUM_REL);
    ck_assert_close("sampling z", zc, zr, nz, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("sampling backward", dxc, dxr, nx, TOL_SUM_ABS, TOL_SUM_REL);
    if (!training)
        for (size_t o = 0; o < nz; o++) { /* z = mu */
            size_t img = o / ((size_t)L * HW), r = o % ((size_t)L * HW);
            ck_assert_float_eq(zr[o], x[img * 2 * L * HW + r]);
        }
    clReleaseMemObject(mx), clReleaseMemObject(mdz), clReleaseMemObject(mz);
    clReleaseMemObject(ma), clReleaseMemObject(mdx);
    free(x), free(dz), free(zr), free(zc), free(ar), free(ac), free(dxr), free(dxc);
}
END_TEST

/* 200,000 draws: mean within 0.01 of 0, variance within 0.02 of 1, and
 * another step draws other values. */
START_TEST(test_sampling_normals)
{
    clae_sampling p = clae_sampling_params(7, 1, 0), q = clae_sampling_params(7, 1, 1);
    double s = 0, s2 = 0;
    int same = 0;
    enum { M = 200000 };
    for (uint32_t i = 0; i < M; i++) {
        double v = clae_sampling_normal(i, &p);
        s += v, s2 += v * v;
        same += clae_sampling_normal(i, &q) == (float)v;
    }
    double mean = s / M, var = s2 / M - mean * mean;
    printf("  sampling normals: mean %.4f, variance %.4f over %d draws\n", mean, var, M);
    ck_assert(fabs(mean) < 0.01);
    ck_assert(fabs(var - 1.0) < 0.02);
    ck_assert_int_lt(same, M / 1000);
}
END_TEST

/* Hand-worked: mu = 0.5, lv = ln 4 (sigma 2), eps from the hash:
 * KL term = -(1 + ln 4 - 0.25 - 4) / 2 = (3.25 - 1.386294) / 2 = 0.931853;
 * z = 0.5 + 2 eps. Contractive: h = (0.5, 0.25), w = ((1, 2), (3, 0)):
 * s = (0.25, 0.1875), row norms (5, 9): P = scale (0.0625 * 5 + 0.03515625 * 9)
 * = 0.62890625 scale. */
START_TEST(test_terms_by_hand)
{
    clae_sampling p = clae_sampling_params(1, 0, 0);
    float x[2] = {0.5f, logf(4.0f)}, z, aux[2];
    sampling_forward_ref(&z, aux, x, 1, 1, 1, &p, 1);
    ck_assert_close("KL term by hand", &aux[1], &(float){0.931853f}, 1, TOL_HAND_ABS, 1e-5);
    ck_assert_close("z by hand", &z, &(float){0.5f + 2.0f * aux[0]}, 1, TOL_HAND_ABS, 1e-5);
    float h[2] = {0.5f, 0.25f}, w[4] = {1, 2, 3, 0}, terms[CLAE_NTERMS] = {0};
    contractive_forward_ref(terms, CLAE_TERM_CONTRACTIVE, 2.0f, h, w, 1, 2, 2);
    ck_assert_close("contractive by hand", &terms[CLAE_TERM_CONTRACTIVE], &(float){1.2578125f}, 1,
                    TOL_HAND_ABS, 1e-5);
    float y[4] = {-2, 0, 3, 1e-9f}, dy[4] = {0}, want[4] = {-0.5f, 0, 0.5f, 0.5f};
    activity_l1_backward_ref(dy, y, 4, 0.5f);
    ck_assert_close("activity_l1 gradient by hand", dy, want, 4, TOL_EXACT_ABS, TOL_EXACT_REL);
}
END_TEST

START_TEST(test_contractive_kernels)
{
    clae_device *d = tu_device();
    const int N = 6, I = 13, U = 9;
    uint64_t seed = 77;
    float *h = tu_alloc_rand((size_t)N * U, 0.01f, 0.99f, &seed);
    float *w = tu_alloc_rand((size_t)U * I, -1, 1, &seed);
    float *dz = tu_alloc_rand((size_t)N * U, -1, 1, &seed), *dzc = tu_alloc0((size_t)N * U);
    float *dw = tu_alloc_rand((size_t)U * I, -1, 1, &seed), *dwc = tu_alloc0((size_t)U * I);
    cl_mem mh = tu_upload(h, (size_t)N * U * 4), mw = tu_upload(w, (size_t)U * I * 4);
    cl_mem mdz = tu_upload(dz, (size_t)N * U * 4), mdw = tu_upload(dw, (size_t)U * I * 4);
    float tr[CLAE_NTERMS] = {0, 0, 0, 0.5f}, tc[CLAE_NTERMS];
    cl_mem mt = tu_upload(tr, sizeof tr);
    contractive_forward_ref(tr, CLAE_TERM_CONTRACTIVE, 0.3f, h, w, N, I, U);
    contractive_backward_ref(dz, dw, 0.3f, h, w, N, I, U);
    ck_assert_int_eq(contractive_forward_cl(d, mt, CLAE_TERM_CONTRACTIVE, 0.3f, mh, mw, N, I, U),
                     CLAE_OK);
    ck_assert_int_eq(contractive_backward_cl(d, mdz, mdw, 0.3f, mh, mw, N, I, U), CLAE_OK);
    tu_download(mt, tc, sizeof tc);
    tu_download(mdz, dzc, (size_t)N * U * 4);
    tu_download(mdw, dwc, (size_t)U * I * 4);
    ck_assert_close("contractive term", tc, tr, CLAE_NTERMS, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("contractive dz", dzc, dz, (size_t)N * U, TOL_SUM_ABS, TOL_SUM_REL);
    ck_assert_close("contractive dw", dwc, dw, (size_t)U * I, TOL_SUM_ABS, TOL_SUM_REL);
    clReleaseMemObject(mh), clReleaseMemObject(mw), clReleaseMemObject(mdz);
    clReleaseMemObject(mdw), clReleaseMemObject(mt);
    free(h), free(w), free(dz), free(dzc), free(dw), free(dwc);
}
END_TEST

/* ---- whole nets: finite differences and device vs reference ------------------ */

/* Each net has a layer before the penalised one, so the penalty's gradient
 * with respect to the penalised layer's input is checked too (it reaches the
 * earlier layer's weights). %s is the penalty's weight. */
static const char *const NETS[] = {
    /* sparse: activity_l1 on a conv's relu output and on a dense code */
    "[net]\ninput = 4,4,2\nbatch = 3\n"
    "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = tanh\n"
    "[conv2d]\nfilters = 3\nsize = 3\npadding = same\nactivation = sigmoid\nactivity_l1 = %s\n"
    "[flatten]\n[dense]\nunits = 5\nactivation = relu\nactivity_l1 = %s\n"
    "[dense]\nunits = 32\nactivation = sigmoid\n[reshape]\ntarget_shape = 4,4,2\n",
    /* variational: a dense encoder, mean and log-variance heads as one dense of 2 x latent */
    "[net]\ninput = 4,4,2\nbatch = 3\nloss = binary_crossentropy\n[flatten]\n"
    "[dense]\nunits = 6\nactivation = tanh\n[dense]\nunits = 8\n"
    "[sampling]\nlatent = 4\nkl_weight = %s\n"
    "[dense]\nunits = 32\nactivation = sigmoid\n[reshape]\ntarget_shape = 4,4,2\n",
    /* contractive: a dense sigmoid code layer after another dense layer */
    "[net]\ninput = 4,4,2\nbatch = 3\n[flatten]\n[dense]\nunits = 7\nactivation = tanh\n"
    "[dense]\nunits = 5\nactivation = sigmoid\ncontractive = %s\n"
    "[dense]\nunits = 32\nactivation = sigmoid\n[reshape]\ntarget_shape = 4,4,2\n",
};
static const char *const NET_NAMES[] = {"sparse", "variational", "contractive"};
static const char *const WEIGHTS[] = {"0.05", "0.5", "2"};
enum { NB = 3, NNETS = 3 };

static void load_net(int which, const char *weight, clae_model *m)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg, NETS[which], weight, weight);
    ck_assert_int_eq(clae_model_parse_string(cfg, NET_NAMES[which], m), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, 5);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
    for (int t = 0; t < m->ntensors; t++) /* nonzero biases too */
        if (m->tensors[t].ndim == 1)
            for (size_t i = 0; i < m->tensors[t].count; i++)
                m->params[m->tensors[t].offset + i] = 0.05f * (float)(i % 5) - 0.1f;
}

/* The loss of one training-mode pass (the same eps every time: the step
 * counter does not move), its terms into terms[] */
static double loss_of(clae_net *n, const float *x, const float *t, size_t cnt, float *terms)
{
    ck_assert_int_eq(clae_buf_write(n->d, n->act[0], x, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(n->d, n->target, t, cnt * 4), CLAE_OK);
    n->training = 1;
    ck_assert_int_eq(clae_net_forward(n, NB), CLAE_OK);
    ck_assert_int_eq(clae_net_loss(n, NB), CLAE_OK);
    n->training = 0;
    float l;
    ck_assert_int_eq(clae_net_read_loss(n, &l), CLAE_OK);
    if (terms) ck_assert_int_eq(clae_buf_read(n->d, n->terms, terms, CLAE_NTERMS * 4), CLAE_OK);
    return l;
}

/* Analytic gradients of the reference path at weight w into g */
static void ref_grads(int which, const char *w, const float *x, const float *t, float *g,
                      float *terms)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    load_net(which, w, &m);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, NB), CLAE_OK);
    size_t cnt = NB * clae_model_in_count(&m);
    loss_of(&n, x, t, cnt, terms);
    ck_assert_int_eq(clae_net_zero_grad(&n), CLAE_OK);
    n.training = 1;
    ck_assert_int_eq(clae_net_backward(&n, NB), CLAE_OK);
    memcpy(g, m.grads, m.block_floats * sizeof(float));
    clae_net_free(&n);
    clae_model_free(&m);
}

START_TEST(test_penalty_net_fd)
{
    int which = _i;
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    load_net(which, WEIGHTS[which], &m);
    ck_assert(clae_model_has_terms(&m));
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, NB), CLAE_OK);
    size_t cnt = NB * clae_model_in_count(&m);
    uint64_t seed = 90 + (uint64_t)which;
    float *x = tu_alloc_rand(cnt, 0, 1, &seed), *t = tu_alloc_rand(cnt, 0, 1, &seed);
    float *an = tu_alloc0(m.block_floats), *fd = tu_alloc0(m.block_floats);
    float *plain = tu_alloc0(m.block_floats), terms[CLAE_NTERMS];
    ref_grads(which, WEIGHTS[which], x, t, an, terms);
    ref_grads(which, "0", x, t, plain, NULL);
    int term = which == 0 ? CLAE_TERM_ACTIVITY : which == 1 ? CLAE_TERM_KL
                                                             : CLAE_TERM_CONTRACTIVE;
    printf("  %s: loss terms %s %.6f, %s %.6f\n", NET_NAMES[which], clae_term_names[0],
           terms[0], clae_term_names[term], terms[term]);
    ck_assert(terms[term] > 0.0f);
    for (int k = 1; k < CLAE_NTERMS; k++)
        if (k != term) ck_assert_float_eq(terms[k], 0.0f);
    for (size_t i = 0; i < m.block_floats; i++) {
        float p0 = m.params[i];
        m.params[i] = p0 + (float)FD_STEP;
        double lp = loss_of(&n, x, t, cnt, NULL);
        m.params[i] = p0 - (float)FD_STEP;
        double lm = loss_of(&n, x, t, cnt, NULL);
        m.params[i] = p0;
        fd[i] = (float)((lp - lm) / (2.0 * FD_STEP));
    }
    char what[96];
    snprintf(what, sizeof what, "%s net: every parameter gradient vs finite diff",
             NET_NAMES[which]);
    ck_assert_close(what, an, fd, m.block_floats, TOL_FD_ABS, TOL_FD_REL);
    /* the penalty's own part of the gradient is well beyond the tolerance
     * in the layer before the penalised one too */
    double biggest = 0, before = 0;
    int first_w = m.layers[which == 0 ? 0 : 1].weight;
    for (size_t i = 0; i < m.block_floats; i++) {
        double diff = fabs((double)an[i] - plain[i]);
        if (diff > biggest) biggest = diff;
    }
    const clae_tensor *T = &m.tensors[first_w];
    for (size_t i = 0; i < T->count; i++) {
        double diff = fabs((double)an[T->offset + i] - plain[T->offset + i]);
        if (diff > before) before = diff;
    }
    printf("  %s: the penalty moves a gradient by up to %.4f (the first layer's by %.4f); FD "
           "tolerance %.4f\n", NET_NAMES[which], biggest, before, TOL_FD_ABS);
    ck_assert(biggest > 4 * TOL_FD_ABS);
    ck_assert(before > 2 * TOL_FD_ABS);
    clae_net_free(&n);
    clae_model_free(&m);
    free(x), free(t), free(an), free(fd), free(plain);
}
END_TEST

START_TEST(test_penalty_net_cl_vs_ref)
{
    int which = _i;
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *devs[2] = {&ref, tu_device()};
    clae_model m[2];
    float loss[2], terms[2][CLAE_NTERMS];
    uint64_t seed = 120 + (uint64_t)which;
    float *x = NULL, *t = NULL;
    size_t cnt = 0;
    for (int k = 0; k < 2; k++) {
        load_net(which, WEIGHTS[which], &m[k]);
        if (!x) {
            cnt = NB * clae_model_in_count(&m[k]);
            x = tu_alloc_rand(cnt, 0, 1, &seed), t = tu_alloc_rand(cnt, 0, 1, &seed);
        }
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m[k], devs[k], NB), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.act[0], x, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.target, t, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_net_train_step(&n, NB), CLAE_OK);
        ck_assert_int_eq(clae_net_read_loss(&n, &loss[k]), CLAE_OK);
        ck_assert_int_eq(clae_buf_read(devs[k], n.terms, terms[k], sizeof terms[k]), CLAE_OK);
        ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
        clae_net_free(&n);
    }
    char what[96];
    snprintf(what, sizeof what, "%s net: loss, device vs reference", NET_NAMES[which]);
    ck_assert_close(what, &loss[1], &loss[0], 1, TOL_MODEL_ABS, TOL_MODEL_REL);
    snprintf(what, sizeof what, "%s net: loss terms, device vs reference", NET_NAMES[which]);
    ck_assert_close(what, terms[1], terms[0], CLAE_NTERMS, TOL_MODEL_ABS, TOL_MODEL_REL);
    snprintf(what, sizeof what, "%s net: gradients, device vs reference", NET_NAMES[which]);
    ck_assert_close(what, m[1].grads, m[0].grads, m[0].block_floats, TOL_MODEL_ABS,
                    TOL_MODEL_REL);
    snprintf(what, sizeof what, "%s net: weights after a step, device vs reference",
             NET_NAMES[which]);
    ck_assert_close(what, m[1].params, m[0].params, m[0].block_floats, TOL_MODEL_ABS,
                    TOL_MODEL_REL);
    clae_model_free(&m[0]);
    clae_model_free(&m[1]);
    free(x), free(t);
}
END_TEST

static Suite *penalty_suite(void)
{
    Suite *s = suite_create("penalty");
    TCase *tc = tu_tcase("penalty", 120, 1); /* small: all of it under oclgrind */
    tcase_add_test(tc, test_penalty_kernels);
    tcase_add_loop_test(tc, test_sampling_kernels, 0, 4);
    tcase_add_test(tc, test_sampling_normals);
    tcase_add_test(tc, test_terms_by_hand);
    tcase_add_test(tc, test_contractive_kernels);
    tcase_add_loop_test(tc, test_penalty_net_fd, 0, NNETS);
    tcase_add_loop_test(tc, test_penalty_net_cl_vs_ref, 0, NNETS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(penalty_suite()); }
