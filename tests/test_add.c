/* Residual connections: the add kernels vs their twins (exact), and a whole
 * net with [add] layers (one adding an earlier conv's output, one the
 * network input) whose every parameter gradient, through the net's
 * collection of the gradients an add sends back, matches central finite
 * differences of the loss; the same step on the OpenCL device agrees. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/net.h"
#include "testutil.h"

START_TEST(test_add_cl_vs_ref)
{
    size_t n = 10007;
    uint64_t seed = 3;
    float *a = tu_alloc_rand(n, -1, 1, &seed), *b = tu_alloc_rand(n, -1, 1, &seed);
    float *yr = tu_alloc0(n), *yc = tu_alloc0(n), *zr = tu_alloc0(n), *zc = tu_alloc0(n);
    add_forward_ref(yr, a, b, n);
    for (size_t i = 0; i < n; i++) zr[i] = a[i];
    add_into_ref(zr, b, n);
    clae_device *d = tu_device();
    cl_mem ma = tu_upload(a, n * 4), mb = tu_upload(b, n * 4), my;
    ck_assert_int_eq(clae_buffer(d, n * 4, &my), CLAE_OK);
    ck_assert_int_eq(add_forward_cl(d, my, ma, mb, n), CLAE_OK);
    ck_assert_int_eq(add_into_cl(d, ma, mb, n), CLAE_OK);
    tu_download(my, yc, n * 4);
    tu_download(ma, zc, n * 4);
    ck_assert_close("add forward", yc, yr, n, TOL_EXACT_ABS, TOL_EXACT_REL);
    ck_assert_close("add into", zc, zr, n, TOL_EXACT_ABS, TOL_EXACT_REL);
    clReleaseMemObject(ma), clReleaseMemObject(mb), clReleaseMemObject(my);
    free(a), free(b), free(yr), free(yc), free(zr), free(zc);
}
END_TEST

static const char *RESNET = "[net]\ninput = 5,4,2\nbatch = 2\n"
                            "[conv2d]\nname = c1\nfilters = 2\nsize = 3\npadding = same\n"
                            "activation = tanh\n"
                            "[conv2d]\nfilters = 2\nsize = 3\npadding = same\nactivation = tanh\n"
                            "[add]\nfrom = c1\n"
                            "[conv2d]\nfilters = 2\nsize = 3\npadding = same\n"
                            "[add]\nfrom = input\n";

static float loss_of(clae_net *n, const float *x, const float *t, size_t cnt)
{
    ck_assert_int_eq(clae_buf_write(n->d, n->act[0], x, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_buf_write(n->d, n->target, t, cnt * 4), CLAE_OK);
    ck_assert_int_eq(clae_net_forward(n, 2), CLAE_OK);
    ck_assert_int_eq(clae_net_loss(n, 2), CLAE_OK);
    float l;
    ck_assert_int_eq(clae_net_read_loss(n, &l), CLAE_OK);
    return l;
}

START_TEST(test_add_net_gradients_fd)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_model m;
    ck_assert_int_eq(clae_model_parse_string(RESNET, "resnet", &m), CLAE_OK);
    clae_rng r;
    clae_rng_seed(&r, 8);
    ck_assert_int_eq(clae_model_init(&m, &r), CLAE_OK);
    for (int t = 0; t < m.ntensors; t++) /* nonzero biases too */
        if (m.tensors[t].ndim == 1)
            for (size_t i = 0; i < m.tensors[t].count; i++)
                m.params[m.tensors[t].offset + i] = 0.1f * (float)(i + 1);
    clae_net n;
    ck_assert_int_eq(clae_net_create(&n, &m, &ref, 2), CLAE_OK);
    size_t cnt = 2 * clae_model_in_count(&m);
    uint64_t seed = 12;
    float *x = tu_alloc_rand(cnt, -1, 1, &seed), *t = tu_alloc_rand(cnt, -1, 1, &seed);
    loss_of(&n, x, t, cnt);
    ck_assert_int_eq(clae_net_zero_grad(&n), CLAE_OK);
    ck_assert_int_eq(clae_net_backward(&n, 2), CLAE_OK);
    float *an = tu_alloc0(m.block_floats), *fd = tu_alloc0(m.block_floats);
    memcpy(an, m.grads, m.block_floats * sizeof(float));
    for (size_t i = 0; i < m.block_floats; i++) {
        float p0 = m.params[i];
        m.params[i] = p0 + (float)FD_STEP;
        double lp = loss_of(&n, x, t, cnt);
        m.params[i] = p0 - (float)FD_STEP;
        double lm = loss_of(&n, x, t, cnt);
        m.params[i] = p0;
        fd[i] = (float)((lp - lm) / (2.0 * FD_STEP));
    }
    ck_assert_close("residual net: every parameter gradient vs finite diff", an, fd,
                    m.block_floats, TOL_FD_ABS, TOL_FD_REL);
    clae_net_free(&n);
    clae_model_free(&m);
    free(x), free(t), free(an), free(fd);
}
END_TEST

/* One training step of the residual net on the device and on the reference path. */
START_TEST(test_add_net_cl_vs_ref)
{
    clae_device ref;
    ck_assert_int_eq(clae_device_open(&ref, "ref"), CLAE_OK);
    clae_device *devs[2] = {&ref, tu_device()};
    clae_model m[2];
    float *grads[2];
    uint64_t seed = 21;
    size_t cnt = 0;
    float *x = NULL, *t = NULL;
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(clae_model_parse_string(RESNET, "resnet", &m[k]), CLAE_OK);
        clae_rng r;
        clae_rng_seed(&r, 8);
        ck_assert_int_eq(clae_model_init(&m[k], &r), CLAE_OK);
        if (!x) {
            cnt = 2 * clae_model_in_count(&m[k]);
            x = tu_alloc_rand(cnt, -1, 1, &seed), t = tu_alloc_rand(cnt, -1, 1, &seed);
        }
        clae_net n;
        ck_assert_int_eq(clae_net_create(&n, &m[k], devs[k], 2), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.act[0], x, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(devs[k], n.target, t, cnt * 4), CLAE_OK);
        ck_assert_int_eq(clae_net_train_step(&n, 2), CLAE_OK);
        ck_assert_int_eq(clae_net_download(&n), CLAE_OK);
        grads[k] = m[k].grads;
        clae_net_free(&n);
    }
    ck_assert_close("residual net: device gradients vs reference", grads[1], grads[0],
                    m[0].block_floats, TOL_MODEL_ABS, TOL_MODEL_REL);
    ck_assert_close("residual net: device weights vs reference", m[1].params, m[0].params,
                    m[0].block_floats, TOL_MODEL_ABS, TOL_MODEL_REL);
    clae_model_free(&m[0]);
    clae_model_free(&m[1]);
    free(x), free(t);
}
END_TEST

static Suite *add_suite(void)
{
    Suite *s = suite_create("add");
    TCase *tc = tu_tcase("add", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_add_cl_vs_ref);
    tcase_add_test(tc, test_add_net_gradients_fd);
    tcase_add_test(tc, test_add_net_cl_vs_ref);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(add_suite()); }
