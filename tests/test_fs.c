/* The atomic write's leftovers: a write killed mid-way leaves
 * OUT.tmp.PID.XXXXXX; the next write to OUT removes those of processes that
 * are gone and keeps a running writer's (issue 25, item 14). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clae/fs.h"
#include "testutil.h"

static char g_dir[64];

static void touch(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    FILE *fp = fopen(p, "wb");
    ck_assert(fp != NULL);
    fputs("half a file", fp);
    ck_assert_int_eq(fclose(fp), 0);
}

static int exists(const char *name)
{
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return stat(p, &st) == 0;
}

/* A pid no process has: a child that has exited and been reaped. */
static long dead_pid(void)
{
    pid_t c = fork();
    ck_assert(c >= 0);
    if (c == 0) _exit(0);
    ck_assert_int_eq(waitpid(c, NULL, 0), c);
    return (long)c;
}

START_TEST(test_dead_writers_temps_removed)
{
    char dead[96], live[96], mine[96], other[96], odd[96], out[256];
    long d = dead_pid();
    snprintf(dead, sizeof dead, "out.png.tmp.%ld.a1B2c3", d);
    snprintf(live, sizeof live, "out.png.tmp.%ld.x9Y8z7", (long)getppid());
    snprintf(mine, sizeof mine, "out.png.tmp.%ld.q1w2e3", (long)getpid());
    snprintf(other, sizeof other, "other.png.tmp.%ld.a1B2c3", d); /* another file's */
    snprintf(odd, sizeof odd, "out.png.tmp.%ld.toolong7", d);   /* not clae's pattern */
    const char *names[] = {dead, live, mine, other, odd};
    for (int i = 0; i < 5; i++) touch(names[i]);
    snprintf(out, sizeof out, "%s/out.png", g_dir);
    ck_assert_int_eq(clae_file_write_atomic(out, "new", 3), CLAE_OK);
    ck_assert(exists("out.png"));
    ck_assert_msg(!exists(dead), "%s: a dead writer's temp file stayed", dead);
    ck_assert_msg(exists(live), "%s: a running writer's temp file was removed", live);
    ck_assert(exists(mine));
    ck_assert(exists(other));
    ck_assert(exists(odd));
    /* a bare name (the working folder) too */
    char cwd[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(chdir(g_dir), 0);
    snprintf(dead, sizeof dead, "other.png.tmp.%ld.a1B2c3", d);
    ck_assert_int_eq(clae_file_write_atomic("other.png", "x", 1), CLAE_OK);
    ck_assert_int_eq(chdir(cwd), 0);
    ck_assert(!exists(dead));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fs");
    TCase *tc = tcase_create("fs");
    tcase_add_test(tc, test_dead_writers_temps_removed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/clae-fs-XXXXXX");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    int rc = tu_run(suite());
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
    return rc;
}
