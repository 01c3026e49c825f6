/* clae rate-distortion CKPT...: bits per pixel against PSNR and SSIM over the CIFAR-10 test
 * split, for each checkpoint's .clz files at each bit depth and for JPEG at each quality, in
 * one process: the options, the CSV, the table and the figure. The work is in
 * src/host/apps/rate_distortion.c (include/clae/rate_distortion.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/clz.h"
#include "clae/output.h"
#include "clae/parse.h"
#include "clae/plot_lines.h"
#include "clae/rate_distortion.h"
#include "cli.h"

#define MAX_CKPTS 8
#define DEF_BITS "4,6,8"
#define DEF_JPEG "5,10,20,30,50,70,90,95"

static const clae_cmdline RD_CMDLINE = {
    .cmd = "clae rate-distortion", .width = 19, .about = CLAE_ABOUT_RATE_DISTORTION};

/* "4,6,8" into v[] (each from lo to hi, at most CLAE_RD_MAX_SETTINGS); "none": no value. */
static int parse_list(const char *flag, const char *s, int lo, int hi, int *v, int *n)
{
    *n = 0;
    if (strcmp(s, "none") == 0) return 1;
    char buf[256];
    if (strlen(s) >= sizeof buf) {
        fprintf(stderr, "clae rate-distortion: %s: too long a list\n", flag);
        return 0;
    }
    strcpy(buf, s);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        long x;
        if (*n == CLAE_RD_MAX_SETTINGS || !clae_str_to_long(t, lo, hi, &x)) {
            fprintf(stderr, "clae rate-distortion: %s %s: %s\n", flag, s,
                    *n == CLAE_RD_MAX_SETTINGS ? "more than " CLAE_STR(CLAE_RD_MAX_SETTINGS)
                                                 " values"
                                               : "needs whole numbers in range, like 4,6,8");
            return 0;
        }
        v[(*n)++] = (int)x;
    }
    if (*n > 0) return 1;
    fprintf(stderr, "clae rate-distortion: %s '%s': no value (none: leave it out)\n", flag, s);
    return 0;
}

static int opt_bits(const clae_opt *opt, const char *v)
{
    clae_rd_opts *o = opt->to;
    return parse_list("--bits", v, 1, CLAE_CLZ_BITS_MAX, o->bits, &o->nbits);
}

static int opt_jpeg(const clae_opt *opt, const char *v)
{
    clae_rd_opts *o = opt->to;
    return parse_list("--jpeg", v, 1, 100, o->jpeg, &o->njpeg);
}

/* A checkpoint's path without its folders but the last: "compress-8x8x4/best.safetensors". */
static const char *short_name(const char *path)
{
    const char *last = strrchr(path, '/');
    if (!last || last == path) return path;
    const char *p = last - 1;
    while (p > path && *p != '/') p--;
    return *p == '/' ? p + 1 : p;
}

/* The table on stdout. */
static void print_table(const clae_rd_row *rows, int n)
{
    printf("%-5s %-34s %-8s %-8s %8s %12s %9s %7s\n", "codec", "model", "code", "setting", "bpp",
           "payload bpp", "PSNR dB", "SSIM");
    for (int i = 0; i < n; i++) {
        const clae_rd_row *r = &rows[i];
        const char *model = short_name(r->model);
        printf("%-5s %-34.34s %-8s %-8s %8.3f %12.3f %9.2f %7.4f\n", r->codec, model, r->code,
               r->setting, r->bpp, r->payload_bpp, r->psnr, r->ssim);
    }
}

/* The figure: one series per checkpoint (its bit depths), JPEG by file and by scan alone. */
static int write_plot(const char *path, const clae_rd_row *rows, int n, int nckpt, int nbits)
{
    enum { MAXP = CLAE_RD_MAX_SETTINGS };
    static double x[MAX_CKPTS + 2][MAXP], ps[MAX_CKPTS + 2][MAXP], ss[MAX_CKPTS + 2][MAXP];
    static char names[MAX_CKPTS + 2][96];
    clae_lines_series s[MAX_CKPTS + 2];
    int ns = 0;
    for (int k = 0; k < nckpt && nbits > 0; k++, ns++) {
        const clae_rd_row *r = &rows[k * (nbits + 1)];
        snprintf(names[ns], sizeof names[ns], "clae %s (code %s)", short_name(r->model),
                 r->code);
        for (int i = 0; i < nbits; i++) {
            x[ns][i] = r[i].bpp;
            ps[ns][i] = r[i].psnr;
            ss[ns][i] = r[i].ssim;
        }
        s[ns] = (clae_lines_series){names[ns], x[ns], {ps[ns], ss[ns]}, nbits, 0};
    }
    int first = nckpt * (nbits + 1), nj = n - first;
    for (int view = 0; view < 2 && nj > 0; view++, ns++) {
        snprintf(names[ns], sizeof names[ns], view ? "JPEG, scan data alone" : "JPEG, whole file");
        for (int i = 0; i < nj; i++) {
            x[ns][i] = view ? rows[first + i].payload_bpp : rows[first + i].bpp;
            ps[ns][i] = rows[first + i].psnr;
            ss[ns][i] = rows[first + i].ssim;
        }
        s[ns] = (clae_lines_series){names[ns], x[ns], {ps[ns], ss[ns]}, nj, view};
    }
    clae_lines_plot p = {.title = "rate against distortion (CIFAR-10 test images)",
                         .xlabel = "bits per pixel", .ylabel = {"PSNR (dB)", "SSIM"},
                         .npanels = 2, .s = s, .ns = ns};
    clae_image img = {0};
    int ok = ns > 0 && clae_plot_lines(&p, &img) == CLAE_OK &&
             clae_image_write(path, &img) == CLAE_OK;
    if (ns == 0) fprintf(stderr, "clae: %s: nothing to plot\n", path);
    clae_image_free(&img);
    return ok;
}

/* Every checkpoint's rows, then JPEG's (on the first one's data and shape). */
static int run_rd(const clae_arg_list *ckpts, const clae_rd_opts *o, const char *csv,
                  const char *plot)
{
    int n = 0, rc = 0;
    clae_rd_row *rows = calloc((size_t)ckpts->n * (o->nbits + 1) + o->njpeg, sizeof *rows);
    char data[4096] = "";
    if (!rows) {
        fprintf(stderr, "clae: out of memory\n");
        return 1;
    }
    for (int k = 0; k < ckpts->n && rc == 0; k++, n += o->nbits + 1) {
        char used[4096] = "";
        rc = clae_rd_model(ckpts->v[k], o, rows + n, used, sizeof used);
        if (k == 0) snprintf(data, sizeof data, "%s", used);
    }
    if (rc == 0 && o->njpeg > 0)
        rc = clae_rd_jpeg(data, rows[0].H, rows[0].W, rows[0].C, o, rows + n) ? 0 : 1;
    if (rc == 0) n += o->njpeg;
    if (rc == 0 && !clae_rd_write_csv(csv, rows, n)) rc = 1;
    if (rc == 0 && csv) print_table(rows, n);
    if (rc == 0 && plot && !write_plot(plot, rows, n, ckpts->n, o->nbits)) rc = 1;
    if (rc == 0 && csv) printf("wrote %s%s%s\n", csv, plot ? " and " : "", plot ? plot : "");
    free(rows);
    return rc;
}

int cmd_rate_distortion(int argc, char **argv)
{
    static clae_arg_list more;
    const char *first = NULL, *csv = NULL, *plot = NULL;
    clae_rd_opts o = {.batch = CLAE_BATCH_DEFAULT};
    if (!parse_list("--bits", DEF_BITS, 1, CLAE_CLZ_BITS_MAX, o.bits, &o.nbits) ||
        !parse_list("--jpeg", DEF_JPEG, 1, 100, o.jpeg, &o.njpeg))
        return 1;
    const clae_opt OPTS[] = {
        CLAE_ARG("CKPT", &first),
        {.name = "CKPT", .kind = CLAE_OPT_ARGS, .to = &more},
        {.name = "bits", .meta = "LIST", .kind = CLAE_OPT_CALL, .to = &o, .parse = opt_bits,
         .help = "bit depths of the codes (default " DEF_BITS "; 1 to "
                 CLAE_STR(CLAE_CLZ_BITS_MAX) ")"},
        {.name = "jpeg", .meta = "LIST|none", .kind = CLAE_OPT_CALL, .to = &o,
         .parse = opt_jpeg, .help = "JPEG qualities (default " DEF_JPEG ")"},
        CLAE_OPT_LAYER(&o.layer, CLAE_HELP_LAYER),
        CLAE_OPT_LIMIT(&o.limit, "only the first N test images"),
        CLAE_OPT_DATA(&o.data, CLAE_HELP_DATA),
        {.name = "csv", .meta = "FILE", .kind = CLAE_OPT_STR, .to = &csv,
         .help = "the CSV into FILE (atomically) and a table on stdout\n(default: the CSV on "
                 "stdout)"},
        {.name = "plot", .meta = "OUT.png", .kind = CLAE_OPT_STR, .to = &plot,
         .help = "PSNR and SSIM against bits per pixel, a curve per\ncheckpoint and JPEG's"},
        CLAE_OPT_BATCH(&o.batch, CLAE_HELP_BATCH),
        CLAE_OPT_DEVICE(&o.device, CLAE_HELP_DEVICE),
        {0}};
    more.n = 0;
    int code = clae_cmdline_parse(&RD_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (more.n + 1 > MAX_CKPTS) {
        fprintf(stderr, "clae rate-distortion: %d checkpoints: at most %d\n", more.n + 1,
                MAX_CKPTS);
        return 2;
    }
    if ((csv && !clae_output_check("clae rate-distortion", csv)) ||
        (plot && !clae_output_check_image("clae rate-distortion", plot)))
        return 2;
    clae_arg_list *all = malloc(sizeof *all);
    if (!all) return 1;
    all->n = 0;
    all->v[all->n++] = first;
    for (int i = 0; i < more.n; i++) all->v[all->n++] = more.v[i];
    int rc = run_rd(all, &o, csv, plot);
    free(all);
    return rc;
}
