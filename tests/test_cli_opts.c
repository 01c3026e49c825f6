/* The option tables (src/host/cli_opts.c): values of every kind, positional arguments in
 * order, the one-line errors with their exit code, and the help generated from a table and a
 * command line's texts. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"

/* What a test command line fills. */
static const char *ckpt, *out, *device, *opt_arg;
static long limit, batch, steps;
static int flag, repeats;
static uint64_t seed;
static int help_calls;

static void usage(FILE *f, const clae_opt *opts)
{
    help_calls++;
    clae_opts_help(f, opts, 16);
}

static int parse_upper(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "bad") == 0) {
        fprintf(stderr, "clae t: --%s '%s': not that\n", opt->name, v);
        return 0;
    }
    *(const char **)opt->to = v;
    return 1;
}

static const clae_opt *table(void)
{
    static clae_opt t[16];
    const clae_opt T[] = {
        CLAE_ARG("CKPT", &ckpt),
        CLAE_ARG("OUT", &out),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        CLAE_OPT_LIMIT(&limit, "only the first N"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        CLAE_OPT_SEED(&seed, NULL),
        {.name = "flag", .kind = CLAE_OPT_FLAG, .to = &flag, .help = "a flag\nof two lines"},
        {.name = "repeats", .kind = CLAE_OPT_INT, .to = &repeats, .min = 1, .max = 9},
        {.name = "steps", .kind = CLAE_OPT_LONG_RANGE, .to = &steps, .min = 2, .max = 64},
        {.name = "call", .meta = "V", .kind = CLAE_OPT_CALL, .to = &opt_arg,
         .parse = parse_upper},
        {0}};
    memcpy(t, T, sizeof T);
    return t;
}

/* The command line parse() reads with (NULL: one whose help is the usage function above) and
 * what its help printed. */
static const clae_cmdline *cmdline;
static char help_text[1024];

/* Parse the NULL-terminated words after "t" with stderr caught into err; the result. */
static int parse(char *err, size_t len, ...)
{
    char *argv[16] = {"t"};
    int argc = 1;
    va_list ap;
    va_start(ap, len);
    for (char *w; argc < 15 && (w = va_arg(ap, char *));) argv[argc++] = w;
    va_end(ap);
    ckpt = out = device = opt_arg = NULL, limit = 0, batch = 256, flag = 0, repeats = 5;
    seed = 1, steps = 10, help_calls = 0;
    const clae_cmdline cl = {.cmd = "clae t", .usage = usage};
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    FILE *help = tmpfile();
    FILE *stdout_saved = stdout;
    stdout = help;
    int rc = clae_cmdline_parse(cmdline ? cmdline : &cl, table(), argc, argv);
    stdout = stdout_saved;
    rewind(help);
    help_text[fread(help_text, 1, sizeof help_text - 1, help)] = '\0';
    fclose(help);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, len - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    return rc;
}

START_TEST(test_cli_opts_values)
{
    char err[512];
    ck_assert_int_eq(parse(err, sizeof err, "a.st", "--device", "ref", "--limit=7", "--batch",
                           "100000", "--seed", "42", "--flag", "--repeats", "3", "b.npy",
                           "--call", "x", NULL),
                     -1);
    ck_assert_str_eq(err, "");
    ck_assert_str_eq(ckpt, "a.st");
    ck_assert_str_eq(out, "b.npy");
    ck_assert_str_eq(device, "ref");
    ck_assert_str_eq(opt_arg, "x");
    ck_assert_int_eq(limit, 7);
    ck_assert_int_eq(batch, CLAE_BATCH_MAX); /* capped */
    ck_assert_int_eq(flag, 1);
    ck_assert_int_eq(repeats, 3);
    ck_assert_uint_eq(seed, 42);
    ck_assert_int_eq(parse(err, sizeof err, "--help", NULL), 0);
    ck_assert_int_eq(help_calls, 1);
}
END_TEST

START_TEST(test_cli_opts_errors)
{
    static const struct {
        const char *a, *b, *c, *want;
    } CASES[] = {
        {"--frob", NULL, NULL, "clae t: unknown option '--frob' (see --help)\n"},
        {"--devic", "1", NULL, "clae t: unknown option '--devic'; did you mean --device? (see "
                               "--help)\n"},
        {"a", "b", "c", "clae t: unexpected argument 'c' (see --help)\n"},
        {"a", "b", "--limit", "clae t: --limit needs a value (see --help)\n"},
        {"--limit", "0", NULL, "clae: bad value '0' for --limit: expected an integer >= 1\n"},
        {"--repeats", "10", NULL, "clae t: --repeats needs a whole number from 1 to 9, not "
                                  "'10'\n"},
        {"--seed", "-1", NULL, "clae t: --seed needs a non-negative integer, got '-1'\n"},
        {"--call", "bad", NULL, "clae t: --call 'bad': not that\n"},
        {"--flag=1", NULL, NULL, "clae t: unknown option '--flag=1'; did you mean --flag? (see "
                                 "--help)\n"},
        {"--", NULL, NULL, "clae t: unknown option '--' (see --help)\n"},
        {"-hx", NULL, NULL, "clae t: unknown option '-hx' (see --help)\n"},
        {"a", NULL, NULL, "clae t: missing OUT (usage: clae t CKPT OUT)\n"},
        {"--CKPT", "a", NULL, "clae t: unknown option '--CKPT' (see --help)\n"},
        {"--steps", "65", NULL, "clae t: --steps 65: at most 64\n"},
        {"--steps", "1", NULL, "clae: bad value '1' for --steps: expected an integer >= 2\n"},
        {"-", NULL, NULL, "clae t: missing OUT (usage: clae t CKPT OUT)\n"}, /* "-": CKPT */
    };
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        char err[512];
        ck_assert_int_eq(parse(err, sizeof err, CASES[i].a, CASES[i].b, CASES[i].c, NULL), 2);
        ck_assert_str_eq(err, CASES[i].want);
    }
}
END_TEST

START_TEST(test_cli_opts_help)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    clae_opts_help(f, table(), 16);
    fclose(f);
    ck_assert_str_eq(text, "  --device N|ref   OpenCL device index or the reference path\n"
                           "  --limit N        only the first N\n"
                           "  --batch N        images per forward pass (default 256)\n"
                           "  --flag           a flag\n"
                           "                   of two lines\n");
    free(text);
}
END_TEST

/* A command line's own help (about, its options', more) and "-" as an unknown option. */
START_TEST(test_cli_opts_about)
{
    const clae_cmdline cl = {.cmd = "clae t", .about = "usage: clae t CKPT OUT\n", .width = 16,
                             .more = "the end\n", .dash_is_option = 1};
    cmdline = &cl;
    char err[512];
    ck_assert_int_eq(parse(err, sizeof err, "a", "--help", NULL), 0);
    ck_assert_str_eq(help_text, "usage: clae t CKPT OUT\n"
                                "  --device N|ref   OpenCL device index or the reference path\n"
                                "  --limit N        only the first N\n"
                                "  --batch N        images per forward pass (default 256)\n"
                                "  --flag           a flag\n"
                                "                   of two lines\n"
                                "the end\n");
    ck_assert_int_eq(parse(err, sizeof err, "a", "b", "--steps", "64", NULL), -1);
    ck_assert_int_eq(steps, 64);
    ck_assert_int_eq(parse(err, sizeof err, "a", "-", NULL), 2);
    ck_assert_str_eq(err, "clae t: unknown option '-' (see --help)\n");
    cmdline = NULL;
}
END_TEST

static Suite *cli_opts_suite(void)
{
    Suite *s = suite_create("cli_opts");
    TCase *tc = tcase_create("cli_opts");
    tcase_add_test(tc, test_cli_opts_values);
    tcase_add_test(tc, test_cli_opts_errors);
    tcase_add_test(tc, test_cli_opts_help);
    tcase_add_test(tc, test_cli_opts_about);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(cli_opts_suite()); }
