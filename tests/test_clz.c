/* The .clz file of clae compress (src/host/io/clz.c): the quantiser's round trip (error at
 * most half a step, the ends exact, a flat code), the packings, a whole file encoded and
 * decoded back to the dequantised code, and every refusal of a damaged file (magic, version,
 * bits, sizes, range, truncation, a flipped payload byte, trailing bytes); the JPEG scan
 * size (src/host/io/jpeg_mem.c). No OpenCL needed. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clae/clz.h"
#include "clae/image.h"
#include "clae/jpeg_mem.h"
#include "testutil.h"

#define N 200 /* code values */

static void ramp(float *v, size_t n)
{
    for (size_t i = 0; i < n; i++) v[i] = (float)(sin(0.37 * (double)i) * 3.0 - 0.5);
}

START_TEST(test_clz_quantiser)
{
    float v[N], back[N], lo, hi;
    uint16_t q[N];
    ramp(v, N);
    ck_assert(clae_clz_range(v, N, &lo, &hi));
    for (int bits = 1; bits <= CLAE_CLZ_BITS_MAX; bits++) {
        clae_clz_quantise(v, N, bits, lo, hi, q);
        clae_clz_dequantise(q, N, bits, lo, hi, back);
        const double step = ((double)hi - lo) / (double)((1u << bits) - 1);
        for (int i = 0; i < N; i++) {
            ck_assert_uint_le(q[i], (1u << bits) - 1);
            /* half a step, and a float's rounding of the result */
            ck_assert_double_le(fabs((double)back[i] - v[i]), step / 2 + 1e-6);
        }
        /* the ends come back exactly */
        float ends[2] = {lo, hi}, eb[2];
        uint16_t eq[2];
        clae_clz_quantise(ends, 2, bits, lo, hi, eq);
        clae_clz_dequantise(eq, 2, bits, lo, hi, eb);
        ck_assert_uint_eq(eq[0], 0);
        ck_assert_uint_eq(eq[1], (1u << bits) - 1);
        ck_assert_float_eq(eb[0], lo);
        ck_assert_float_eq(eb[1], hi);
    }
    /* a flat code: every q 0, every value back */
    float flat[5] = {2.5f, 2.5f, 2.5f, 2.5f, 2.5f}, fb[5];
    uint16_t fq[5];
    ck_assert(clae_clz_range(flat, 5, &lo, &hi));
    clae_clz_quantise(flat, 5, 4, lo, hi, fq);
    clae_clz_dequantise(fq, 5, 4, lo, hi, fb);
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_eq(fq[i], 0);
        ck_assert_float_eq(fb[i], 2.5f);
    }
    /* a value that is not finite has no range */
    v[7] = NAN;
    ck_assert(!clae_clz_range(v, N, &lo, &hi));
}
END_TEST

static clae_clz_header header(int bits)
{
    return (clae_clz_header){.bits = bits, .layer = 4, .H = 32, .W = 32, .C = 3, .code_c = 2,
                             .code_h = 10, .code_w = 10, .model = 0xdeadbeef};
}

START_TEST(test_clz_roundtrip)
{
    float v[N], want[N], lo, hi;
    uint16_t q[N];
    ramp(v, N);
    for (int bits = 1; bits <= CLAE_CLZ_BITS_MAX; bits++) {
        clae_clz_header h = header(bits), back;
        uint8_t *file;
        size_t len;
        float *got;
        char why[160];
        ck_assert_int_eq(clae_clz_encode(&h, v, &file, &len, why, sizeof why), CLAE_OK);
        ck_assert_int_eq(h.version, CLAE_CLZ_VERSION);
        ck_assert_mem_eq(file, "CLZ", 3);
        ck_assert_uint_gt(len, CLAE_CLZ_HEADER_BYTES);
        ck_assert_int_eq(clae_clz_decode(file, len, &back, &got, why, sizeof why), CLAE_OK);
        ck_assert_int_eq(back.bits, bits);
        ck_assert_int_eq(back.layer, 4);
        ck_assert_int_eq(back.code_c * back.code_h * back.code_w, N);
        ck_assert_int_eq(back.H, 32);
        ck_assert_uint_eq(back.model, 0xdeadbeef);
        /* exactly the in-memory quantise -> dequantise */
        ck_assert(clae_clz_range(v, N, &lo, &hi));
        ck_assert_float_eq(back.lo, lo);
        ck_assert_float_eq(back.hi, hi);
        clae_clz_quantise(v, N, bits, lo, hi, q);
        clae_clz_dequantise(q, N, bits, lo, hi, want);
        ck_assert_mem_eq(got, want, sizeof want);
        free(got);
        free(file);
    }
}
END_TEST

/* decode of data[0..len) fails with a why containing what */
static void refused(const uint8_t *data, size_t len, const char *what)
{
    clae_clz_header h;
    float *v = (float *)1;
    char why[160] = "";
    ck_assert_msg(clae_clz_decode(data, len, &h, &v, why, sizeof why) != CLAE_OK,
                  "%zu bytes decoded, want a refusal saying '%s'", len, what);
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(why, what) != NULL, "'%s' does not say '%s'", why, what);
}

START_TEST(test_clz_refusals)
{
    float v[N];
    ramp(v, N);
    clae_clz_header h = header(6);
    uint8_t *file, *bad;
    size_t len;
    char why[160];
    ck_assert_int_eq(clae_clz_encode(&h, v, &file, &len, why, sizeof why), CLAE_OK);
    bad = malloc(len + 4);
    ck_assert_ptr_nonnull(bad);
#define MUTATE(off, val, what)                                                                     \
    do {                                                                                           \
        memcpy(bad, file, len);                                                                    \
        bad[off] = (uint8_t)(val);                                                                 \
        refused(bad, len, what);                                                                   \
    } while (0)
    MUTATE(0, 'X', "wrong magic");
    MUTATE(3, 9, "version 9");
    MUTATE(4, 0, "bits 0 out of range");
    MUTATE(4, 17, "bits 17 out of range");
    MUTATE(5, 7, "unknown packing");
    MUTATE(8, 0, "a zero size");       /* H's low byte (32 -> 0) */
    MUTATE(14, 3, "payload holds");    /* code_c 2 -> 3: more values than the payload */
    MUTATE(27, 0xff, "bad code range"); /* hi's top byte: hi < 0 < lo or a NaN */
    MUTATE(len - 3, bad[len - 3] ^ 0x55, "corrupt payload"); /* the Adler-32 */
    for (size_t cut = 0; cut < len; cut += 7) refused(file, cut, cut < 3 ? "magic" : "truncated");
    memcpy(bad, file, len);
    memcpy(bad + len, "tail", 4);
    refused(bad, len + 4, "after the payload");
    /* encode refuses what the header cannot hold, and codes that are not finite */
    uint8_t *none;
    size_t nl;
    h = header(0);
    ck_assert_int_eq(clae_clz_encode(&h, v, &none, &nl, why, sizeof why), CLAE_ERR_ARG);
    h = header(4);
    h.H = 70000;
    ck_assert_int_eq(clae_clz_encode(&h, v, &none, &nl, why, sizeof why), CLAE_ERR_ARG);
    h = header(4);
    v[3] = INFINITY;
    ck_assert_int_eq(clae_clz_encode(&h, v, &none, &nl, why, sizeof why), CLAE_ERR_ARG);
    ck_assert_ptr_null(none);
    free(bad);
    free(file);
}
END_TEST

/* The scan of a JPEG: the file less its headers and tables, and it shrinks with quality. */
START_TEST(test_jpeg_scan)
{
    clae_image img, dec;
    ck_assert_int_eq(clae_image_alloc(&img, 16, 16, 3), CLAE_OK);
    for (int i = 0; i < 16 * 16 * 3; i++) img.px[i] = (uint8_t)(i * 37 % 251);
    size_t file[2], scan[2];
    const int q[2] = {20, 90};
    for (int k = 0; k < 2; k++) {
        ck_assert_int_eq(clae_jpeg_roundtrip(&img, q[k], &dec, &file[k], &scan[k]), CLAE_OK);
        ck_assert_int_eq(dec.w, 16);
        ck_assert_int_eq(dec.c, 3);
        ck_assert_uint_gt(scan[k], 0);
        ck_assert_uint_lt(scan[k] + 300, file[k]); /* quantisation and Huffman tables at least */
        clae_image_free(&dec);
    }
    ck_assert_uint_lt(scan[0], scan[1]);
    static const uint8_t no_sos[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xD9};
    ck_assert_uint_eq(clae_jpeg_scan_bytes(no_sos, sizeof no_sos), 0);
    clae_image_free(&img);
}
END_TEST

static Suite *clz_suite(void)
{
    Suite *s = suite_create("clz");
    TCase *tc = tcase_create("clz");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_clz_quantiser);
    tcase_add_test(tc, test_clz_roundtrip);
    tcase_add_test(tc, test_clz_refusals);
    tcase_add_test(tc, test_jpeg_scan);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(clz_suite()); }
