/* clae encode CKPT OUT.npy: the codes of a CIFAR-10 split, the output of one
 * layer (act[i+1] of the net at inference) for every image, as a NumPy
 * float32 array, and the images' labels beside it (OUT-labels.npy). */
#include <stdio.h>
#include <string.h>

#include "clae/app.h"
#include "clae/encode.h"
#include "clae/layer.h"
#include "clae/output.h"
#include "cli.h"

static const clae_cmdline ENCODE_CMDLINE = {
    .cmd = "clae encode", .width = 19, .about = CLAE_ABOUT_ENCODE};

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

static int run_encode(const char *ckpt, const char *out, const char *layer, int split,
                      const char *data, long limit, long batch, const char *device,
                      const char *corrupt)
{
    clae_split_run r = {0};
    clae_codes c = {0};
    if (!clae_app_load(ckpt, &r.m)) return 1;
    int li = clae_encode_find_layer(&r.m, "clae encode", ckpt, layer), rc = li < 0 ? 2 : 1;
    if (li >= 0 && clae_split_open(&r, split, data, corrupt, limit, batch, device) &&
        clae_encode_split(&r, li, &c) && clae_codes_write(&c, &r.m.layers[li], out)) {
        const clae_layer *l = &r.m.layers[li];
        char dims[96], desc[96], named[CLAE_LAYER_NAME_MAX + 8] = "";
        if (c.ndim == 2)
            snprintf(dims, sizeof dims, "%zu x %d", c.n, l->out_c);
        else
            snprintf(dims, sizeof dims, "%zu x %d x %d x %d", c.n, l->out_c, l->out_h, l->out_w);
        if (l->name[0]) snprintf(named, sizeof named, " '%s'", l->name);
        clae_corrupt_describe(&r.cor, desc, sizeof desc);
        printf("wrote %s: %s float32 (layer %d%s, %s; %s split, corrupt = %s), labels in %s\n",
               out, dims, li, named, l->kind->name, split == CLAE_CIFAR_TEST ? "test" : "train",
               desc, c.labels_path);
        clae_code_stats s = clae_codes_stats(&c);
        printf("codes: mean %.6g, mean |v| %.6g, max |v| %.6g; exactly zero (|v| < 1e-6) "
               "%.2f%%; below 0.01 x max |v| %.2f%%; non-zero (|v| >= 1e-6) per image %.2f of "
               "%zu\n", s.mean, s.mean_abs, s.max_abs, 100.0 * s.zero_frac,
               100.0 * s.small_frac, s.nonzero_per_image, c.per);
        rc = 0;
    }
    clae_codes_free(&c);
    clae_split_close(&r);
    return rc;
}

int cmd_encode(int argc, char **argv)
{
    const char *ckpt = NULL, *out = NULL, *layer = NULL, *data = NULL, *device = NULL,
               *corrupt = NULL;
    int split = CLAE_CIFAR_TEST;
    long limit = 0, batch = CLAE_BATCH_DEFAULT;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &ckpt), CLAE_ARG("OUT.npy", &out),
        CLAE_OPT_LAYER(&layer, CLAE_HELP_LAYER),
        {.name = "split", .meta = "test|train", .kind = CLAE_OPT_CALL, .to = &split,
         .parse = parse_split, .help = "the split (default test)"},
        CLAE_OPT_DATA(&data, CLAE_HELP_DATA),
        CLAE_OPT_CORRUPT(&corrupt, "corrupt the inputs this way instead (as clae eval's; e.g.\n"
                                   "noise:0.05 against none: how far the codes move)"),
        CLAE_OPT_LIMIT(&limit, "only the first N images of the split"),
        CLAE_OPT_BATCH(&batch, CLAE_HELP_BATCH),
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&ENCODE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    size_t len = strlen(out);
    if (len <= 4 || strcmp(out + len - 4, ".npy") != 0 || out[len - 5] == '/') {
        fprintf(stderr, "clae encode: OUT '%s' must be a file name ending in .npy (the labels go "
                "to OUT-labels.npy)\n", out);
        return 2;
    }
    if (!clae_output_check("clae encode", out)) return 2;
    return run_encode(ckpt, out, layer, split, data, limit, batch, device, corrupt);
}
