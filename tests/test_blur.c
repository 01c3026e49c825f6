/* Gaussian blur: the 1-D kernel against hand values, a constant image, a
 * single bright pixel (outer product of the kernel), reflect-101 borders
 * worked by hand (including images narrower than the radius), and OpenCL vs
 * reference on random images. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* out on the device */
static void blur_cl(float *out, const float *in, const float *k, int ksize, int N, int C, int H,
                    int W)
{
    clae_device *d = tu_device();
    size_t n = (size_t)N * C * H * W;
    cl_mem m_in = tu_upload(in, n * 4), m_k = tu_upload(k, (size_t)ksize * 4), m_out;
    ck_assert_int_eq(clae_buffer(d, n * 4, &m_out), CLAE_OK);
    ck_assert_int_eq(blur_forward_cl(d, m_out, m_in, m_k, ksize, N, C, H, W), CLAE_OK);
    tu_download(m_out, out, n * 4);
    clReleaseMemObject(m_in);
    clReleaseMemObject(m_k);
    clReleaseMemObject(m_out);
}

START_TEST(test_blur_gaussian_kernel_hand)
{
    /* ksize 5, sigma 1.1: 2 sigma^2 = 2.42, taps at -2..2:
     *   exp(-4/2.42) = 0.1914951950, exp(-1/2.42) = 0.6615146556, exp(0) = 1
     *   sum = 2 * 0.1914951950 + 2 * 0.6615146556 + 1 = 2.7060197013
     *   -> 0.0707663713, 0.2444603989, 0.3695464595, 0.2444603989, 0.0707663713 */
    const float want[5] = {0.0707663713f, 0.2444603989f, 0.3695464595f, 0.2444603989f,
                           0.0707663713f};
    float k[5];
    clae_gaussian_kernel(k, 5, 1.1);
    ck_assert_close("gaussian ksize 5 sigma 1.1", k, want, 5, TOL_HAND_ABS, TOL_HAND_REL);
    /* ksize 1 is the identity; ksize 3 sigma 1: exp(-1/2) = 0.6065306597,
     * sum 2.2130613194 -> 0.2740686191, 0.4518627619, 0.2740686191 */
    const float one = 1.0f, want3[3] = {0.2740686191f, 0.4518627619f, 0.2740686191f};
    float k1, k3[3];
    clae_gaussian_kernel(&k1, 1, 0.8);
    ck_assert_close("gaussian ksize 1", &k1, &one, 1, TOL_HAND_ABS, TOL_HAND_REL);
    clae_gaussian_kernel(k3, 3, 1.0);
    ck_assert_close("gaussian ksize 3 sigma 1", k3, want3, 3, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

START_TEST(test_blur_constant)
{
    enum { N = 2, C = 3, H = 9, W = 6, n = N * C * H * W };
    float k[7], in[n], out[n], want[n];
    clae_gaussian_kernel(k, 7, 1.5);
    for (int i = 0; i < n; i++) in[i] = want[i] = 0.625f;
    blur_forward_ref(out, in, k, 7, N, C, H, W);
    ck_assert_close("blur constant image ref", out, want, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    blur_cl(out, in, k, 7, N, C, H, W);
    ck_assert_close("blur constant image cl", out, want, n, TOL_ELEM_ABS, TOL_ELEM_REL);
}
END_TEST

/* A 1 in the middle of a 9x9 zero image, ksize 5: out[4+a][4+b] = k[2+a] k[2+b]
 * for |a|, |b| <= 2 (the borders are never reached), 0 elsewhere. */
START_TEST(test_blur_impulse)
{
    float k[5], in[81] = {0}, out[81], want[81] = {0};
    clae_gaussian_kernel(k, 5, 1.1);
    in[4 * 9 + 4] = 1.0f;
    for (int a = 0; a < 5; a++)
        for (int b = 0; b < 5; b++) want[(2 + a) * 9 + 2 + b] = k[a] * k[b];
    blur_forward_ref(out, in, k, 5, 1, 1, 9, 9);
    ck_assert_close("blur impulse ref", out, want, 81, TOL_HAND_ABS, TOL_HAND_REL);
    blur_cl(out, in, k, 5, 1, 1, 9, 9);
    ck_assert_close("blur impulse cl", out, want, 81, TOL_HAND_ABS, TOL_HAND_REL);
}
END_TEST

/* Reflect-101 by hand (out[w] = sum_i k[i] in[reflect(w + i - r)]):
 * (a) 1x3 row [1, 2, 4], k = [1/4, 1/2, 1/4]: index -1 -> 1, index 3 -> 1:
 *     w0 = 2/4 + 1/2 + 2/4 = 1.5; w1 = 1/4 + 1 + 4/4 = 2.25; w2 = 2/4 + 2 + 2/4 = 3.
 *     H = 1, so the column pass sees the same row at every tap (sum k = 1).
 * (b) the same as a 3x1 column: the column pass does the work, same numbers.
 * (c) 1x2 row [a, b] = [1, 10], k = [1,2,3,4,5]/15 (radius 2 > W-1): indices
 *     -2..2 -> 0,1,0,1,0 and -1..3 -> 1,0,1,0,1:
 *     w0 = (1a + 2b + 3a + 4b + 5a)/15 = (9 + 60)/15 = 4.6
 *     w1 = (1b + 2a + 3b + 4a + 5b)/15 = (90 + 6)/15 = 6.4
 * (d) 1x1 image with the 5-tap kernel: the single pixel, 3 -> 3 * sum k = 3. */
START_TEST(test_blur_reflect_hand)
{
    const float k3[3] = {0.25f, 0.5f, 0.25f};
    const float k5[5] = {1 / 15.0f, 2 / 15.0f, 3 / 15.0f, 4 / 15.0f, 5 / 15.0f};
    const float in3[3] = {1, 2, 4}, want3[3] = {1.5f, 2.25f, 3.0f};
    const float in2[2] = {1, 10}, want2[2] = {4.6f, 6.4f};
    const float in1 = 3.0f, want1 = 3.0f;
    float out[3];
    for (int impl = 0; impl < 2; impl++) {
        const char *tag = impl ? "cl" : "ref";
        char what[64];
#define BLUR(o, i, k, ks, H, W) \
    (impl ? blur_cl(o, i, k, ks, 1, 1, H, W) : blur_forward_ref(o, i, k, ks, 1, 1, H, W))
        BLUR(out, in3, k3, 3, 1, 3);
        snprintf(what, sizeof what, "blur reflect101 1x3 row %s", tag);
        ck_assert_close(what, out, want3, 3, TOL_HAND_ABS, TOL_HAND_REL);
        BLUR(out, in3, k3, 3, 3, 1);
        snprintf(what, sizeof what, "blur reflect101 3x1 column %s", tag);
        ck_assert_close(what, out, want3, 3, TOL_HAND_ABS, TOL_HAND_REL);
        BLUR(out, in2, k5, 5, 1, 2);
        snprintf(what, sizeof what, "blur reflect101 1x2 row, 5 taps %s", tag);
        ck_assert_close(what, out, want2, 2, TOL_HAND_ABS, TOL_HAND_REL);
        BLUR(out, &in1, k5, 5, 1, 1);
        snprintf(what, sizeof what, "blur 1x1 image, 5 taps %s", tag);
        ck_assert_close(what, out, &want1, 1, TOL_HAND_ABS, TOL_HAND_REL);
#undef BLUR
    }
}
END_TEST

typedef struct blur_case {
    int N, C, H, W, ksize;
    double sigma;
} blur_case;

static const blur_case CASES[] = {
    {1, 1, 32, 32, 5, 1.1}, {3, 3, 32, 32, 3, 0.8}, {1, 3, 7, 5, 5, 1.1},  {3, 1, 7, 5, 7, 2.0},
    {3, 3, 3, 3, 5, 1.1},   {1, 1, 3, 3, 9, 3.0},   {3, 3, 32, 32, 9, 2.5}, {1, 3, 1, 7, 5, 1.0},
};
#define NCASES (int)(sizeof CASES / sizeof CASES[0])

START_TEST(test_blur_cl_vs_ref)
{
    const blur_case *c = &CASES[_i];
    size_t n = (size_t)c->N * c->C * c->H * c->W;
    uint64_t seed = 800 + (uint64_t)_i;
    float *in = tu_alloc_rand(n, 0.0f, 1.0f, &seed), *ref = tu_alloc0(n), *cl = tu_alloc0(n);
    float k[9];
    clae_gaussian_kernel(k, c->ksize, c->sigma);
    blur_forward_ref(ref, in, k, c->ksize, c->N, c->C, c->H, c->W);
    blur_cl(cl, in, k, c->ksize, c->N, c->C, c->H, c->W);
    char what[64];
    snprintf(what, sizeof what, "blur %dx%dx%dx%d ksize %d", c->N, c->C, c->H, c->W, c->ksize);
    ck_assert_close(what, cl, ref, n, TOL_ELEM_ABS, TOL_ELEM_REL);
    free(in), free(ref), free(cl);
}
END_TEST

static Suite *blur_suite(void)
{
    Suite *s = suite_create("blur");
    TCase *tc = tu_tcase("blur", 120, 1); /* all of it under oclgrind */
    tcase_add_test(tc, test_blur_gaussian_kernel_hand);
    tcase_add_test(tc, test_blur_constant);
    tcase_add_test(tc, test_blur_impulse);
    tcase_add_test(tc, test_blur_reflect_hand);
    tcase_add_loop_test(tc, test_blur_cl_vs_ref, 0, NCASES);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(blur_suite()); }
