/* libFuzzer: history.jsonl as `clae plot` reads and draws it, and the
 * resume-time trimming of it. */
#include "clae/history.h"
#include "clae/image.h"
#include "clae/plot.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = fuzz_file("history.jsonl", data, size);
    clae_history h;
    if (clae_history_load(p, &h) == CLAE_OK) {
        clae_image img;
        if (clae_plot_history(&h, &img) == CLAE_OK) clae_image_free(&img);
        clae_history_free(&h);
    }
    (void)clae_history_keep(p, (long)(size % 7), size % 2 ? "{\"epoch\": 1}" : NULL);
    return 0;
}
