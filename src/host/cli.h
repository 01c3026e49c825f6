/* Command-line commands: each returns the process exit code
 * (0 ok, 1 failure, 2 bad usage) and prints one-line errors to stderr. */
#ifndef CLAE_CLI_H
#define CLAE_CLI_H

#include <getopt.h>
#include <stdio.h>

/* The whole command line (`clae` with argv as given): exported by libclae under its
 * private version node (src/lib/clae.map), not part of the public API. */
__attribute__((visibility("default"))) int clae_cli_main(int argc, char **argv);

typedef struct clae_command {
    const char *name;
    const char *help;
    int (*run)(int argc, char **argv);
} clae_command;

int cmd_devices(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_layers(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_swap(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_denoise(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_sample(int argc, char **argv);
int cmd_interpolate(int argc, char **argv);
int cmd_score(int argc, char **argv);
int cmd_inpaint(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_encode(int argc, char **argv);
int cmd_plot_codes(int argc, char **argv);
int cmd_compress(int argc, char **argv);
int cmd_decompress(int argc, char **argv);
int cmd_rate_distortion(int argc, char **argv);

/* ---- help texts (cli_help.c) --------------------------------------------------------- */

/* What each command's --help prints before its options' help (clae_cmdline's about), and
 * train's after them (its more). */
extern const char CLAE_ABOUT_BENCH[], CLAE_ABOUT_COMPILE[], CLAE_ABOUT_COMPRESS[],
    CLAE_ABOUT_DECOMPRESS[], CLAE_ABOUT_RATE_DISTORTION[], CLAE_ABOUT_DATA[],
    CLAE_ABOUT_DENOISE[], CLAE_ABOUT_DEVICES[], CLAE_ABOUT_ENCODE[], CLAE_ABOUT_EVAL[],
    CLAE_ABOUT_EXPORT[], CLAE_ABOUT_INIT[], CLAE_ABOUT_INPAINT[], CLAE_ABOUT_LAYERS[],
    CLAE_ABOUT_PLOT[], CLAE_ABOUT_PLOT_CODES[], CLAE_ABOUT_SAMPLE[], CLAE_ABOUT_INTERPOLATE[],
    CLAE_ABOUT_SCORE[], CLAE_ABOUT_SELFTEST[], CLAE_ABOUT_SUMMARY[], CLAE_ABOUT_SWAP[],
    CLAE_ABOUT_TRAIN[], CLAE_ABOUT_TUNE[];
extern const char CLAE_MORE_TRAIN[];
#define CLAE_SAMPLE_MAX_N 1024 /* clae sample: images at most (its help says so) */

/* ---- options (cli_opts.c) ------------------------------------------------------------ */

/* Parse an integer option value >= min; prints one line and returns 0 on error. */
int clae_parse_long(const char *flag, const char *v, long min, long *out);
/* A --corrupt SPEC (clae_corrupt_parse's compact form) checked on its own,
 * before anything is loaded: 1, or 0 after its one-line error. */
int clae_check_corrupt(const char *v);

/* A command's options as a table, read by clae_cmdline_parse. Each entry says what the option
 * is called, whether it takes a value, where the value goes and how it is read, and its help. */
typedef enum clae_opt_kind {
    CLAE_OPT_FLAG,  /* no value: *(int *)to = 1, or with parse, parse(opt, NULL) */
    CLAE_OPT_STR,   /* the value as typed: *(const char **)to */
    CLAE_OPT_LONG,  /* an integer >= min into *(long *)to (clae_parse_long's error); a max > 0
                     * caps it (values above become max) */
    CLAE_OPT_LONG_RANGE, /* the same from min to max, else "CMD: --NAME V: at most MAX" */
    CLAE_OPT_INT,   /* an integer from min to max into *(int *)to, else
                     * "CMD: --NAME needs a whole number from MIN to MAX, not 'V'" */
    CLAE_OPT_U64,   /* a non-negative integer into *(uint64_t *)to, else
                     * "CMD: --NAME needs a non-negative integer, got 'V'" */
    CLAE_OPT_CALL,  /* parse(opt, value): 1, or 0 after its own one-line error */
    CLAE_OPT_ARG,   /* a positional argument, as typed, into *(const char **)to: the table's
                     * arguments fill in order; name is its NAME in the usage; min 1: required */
    CLAE_OPT_ARGS,  /* the positional arguments after those: appended to the clae_arg_list
                     * at to (at most CLAE_ARG_LIST_MAX, else "CMD: more than N NAMEs") */
} clae_opt_kind;

enum { CLAE_ARG_LIST_MAX = 256 };
typedef struct clae_arg_list {
    int n;
    const char *v[CLAE_ARG_LIST_MAX];
} clae_arg_list;

typedef struct clae_opt {
    const char *name; /* without the "--" */
    const char *meta; /* the value's name in the help ("DIR"); NULL: none shown */
    clae_opt_kind kind;
    void *to;         /* where the value goes (CLAE_OPT_CALL: whatever parse wants) */
    long min, max;
    int (*parse)(const struct clae_opt *opt, const char *value);
    const char *help; /* the help's text, lines split by '\n'; NULL: left out of the help */
    const char *need; /* what "--NAME needs a value (NEED)" says; NULL: the command's hint */
} clae_opt;

/* The options several commands share, with their usual help text (CLAE_HELP_*); help NULL
 * keeps an option out of the help. */
#define CLAE_STR_(x) #x
#define CLAE_STR(x) CLAE_STR_(x) /* a number's macro as a string, for help texts */
#define CLAE_BATCH_DEFAULT 256   /* --batch of the commands that run a test split */
#define CLAE_BATCH_MAX 65536     /* --batch: larger values are taken as this */
#define CLAE_HELP_DEVICE "OpenCL device index or the reference path"
#define CLAE_HELP_DATA                                                                             \
    "data folder (CIFAR-10 binary or clae data import's;\ndefault: the one it was trained on, "    \
    "else [train] data)"
#define CLAE_HELP_BATCH "images per forward pass (default " CLAE_STR(CLAE_BATCH_DEFAULT) ")"
/* --device N|ref: an index past the devices found, or not a number, is a usage error (exit 2)
 * as it is read; a list N,M (train under mpirun: each rank's) is checked when it is opened */
int clae_opt_device(const struct clae_opt *opt, const char *value);
#define CLAE_OPT_DEVICE(p, help_)                                                                  \
    {.name = "device", .meta = "N|ref", .kind = CLAE_OPT_CALL, .to = (p),                          \
     .parse = clae_opt_device, .help = (help_)}
#define CLAE_OPT_DATA(p, help_)                                                                    \
    {.name = "data", .meta = "DIR", .kind = CLAE_OPT_STR, .to = (p), .help = (help_)}
#define CLAE_OPT_JSON(p, help_)                                                                    \
    {.name = "json", .meta = "FILE", .kind = CLAE_OPT_STR, .to = (p), .help = (help_)}
#define CLAE_OPT_LIMIT(p, help_)                                                                   \
    {.name = "limit", .meta = "N", .kind = CLAE_OPT_LONG, .to = (p), .min = 1, .help = (help_)}
#define CLAE_OPT_BATCH(p, help_)                                                                   \
    {.name = "batch", .meta = "N", .kind = CLAE_OPT_LONG, .to = (p), .min = 1,                     \
     .max = CLAE_BATCH_MAX, .help = (help_)}
#define CLAE_OPT_SEED(p, help_)                                                                    \
    {.name = "seed", .meta = "S", .kind = CLAE_OPT_U64, .to = (p), .help = (help_)}
/* --layer NAME|INDEX of the commands that read a layer's codes (clae_encode_find_layer) */
#define CLAE_HELP_LAYER                                                                            \
    "the layer: its name (name = ... in the config) or its index\nfrom 0 (default: the layer "   \
    "named code, else the first\n[sampling] layer)"
#define CLAE_OPT_LAYER(p, help_)                                                                   \
    {.name = "layer", .meta = "NAME|INDEX", .kind = CLAE_OPT_STR, .to = (p), .help = (help_)}
/* --corrupt SPEC: checked by clae_check_corrupt as it is read, kept as typed */
int clae_opt_corrupt(const struct clae_opt *opt, const char *value);
#define CLAE_OPT_CORRUPT(p, help_)                                                                 \
    {.name = "corrupt", .meta = "SPEC", .kind = CLAE_OPT_CALL, .to = (p),                          \
     .parse = clae_opt_corrupt, .help = (help_)}

/* The positional arguments: a required one (clae_cmdline_parse's "CMD: missing NAME (usage:
 * SYNOPSIS)" when it is not given) and one the command checks itself. */
#define CLAE_ARG(name_, p) {.name = (name_), .kind = CLAE_OPT_ARG, .to = (p), .min = 1}
#define CLAE_ARG_OPTIONAL(name_, p) {.name = (name_), .kind = CLAE_OPT_ARG, .to = (p)}

/* A command: what its one-line errors say and its help, the data beside its table. */
typedef struct clae_cmdline {
    const char *cmd;      /* "clae eval": what error lines start with */
    const char *hint;     /* what they end with, in parentheses (NULL: "see --help") */
    /* --help and -h print to stdout: about, the help of the table's entries in a column of
     * width (clae_opts_help), then more (NULL: nothing); or, where a text holds numbers
     * computed at run time, what usage prints instead */
    const char *about;
    int width;
    const char *more;
    void (*usage)(FILE *f, const clae_opt *opts);
    const char *synopsis; /* a missing argument's usage (NULL: CMD and the arguments' names) */
    int dash_is_option;   /* "-" is an unknown option, not an argument */
} clae_cmdline;
enum { CLAE_OPTS_MAX = 30 };
/* Reads argv by the table opts (ends with a zeroed entry; at most CLAE_OPTS_MAX) strictly in
 * order, errors naming the first bad argument. Returns -1 when the command goes on, else its
 * exit code: 0 after the help, 2 after a one-line error. */
int clae_cmdline_parse(const clae_cmdline *c, const clae_opt *opts, int argc, char **argv);
/* The help of the table's entries that have one: "  --NAME META" (a positional argument:
 * "  NAME") padded to width, a space, the help; its further lines indented as far. */
void clae_opts_help(FILE *f, const clae_opt *opts, int width);

/* The parsing underneath (and main.c's and cmd_data.c's first argument): options read with
 * getopt_long strictly in order so that errors name the first bad argument: set optind = 0,
 * then call clae_getopt until it returns -1. It returns a long option's val, 'h' for -h
 * (LONGOPTS maps "help" to 'h' too), 1 for a positional argument (in optarg), '?' for an
 * unknown option and ':' for an option missing its value. Long options take "--name value" or
 * "--name=value"; abbreviations, "-hx" and "--" (every argument is read) are unknown options. */
typedef struct clae_opts {
    const char *cmd;               /* "clae data": what error lines start with */
    const char *hint;              /* what they end with, in parentheses: "see --help" */
    const struct option *longopts; /* ends with a zeroed entry */
    const char *arg;               /* out: the argument just read, as typed */
} clae_opts;
int clae_getopt(clae_opts *o, int argc, char **argv);
#endif
