/* Command-line commands: each returns the process exit code
 * (0 ok, 1 failure, 2 bad usage) and prints one-line errors to stderr. */
#ifndef CLAE_CLI_H
#define CLAE_CLI_H

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
/* Parse an integer option value >= min; prints one line and returns 0 on error. */
int clae_parse_long(const char *flag, const char *v, long min, long *out);
/* A --corrupt SPEC (clae_corrupt_parse's compact form) checked on its own,
 * before anything is loaded: 1, or 0 after its one-line error. */
int clae_check_corrupt(const char *v);

/* Options, read with getopt_long strictly in order so that errors name the first bad
 * argument: set optind = 0, then call clae_getopt until it returns -1. It returns a long
 * option's val, 'h' for -h (LONGOPTS maps "help" to 'h' too), 1 for a positional argument
 * (in optarg), '?' for an unknown option and ':' for an option missing its value. Long
 * options take "--name value" or "--name=value"; abbreviations, "-hx" and "--" (every
 * argument is read) are unknown options. */
#include <getopt.h>
typedef struct clae_opts {
    const char *cmd;               /* "clae train": what error lines start with */
    const char *hint;              /* what they end with, in parentheses: "see --help" */
    const struct option *longopts; /* ends with a zeroed entry */
    const char *arg;               /* out: the argument just read, as typed */
} clae_opts;
int clae_getopt(clae_opts *o, int argc, char **argv);
/* After '?': "CMD: unknown option 'ARG' (HINT)"; after ':': "CMD: ARG needs a value (HINT)".
 * Returns 2, the exit code for bad usage. */
int clae_opt_error(const clae_opts *o, int c);
/* Positional arguments, in the usage's order: each goes into the first of the n slots still
 * NULL. clae_opt_positional returns 1, or 0 after "CMD: unexpected argument 'ARG' (HINT)"
 * once every slot is taken; clae_opt_missing returns 0 when every slot is filled, else 1
 * after "CMD: missing NAME (usage: USAGE)" for the first empty one. Either error is exit 2. */
int clae_opt_positional(const clae_opts *o, const char *arg, const char **const slots[], int n);
int clae_opt_missing(const clae_opts *o, const char **const slots[], const char *const names[],
                     int n, const char *usage);
int cmd_bench(int argc, char **argv);
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

#endif
