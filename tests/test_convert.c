/* CIFAR records to floats: OpenCL identical to the reference on random bytes
 * and on every byte value, and a hand-worked pair of records. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

/* out on the device from N records */
static void convert_cl(float *out, const uint8_t *rec, int N)
{
    clae_device *d = tu_device();
    cl_mem m_rec = tu_upload(rec, (size_t)N * 3073), m_out;
    ck_assert_int_eq(clae_buffer(d, (size_t)N * 3072 * 4, &m_out), CLAE_OK);
    ck_assert_int_eq(cifar_to_float_cl(d, m_out, m_rec, N), CLAE_OK);
    tu_download(m_out, out, (size_t)N * 3072 * 4);
    clReleaseMemObject(m_rec);
    clReleaseMemObject(m_out);
}

static const int COUNTS[] = {1, 3, 17};

/* _i: record count. Comparison is exact: tolerances 0. */
START_TEST(test_convert_cl_vs_ref)
{
    int N = COUNTS[_i];
    size_t nb = (size_t)N * 3073, nf = (size_t)N * 3072;
    uint8_t *rec = malloc(nb);
    ck_assert_ptr_nonnull(rec);
    uint64_t seed = 600 + (uint64_t)N;
    float *u = tu_alloc_rand(nb, 0.0f, 256.0f, &seed);
    for (size_t i = 0; i < nb; i++) rec[i] = (uint8_t)u[i];
    if (_i == 0) /* one record holding every byte value */
        for (size_t i = 0; i < 3072; i++) rec[1 + i] = (uint8_t)(i % 256);
    float *ref = tu_alloc0(nf), *cl = tu_alloc0(nf);
    cifar_to_float_ref(ref, rec, N);
    convert_cl(cl, rec, N);
    char what[64];
    snprintf(what, sizeof what, "cifar_to_float N=%d (exact)", N);
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
        if (impl == 0) cifar_to_float_ref(out, rec, 2);
        else convert_cl(out, rec, 2);
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
    tcase_add_loop_test(tc, test_convert_cl_vs_ref, 0, 3);
    tcase_add_test(tc, test_convert_hand);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(convert_suite()); }
