/* clae plot HISTORY OUT.png: train and validation loss (and the loss terms,
 * and the validation PSNR on a right-hand axis) against epoch from a
 * history.jsonl written by 'clae train'. */
#include <stdio.h>

#include "clae/history.h"
#include "clae/image.h"
#include "clae/output.h"
#include "clae/plot.h"
#include "clae/plural.h"
#include "cli.h"

static const clae_cmdline PLOT_CMDLINE = {.cmd = "clae plot", .about = CLAE_ABOUT_PLOT};

/* OUT: the plot of the history in hist: 0, or 1 after an error. */
static int run_plot(const char *hist, const char *out)
{
    clae_history h;
    if (clae_history_load(hist, &h) != CLAE_OK) return 1;
    clae_image img = {0};
    int rc = 1;
    if (clae_plot_history(&h, &img) == CLAE_OK && clae_image_write(out, &img) == CLAE_OK) {
        printf("wrote %s (%dx%d): %zu %s\n", out, img.w, img.h, h.n,
               clae_plural((long long)h.n, "epoch", "epochs"));
        rc = 0;
    }
    clae_image_free(&img);
    clae_history_free(&h);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    const char *hist = NULL, *out = NULL;
    const clae_opt OPTS[] = {CLAE_ARG("HISTORY", &hist), CLAE_ARG("OUT.png", &out), {0}};
    int code = clae_cmdline_parse(&PLOT_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    if (!clae_output_check_image("clae plot", out)) return 2;
    return run_plot(hist, out);
}
