/* clae encode CKPT OUT.npy: the codes of a CIFAR-10 split, the output of one
 * layer (act[i+1] of the net at inference) for every image, as a NumPy
 * float32 array, and the images' labels beside it (OUT-labels.npy). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clae/app.h"
#include "clae/cifar.h"
#include "clae/corrupt.h"
#include "clae/layer.h"
#include "clae/net.h"
#include "clae/npy.h"
#include "clae/ops.h"
#include "clae/parse.h"
#include "clae/rng.h"
#include "cli.h"

#define MAX_BYTES (2ULL << 30) /* codes held in memory and written at once: at most 2 GiB */
#define ZERO_EPS 1e-6          /* |v| below this counts as exactly zero */
#define SMALL_FRAC 0.01        /* "small": |v| below this fraction of the largest |v| */

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae encode CKPT OUT.npy [options]\n"
            "  the codes of a CIFAR-10 split: the output of one layer of the model in CKPT for\n"
            "  every image, as a NumPy float32 array in OUT.npy of shape (N, C, H, W), the\n"
            "  layer's own NCHW order, or (N, C) when H = W = 1 (after [dense], [sampling]),\n"
            "  and the images' labels as uint8 (N,) in OUT-labels.npy; numpy.load reads both.\n"
            "  Each image is corrupted as the checkpoint's config says (e.g. blurred) before\n"
            "  it goes in, as eval does: a denoiser's codes are those of its blurred inputs.\n"
            "  At inference a [sampling] layer gives its mean and dropout drops nothing.\n"
            "  Prints the codes' statistics over all values: mean, mean |v|, the fraction\n"
            "  exactly zero (|v| < 1e-6), the fraction below 0.01 x the largest |v|, and the\n"
            "  non-zero values (|v| >= 1e-6) per image\n");
    clae_opts_help(f, opts, 19);
}

/* --split test|train into *(int *)opt->to */
static int parse_split(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "test") == 0 || strcmp(v, "train") == 0) {
        *(int *)opt->to = strcmp(v, "test") == 0 ? CLAE_CIFAR_TEST : CLAE_CIFAR_TRAIN;
        return 1;
    }
    fprintf(stderr, "clae encode: --split '%s': expected test or train\n", v);
    return 0;
}

/* "named: code, mu" (the named layers, cut at len - 1 characters), or "none named". */
static void named_layers(const clae_model *m, char *buf, size_t len)
{
    size_t used = (size_t)snprintf(buf, len, "named:");
    int any = 0;
    for (int i = 0; i < m->nlayers && used + 1 < len; i++)
        if (m->layers[i].name[0]) {
            used += (size_t)snprintf(buf + used, len - used, "%s %s", any ? "," : "",
                                     m->layers[i].name);
            any = 1;
        }
    if (!any) snprintf(buf, len, "none named");
}

/* The layer --layer names (spec NULL: the default), or -1 after a one-line error. */
static int find_layer(const clae_model *m, const char *ckpt, const char *spec)
{
    char names[256];
    named_layers(m, names, sizeof names);
    if (!spec) {
        const clae_layer_kind *sampling = clae_layer_kind_find("sampling");
        for (int i = 0; i < m->nlayers; i++)
            if (strcmp(m->layers[i].name, "code") == 0) return i;
        for (int i = 0; i < m->nlayers; i++)
            if (m->layers[i].kind == sampling) return i;
        fprintf(stderr,
                "clae encode: %s has no layer named code and no [sampling] layer: choose one "
                "with --layer NAME|INDEX (layers 0 to %d, %s)\n",
                ckpt, m->nlayers - 1, names);
        return -1;
    }
    if ((spec[0] >= '0' && spec[0] <= '9') || spec[0] == '-') { /* names start with a letter or _ */
        long i;
        if (clae_str_to_long(spec, 0, m->nlayers - 1, &i)) return (int)i;
        fprintf(stderr, "clae encode: --layer %s: %s has layers 0 to %d (%s)\n", spec, ckpt,
                m->nlayers - 1, names);
        return -1;
    }
    for (int i = 0; i < m->nlayers; i++)
        if (strcmp(m->layers[i].name, spec) == 0) return i;
    fprintf(stderr, "clae encode: --layer %s: %s has no layer of that name (%s; or an index 0 "
            "to %d)\n", spec, ckpt, names, m->nlayers - 1);
    return -1;
}

/* What the second line reports, over all n * per values. */
typedef struct code_stats {
    double mean, mean_abs, max_abs;
    double zero_frac;  /* |v| < ZERO_EPS */
    double small_frac; /* |v| < SMALL_FRAC * max_abs (1 when every value is 0) */
    double nonzero_per_image;
} code_stats;

static code_stats stats_of(const float *v, size_t n, size_t per)
{
    size_t count = n * per, zeros = 0, small = 0;
    double sum = 0, sum_abs = 0, max_abs = 0;
    for (size_t i = 0; i < count; i++) {
        double a = fabs((double)v[i]);
        sum += v[i];
        sum_abs += a;
        if (a > max_abs) max_abs = a;
        if (a < ZERO_EPS) zeros++;
    }
    double thr = SMALL_FRAC * max_abs;
    for (size_t i = 0; i < count; i++)
        if (fabs((double)v[i]) < thr) small++;
    code_stats s = {.mean = sum / (double)count,
                    .mean_abs = sum_abs / (double)count,
                    .max_abs = max_abs,
                    .zero_frac = (double)zeros / (double)count,
                    .small_frac = max_abs > 0 ? (double)small / (double)count : 1.0,
                    .nonzero_per_image = (double)(count - zeros) / (double)n};
    return s;
}

/* "OUT" without ".npy" + "-labels.npy". */
static char *labels_path(const char *out)
{
    size_t stem = strlen(out) - 4;
    char *p = malloc(stem + sizeof "-labels.npy");
    if (p) {
        memcpy(p, out, stem);
        memcpy(p + stem, "-labels.npy", sizeof "-labels.npy");
    }
    return p;
}

/* Everything encode holds, freed at the end whatever happened. */
typedef struct encode_run {
    clae_model m;
    clae_dataset ds;
    clae_device d;
    clae_net net;
    int dev_open, net_made;
    float *clean, *input, *codes;
    uint8_t *labels;
    char *lpath;
} encode_run;

static void run_free(encode_run *r)
{
    free(r->clean);
    free(r->input);
    free(r->codes);
    free(r->labels);
    free(r->lpath);
    if (r->net_made) clae_net_free(&r->net);
    if (r->dev_open) clae_device_close(&r->d);
    clae_dataset_free(&r->ds);
    clae_model_free(&r->m);
}

/* The codes of n images of r->ds from layer li into r->codes (n, per), batch at a time. */
static int encode_all(encode_run *r, const clae_corrupt *cor, int li, size_t n, size_t per,
                      int batch)
{
    size_t in_per = clae_model_in_count(&r->m);
    clae_net *net = &r->net;
    net->training = 0;
    clae_rng rng;
    clae_rng_seed(&rng, r->m.train.seed);
    for (size_t s = 0; s < n; s += (size_t)batch) {
        int nb = (int)(n - s < (size_t)batch ? n - s : (size_t)batch);
        const int C = r->ds.C, H = r->ds.H, W = r->ds.W;
        clae_records_to_float(r->clean, clae_dataset_record(&r->ds, s), nb, C, H, W);
        if (clae_corrupt_apply(r->input, r->clean, nb, C, H, W, cor, &rng) != CLAE_OK ||
            clae_buf_write(&r->d, net->act[0], r->input, (size_t)nb * in_per * sizeof(float)) !=
                CLAE_OK ||
            clae_net_forward(net, nb) != CLAE_OK ||
            clae_buf_read(&r->d, net->act[li + 1], r->codes + s * per,
                          (size_t)nb * per * sizeof(float)) != CLAE_OK)
            return 0;
    }
    return 1;
}

static int run_encode(const char *ckpt, const char *out, const char *layer, int split,
                      const char *data, long limit, long batch, const char *device,
                      const char *corrupt)
{
    encode_run r = {0};
    int rc = 1;
    if (!clae_app_load(ckpt, &r.m)) goto done;
    int li = find_layer(&r.m, ckpt, layer);
    if (li < 0) {
        rc = 2;
        goto done;
    }
    const clae_layer *l = &r.m.layers[li];
    clae_corrupt cor;
    if (clae_corrupt_from_config(&r.m.train, &cor) != CLAE_OK) goto done;
    if (corrupt && clae_corrupt_parse(&cor, corrupt) != CLAE_OK) goto done;
    if (!data) data = r.m.train.data;
    if (clae_dataset_load(data, split, r.m.net.H, r.m.net.W, r.m.net.C, &r.ds) != CLAE_OK)
        goto done;
    size_t n = r.ds.n;
    if (limit > 0 && (size_t)limit < n) n = (size_t)limit;
    size_t per = clae_layer_out_count(l);
    if ((unsigned long long)n * per * sizeof(float) > MAX_BYTES) {
        fprintf(stderr, "clae encode: %zu images x %zu floats of layer %d is %.1f GiB, over the "
                "%.0f GiB limit: take fewer with --limit\n", n, per, li,
                (double)n * (double)per * 4.0 / (double)(1ULL << 30),
                (double)MAX_BYTES / (double)(1ULL << 30));
        goto done;
    }
    if ((size_t)batch > n) batch = (long)n;
    size_t in_per = clae_model_in_count(&r.m);
    r.clean = malloc((size_t)batch * in_per * sizeof(float));
    r.input = malloc((size_t)batch * in_per * sizeof(float));
    r.codes = malloc(n * per * sizeof(float));
    r.labels = malloc(n);
    r.lpath = labels_path(out);
    if (!r.clean || !r.input || !r.codes || !r.labels || !r.lpath) {
        fprintf(stderr, "clae: out of memory for the codes of %zu images\n", n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) r.labels[i] = (uint8_t)clae_dataset_label(&r.ds, i);
    if (clae_device_open(&r.d, device) != CLAE_OK) goto done;
    r.dev_open = 1;
    if (clae_net_create(&r.net, &r.m, &r.d, (int)batch) != CLAE_OK) goto done;
    r.net_made = 1;
    if (!encode_all(&r, &cor, li, n, per, (int)batch)) goto done;

    /* (N, C, H, W) in the layer's memory order, (N, C) for a vector per image */
    size_t shape[4] = {n, (size_t)l->out_c, (size_t)l->out_h, (size_t)l->out_w};
    int ndim = l->out_h == 1 && l->out_w == 1 ? 2 : 4;
    if (clae_npy_write(out, "<f4", ndim, shape, r.codes, n * per * sizeof(float)) != CLAE_OK)
        goto done;
    if (clae_npy_write(r.lpath, "|u1", 1, shape, r.labels, n) != CLAE_OK) {
        /* no codes without their labels: an old labels file would not match them */
        if (unlink(out) != 0)
            fprintf(stderr, "clae: %s: cannot remove it: %s\n", out, strerror(errno));
        goto done;
    }

    char dims[96], desc[96], named[CLAE_LAYER_NAME_MAX + 8] = "";
    if (ndim == 2)
        snprintf(dims, sizeof dims, "%zu x %d", n, l->out_c);
    else
        snprintf(dims, sizeof dims, "%zu x %d x %d x %d", n, l->out_c, l->out_h, l->out_w);
    if (l->name[0]) snprintf(named, sizeof named, " '%s'", l->name);
    clae_corrupt_describe(&cor, desc, sizeof desc);
    printf("wrote %s: %s float32 (layer %d%s, %s; %s split, corrupt = %s), labels in %s\n", out,
           dims, li, named, l->kind->name, split == CLAE_CIFAR_TEST ? "test" : "train", desc,
           r.lpath);
    code_stats s = stats_of(r.codes, n, per);
    printf("codes: mean %.6g, mean |v| %.6g, max |v| %.6g; exactly zero (|v| < 1e-6) %.2f%%; "
           "below 0.01 x max |v| %.2f%%; non-zero (|v| >= 1e-6) per image %.2f of %zu\n",
           s.mean, s.mean_abs, s.max_abs, 100.0 * s.zero_frac, 100.0 * s.small_frac,
           s.nonzero_per_image, per);
    rc = 0;
done:
    run_free(&r);
    return rc;
}

int cmd_encode(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *layer = NULL, *data = NULL, *device = NULL,
               *corrupt = NULL;
    int split = CLAE_CIFAR_TEST;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {
        {.name = "layer", .meta = "NAME|INDEX", .kind = CLAE_OPT_STR, .to = &layer,
         .help = "the layer: its name (name = ... in the config) or its index\nfrom 0 (default: "
                 "the layer named code, else the first\n[sampling] layer)"},
        {.name = "split", .meta = "test|train", .kind = CLAE_OPT_CALL, .to = &split,
         .parse = parse_split, .help = "the split (default test)"},
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_CORRUPT(&corrupt, "corrupt the inputs this way instead (as clae eval's; e.g.\n"
                                   "noise:0.05 against none: how far the codes move)"),
        CLAE_OPT_LIMIT(&limit, "only the first N images of the split"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    const char **const POS[] = {&ckpt, &out};
    static const char *const NAMES[] = {"CKPT", "OUT.npy"};
    const clae_cmdline cl = {.cmd = "clae encode", .hint = "see --help", .opts = OPTS,
                             .usage = usage, .pos = POS, .npos = 2, .names = NAMES,
                             .synopsis = "clae encode CKPT OUT.npy"};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    size_t len = strlen(out);
    if (len <= 4 || strcmp(out + len - 4, ".npy") != 0 || out[len - 5] == '/') {
        fprintf(stderr, "clae encode: OUT '%s' must be a file name ending in .npy (the labels go "
                "to OUT-labels.npy)\n", out);
        return 2;
    }
    return run_encode(ckpt, out, layer, split, data, limit, batch, device, corrupt);
}
