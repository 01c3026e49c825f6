/* clae plot HISTORY OUT.png: train and validation loss (the validation PSNR
 * or accuracy on a right-hand axis, and a panel of the loss terms) against
 * epoch from a history.jsonl written by 'clae train', titled with the run. */
#include <stdio.h>
#include <string.h>

#include "clae/history.h"
#include "clae/image.h"
#include "clae/plot.h"
#include "cli.h"

static const clae_cmdline PLOT_CMDLINE = {.cmd = "clae plot", .about = CLAE_ABOUT_PLOT};

/* The run's name from its history's path: the folder of a .../NAME/history.jsonl,
 * else the file's name without ".jsonl" and "-history" (docs/vae-history.jsonl: vae). */
static void run_name(const char *path, char *buf, size_t len)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (strcmp(base, "history.jsonl") == 0 && base > path) { /* the folder's name */
        const char *end = base - 1, *start = end;
        while (start > path && start[-1] != '/') start--;
        n = (size_t)(end - start);
        if (n > 0 && !(n == 1 && *start == '.')) {
            snprintf(buf, len, "%.*s", (int)n, start);
            return;
        }
    }
    static const char *const SUFFIX[] = {".jsonl", "-history", "_history"};
    for (int k = 0; k < 3; k++) {
        size_t m = strlen(SUFFIX[k]);
        if (n > m && strncmp(base + n - m, SUFFIX[k], m) == 0) n -= m;
    }
    snprintf(buf, len, "%.*s", (int)n, base);
}

/* OUT: the plot of the history in hist: 0, or 1 after an error. */
static int run_plot(const char *hist, const char *out, const char *title)
{
    clae_history h;
    if (clae_history_load(hist, &h) != CLAE_OK) return 1;
    char name[256];
    if (!title) {
        run_name(hist, name, sizeof name);
        title = name;
    }
    clae_image img = {0};
    int rc = 1;
    if (clae_plot_draw(&h, title, &img, NULL) == CLAE_OK && clae_image_write(out, &img) == CLAE_OK) {
        printf("wrote %s (%dx%d): %zu epochs, \"%s\"\n", out, img.w, img.h, h.n, title);
        rc = 0;
    }
    clae_image_free(&img);
    clae_history_free(&h);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    const char *hist = NULL, *out = NULL, *title = NULL;
    const clae_opt OPTS[] = {CLAE_ARG("HISTORY", &hist), CLAE_ARG("OUT.png", &out),
                             {.name = "title", .meta = "T", .kind = CLAE_OPT_STR, .to = &title,
                              .help = "the figure's title (default: the run's folder name)"},
                             {0}};
    int code = clae_cmdline_parse(&PLOT_CMDLINE, OPTS, argc, argv);
    return code >= 0 ? code : run_plot(hist, out, title);
}
