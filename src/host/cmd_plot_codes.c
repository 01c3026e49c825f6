/* clae plot-codes CKPT OUT.png: the codes of the test split (the output of one layer, as
 * clae encode computes them) projected to 2-D by PCA, or drawn as they are when the layer
 * gives 2 values an image, one colour a class with a legend of the data folder's class
 * names: what the encoder learned to tell apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clae/app.h"
#include "clae/encode.h"
#include "clae/image.h"
#include "clae/output.h"
#include "clae/plot_scatter.h"
#include "clae/project.h"
#include "cli.h"
#include "data/labels.h"

#define CMD "clae plot-codes"
#define LIMIT_DEFAULT 2000 /* test images: enough to see clusters, few enough to see dots */
#define NAME_CAP 32        /* a class name's bytes in the legend */

static const clae_cmdline PLOT_CODES_CMDLINE = {.cmd = CMD, .width = 19,
                                                .about = CLAE_ABOUT_PLOT_CODES};

enum { METHOD_AUTO, METHOD_PCA };

/* --method pca (tsne: refused, there is no C library of it to use) */
static int parse_method(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "pca") == 0) {
        *(int *)opt->to = METHOD_PCA;
        return 1;
    }
    if (strcmp(v, "tsne") == 0 || strcmp(v, "t-sne") == 0)
        fprintf(stderr, CMD ": --method %s: not available: no maintained C library of t-SNE is "
                "packaged (Debian has R's only); use pca, or clae encode and a Python t-SNE\n", v);
    else
        fprintf(stderr, CMD ": --method '%s': expected pca (or tsne, not available)\n", v);
    return 0;
}

/* --dims 2: the codes as they are, which must then be 2 values an image */
static int parse_dims(const clae_opt *opt, const char *v)
{
    if (strcmp(v, "2") == 0) {
        *(int *)opt->to = 1;
        return 1;
    }
    fprintf(stderr, CMD ": --dims '%s': expected 2 (a layer of 2 values an image, drawn as "
            "they are)\n", v);
    return 0;
}

typedef struct plot_codes_args {
    const char *ckpt, *out, *layer, *data, *device, *corrupt;
    long limit, batch;
    int method, dims2;
} plot_codes_args;

/* "16 x 8 x 8" or "64": a layer's output per image */
static void layer_shape(const clae_layer *l, char *buf, size_t len)
{
    if (l->out_h == 1 && l->out_w == 1)
        snprintf(buf, len, "%d", l->out_c);
    else
        snprintf(buf, len, "%d x %d x %d", l->out_c, l->out_h, l->out_w);
}

/* 1 when the layer's codes can be drawn the way asked, else 0 after one line. */
static int check_width(const plot_codes_args *a, const clae_layer *l, int li, size_t per)
{
    char shape[64];
    layer_shape(l, shape, sizeof shape);
    if (a->dims2 && per != 2) {
        fprintf(stderr, CMD ": --dims 2: layer %d (%s) of %s gives %zu values an image (%s), "
                "not 2: leave out --dims to project them by PCA\n", li, l->kind->name, a->ckpt,
                per, shape);
        return 0;
    }
    if (per < 2) {
        fprintf(stderr, CMD ": layer %d (%s) of %s gives 1 value an image: nothing to draw in "
                "2-D (choose another with --layer)\n", li, l->kind->name, a->ckpt);
        return 0;
    }
    return 1;
}

/* The figure of n points xy (n, 2) from the codes c of split run r; 1, or 0 after one line. */
static int draw(const plot_codes_args *a, clae_split_run *r, const clae_codes *c,
                const double *xy, const char *title, const char *xl, const char *yl)
{
    int K = 1;
    for (size_t i = 0; i < c->n; i++)
        if (c->labels[i] + 1 > K) K = c->labels[i] + 1;
    char *names = malloc((size_t)K * NAME_CAP);
    const char **ptr = malloc(sizeof *ptr * (size_t)K);
    clae_image img = {0};
    int ok = names && ptr;
    if (ok) {
        clae_class_names_read(r->data, K, NAME_CAP, names);
        for (int k = 0; k < K; k++) ptr[k] = names + (size_t)k * NAME_CAP;
        clae_scatter s = {.xy = xy, .label = c->labels, .n = c->n, .classes = K, .names = ptr,
                          .title = title, .xlabel = xl, .ylabel = yl};
        ok = clae_plot_scatter(&s, &img) == CLAE_OK && clae_image_write(a->out, &img) == CLAE_OK;
    } else {
        fprintf(stderr, CMD ": out of memory for the figure\n");
    }
    clae_image_free(&img);
    free(names);
    free(ptr);
    return ok;
}

/* The codes' 2-D points: as they are, or by PCA (its summary into pca, axis labels). */
static double *project(const plot_codes_args *a, const clae_codes *c, int direct, clae_pca *pca,
                       char *xl, char *yl, size_t len)
{
    double *xy = malloc(sizeof(double) * 2 * c->n);
    if (!xy) {
        fprintf(stderr, CMD ": out of memory for the points of %zu images\n", c->n);
        return NULL;
    }
    if (direct) {
        for (size_t i = 0; i < 2 * c->n; i++) xy[i] = c->codes[i];
        snprintf(xl, len, "code[0]");
        snprintf(yl, len, "code[1]");
        return xy;
    }
    clae_status st = clae_pca_project(c->codes, c->n, c->per, 2, xy, NULL, pca);
    if (st != CLAE_OK) {
        fprintf(stderr, CMD ": %s: PCA of %zu codes of %zu values failed (%s)\n", a->ckpt, c->n,
                c->per, st == CLAE_ERR_NOMEM ? "out of memory" : "bad arguments");
        free(xy);
        return NULL;
    }
    snprintf(xl, len, "PC1 (%.1f%% of the variance)", 100.0 * pca->frac[0]);
    snprintf(yl, len, "PC2 (%.1f%% of the variance)", 100.0 * pca->frac[1]);
    return xy;
}

/* "run/last.safetensors": the checkpoint's file and its folder, which names the run */
static const char *ckpt_name(const char *path)
{
    const char *p = path + strlen(path);
    int slashes = 0;
    while (p > path && !(p[-1] == '/' && ++slashes == 2)) p--;
    return p;
}

/* 1 when the n points xy (n, 2) are all one point */
static int all_same(const double *xy, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (xy[2 * i] != xy[0] || xy[2 * i + 1] != xy[1]) return 0;
    return 1;
}

static int run_plot_codes(const plot_codes_args *a)
{
    clae_split_run r = {0};
    clae_codes c = {0};
    if (!clae_app_load(a->ckpt, &r.m)) return 1;
    int li = clae_encode_find_layer(&r.m, CMD, a->ckpt, a->layer), rc = 1;
    const clae_layer *l = li >= 0 ? &r.m.layers[li] : NULL;
    size_t per = l ? clae_layer_out_count(l) : 0;
    if (!l || !check_width(a, l, li, per)) {
        clae_split_close(&r);
        return 2; /* a usage mistake: the layer named, or --dims */
    }
    int direct = a->dims2 || (per == 2 && a->method == METHOD_AUTO);
    clae_pca pca = {0};
    double *xy = NULL;
    char xl[64], yl[64], shape[64], title[512], named[CLAE_LAYER_NAME_MAX + 8] = "";
    if (clae_split_open(&r, CLAE_CIFAR_TEST, a->data, a->corrupt, a->limit, a->batch,
                        a->device) &&
        clae_encode_split(&r, li, &c) && (xy = project(a, &c, direct, &pca, xl, yl, sizeof xl))) {
        layer_shape(l, shape, sizeof shape);
        if (l->name[0]) snprintf(named, sizeof named, " '%s'", l->name);
        snprintf(title, sizeof title, "%s: layer %d%s (%s, %s), %zu test images%s",
                 ckpt_name(a->ckpt), li, named, l->kind->name, shape, c.n,
                 direct ? "" : ", PCA");
        if (draw(a, &r, &c, xy, title, xl, yl)) {
            printf("wrote %s (%dx%d): %zu test images, layer %d%s (%s, %s%s%zu values)", a->out,
                   CLAE_SCATTER_W, CLAE_SCATTER_H, c.n, li, named, l->kind->name,
                   strchr(shape, 'x') ? shape : "", strchr(shape, 'x') ? " = " : "", per);
            if (direct)
                printf(", drawn as they are\n");
            else
                printf(" by PCA: PC1 %.2f%%, PC2 %.2f%% of the variance (%.2f%% together; %d "
                       "iterations%s)\n", 100 * pca.frac[0], 100 * pca.frac[1],
                       100 * (pca.frac[0] + pca.frac[1]), pca.iters,
                       pca.converged ? "" : ", not converged");
            if (all_same(xy, c.n))
                printf("note: every image has the same code: the figure is one dot (units that "
                       "never fire, such as ReLUs that died?)\n");
            rc = 0;
        }
    }
    free(xy);
    clae_codes_free(&c);
    clae_split_close(&r);
    return rc;
}

int cmd_plot_codes(int argc, char **argv)
{
    plot_codes_args a = {.limit = LIMIT_DEFAULT, .batch = CLAE_BATCH_DEFAULT};
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &a.ckpt), CLAE_ARG("OUT.png", &a.out),
        CLAE_OPT_LAYER(&a.layer, CLAE_HELP_LAYER),
        {.name = "method", .meta = "pca|tsne", .kind = CLAE_OPT_CALL, .to = &a.method,
         .parse = parse_method,
         .help = "pca: the two principal components (the default for a layer\nof more than 2 "
                 "values; for one of 2 it turns them to their\nprincipal axes). tsne: not "
                 "available (no C library)"},
        {.name = "dims", .meta = "2", .kind = CLAE_OPT_CALL, .to = &a.dims2, .parse = parse_dims,
         .help = "the layer's 2 values an image drawn as they are, axes\ncode[0] and code[1] "
                 "(what a layer of 2 gets anyway):\nan error when it gives another number"},
        CLAE_OPT_DATA(&a.data, CLAE_HELP_DATA),
        CLAE_OPT_LIMIT(&a.limit, "the first N test images (default " CLAE_STR(LIMIT_DEFAULT) ")"),
        CLAE_OPT_CORRUPT(&a.corrupt, "corrupt the inputs this way instead of the config's way"),
        CLAE_OPT_BATCH(&a.batch, CLAE_HELP_BATCH),
        CLAE_OPT_DEVICE(&a.device, CLAE_HELP_DEVICE),
        {0}};
    int code = clae_cmdline_parse(&PLOT_CODES_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    size_t len = strlen(a.out);
    if (len <= 4 || strcasecmp(a.out + len - 4, ".png") != 0 || a.out[len - 5] == '/') {
        fprintf(stderr, CMD ": OUT '%s' must be a file name ending in .png\n", a.out);
        return 2;
    }
    if (a.dims2 && a.method != METHOD_AUTO) {
        fprintf(stderr, CMD ": --dims 2 draws the codes as they are: leave out --method\n");
        return 2;
    }
    if (!clae_output_check(CMD, a.out)) return 2;
    return run_plot_codes(&a);
}
