/* clae <command>: dispatch and --help. Each command lives in cmd_<name>.c; the
 * option parsing they share is in cli_opts.c. All of it is part of libclae (its one
 * exported name beyond the public API is clae_cli_main), and the clae program
 * (main.c) only calls it: the command line and the library are one build. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const clae_command COMMANDS[] = {
    {"devices", "list OpenCL platforms and devices", cmd_devices},
    {"summary", "print a config's layers, output shapes and parameter counts", cmd_summary},
    {"layers", "every layer kind a config may use, with its keys and defaults", cmd_layers},
    {"data", "CIFAR-10 data: import image folders, inspect datasets", cmd_data},
    {"init", "write a freshly initialised checkpoint for a config", cmd_init},
    {"train", "train a model on CIFAR-10 or imported images (resume, Ctrl-C safe, mpirun)",
     cmd_train},
    {"compile", "build the kernels of configs ahead of their first run (kernel cache)",
     cmd_compile},
    {"bench", "time every op of a training step against the device's peak", cmd_bench},
    {"tune", "search the direct convolutions' kernel parameters for a config on a device",
     cmd_tune},
    {"selftest", "check every op and a training step on a device against the C reference",
     cmd_selftest},
    {"eval", "metrics of a checkpoint on the CIFAR-10 test set vs doing nothing", cmd_eval},
    {"show", "figure of original, corrupted and restored test images (PNG)", cmd_show},
    {"denoise", "restore an image file of any size with a checkpoint", cmd_denoise},
    {"swap", "a model with branches across: encode an image, decode it with another branch",
     cmd_swap},
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
    {"plot-codes", "a test split's codes in 2-D (PCA), a colour per class, as a PNG",
     cmd_plot_codes},
    {"compress", "an image through an autoencoder's code, quantised and deflated (.clz)",
     cmd_compress},
    {"decompress", "a .clz file of clae compress back into an image", cmd_decompress},
    {"rate-distortion", "bits per pixel against PSNR and SSIM: checkpoints' codes and JPEG",
     cmd_rate_distortion},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: clae <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(f, "  %-15s %s\n", COMMANDS[i].name, COMMANDS[i].help);
    fprintf(f, "\n'clae <command> --help' or 'clae help <command>' describes a command's "
               "options.\n");
}

int clae_cli_main(int argc, char **argv)
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
