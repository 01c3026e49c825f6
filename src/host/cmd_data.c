/* clae data: CIFAR-10 data tooling.
 *   clae data import DIR OUT [--threads N]   image folders -> official binary layout
 *   clae data info DIR                       record and label counts of both splits */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/cifar.h"
#include "clae/parse.h"
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: clae data import DIR OUT [--threads N]\n"
            "       clae data info DIR\n"
            "\n"
            "import: read DIR/train/<class>/*.{png,jpg,jpeg,bmp} and DIR/test/<class>/*\n"
            "  (32x32 RGB images) and write the CIFAR-10 binary layout into OUT:\n"
            "  data_batch_1..5.bin, test_batch.bin (records of 1 label byte + 1024 R,\n"
            "  1024 G, 1024 B bytes) and batches.meta.txt (class names, one a line).\n"
            "  Labels: class folders sorted by name -> 0, 1, ...; images sorted by name\n"
            "  within a class; records interleaved round-robin over classes, so any\n"
            "  prefix (or the last 20%%) of the train set holds every class.\n"
            "  --threads N  decoding threads (default: online CPUs, at most 8)\n"
            "info: load DIR (the folder with the .bin files, or its parent holding\n"
            "  cifar-10-batches-bin/) and print per-split record and label counts.\n");
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 8) n = 8;
    return (int)n;
}

static int cmd_import(int argc, char **argv)
{
    const char *pos[2];
    int npos = 0, threads = default_threads();
    static const struct option LONGOPTS[] = {
        {"help", no_argument, NULL, 'h'}, {"threads", required_argument, NULL, 't'}, {0}};
    clae_opts cli = {.cmd = "clae data import", .hint = "try 'clae data --help'",
                     .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        switch (c) {
        case 'h':
            usage(stdout);
            return 0;
        case 't':
        case ':': { /* --threads is the only option with a value */
            long t = 0;
            if (c == ':' || !clae_str_to_long(optarg, 1, 64, &t)) {
                fprintf(stderr, "clae data import: --threads needs a number from 1 to 64\n");
                return 2;
            }
            threads = (int)t;
            break;
        }
        case 1:
            if (npos == 2) {
                fprintf(stderr, "clae data import: unexpected argument '%s'\n", optarg);
                return 2;
            }
            pos[npos++] = optarg;
            break;
        default: return clae_opt_error(&cli, c);
        }
    }
    if (npos != 2) {
        fprintf(stderr, "clae data import: expected DIR and OUT (try 'clae data --help')\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t ntr = 0, nte = 0;
    int ncls = 0;
    if (clae_cifar_import(pos[0], pos[1], threads, &ntr, &nte, &ncls) != CLAE_OK) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("imported %zu train + %zu test images, %d classes, into %s (%.2f s, %d threads)\n",
           ntr, nte, ncls, pos[1], s, threads);
    return 0;
}

static int cmd_info(int argc, char **argv)
{
    const char *dir = NULL;
    static const struct option LONGOPTS[] = {{"help", no_argument, NULL, 'h'}, {0}};
    clae_opts cli = {.cmd = "clae data info", .hint = "try 'clae data --help'",
                     .longopts = LONGOPTS};
    optind = 0;
    for (int c; (c = clae_getopt(&cli, argc, argv)) != -1;) {
        if (c == 'h') {
            usage(stdout);
            return 0;
        }
        if (c != 1 || dir || optarg[0] == '-') { /* no options; "-" is no folder */
            dir = NULL;
            break;
        }
        dir = optarg;
    }
    if (!dir) {
        fprintf(stderr, "clae data info: expected DIR (try 'clae data --help')\n");
        return 2;
    }
    static const char *const NAMES[] = {"train", "test"};
    for (int split = CLAE_CIFAR_TRAIN; split <= CLAE_CIFAR_TEST; split++) {
        clae_dataset d;
        if (clae_cifar_load(dir, split, &d) != CLAE_OK) return 1;
        size_t count[256] = {0};
        for (size_t i = 0; i < d.n; i++) count[clae_dataset_label(&d, i)]++;
        printf("%-5s %zu records of %dx%dx%d images (HxWxC, %s); per label:", NAMES[split], d.n,
               d.H, d.W, d.C,
               clae_dataset_is_clae_layout(dir, split) ? "clae layout" : "CIFAR-10 binary");
        for (int l = 0; l < 256; l++)
            if (count[l]) printf(" %d:%zu", l, count[l]);
        printf("\n");
        clae_dataset_free(&d);
    }
    return 0;
}

int cmd_data(int argc, char **argv)
{
    static const struct option LONGOPTS[] = {{"help", no_argument, NULL, 'h'}, {0}};
    clae_opts cli = {.cmd = "clae data", .hint = "try 'clae data --help'", .longopts = LONGOPTS};
    optind = 0;
    switch (clae_getopt(&cli, argc, argv)) { /* only the first argument: --help or a subcommand */
    case -1:
        fprintf(stderr,
                "clae data: expected a subcommand: import, info (try 'clae data --help')\n");
        return 2;
    case 'h':
        usage(stdout);
        return 0;
    case 1:
        if (strcmp(optarg, "import") == 0) return cmd_import(argc - 1, argv + 1);
        if (strcmp(optarg, "info") == 0) return cmd_info(argc - 1, argv + 1);
        break;
    }
    fprintf(stderr, "clae data: unknown subcommand '%s' (try 'clae data --help')\n", cli.arg);
    return 2;
}
