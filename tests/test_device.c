/* Device layer, host side: the program-binary cache stays per user and
 * loads only what it wrote (it used to fall back to /tmp/clae-cache and load
 * any file found there; no OpenCL device needed); the fill and copy kernels
 * of recorded steps; the loop-limit probe and its budget. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

static char g_dir[64];

static void mkdir_tmp(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/clae-device-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void rm_tmp(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Where the cache goes: XDG_CACHE_HOME, else HOME, else the passwd entry's
 * home; never a shared /tmp folder. */
START_TEST(test_cache_dir_choice)
{
    char keep_xdg[512] = "", keep_home[512] = "", buf[1024];
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x) snprintf(keep_xdg, sizeof keep_xdg, "%s", x);
    if (h) snprintf(keep_home, sizeof keep_home, "%s", h);

    setenv("XDG_CACHE_HOME", "/somewhere/cache", 1);
    ck_assert_int_eq(clae_cache_dir(buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "/somewhere/cache/clae");
    unsetenv("XDG_CACHE_HOME");
    setenv("HOME", "/home/someone", 1);
    ck_assert_int_eq(clae_cache_dir(buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "/home/someone/.cache/clae");
    unsetenv("HOME");
    int have = clae_cache_dir(buf, sizeof buf);
    printf("  without HOME and XDG_CACHE_HOME: %s\n", have ? buf : "(no cache)");
    ck_assert(!have || strncmp(buf, "/tmp", 4) != 0);
    char small[8];
    setenv("XDG_CACHE_HOME", "/a/path/longer/than/the/buffer", 1);
    ck_assert_int_eq(clae_cache_dir(small, sizeof small), 0); /* never a truncated path */

    if (x) setenv("XDG_CACHE_HOME", keep_xdg, 1); else unsetenv("XDG_CACHE_HOME");
    if (h) setenv("HOME", keep_home, 1); else unsetenv("HOME");
}
END_TEST

/* A folder others may write to, or a link, is not used. */
START_TEST(test_cache_dir_safe)
{
    mkdir_tmp();
    char sub[128], link[128];
    snprintf(sub, sizeof sub, "%s/cache", g_dir);
    snprintf(link, sizeof link, "%s/link", g_dir);
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    ck_assert_int_eq(clae_cache_dir_safe(sub), 1);
    ck_assert_int_eq(chmod(sub, 0777), 0);
    ck_assert_int_eq(clae_cache_dir_safe(sub), 0);
    ck_assert_int_eq(chmod(sub, 0755), 0);
    ck_assert_int_eq(clae_cache_dir_safe(sub), 1);
    ck_assert_int_eq(symlink(sub, link), 0);
    ck_assert_int_eq(clae_cache_dir_safe(link), 0);
    snprintf(sub, sizeof sub, "%s/absent", g_dir);
    ck_assert_int_eq(clae_cache_dir_safe(sub), 0);
    rm_tmp();
}
END_TEST

/* An entry reads back only as written: a flipped byte, a truncated or
 * lengthened file, a foreign format, a group-writable file or a link fail
 * the checks (and clae then builds from source). */
START_TEST(test_cache_entry_checks)
{
    mkdir_tmp();
    char p[128], q[128];
    snprintf(p, sizeof p, "%s/entry.bin", g_dir);
    snprintf(q, sizeof q, "%s/other.bin", g_dir);
    unsigned char bin[300];
    for (size_t i = 0; i < sizeof bin; i++) bin[i] = (unsigned char)(i * 7 + 3);
    ck_assert_int_eq(clae_cache_write(p, bin, sizeof bin), CLAE_OK);
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0600);
    unsigned char *got;
    size_t len;
    ck_assert_int_eq(clae_cache_read(p, &got, &len), CLAE_OK);
    ck_assert_uint_eq(len, sizeof bin);
    ck_assert_mem_eq(got, bin, sizeof bin);
    free(got);

    FILE *f = fopen(p, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char raw[400];
    size_t n = fread(raw, 1, sizeof raw, f);
    fclose(f);
    ck_assert_uint_eq(n, 24 + sizeof bin);
    struct {
        const char *what;
        size_t at, len;
        int flip;
    } cases[] = {{"flipped byte", 100, 24 + sizeof bin, 1},
                 {"truncated", 0, 24 + sizeof bin - 1, 0},
                 {"foreign magic", 0, 24 + sizeof bin, 2},
                 {"header only", 0, 24, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char c[400];
        memcpy(c, raw, n);
        if (cases[i].flip == 1) c[cases[i].at] ^= 0x40;
        if (cases[i].flip == 2) c[0] = 'X';
        f = fopen(q, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(c, 1, cases[i].len, f), cases[i].len);
        fclose(f);
        ck_assert_int_eq(chmod(q, 0600), 0);
        ck_assert_msg(clae_cache_read(q, &got, &len) == CLAE_ERR_FORMAT, "%s accepted",
                      cases[i].what);
        ck_assert_ptr_null(got);
    }
    ck_assert_int_eq(chmod(p, 0666), 0); /* someone else could have written it */
    ck_assert_int_eq(clae_cache_read(p, &got, &len), CLAE_ERR_FORMAT);
    ck_assert_int_eq(chmod(p, 0600), 0);
    unlink(q);
    ck_assert_int_eq(symlink(p, q), 0);
    ck_assert_int_eq(clae_cache_read(q, &got, &len), CLAE_ERR_IO); /* a link: not followed */
    snprintf(q, sizeof q, "%s/absent.bin", g_dir);
    ck_assert_int_eq(clae_cache_read(q, &got, &len), CLAE_ERR_IO);
    rm_tmp();
}
END_TEST

/* The kernels a recording holds for fills and copies (buffer.cl) against
 * their twins memset and memmove, at float offsets; then a recording of
 * both, replayed twice, against the same, and a transfer inside a
 * recording refused (the recording thrown away, nothing run). */
START_TEST(test_record_fill_copy)
{
    clae_device *d = tu_device();
    enum { N = 1000 };
    uint64_t seed = 31;
    float *a = tu_alloc_rand(N, -1.0f, 1.0f, &seed), *b = tu_alloc_rand(N, -1.0f, 1.0f, &seed);
    float *want = tu_alloc0(N), *got = tu_alloc0(N);
    clae_buf ba, bb;
    ck_assert_int_eq(clae_buf_alloc(d, N * 4, &ba), CLAE_OK);
    ck_assert_int_eq(clae_buf_alloc(d, N * 4, &bb), CLAE_OK);
    for (int pass = 0; pass < 3; pass++) { /* 0: kernels run directly; 1, 2: replays */
        ck_assert_int_eq(clae_buf_write(d, ba, a, N * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(d, bb, b, N * 4), CLAE_OK);
        clae_recording r = {0};
        int recording = pass > 0 && d->cb.create; /* an OpenCL device with command buffers */
        if (pass > 0 && !recording) break;
        if (recording) ck_assert_int_eq(clae_record_begin(d), CLAE_OK);
        if (d->be->id == CLAE_BACKEND_OPENCL && !recording) { /* the kernels, unrecorded */
            cl_kernel kf, kc;
            ck_assert_int_eq(clae_kernel(d, "fill_zero", &kf), CLAE_OK);
            ck_assert_int_eq(clae_kernel(d, "copy_floats", &kc), CLAE_OK);
            int n = 300, doff = 17, soff = 501, cn = 400;
            ck_assert_int_eq(clSetKernelArg(kf, 0, sizeof(cl_mem), &ba.d), CL_SUCCESS);
            ck_assert_int_eq(clSetKernelArg(kf, 1, sizeof n, &n), CL_SUCCESS);
            ck_assert_int_eq(clae_launch1d(d, kf, 300), CLAE_OK);
            ck_assert_int_eq(clSetKernelArg(kc, 0, sizeof(cl_mem), &ba.d), CL_SUCCESS);
            ck_assert_int_eq(clSetKernelArg(kc, 1, sizeof doff, &doff), CL_SUCCESS);
            ck_assert_int_eq(clSetKernelArg(kc, 2, sizeof(cl_mem), &bb.d), CL_SUCCESS);
            ck_assert_int_eq(clSetKernelArg(kc, 3, sizeof soff, &soff), CL_SUCCESS);
            ck_assert_int_eq(clSetKernelArg(kc, 4, sizeof cn, &cn), CL_SUCCESS);
            ck_assert_int_eq(clae_launch1d(d, kc, 400), CLAE_OK);
        } else {
            ck_assert_int_eq(clae_buf_fill0(d, ba, 300 * 4), CLAE_OK);
            ck_assert_int_eq(clae_buf_copy(d, ba, 17 * 4, bb, 501 * 4, 400 * 4), CLAE_OK);
        }
        if (recording) {
            ck_assert_int_eq(clae_record_end(d, &r), CLAE_OK);
            ck_assert_ptr_nonnull(r.cb);
            ck_assert_uint_eq(r.nkernels, 2);
            for (int k = 0; k < pass; k++) ck_assert_int_eq(clae_replay(d, &r), CLAE_OK);
        }
        memcpy(want, a, N * 4);
        memset(want, 0, 300 * 4);
        memmove(want + 17, b + 501, 400 * 4);
        ck_assert_int_eq(clae_buf_read(d, ba, got, N * 4), CLAE_OK);
        char what[64];
        snprintf(what, sizeof what, "fill + copy, %s", pass ? "replayed" : "kernels");
        ck_assert_close(what, got, want, N, 0.0, 0.0);
        clae_recording_free(d, &r);
    }
    if (d->cb.create) { /* a transfer cannot be recorded */
        ck_assert_int_eq(clae_record_begin(d), CLAE_OK);
        ck_assert_int_eq(clae_buf_fill0(d, ba, N * 4), CLAE_OK);
        ck_assert_int_eq(clae_buf_write(d, bb, a, N * 4), CLAE_OK);
        ck_assert_int_eq(d->rec_failed, 1);
        clae_recording r;
        ck_assert_int_eq(clae_record_end(d, &r), CLAE_OK);
        ck_assert_ptr_null(r.cb);
        ck_assert_int_eq(clae_buf_read(d, ba, got, N * 4), CLAE_OK);
        ck_assert_float_eq(got[N - 1], want[N - 1]); /* the fill never ran */
    } else {
        printf("  no command buffers on %s: recording not checked\n", d->name);
    }
    clae_buf_free(&ba);
    clae_buf_free(&bb);
    free(a), free(b), free(want), free(got);
}
END_TEST

/* The probe kernel (probe.cl) against its twin, the same loop in C, for
 * step counts below any limit; the probe's finding on the device under test
 * (0, or the count a long loop really ran: 65535 on llvmpipe); the budget
 * and check derived from it. */
static uint32_t lcg_ref(int n)
{
    uint32_t x = 0;
    for (int i = 0; i < n; i++) x = x * 1664525u + 1013904223u;
    return x;
}

START_TEST(test_loop_probe)
{
    clae_device *d = tu_device();
    cl_kernel k;
    ck_assert_int_eq(clae_kernel(d, "device_loop_probe", &k), CLAE_OK);
    cl_mem m = tu_upload(&(cl_uint){7}, sizeof(cl_uint));
    const int ns[] = {0, 1, 2, 1000, 30000};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        cl_uint got = 0;
        size_t one = 1;
        ck_assert_int_eq(clSetKernelArg(k, 0, sizeof m, &m), CL_SUCCESS);
        ck_assert_int_eq(clSetKernelArg(k, 1, sizeof ns[i], &ns[i]), CL_SUCCESS);
        ck_assert_int_eq(clae_launch(d, k, 1, &one, &one), CLAE_OK);
        tu_download(m, &got, sizeof got);
        ck_assert_msg(got == lcg_ref(ns[i]), "probe of %d steps: %u, twin %u", ns[i], got,
                      lcg_ref(ns[i]));
    }
    clReleaseMemObject(m);
    printf("  %s: loop limit %ld (0: none), budget %ld\n", d->name, d->loop_limit,
           clae_loop_budget(d));
    ck_assert(d->loop_limit == 0 || d->loop_limit >= 30000); /* the twin matched at 30000 */
    if (d->loop_limit == 0) ck_assert(clae_loop_budget(d) == LONG_MAX);
    else ck_assert_int_eq(clae_loop_budget(d), d->loop_limit / 2);
    ck_assert_int_eq(clae_loop_check(d, "small", 100), CLAE_OK);
}
END_TEST

/* $CLAE_LOOP_LIMIT forces a limit (the lower of it and the device's) and
 * the budget and check follow it; a bad value is refused at open. */
START_TEST(test_loop_limit_forced)
{
    clae_device d;
    setenv("CLAE_LOOP_LIMIT", "1000", 1);
    ck_assert_int_eq(clae_device_open(&d, NULL), CLAE_OK);
    ck_assert_int_eq(d.loop_limit, 1000);
    ck_assert_int_eq(clae_loop_budget(&d), 500);
    ck_assert_int_eq(clae_loop_check(&d, "fits", 500), CLAE_OK);
    tu_capture_begin();
    ck_assert_int_eq(clae_loop_check(&d, "the op", 501), CLAE_ERR_SHAPE);
    const char *msg = tu_capture_end();
    ck_assert_msg(strstr(msg, "the op: a work-item would run 501 loop iterations") != NULL,
                  "message: %s", msg);
    clae_device_close(&d);
    static const char *const bad[] = {"0", "63", "x", "-5", "1e9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("CLAE_LOOP_LIMIT", bad[i], 1);
        tu_capture_begin();
        clae_status st = clae_device_open(&d, NULL);
        msg = tu_capture_end();
        ck_assert_msg(st == CLAE_ERR_ARG, "CLAE_LOOP_LIMIT=%s accepted", bad[i]);
        ck_assert_msg(strstr(msg, "bad CLAE_LOOP_LIMIT") != NULL, "message: %s", msg);
    }
    unsetenv("CLAE_LOOP_LIMIT");
    ck_assert_int_eq(clae_device_open(&d, "ref"), CLAE_OK);
    ck_assert_int_eq(d.loop_limit, 0);
    clae_device_close(&d);
}
END_TEST

static Suite *device_suite(void)
{
    Suite *s = suite_create("device");
    TCase *tc = tu_tcase("binary cache", 60, 0);
    tcase_add_test(tc, test_cache_dir_choice);
    tcase_add_test(tc, test_cache_dir_safe);
    tcase_add_test(tc, test_cache_entry_checks);
    suite_add_tcase(s, tc);
    TCase *rec = tu_tcase("recorded steps", 60, 1);
    tcase_add_test(rec, test_record_fill_copy);
    tcase_add_test(rec, test_loop_probe);
    suite_add_tcase(s, rec);
    TCase *lim = tu_tcase("loop limit", 120, 0);
    tcase_add_test(lim, test_loop_limit_forced);
    suite_add_tcase(s, lim);
    return s;
}

int main(void) { return tu_run(device_suite()); }
