/* clae data: CIFAR-10 data tooling.
 *   clae data import DIR OUT [--threads N]   image folders -> official binary layout
 *   clae data info DIR                       record and label counts of both splits */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/cifar.h"
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
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0) {
            char *end = NULL;
            long t = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
            if (i + 1 >= argc || *argv[i + 1] == '\0' || *end != '\0' || t < 1 || t > 64) {
                fprintf(stderr, "clae data import: --threads needs a number from 1 to 64\n");
                return 2;
            }
            threads = (int)t;
            i++;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "clae data import: unknown option '%s' (try 'clae data --help')\n",
                    argv[i]);
            return 2;
        } else if (npos < 2) {
            pos[npos++] = argv[i];
        } else {
            fprintf(stderr, "clae data import: unexpected argument '%s'\n", argv[i]);
            return 2;
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
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "clae data info: expected DIR (try 'clae data --help')\n");
        return 2;
    }
    static const char *const NAMES[] = {"train", "test"};
    for (int split = CLAE_CIFAR_TRAIN; split <= CLAE_CIFAR_TEST; split++) {
        clae_dataset d;
        if (clae_cifar_load(argv[1], split, &d) != CLAE_OK) return 1;
        size_t count[256] = {0};
        for (size_t i = 0; i < d.n; i++) count[clae_dataset_label(&d, i)]++;
        printf("%-5s %zu records; per label:", NAMES[split], d.n);
        for (int l = 0; l < 256; l++)
            if (count[l]) printf(" %d:%zu", l, count[l]);
        printf("\n");
        clae_dataset_free(&d);
    }
    return 0;
}

int cmd_data(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "clae data: expected a subcommand: import, info (try 'clae data --help')\n");
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "import") == 0) return cmd_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "info") == 0) return cmd_info(argc - 1, argv + 1);
    fprintf(stderr, "clae data: unknown subcommand '%s' (try 'clae data --help')\n", argv[1]);
    return 2;
}
