/* The option parsing every command shares: clae_getopt on getopt_long (strictly in order, no
 * abbreviations), its one-line errors, and clae_cmdline_parse, which reads a command's options
 * from its table (cli.h's clae_opt) and prints its help. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clae/corrupt.h"
#include "clae/device.h"
#include "clae/plural.h"
#include "clae/parse.h"
#include "cli.h"

int clae_getopt(clae_opts *o, int argc, char **argv)
{
    int i = optind > 0 ? optind : 1; /* optind 0 asks getopt for a fresh start */
    o->arg = i < argc ? argv[i] : NULL;
    if (o->arg && strcmp(o->arg, "--") == 0) return '?'; /* no end-of-options marker */
    opterr = 0;
    /* "-": arguments in order, none moved; ":": ':' for a missing value */
    int c = getopt_long(argc, argv, "-:h", o->longopts, NULL);
    if (c == -1 || c == 1 || c == '?') return c;
    if (o->arg[1] != '-') return c == 'h' && o->arg[2] == '\0' ? c : '?'; /* "-h", not "-hx" */
    size_t n = strcspn(o->arg + 2, "="); /* a long option: its full name, no abbreviation */
    const struct option *p = o->longopts;
    while (p->name && (strlen(p->name) != n || strncmp(p->name, o->arg + 2, n) != 0)) p++;
    return p->name ? c : '?';
}

/* The long option nearest to an unknown "--name[=value]" (at most two
 * edits away), or NULL. */
static const char *nearest_option(const clae_opts *o)
{
    if (!o->arg || strncmp(o->arg, "--", 2) != 0) return NULL;
    char name[48];
    snprintf(name, sizeof name, "%s", o->arg + 2);
    name[strcspn(name, "=")] = '\0';
    const char *best = NULL;
    int bd = 3;
    for (const struct option *p = o->longopts; p && p->name; p++) {
        int e = clae_edit_distance(name, p->name);
        if (e < bd) bd = e, best = p->name;
    }
    return best;
}

/* After '?': "CMD: unknown option 'ARG' (HINT)", with the nearest option if there is one;
 * after ':': "CMD: ARG needs a value (HINT)". Returns 2, the exit code for bad usage. */
static int opt_error(const clae_opts *o, int c)
{
    const char *near = c == ':' ? NULL : nearest_option(o);
    if (c == ':')
        fprintf(stderr, "%s: %s needs a value (%s)\n", o->cmd, o->arg, o->hint);
    else if (near)
        fprintf(stderr, "%s: unknown option '%s'; did you mean --%s? (%s)\n", o->cmd, o->arg,
                near, o->hint);
    else
        fprintf(stderr, "%s: unknown option '%s' (%s)\n", o->cmd, o->arg, o->hint);
    return 2;
}

int clae_check_corrupt(const char *v)
{
    clae_corrupt probe;
    clae_corrupt_defaults(&probe);
    return clae_corrupt_parse(&probe, v) == CLAE_OK;
}

int clae_parse_long(const char *flag, const char *v, long min, long *out)
{
    if (clae_str_to_long(v, min, LONG_MAX, out)) return 1;
    fprintf(stderr, "clae: bad value '%s' for %s: expected an integer >= %ld\n", v, flag, min);
    return 0;
}

int clae_opt_corrupt(const clae_opt *opt, const char *value)
{
    if (!clae_check_corrupt(value)) return 0; /* a usage error, before any loading */
    *(const char **)opt->to = value;
    return 1;
}

int clae_opt_device(const clae_opt *opt, const char *value)
{
    long idx;
    if (strcmp(value, "ref") != 0 && !strchr(value, ',')) { /* a list: each rank's, at open */
        if (!clae_str_to_long(value, LONG_MIN, LONG_MAX, &idx)) {
            fprintf(stderr, "clae: bad device '%s': expected a device index or 'ref'\n", value);
            return 0;
        }
        int n = clae_device_count();
        if (idx < 0 || idx >= n) {
            fprintf(stderr, "clae: no device %ld: %d %s found (see 'clae devices')\n", idx, n,
                    clae_plural(n, "device", "devices"));
            return 0;
        }
    }
    *(const char **)opt->to = value;
    return 1;
}

/* The value of an option that takes one into where its entry says: 1, or 0 after one line. */
static int set_value(const clae_cmdline *c, const clae_opt *o, const char *v)
{
    char flag[64];
    snprintf(flag, sizeof flag, "--%s", o->name);
    switch (o->kind) {
    case CLAE_OPT_FLAG:
        if (o->parse) return o->parse(o, NULL);
        *(int *)o->to = 1;
        return 1;
    case CLAE_OPT_STR: *(const char **)o->to = v; return 1;
    case CLAE_OPT_LONG: {
        long *to = o->to;
        if (!clae_parse_long(flag, v, o->min, to)) return 0;
        if (o->max > 0 && *to > o->max) *to = o->max;
        return 1;
    }
    case CLAE_OPT_LONG_RANGE: {
        long *to = o->to;
        if (!clae_parse_long(flag, v, o->min, to)) return 0;
        if (*to <= o->max) return 1;
        fprintf(stderr, "%s: %s %ld: at most %ld\n", c->cmd, flag, *to, o->max);
        return 0;
    }
    case CLAE_OPT_INT:
        if (clae_str_to_int(v, o->min, o->max, o->to)) return 1;
        fprintf(stderr, "%s: %s needs a whole number from %ld to %ld, not '%s'\n", c->cmd, flag,
                o->min, o->max, v);
        return 0;
    case CLAE_OPT_U64:
        if (clae_str_to_u64(v, o->to)) return 1;
        fprintf(stderr, "%s: %s needs a non-negative integer, got '%s'\n", c->cmd, flag, v);
        return 0;
    case CLAE_OPT_CALL: return o->parse(o, v);
    case CLAE_OPT_ARG:
    case CLAE_OPT_ARGS: break; /* positional arguments: not options */
    }
    return 0;
}

/* The option entry of "--name[=value]", or NULL. */
static const clae_opt *find_opt(const clae_opt *opts, const char *arg)
{
    if (!arg || strncmp(arg, "--", 2) != 0) return NULL;
    size_t n = strcspn(arg + 2, "=");
    for (const clae_opt *o = opts; o && o->name; o++)
        if (o->kind != CLAE_OPT_ARG && o->kind != CLAE_OPT_ARGS && strlen(o->name) == n &&
            strncmp(o->name, arg + 2, n) == 0)
            return o;
    return NULL;
}

/* A positional argument into the first empty CLAE_OPT_ARG slot, else onto the
 * CLAE_OPT_ARGS list: 1, or 0 after "CMD: unexpected argument 'ARG' (HINT)" when every
 * slot is taken and there is no list (or "CMD: more than N NAMEs" when it is full). */
static int positional(const clae_opts *cli, const clae_opt *opts, const char *arg)
{
    for (const clae_opt *o = opts; o && o->name; o++)
        if (o->kind == CLAE_OPT_ARG && !*(const char **)o->to) {
            *(const char **)o->to = arg;
            return 1;
        }
    for (const clae_opt *o = opts; o && o->name; o++) {
        if (o->kind != CLAE_OPT_ARGS) continue;
        clae_arg_list *l = o->to;
        if (l->n < CLAE_ARG_LIST_MAX) {
            l->v[l->n++] = arg;
            return 1;
        }
        fprintf(stderr, "%s: more than %d %ss\n", cli->cmd, CLAE_ARG_LIST_MAX, o->name);
        return 0;
    }
    fprintf(stderr, "%s: unexpected argument '%s' (%s)\n", cli->cmd, arg, cli->hint);
    return 0;
}

/* 1 after "CMD: missing NAME (usage: SYNOPSIS)" for the first required positional argument
 * not given, else 0. SYNOPSIS: the cmdline's, or CMD and the arguments' names. */
static int missing(const clae_cmdline *c, const clae_opt *opts)
{
    const clae_opt *first = NULL;
    char synopsis[256];
    size_t at = (size_t)snprintf(synopsis, sizeof synopsis, "%s", c->cmd);
    for (const clae_opt *o = opts; o && o->name; o++) {
        if (o->kind != CLAE_OPT_ARG || o->min == 0) continue;
        if (!first && !*(const char **)o->to) first = o;
        if (at < sizeof synopsis)
            at += (size_t)snprintf(synopsis + at, sizeof synopsis - at, " %s", o->name);
    }
    if (!first) return 0;
    fprintf(stderr, "%s: missing %s (usage: %s)\n", c->cmd, first->name,
            c->synopsis ? c->synopsis : synopsis);
    return 1;
}

/* The command's help on stdout: its about text, its options' and its closing text. */
static void print_help(const clae_cmdline *c, const clae_opt *opts)
{
    if (c->usage) {
        c->usage(stdout, opts);
        return;
    }
    fputs(c->about, stdout);
    clae_opts_help(stdout, opts, c->width);
    if (c->more) fputs(c->more, stdout);
}

int clae_cmdline_parse(const clae_cmdline *c, const clae_opt *opts, int argc, char **argv)
{
    struct option lo[CLAE_OPTS_MAX + 2] = {{"help", no_argument, NULL, 'h'}};
    int n = 1;
    for (int i = 0; opts && opts[i].name && n <= CLAE_OPTS_MAX; i++) {
        const clae_opt *o = &opts[i];
        if (o->kind != CLAE_OPT_ARG && o->kind != CLAE_OPT_ARGS)
            lo[n++] = (struct option){o->name, o->kind == CLAE_OPT_FLAG ? no_argument
                                                                        : required_argument,
                                      NULL, 256 + i};
    }
    lo[n] = (struct option){0};
    clae_opts cli = {.cmd = c->cmd, .hint = c->hint ? c->hint : "see --help", .longopts = lo};
    optind = 0;
    for (int k; (k = clae_getopt(&cli, argc, argv)) != -1;) {
        if (k == 'h') {
            print_help(c, opts);
            return 0;
        }
        if (k == 1 && c->dash_is_option && strcmp(optarg, "-") == 0) k = '?';
        if (k == 1) {
            if (!positional(&cli, opts, optarg)) return 2;
            continue;
        }
        const clae_opt *o = k == ':' ? find_opt(opts, cli.arg) : NULL;
        if (o && o->need) {
            fprintf(stderr, "%s: --%s needs a value (%s)\n", c->cmd, o->name, o->need);
            return 2;
        }
        if (k < 256) return opt_error(&cli, k);
        if (!set_value(c, &opts[k - 256], optarg)) return 2;
    }
    return missing(c, opts) ? 2 : -1;
}

void clae_opts_help(FILE *f, const clae_opt *opts, int width)
{
    for (const clae_opt *o = opts; o && o->name; o++) {
        if (!o->help) continue;
        char head[64];
        const int arg = o->kind == CLAE_OPT_ARG || o->kind == CLAE_OPT_ARGS;
        snprintf(head, sizeof head, "%s%s%s%s", arg ? "" : "--", o->name,
                 o->meta ? " " : "", o->meta ? o->meta : "");
        fprintf(f, "  %-*s ", width, head);
        for (const char *p = o->help; *p;) {
            size_t len = strcspn(p, "\n");
            fprintf(f, "%.*s\n", (int)len, p);
            p += len;
            if (*p == '\n' && *++p) fprintf(f, "  %-*s ", width, "");
        }
    }
}
