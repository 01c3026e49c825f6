/* clae <command>: dispatch and --help, and the option parsing every command shares
 * (clae_getopt, on getopt_long). Each command lives in cmd_<name>.c. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "clae/corrupt.h"
#include "clae/parse.h"
#include "cli.h"

static const clae_command COMMANDS[] = {
    {"devices", "list OpenCL platforms and devices", cmd_devices},
    {"summary", "print a config's layers, output shapes and parameter counts", cmd_summary},
    {"layers", "every layer kind a config may use, with its keys and defaults", cmd_layers},
    {"data", "CIFAR-10 data: import image folders, inspect datasets", cmd_data},
    {"init", "write a freshly initialised checkpoint for a config", cmd_init},
    {"train", "train a model on CIFAR-10 or imported images (resume, Ctrl-C safe, mpirun)",
     cmd_train},
    {"bench", "time every op of a training step against the device's peak", cmd_bench},
    {"selftest", "check every op and a training step on a device against the C reference",
     cmd_selftest},
    {"eval", "metrics of a checkpoint on the CIFAR-10 test set vs doing nothing", cmd_eval},
    {"show", "figure of original, corrupted and restored test images (PNG)", cmd_show},
    {"denoise", "restore an image file of any size with a checkpoint", cmd_denoise},
    {"inpaint", "fill holes (rectangles or a mask image) in an image file with a checkpoint",
     cmd_inpaint},
    {"plot", "plot a training history (history.jsonl) as a PNG", cmd_plot},
    {"export", "a checkpoint's weights without its optimizer state (smaller, for sharing)",
     cmd_export},
    {"score", "anomaly scores of test images (CSV) and their ROC-AUC for one-class models",
     cmd_score},
    {"sample", "decode random codes of a variational autoencoder into a PNG grid", cmd_sample},
    {"interpolate", "decodes along the line between two test images' codes (VAE, PNG)",
     cmd_interpolate},
    {"encode", "the codes of a layer for a CIFAR-10 split as NumPy .npy (and labels)",
     cmd_encode},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clae <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-12s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\n'clae <command> --help' or 'clae help <command>' describes a command's "
               "options.\n");
}

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

int clae_opt_error(const clae_opts *o, int c)
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

int clae_opt_positional(const clae_opts *o, const char *arg, const char **const slots[], int n)
{
    for (int i = 0; i < n; i++)
        if (!*slots[i]) {
            *slots[i] = arg;
            return 1;
        }
    fprintf(stderr, "%s: unexpected argument '%s' (%s)\n", o->cmd, arg, o->hint);
    return 0;
}

int clae_opt_missing(const clae_opts *o, const char **const slots[], const char *const names[],
                     int n, const char *usage)
{
    for (int i = 0; i < n; i++)
        if (!*slots[i]) {
            fprintf(stderr, "%s: missing %s (usage: %s)\n", o->cmd, names[i], usage);
            return 1;
        }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {0}};
    clae_opts cli = {.cmd = "clae", .hint = "try 'clae --help'", .longopts = LONGOPTS};
    optind = 0;
    switch (clae_getopt(&cli, argc, argv)) { /* the first argument: an option or a command */
    case 'h':
        usage(stdout);
        return 0;
    case 'V':
#ifdef CLAE_HAVE_MPI
        printf("clae 0.1.0 (data parallel: MPI)\n");
#else
        printf("clae 0.1.0\n");
#endif
        return 0;
    case 1:
        if (strcmp(optarg, "help") == 0) { /* clae help [CMD]: CMD --help */
            if (argc < 3) {
                usage(stdout);
                return 0;
            }
            if (argc > 3) {
                fprintf(stderr, "clae help: unexpected argument '%s' (usage: clae help "
                        "[COMMAND])\n", argv[3]);
                return 2;
            }
            for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
                if (strcmp(argv[2], COMMANDS[i].name) == 0) {
                    char *args[] = {argv[2], "--help", NULL};
                    return COMMANDS[i].run(2, args);
                }
            fprintf(stderr, "clae help: unknown command '%s' (try 'clae --help')\n", argv[2]);
            return 2;
        }
        for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
            if (strcmp(optarg, COMMANDS[i].name) == 0)
                return COMMANDS[i].run(argc - 1, argv + 1);
        break;
    }
    fprintf(stderr, "clae: unknown command '%s' (try 'clae --help')\n", cli.arg);
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
