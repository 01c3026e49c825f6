/* NumPy .npy writer: the header numpy.save writes byte for byte (checked
 * against its output for these shapes), the item sizes of descrs, a round
 * trip of the data, and refusals that leave no file. No OpenCL needed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/npy.h"
#include "testutil.h"

static char g_dir[64]; /* scratch directory for this run */

/* The dict numpy.save writes for descr and shape: its header is the magic,
 * version 1.0, the length, this dict, spaces and '\n' to a multiple of 64. */
static void check_header(const char *descr, int ndim, const size_t *shape, const char *dict)
{
    char buf[CLAE_NPY_HEADER_MAX];
    size_t len = clae_npy_header(buf, sizeof buf, descr, ndim, shape);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_eq(len % 64, 0);
    ck_assert_mem_eq(buf, "\x93NUMPY\x01\x00", 8);
    ck_assert_uint_eq((unsigned char)buf[8] | (unsigned char)buf[9] << 8, len - 10);
    size_t dl = strlen(dict);
    ck_assert_mem_eq(buf + 10, dict, dl);
    for (size_t i = 10 + dl; i < len - 1; i++) ck_assert_int_eq(buf[i], ' ');
    ck_assert_int_eq(buf[len - 1], '\n');
}

START_TEST(test_npy_header)
{
    size_t s4[4] = {10000, 16, 8, 8}, s2[2] = {13, 8}, s1[1] = {7};
    check_header("<f4", 4, s4,
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (10000, 16, 8, 8), }");
    check_header("<f4", 2, s2, "{'descr': '<f4', 'fortran_order': False, 'shape': (13, 8), }");
    check_header("|u1", 1, s1, "{'descr': '|u1', 'fortran_order': False, 'shape': (7,), }");
    check_header("<f8", 0, NULL, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
    /* the longest shape there is: still within CLAE_NPY_HEADER_MAX */
    char buf[CLAE_NPY_HEADER_MAX];
    size_t big[8] = {(size_t)-1, (size_t)-1, (size_t)-1, (size_t)-1,
                     (size_t)-1, (size_t)-1, (size_t)-1, (size_t)-1};
    size_t len = clae_npy_header(buf, sizeof buf, "<f4", 8, big);
    ck_assert_uint_gt(len, 0);
    ck_assert_uint_eq(len % 64, 0);
    ck_assert_uint_eq(clae_npy_header(buf, 64, "<f4", 8, big), 0); /* does not fit */
    ck_assert_uint_eq(clae_npy_header(buf, sizeof buf, "<f4", 9, big), 0);
    ck_assert_uint_eq(clae_npy_header(buf, sizeof buf, "<f4", -1, big), 0);
    ck_assert_uint_eq(clae_npy_header(buf, sizeof buf, "f4", 1, big), 0);
}
END_TEST

START_TEST(test_npy_itemsize)
{
    ck_assert_uint_eq(clae_npy_itemsize("<f4"), 4);
    ck_assert_uint_eq(clae_npy_itemsize("<f8"), 8);
    ck_assert_uint_eq(clae_npy_itemsize("|u1"), 1);
    ck_assert_uint_eq(clae_npy_itemsize("<u1"), 1);
    ck_assert_uint_eq(clae_npy_itemsize(">i2"), 2);
    ck_assert_uint_eq(clae_npy_itemsize("|b1"), 1);
    const char *bad[] = {NULL, "", "<", "<f", "f4", "<x4", "<f3", "<u3", "<f04", "<f4 ", "<f4x",
                         "<u16", "<f99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(clae_npy_itemsize(bad[i]) == 0, "'%s' accepted", bad[i] ? bad[i] : "NULL");
}
END_TEST

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)n + 1);
    ck_assert(b != NULL);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

START_TEST(test_npy_roundtrip)
{
    char path[128];
    snprintf(path, sizeof path, "%s/x.npy", g_dir);
    size_t shape[4] = {3, 2, 1, 5};
    float x[30];
    for (int i = 0; i < 30; i++) x[i] = (float)i * 0.25f - 3.0f;
    ck_assert_int_eq(clae_npy_write(path, "<f4", 4, shape, x, sizeof x), CLAE_OK);
    size_t len;
    unsigned char *b = slurp(path, &len);
    ck_assert_uint_eq(len, 128 + sizeof x);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2, 1, 5), }";
    ck_assert_mem_eq(b + 10, dict, strlen(dict));
    ck_assert_mem_eq(b + 128, x, sizeof x);
    free(b);
    /* an empty array: the header alone (numpy's shortest dicts take 128 bytes too) */
    size_t none[2] = {0, 4};
    ck_assert_int_eq(clae_npy_write(path, "<f4", 2, none, NULL, 0), CLAE_OK);
    b = slurp(path, &len);
    ck_assert_uint_eq(len, 128);
    free(b);
}
END_TEST

START_TEST(test_npy_refuse)
{
    char path[128], bad[160];
    snprintf(path, sizeof path, "%s/refused.npy", g_dir);
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.npy", g_dir);
    size_t shape[2] = {2, 3};
    float x[6] = {0};
    struct stat st;
    ck_assert_int_eq(clae_npy_write(path, "<f4", 2, shape, x, sizeof x - 4), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_npy_write(path, "<f5", 2, shape, x, sizeof x), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_npy_write(path, "<f4", 2, shape, NULL, sizeof x), CLAE_ERR_ARG);
    size_t huge[2] = {(size_t)-1, 2};
    ck_assert_int_eq(clae_npy_write(path, "<f4", 2, huge, x, sizeof x), CLAE_ERR_ARG);
    ck_assert_int_ne(stat(path, &st), 0);
    ck_assert_int_eq(clae_npy_write(bad, "<f4", 2, shape, x, sizeof x), CLAE_ERR_IO);
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_npy_header);
    tcase_add_test(tc, test_npy_itemsize);
    tcase_add_test(tc, test_npy_roundtrip);
    tcase_add_test(tc, test_npy_refuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/clae-npy-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    int rc = tu_run(npy_suite());
    char path[128];
    snprintf(path, sizeof path, "%s/x.npy", g_dir);
    unlink(path);
    rmdir(g_dir);
    return rc;
}
