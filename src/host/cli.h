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
int cmd_data(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_train(int argc, char **argv);
/* Parse an integer option value >= min; prints one line and returns 0 on error. */
int clae_parse_long(const char *flag, const char *v, long min, long *out);
int cmd_bench(int argc, char **argv);

#endif
