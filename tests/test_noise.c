/* Gaussian noise ([gaussian_noise], Keras GaussianNoise): OpenCL vs
 * reference, the draws' mean and spread, the same draws for the same keys
 * and others for another step, layer or seed; in a net: noise in training
 * steps only, one step OpenCL vs reference, and the backward pass (the
 * identity) against finite differences of the loss with the draws held. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "testutil.h"

static const float STDDEVS[] = {0.01f, 0.1f, 1.0f};
static const char *MODEL = "tests/models/gaussian_noise.cfg";

START_TEST(test_noise_cl_vs_ref)
{
    float stddev = STDDEVS[_i];
    size_t n = 100003;
    uint64_t seed = 5;
    clae_gaussian_noise p = clae_gaussian_noise_params(stddev, 42, 3, 17);
    float *x = tu_alloc_rand(n, -1.0f, 1.0f, &seed), *yr = tu_alloc0(n), *yc = tu_alloc0(n);
    gaussian_noise_forward_ref(yr, x, n, &p);
    clae_device *d = tu_device();
    cl_mem mx = tu_upload(x, n * 4), my;
    ck_assert_int_eq(clae_buffer(d, n * 4, &my), CLAE_OK);
    ck_assert_int_eq(gaussian_noise_forward_cl(d, my, mx, n, &p), CLAE_OK);
    tu_download(my, yc, n * 4);
    char what[64];
    snprintf(what, sizeof what, "gaussian_noise %g forward", (double)stddev);
    ck_assert_close(what, yc, yr, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    /* (out - in) / stddev is standard normal: mean 0, variance 1, within 5
     * standard errors; and its tails are there (|z| > 3: 0.27%) */
    double sum = 0, sq = 0;
    size_t tails = 0;
    for (size_t i = 0; i < n; i++) {
        double z = ((double)yr[i] - x[i]) / stddev;
        sum += z, sq += z * z;
        tails += fabs(z) > 3.0;
    }
    double mean = sum / (double)n, var = sq / (double)n - mean * mean;
    printf("  stddev %g: z mean %+.4f, variance %.4f, %zu beyond 3 (expected about %.0f)\n",
           (double)stddev, mean, var, tails, 0.0027 * (double)n);
    ck_assert(fabs(mean) < 5.0 / sqrt((double)n));
    ck_assert(fabs(var - 1.0) < 5.0 * sqrt(2.0 / (double)n));
    ck_assert(tails > 0.0015 * (double)n && tails < 0.004 * (double)n);
    clReleaseMemObject(mx), clReleaseMemObject(my);
    free(x), free(yr), free(yc);
}
END_TEST

/* The draws: a function of (seed, layer, step) only. */
START_TEST(test_noise_keys)
{
    clae_gaussian_noise a = clae_gaussian_noise_params(1.0f, 42, 3, 17);
    clae_gaussian_noise b = clae_gaussian_noise_params(1.0f, 42, 3, 17);
    clae_gaussian_noise others[3] = {clae_gaussian_noise_params(1.0f, 42, 3, 18),
                                     clae_gaussian_noise_params(1.0f, 42, 4, 17),
                                     clae_gaussian_noise_params(1.0f, 43, 3, 17)};
    int same = 0, same_other[3] = {0, 0, 0};
    for (uint32_t i = 0; i < 4096; i++) {
        float z = clae_gaussian_noise_draw(i, &a);
        same += z == clae_gaussian_noise_draw(i, &b);
        for (int k = 0; k < 3; k++) same_other[k] += z == clae_gaussian_noise_draw(i, &others[k]);
    }
    printf("  draws equal of 4096: same keys %d, next step %d, next layer %d, other seed %d\n",
           same, same_other[0], same_other[1], same_other[2]);
    ck_assert_int_eq(same, 4096);
    for (int k = 0; k < 3; k++) ck_assert_int_lt(same_other[k], 8);
}
END_TEST

static void load_init(clae_model *m)
{
    ck_assert_int_eq(clae_model_load(MODEL, m), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, 3);
    ck_assert_int_eq(clae_model_init(m, &r), CLAE_OK);
}

/* Inference is the net without noise (deterministic); a training pass adds it. */
START_TEST(test_noise_in_net)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    load_init(&m);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, 2), CLAE_OK);
    size_t cnt = 2 * clae_model_in_count(&m);
    uint64_t seed = 4;
    float *x = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed), *a = tu_alloc0(cnt), *b = tu_alloc0(cnt);
    ck_assert_int_eq(clae_net_infer(&n, x, a, 2), CLAE_OK);
    n.training = 1;
    ck_assert_int_eq(clae_net_infer(&n, x, b, 2), CLAE_OK);
    n.training = 0;
    size_t differ = 0;
    for (size_t i = 0; i < cnt; i++) differ += a[i] != b[i];
    printf("  gaussian_noise in a net: %zu of %zu outputs differ between training and "
           "inference\n", differ, cnt);
    ck_assert(differ > cnt * 9 / 10);
    ck_assert_int_eq(clae_net_infer(&n, x, b, 2), CLAE_OK);
    ck_assert_close("gaussian_noise: inference is deterministic", b, a, cnt, TOL_EXACT_ABS,
                    TOL_EXACT_REL);
    clae_net_free(&n);
    clae_model_free(&m);
    free(x), free(a), free(b);
}
END_TEST

/* One training step on the device and on the reference path: the same loss
 * and gradients (the draws are the same integer hashes on both). */
START_TEST(test_noise_net_step_cl_vs_ref)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *dev = tu_device();
    clae_model mr, mc;
    load_init(&mr);
    load_init(&mc);
    clae_net nr, nc;
    ck_assert_int_eq(clae_net_create(&nr, &mr, &ref, 2), CLAE_OK);
    ck_assert_int_eq(clae_net_create(&nc, &mc, dev, 2), CLAE_OK);
    size_t cnt = 2 * clae_model_in_count(&mr);
    uint64_t seed = 8;
    float *in = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed), *target = tu_alloc_rand(cnt, 0.0f, 1.0f, &seed);
    ck_assert_int_eq(clae_buf_write(&ref, nr.act[0], in, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(&ref, nr.target, target, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(dev, nc.act[0], in, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(dev, nc.target, target, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_net_train_step(&nr, 2), CLAE_OK);
    ck_assert_int_eq(clae_net_train_step(&nc, 2), CLAE_OK);
    float lr_, lc;
    ck_assert_int_eq(clae_net_read_loss(&nr, &lr_), CLAE_OK);
    ck_assert_int_eq(clae_net_read_loss(&nc, &lc), CLAE_OK);
    ck_assert_close("gaussian_noise net loss", &lc, &lr_, 1, TOL_MODEL_ABS, TOL_MODEL_REL);
    ck_assert_int_eq(clae_net_download(&nc), CLAE_OK);
    for (int t = 0; t < mr.ntensors; t++) {
        const clae_tensor *T = &mr.tensors[t];
        float gmax = 0.0f;
        for (size_t j = 0; j < T->count; j++) gmax = fmaxf(gmax, fabsf(mr.grads[T->offset + j]));
        ck_assert_msg(gmax > 0.0f, "%s: all gradients zero", T->name);
        ck_assert_close(T->name, mc.grads + T->offset, mr.grads + T->offset, T->count,
                        TOL_MODEL_SCALED * gmax, TOL_MODEL_REL);
    }
    clae_net_free(&nr), clae_net_free(&nc);
    clae_model_free(&mr), clae_model_free(&mc);
    free(in), free(target);
}
END_TEST

/* The loss of a training pass at step t (the draws held), on the reference path. */
static float training_loss(clae_net *n)
{
    float loss;
    ck_assert_int_eq(clae_net_forward(n, 2), CLAE_OK);
    ck_assert_int_eq(clae_net_loss(n, 2), CLAE_OK);
    ck_assert_int_eq(clae_net_read_loss(n, &loss), CLAE_OK);
    return loss;
}

/* Every weight of the first convolution (behind both noise layers): its
 * gradient against central differences of the loss in double steps. */
START_TEST(test_noise_backward_fd)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    load_init(&m);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, 2), CLAE_OK);
    size_t cnt = 2 * clae_model_in_count(&m);
    uint64_t seed = 11;
    tu_rand(n.act[0].h, cnt, 0.0f, 1.0f, &seed);
    tu_rand(n.target.h, cnt, 0.0f, 1.0f, &seed);
    n.training = 1;
    n.t = 5;
    ck_assert_int_eq(clae_net_zero_grad(&n), CLAE_OK);
    training_loss(&n);
    ck_assert_int_eq(clae_net_backward(&n, 2), CLAE_OK);
    const clae_tensor *w = &m.tensors[clae_model_find_tensor(&m, "layers.1.weight")];
    float *fd = tu_alloc0(w->count), *an = tu_alloc0(w->count);
    for (size_t j = 0; j < w->count; j++) {
        float *p = &m.params[w->offset + j], keep = *p;
        *p = keep + (float)FD_STEP;
        float up = training_loss(&n);
        *p = keep - (float)FD_STEP;
        float down = training_loss(&n);
        *p = keep;
        fd[j] = (up - down) / (2.0f * (float)FD_STEP);
        an[j] = m.grads[w->offset + j];
    }
    /* the gradients are small (a mean over every pixel): the absolute margin
     * is a fraction of the largest */
    float gmax = 0.0f;
    for (size_t j = 0; j < w->count; j++) gmax = fmaxf(gmax, fabsf(an[j]));
    ck_assert(gmax > 0.0f);
    ck_assert_close("gaussian_noise: layers.1.weight gradient vs finite differences", an, fd,
                    w->count, TOL_FD_REL * gmax, TOL_FD_REL);
    clae_net_free(&n);
    clae_model_free(&m);
    free(fd), free(an);
}
END_TEST

static Suite *noise_suite(void)
{
    Suite *s = suite_create("gaussian_noise");
    TCase *tc = tu_tcase("gaussian_noise", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_noise_cl_vs_ref, 0, 3);
    tcase_add_test(tc, test_noise_keys);
    tcase_add_test(tc, test_noise_in_net);
    tcase_add_test(tc, test_noise_net_step_cl_vs_ref);
    tcase_add_test(tc, test_noise_backward_fd);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(noise_suite()); }
