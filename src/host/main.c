/* clae <command>: dispatch and --help. Each command lives in cmd_<name>.c. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const clae_command COMMANDS[] = {
    {"devices", "list OpenCL platforms and devices", cmd_devices},
    {"summary", "print a config's layers, output shapes and parameter counts", cmd_summary},
    {"data", "CIFAR-10 data: import image folders, inspect datasets", cmd_data},
    {"init", "write a freshly initialised checkpoint for a config", cmd_init},
    {"train", "train a model on CIFAR-10 (checkpoints, resume, Ctrl-C safe)", cmd_train},
    {"bench", "time every op of a training step against the device's peak", cmd_bench},
    {"eval", "metrics of a checkpoint on the CIFAR-10 test set vs doing nothing", cmd_eval},
    {"show", "figure of original, corrupted and restored test images (PNG)", cmd_show},
    {"denoise", "restore an image file of any size with a checkpoint", cmd_denoise},
    {"plot", "plot a training history (history.jsonl) as a PNG", cmd_plot},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clae <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\n'clae <command> --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("clae 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(argv[1], COMMANDS[i].name) == 0) return COMMANDS[i].run(argc - 1, argv + 1);
    fprintf(stderr, "clae: unknown command '%s' (try 'clae --help')\n", argv[1]);
    return 2;
}
