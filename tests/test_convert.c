/* Dataset records to floats: OpenCL identical to the reference on random
 * bytes and on every byte value, at CIFAR-10's 32x32x3 and at other shapes
 * (non-square; a pixel count that is not a multiple of the kernel's 8), and
 * a hand-worked pair of records. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* out on the device from N records of C x H x W; the floats past N*C*H*W
 * (a sentinel) stay untouched */
static void convert_cl(float *out, const uint8_t *rec, int N, int C, int H, int W)
{
    clae_device *d = tu_device();
    const size_t P = (size_t)C * H * W, nf = (size_t)N * P + 8;
    cl_mem m_rec = tu_upload(rec, (size_t)N * (P + 1)), m_out;
    float *sentinel = malloc(nf * 4);
    ck_assert_ptr_nonnull(sentinel);
    for (size_t i = 0; i < nf; i++) sentinel[i] = -1.0f;
    m_out = tu_upload(sentinel, nf * 4);
    ck_assert_int_eq(cifar_to_float_cl(d, m_out, m_rec, N, C, H, W), CLAE_OK);
    tu_download(m_out, sentinel, nf * 4);
    for (size_t i = nf - 8; i < nf; i++) ck_assert_float_eq(sentinel[i], -1.0f);
    memcpy(out, sentinel, (nf - 8) * 4);
    free(sentinel);
    clReleaseMemObject(m_rec);
    clReleaseMemObject(m_out);
}

/* record count and shape C, H, W */
static const int CASES[][4] = {{1, 3, 32, 32}, {3, 3, 32, 32}, {17, 3, 32, 32},
                               {5, 3, 48, 64}, {4, 1, 5, 7},   {3, 2, 3, 1}};

/* _i: a case. Comparison is exact: tolerances 0. */
START_TEST(test_convert_cl_vs_ref)
{
    const int N = CASES[_i][0], C = CASES[_i][1], H = CASES[_i][2], W = CASES[_i][3];
    const size_t P = (size_t)C * H * W, nb = (size_t)N * (P + 1), nf = (size_t)N * P;
    uint8_t *rec = malloc(nb);
    ck_assert_ptr_nonnull(rec);
    uint64_t seed = 600 + (uint64_t)_i;
    float *u = tu_alloc_rand(nb, 0.0f, 256.0f, &seed);
    for (size_t i = 0; i < nb; i++) rec[i] = (uint8_t)u[i];
    if (_i == 0) /* one record holding every byte value */
        for (size_t i = 0; i < 3072; i++) rec[1 + i] = (uint8_t)(i % 256);
    float *ref = tu_alloc0(nf), *cl = tu_alloc0(nf);
    cifar_to_float_ref(ref, rec, N, C, H, W);
    convert_cl(cl, rec, N, C, H, W);
    for (size_t n = 0; n < (size_t)N; n++) /* the label bytes were skipped */
        ck_assert_float_eq(ref[n * P], (float)rec[n * (P + 1) + 1] / 255.0f);
    char what[64];
    snprintf(what, sizeof what, "cifar_to_float N=%d %dx%dx%d (exact)", N, C, H, W);
    ck_assert_close(what, cl, ref, nf, 0.0, 0.0);
    ck_assert_msg(memcmp(cl, ref, nf * 4) == 0, "%s: bits differ", what);
    free(rec), free(u), free(ref), free(cl);
}
END_TEST

START_TEST(test_convert_hand)
{
    /* record 0: label 200, pixels 255, 0, 51, ..., last 255 -> 1, 0, 0.2, ..., 1
     * record 1: label 9, first pixel 128 -> 128/255, last 1 -> 1/255 */
    uint8_t rec[2 * 3073];
    memset(rec, 7, sizeof rec);
    rec[0] = 200, rec[1] = 255, rec[2] = 0, rec[3] = 51, rec[3072] = 255;
    rec[3073] = 9, rec[3074] = 128, rec[2 * 3073 - 1] = 1;
    const float want[6] = {1.0f, 0.0f, 0.2f, 1.0f, 128.0f / 255.0f, 1.0f / 255.0f};
    float out[2 * 3072], got[6];
    for (int impl = 0; impl < 2; impl++) {
        if (impl == 0) cifar_to_float_ref(out, rec, 2, 3, 32, 32);
        else convert_cl(out, rec, 2, 3, 32, 32);
        got[0] = out[0], got[1] = out[1], got[2] = out[2], got[3] = out[3071];
        got[4] = out[3072], got[5] = out[2 * 3072 - 1];
        ck_assert_close(impl ? "cifar_to_float hand cl" : "cifar_to_float hand ref", got, want,
                        6, TOL_HAND_ABS, TOL_HAND_REL);
        /* every other pixel is 7/255: the label bytes were skipped */
        int others = 0;
        for (int i = 0; i < 2 * 3072; i++)
            others += out[i] == 7.0f / 255.0f;
        ck_assert_int_eq(others, 2 * 3072 - 6);
    }
}
END_TEST

static Suite *convert_suite(void)
{
    Suite *s = suite_create("convert");
    TCase *tc = tu_tcase("convert", 120, 1); /* all of it under oclgrind */
    tcase_add_loop_test(tc, test_convert_cl_vs_ref, 0, (int)(sizeof CASES / sizeof CASES[0]));
    tcase_add_test(tc, test_convert_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(convert_suite()); }
