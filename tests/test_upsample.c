/* Upsampling: nearest, bilinear (Keras / tf.image.resize semantics) and bed
 * of nails. The hand examples of the source material, OpenCL vs reference
 * on random inputs (forward and backward), and the reference backward vs
 * central finite differences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static const char *const MODE[] = {"nearest", "bilinear", "bed_of_nails"};

typedef struct up_case {
    int N, C, H, W, sh, sw;
} up_case;

static const up_case CASES[] = {
    {1, 1, 2, 2, 2, 2}, {2, 3, 5, 7, 2, 2}, {1, 4, 8, 8, 3, 3}, {3, 2, 4, 6, 2, 3},
    {2, 16, 8, 8, 2, 2}, {1, 1, 1, 1, 4, 4}, {2, 8, 16, 16, 2, 2}, {1, 3, 7, 5, 3, 1},
};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

static clae_conv_shape shape_of(const up_case *c)
{
    return (clae_conv_shape){.N = c->N, .C = c->C, .H = c->H, .W = c->W, .K = c->C, .sh = c->sh,
                             .sw = c->sw, .P = c->H * c->sh, .Q = c->W * c->sw};
}

static void ref_fwd(int mode, float *out, const float *in, const clae_conv_shape *g)
{
    if (mode == CLAE_UP_NEAREST) upsample_nearest_forward_ref(out, in, g);
    else if (mode == CLAE_UP_BILINEAR) upsample_bilinear_forward_ref(out, in, g);
    else bed_of_nails_forward_ref(out, in, g);
}

static void ref_bwd(int mode, float *din, const float *dout, const clae_conv_shape *g)
{
    if (mode == CLAE_UP_NEAREST) upsample_nearest_backward_ref(din, dout, g);
    else if (mode == CLAE_UP_BILINEAR) upsample_bilinear_backward_ref(din, dout, g);
    else bed_of_nails_backward_ref(din, dout, g);
}

/* The source's examples on a 2x2 map, factor 2. */
START_TEST(test_upsample_hand)
{
    const up_case c = {1, 1, 2, 2, 2, 2};
    clae_conv_shape g = shape_of(&c);
    const float a[4] = {1, 2, 3, 4}, b[4] = {10, 20, 30, 40};
    float out[16];
    const float nearest[16] = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    const float nails[16] = {1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0};
    const float bilinear[16] = {10, 12.5f, 17.5f, 20, 15, 17.5f, 22.5f, 25,
                                25, 27.5f, 32.5f, 35, 30, 32.5f, 37.5f, 40};
    upsample_nearest_forward_ref(out, a, &g);
    ck_assert_close("nearest [[1,2],[3,4]]", out, nearest, 16, TOL_HAND_ABS, TOL_HAND_REL);
    bed_of_nails_forward_ref(out, a, &g);
    ck_assert_close("bed of nails [[1,2],[3,4]]", out, nails, 16, TOL_HAND_ABS, TOL_HAND_REL);
    upsample_bilinear_forward_ref(out, b, &g);
    ck_assert_close("bilinear [[10,20],[30,40]]", out, bilinear, 16, TOL_HAND_ABS, TOL_HAND_REL);
    /* and the same on the device */
    clae_device *d = tu_device();
    cl_mem mi = tu_upload(b, sizeof b), mo;
    ck_assert_int_eq(clae_buffer(d, sizeof out, &mo), CLAE_OK);
    ck_assert_int_eq(upsample_forward_cl(d, CLAE_UP_BILINEAR, mo, mi, &g), CLAE_OK);
    tu_download(mo, out, sizeof out);
    ck_assert_close("bilinear [[10,20],[30,40]] on the device", out, bilinear, 16, TOL_HAND_ABS,
                    TOL_HAND_REL);
    clReleaseMemObject(mi);
    clReleaseMemObject(mo);
}
END_TEST

/* _i: case * 3 + mode */
START_TEST(test_upsample_cl_vs_ref)
{
    const up_case *c = &CASES[_i / 3];
    int mode = _i % 3;
    clae_conv_shape g = shape_of(c);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    uint64_t seed = 11 + (uint64_t)_i;
    float *in = tu_alloc_rand(n_in, -1.0f, 1.0f, &seed), *dout = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out_ref = tu_alloc0(n_out), *din_ref = tu_alloc0(n_in);
    float *out_cl = tu_alloc0(n_out), *din_cl = tu_alloc0(n_in);
    ref_fwd(mode, out_ref, in, &g);
    ref_bwd(mode, din_ref, dout, &g);
    clae_device *d = tu_device();
    cl_mem mi = tu_upload(in, n_in * 4), md = tu_upload(dout, n_out * 4), mo, mdi;
    ck_assert_int_eq(clae_buffer(d, n_out * 4, &mo), CLAE_OK);
    ck_assert_int_eq(clae_buffer(d, n_in * 4, &mdi), CLAE_OK);
    ck_assert_int_eq(upsample_forward_cl(d, (clae_upsample)mode, mo, mi, &g), CLAE_OK);
    ck_assert_int_eq(upsample_backward_cl(d, (clae_upsample)mode, mdi, md, &g), CLAE_OK);
    tu_download(mo, out_cl, n_out * 4);
    tu_download(mdi, din_cl, n_in * 4);
    char what[96];
    snprintf(what, sizeof what, "%s fwd %dx%dx%dx%d x%d,%d", MODE[mode], c->N, c->C, c->H, c->W,
             c->sh, c->sw);
    ck_assert_close(what, out_cl, out_ref, n_out, TOL_ELEM_ABS, TOL_ELEM_REL);
    snprintf(what, sizeof what, "%s bwd %dx%dx%dx%d x%d,%d", MODE[mode], c->N, c->C, c->H, c->W,
             c->sh, c->sw);
    ck_assert_close(what, din_cl, din_ref, n_in, TOL_SUM_ABS, TOL_SUM_REL);
    clReleaseMemObject(mi), clReleaseMemObject(md), clReleaseMemObject(mo), clReleaseMemObject(mdi);
    free(in), free(dout), free(out_ref), free(din_ref), free(out_cl), free(din_cl);
}
END_TEST

/* L = sum(G * up(x)): its gradient is the reference backward applied to G. */
START_TEST(test_upsample_ref_backward_fd)
{
    const up_case *c = &CASES[_i / 3];
    int mode = _i % 3;
    clae_conv_shape g = shape_of(c);
    size_t n_in = (size_t)g.N * g.C * g.H * g.W, n_out = (size_t)g.N * g.C * g.P * g.Q;
    uint64_t seed = 51 + (uint64_t)_i;
    float *x = tu_alloc_rand(n_in, -1.0f, 1.0f, &seed), *G = tu_alloc_rand(n_out, -1.0f, 1.0f, &seed);
    float *out = tu_alloc0(n_out), *dx = tu_alloc0(n_in), *fd = tu_alloc0(n_in);
    ref_bwd(mode, dx, G, &g);
    for (size_t i = 0; i < n_in; i++) {
        float x0 = x[i];
        double L[2];
        for (int k = 0; k < 2; k++) {
            x[i] = x0 + (k ? -1.0f : 1.0f) * (float)FD_STEP;
            ref_fwd(mode, out, x, &g);
            double s = 0;
            for (size_t j = 0; j < n_out; j++) s += (double)G[j] * out[j];
            L[k] = s;
        }
        x[i] = x0;
        fd[i] = (float)((L[0] - L[1]) / (2.0 * FD_STEP));
    }
    char what[96];
    snprintf(what, sizeof what, "%s bwd vs finite diff %dx%dx%dx%d x%d,%d", MODE[mode], c->N,
             c->C, c->H, c->W, c->sh, c->sw);
    ck_assert_close(what, dx, fd, n_in, TOL_FD_ABS, TOL_FD_REL);
    free(x), free(G), free(out), free(dx), free(fd);
}
END_TEST

static Suite *upsample_suite(void)
{
    Suite *s = suite_create("upsample");
    TCase *tc = tu_tcase("upsample", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_upsample_hand);
    tcase_add_loop_test(tc, test_upsample_cl_vs_ref, 0, NCASES * 3);
    tcase_add_loop_test(tc, test_upsample_ref_backward_fd, 0, NCASES * 3);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(upsample_suite()); }
