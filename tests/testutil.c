#include "testutil.h"

#include "clae/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static clae_device g_dev;
static int g_dev_open;

clae_device *tu_device(void)
{
    if (!g_dev_open) {
        clae_status st = clae_device_open(&g_dev, NULL);
        ck_assert_msg(st == CLAE_OK, "cannot open the OpenCL device: %s", clae_status_str(st));
        ck_assert_msg(g_dev.be->id == CLAE_BACKEND_OPENCL, "no OpenCL device: kernel tests need one (PoCL on CI)");
        g_dev_open = 1;
        fprintf(stderr, "device under test: %s (%s)\n", g_dev.name, g_dev.platform_name);
    }
    return &g_dev;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void tu_rand(float *x, size_t n, float lo, float hi, uint64_t *seed)
{
    for (size_t i = 0; i < n; i++) {
        double u = (double)(splitmix(seed) >> 11) / 9007199254740992.0;
        x[i] = (float)(lo + (hi - lo) * u);
    }
}

float *tu_alloc_rand(size_t n, float lo, float hi, uint64_t *seed)
{
    float *x = malloc((n ? n : 1) * sizeof *x);
    ck_assert_ptr_nonnull(x);
    tu_rand(x, n, lo, hi, seed);
    return x;
}

float *tu_alloc0(size_t n)
{
    float *x = calloc(n ? n : 1, sizeof *x);
    ck_assert_ptr_nonnull(x);
    return x;
}

cl_mem tu_upload(const void *x, size_t bytes)
{
    clae_device *d = tu_device();
    cl_mem m;
    ck_assert_int_eq(clae_buffer(d, bytes, &m), CLAE_OK);
    ck_assert_int_eq(clae_write(d, m, x, bytes), CLAE_OK);
    return m;
}

void tu_download(cl_mem m, void *x, size_t bytes)
{
    ck_assert_int_eq(clae_read(tu_device(), m, x, bytes), CLAE_OK);
}

int tu_close(const char *what, const float *got, const float *want, size_t n, double abs_tol,
             double rel_tol)
{
    double max_err = 0.0;
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        double a = got[i], b = want[i];
        double err = fabs(a - b);
        double tol = abs_tol + rel_tol * fmax(fabs(a), fabs(b));
        if (!(err <= tol)) { /* also catches NaN */
            if (bad == 0) first = i;
            bad++;
        }
        if (err > max_err || isnan(err)) max_err = err;
    }
    printf("  %-40s n=%-8zu max abs err %.3g (tol %.0e + %.0e*|x|) %s\n", what, n, max_err,
           abs_tol, rel_tol, bad ? "FAIL" : "ok");
    if (bad)
        printf("    %zu mismatches; first at %zu: got %.9g want %.9g\n", bad, first,
               (double)got[first], (double)want[first]);
    fflush(stdout);
    return bad == 0;
}

TCase *tu_tcase(const char *name, int timeout_s, int sim)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, timeout_s);
    if (sim) tcase_set_tags(tc, "sim");
    return tc;
}

int tu_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (g_dev_open) clae_device_close(&g_dev);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int g_saved_fd = -1;
static FILE *g_capture;
static char g_captured[4096];

void tu_capture_begin(void)
{
    fflush(stderr);
    g_capture = tmpfile();
    ck_assert_ptr_nonnull(g_capture);
    g_saved_fd = dup(2);
    ck_assert_int_ge(g_saved_fd, 0);
    dup2(fileno(g_capture), 2);
}

const char *tu_capture_end(void)
{
    fflush(stderr);
    dup2(g_saved_fd, 2);
    close(g_saved_fd);
    rewind(g_capture);
    size_t n = fread(g_captured, 1, sizeof g_captured - 1, g_capture);
    g_captured[n] = '\0';
    fclose(g_capture);
    return g_captured;
}

char *tu_summary(const clae_model *m)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    clae_model_summary(m, f);
    fclose(f);
    ck_assert_ptr_nonnull(text);
    fputs(text, stderr);
    return text;
}
