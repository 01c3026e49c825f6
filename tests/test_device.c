/* Device layer, host side: the program-binary cache stays per user and
 * loads only what it wrote (it used to fall back to /tmp/clae-cache and load
 * any file found there). No OpenCL device needed. */
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
        int recording = pass > 0 && !d->is_ref && d->cb.create;
        if (pass > 0 && !recording) break;
        if (recording) ck_assert_int_eq(clae_record_begin(d), CLAE_OK);
        if (!d->is_ref && !recording) { /* the kernels themselves, unrecorded */
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
    if (!d->is_ref && d->cb.create) { /* a transfer cannot be recorded */
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
    suite_add_tcase(s, rec);
    return s;
}

int main(void) { return tu_run(device_suite()); }
