/* clae data: dataset tooling.
 *   clae data import DIR OUT [--size H,W] [--channels 1|3] [--threads N]
 *                        image folders -> CIFAR-10's binary layout (32x32x3) or clae's
 *   clae data info DIR   shape, record and label counts of both splits */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/cifar.h"
#include "clae/parse.h"
#include "cli.h"

/* "H,W" or "S" (a square), sides 1..CLAE_DATA_MAX_SIDE: 1, or 0 after one line. */
static int parse_size(const clae_opt *opt, const char *v)
{
    clae_import_opts *io = opt->to;
    int *H = &io->H, *W = &io->W;
    char a[16], b[16];
    const char *comma = strchr(v, ',');
    size_t la = comma ? (size_t)(comma - v) : strlen(v);
    if (la < sizeof a && (!comma || strlen(comma + 1) < sizeof b)) {
        memcpy(a, v, la);
        a[la] = '\0';
        snprintf(b, sizeof b, "%s", comma ? comma + 1 : a);
        if (clae_str_to_int(a, 1, CLAE_DATA_MAX_SIDE, H) &&
            clae_str_to_int(b, 1, CLAE_DATA_MAX_SIDE, W))
            return 1;
    }
    fprintf(stderr, "clae data import: --size '%s': expected H,W (or one side), each from 1 to "
            "%d\n", v, CLAE_DATA_MAX_SIDE);
    return 0;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    if (n > 8) n = 8;
    return (int)n;
}

/* --threads N: 1 to 64 */
static int parse_threads(const clae_opt *opt, const char *v)
{
    if (clae_str_to_int(v, 1, 64, &((clae_import_opts *)opt->to)->threads)) return 1;
    fprintf(stderr, "clae data import: --threads needs a number from 1 to 64\n");
    return 0;
}

/* --channels 1|3 */
static int parse_channels(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "1") == 0 || strcmp(v, "3") == 0) {
        ((clae_import_opts *)opt->to)->C = v[0] - '0';
        return 1;
    }
    fprintf(stderr, "clae data import: --channels '%s': expected 1 (grey) or 3 (RGB)\n", v);
    return 0;
}

static int cmd_import(int argc, char **argv)
{
    const char *pos[2] = {NULL, NULL};
    clae_import_opts io = {.threads = default_threads()};
    const clae_opt OPTS[] = {
        CLAE_ARG_OPTIONAL("DIR", &pos[0]), CLAE_ARG_OPTIONAL("OUT", &pos[1]),
        {.name = "threads", .kind = CLAE_OPT_CALL, .to = &io, .parse = parse_threads},
        {.name = "size", .kind = CLAE_OPT_CALL, .to = &io, .parse = parse_size},
        {.name = "channels", .kind = CLAE_OPT_CALL, .to = &io, .parse = parse_channels},
        {0}};
    static const clae_cmdline IMPORT_CMDLINE = {
        .cmd = "clae data import", .hint = "try 'clae data --help'", .about = CLAE_ABOUT_DATA};
    int code = clae_cmdline_parse(&IMPORT_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!pos[1]) {
        fprintf(stderr, "clae data import: expected DIR and OUT (try 'clae data --help')\n");
        return 2;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clae_import_result r;
    if (clae_data_import(pos[0], pos[1], &io, &r) != CLAE_OK) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("imported %zu train + %zu test images of %dx%dx%d (HxWxC), %d classes, into %s (%s; "
           "%.2f s, %d threads)\n",
           r.n_train, r.n_test, r.H, r.W, r.C, r.n_classes, pos[1],
           r.cifar ? "CIFAR-10 binary layout" : "train.safetensors, test.safetensors", s,
           io.threads);
    if (r.sixteen_bit)
        printf("note: %zu image%s had 16-bit samples, reduced to 8 bits (the first: %s)\n",
               r.sixteen_bit, r.sixteen_bit == 1 ? "" : "s", r.first_sixteen);
    if (r.skipped)
        printf("skipped %zu non-image file%s (the first: %s)\n", r.skipped,
               r.skipped == 1 ? "" : "s", r.first_skipped);
    if (!r.cifar)
        printf("train on them with [net] input = %d,%d,%d and [train] data = %s\n", r.H, r.W,
               r.C, pos[1]);
    return 0;
}

static int cmd_info(int argc, char **argv)
{
    const char *dir = NULL;
    const clae_opt OPTS[] = {CLAE_ARG_OPTIONAL("DIR", &dir), {0}};
    static const clae_cmdline INFO_CMDLINE = {
        .cmd = "clae data info", .hint = "try 'clae data --help'", .about = CLAE_ABOUT_DATA};
    int code = clae_cmdline_parse(&INFO_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (dir && dir[0] == '-') dir = NULL; /* "-" is no folder */
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
        fputs(CLAE_ABOUT_DATA, stdout);
        return 0;
    case 1:
        if (strcmp(optarg, "import") == 0) return cmd_import(argc - 1, argv + 1);
        if (strcmp(optarg, "info") == 0) return cmd_info(argc - 1, argv + 1);
        break;
    }
    fprintf(stderr, "clae data: unknown subcommand '%s' (try 'clae data --help')\n", cli.arg);
    return 2;
}
