/* Output files named on the command line, checked before any work
 * (src/host/util/output.c), and the plural of a count (clae/plural.h):
 * issue 26, item 10 and item 8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/output.h"
#include "clae/plural.h"
#include "testutil.h"

static char g_dir[64];

/* clae_output_check(image or not) of g_dir/rel: its result; *err the line it printed */
static int check(const char *rel, int image, const char **err)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    tu_capture_begin();
    int ok = image ? clae_output_check_image("clae test", p) : clae_output_check("clae test", p);
    *err = tu_capture_end();
    return ok;
}

START_TEST(test_writable_outputs_pass)
{
    const char *err;
    ck_assert_int_eq(check("new.json", 0, &err), 1);
    ck_assert_str_eq(err, "");
    FILE *f = fopen("/tmp/clae-output-old.png", "wb"); /* an existing file is replaced */
    ck_assert_ptr_nonnull(f);
    fclose(f);
    tu_capture_begin();
    ck_assert_int_eq(clae_output_check_image("clae test", "/tmp/clae-output-old.png"), 1);
    ck_assert_str_eq(tu_capture_end(), "");
    unlink("/tmp/clae-output-old.png");
    ck_assert_int_eq(check("x.JPEG", 1, &err), 1);
    ck_assert_int_eq(check("x.bmp", 1, &err), 1);
}
END_TEST

START_TEST(test_bad_outputs_refused)
{
    const char *err;
    ck_assert_int_eq(check("", 0, &err), 0); /* g_dir/ itself: a folder */
    ck_assert_msg(strstr(err, ": is a directory") != NULL, "%s", err);
    ck_assert_int_eq(check("sub", 0, &err), 0);
    ck_assert_msg(strstr(err, "sub: is a directory") != NULL, "%s", err);
    ck_assert_int_eq(check("nowhere/x.csv", 0, &err), 0);
    ck_assert_msg(strstr(err, "folder") && strstr(err, "nowhere does not exist"), "%s", err);
    ck_assert_int_eq(check("file/x.csv", 0, &err), 0);
    ck_assert_msg(strstr(err, "file is not a folder") != NULL, "%s", err);
    ck_assert_int_eq(check("x.gif", 1, &err), 0);
    ck_assert_msg(strstr(err, "x.gif: unknown image type") != NULL, "%s", err);
    ck_assert_int_eq(check("png", 1, &err), 0);
    ck_assert_int_eq(check("sub.png/x", 1, &err), 0);
    /* one line each, starting with the command */
    ck_assert_int_eq(strncmp(err, "clae test: ", 11), 0);
    ck_assert_ptr_eq(strchr(err, '\n'), err + strlen(err) - 1);
    tu_capture_begin();
    ck_assert_int_eq(clae_output_check("clae test", "/dev/null"), 0); /* never renamed over */
    ck_assert_msg(strstr(tu_capture_end(), "is not a regular file") != NULL, "/dev/null");
}
END_TEST

START_TEST(test_plural)
{
    ck_assert_str_eq(clae_plural(1, "step", "steps"), "step");
    ck_assert_str_eq(clae_plural(0, "step", "steps"), "steps");
    ck_assert_str_eq(clae_plural(2, "class", "classes"), "classes");
    ck_assert_str_eq(clae_plural(-1, "epoch", "epochs"), "epochs");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = tcase_create("output");
    tcase_add_test(tc, test_writable_outputs_pass);
    tcase_add_test(tc, test_bad_outputs_refused);
    tcase_add_test(tc, test_plural);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/clae-output-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    char p[128];
    snprintf(p, sizeof p, "%s/sub", g_dir);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/file", g_dir);
    FILE *f = fopen(p, "wb");
    if (f) fclose(f);
    int rc = tu_run(suite());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return rc;
}
