/* clae plot HISTORY OUT.png: train and validation loss (and the loss terms,
 * and the validation PSNR on a right-hand axis) against epoch from a
 * history.jsonl written by 'clae train'. */
#include <stdio.h>

#include "clae/history.h"
#include "clae/image.h"
#include "clae/plot.h"
#include "cli.h"

static void usage(FILE *f, const clae_opt *opts)
{
    fprintf(f,
            "usage: clae plot HISTORY OUT.png\n"
            "  HISTORY: JSON lines, one object per epoch with epoch, train_loss and val_loss\n"
            "  (the history.jsonl 'clae train' writes into its output folder); OUT: a %dx%d\n"
            "  PNG of both losses against epoch, with a model's loss terms as thinner lines;\n"
            "  the loss axis is logarithmic when the values span more than a factor of ten.\n"
            "  Where epochs have a val_psnr (-1: not measured), the validation PSNR too, a\n"
            "  dashed teal line on its own dB axis on the right\n",
            CLAE_PLOT_W, CLAE_PLOT_H);
}

int cmd_plot(int argc, char **argv)
{
    const char *hist = NULL, *out = NULL;
    const clae_opt OPTS[] = {
        CLAE_ARG("HISTORY", &hist), CLAE_ARG("OUT.png", &out),
        {0}};
    const clae_cmdline cl = {.cmd = "clae plot", .opts = OPTS, .usage = usage};
    int code = clae_cmdline_parse(&cl, argc, argv);
    if (code >= 0) return code;
    clae_history h;
    if (clae_history_load(hist, &h) != CLAE_OK) return 1;
    clae_image img = {0};
    int rc = 1;
    if (clae_plot_history(&h, &img) == CLAE_OK && clae_image_write(out, &img) == CLAE_OK) {
        printf("wrote %s (%dx%d): %zu epochs\n", out, img.w, img.h, h.n);
        rc = 0;
    }
    clae_image_free(&img);
    clae_history_free(&h);
    return rc;
}
