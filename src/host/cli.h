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
int cmd_eval(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_denoise(int argc, char **argv);
int cmd_plot(int argc, char **argv);

/* Shared by eval, show and denoise (cmd_eval.c). */
#include <stddef.h>

#include "clae/status.h"
struct clae_model;
struct clae_net;
struct clae_corrupt;
/* Load a checkpoint into an empty model (built from its config); 1 on
 * success, 0 after a one-line error. */
int clae_app_load(const char *ckpt, struct clae_model *m);
/* 1 if the model takes 32x32x3 images, else a one-line error and 0. */
int clae_app_check_cifar(const char *ckpt, const struct clae_model *m);
/* The corruption the model was trained with (its [train] corrupt, blur_size, blur_sigma). */
clae_status clae_app_corrupt_init(const struct clae_model *m, struct clae_corrupt *c);
/* "blur (size 5, sigma 1.1)", "none", ... */
void clae_app_corrupt_describe(const struct clae_corrupt *c, char *buf, size_t len);
/* in (nb,C,H,W) host -> the net's input, forward, out (nb,C,H,W) host. */
clae_status clae_app_forward(struct clae_net *n, const float *in, float *out, int nb);

#endif
