/* clae denoise's work: one image file of any size as a model sees it (its channels converted
 * to the model's and back, corrupted when asked); see include/clae/denoise.h. */
#include "clae/denoise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clae/rng.h"

int clae_denoise_read(clae_denoise_image *t, int C, const char *in)
{
    *t = (clae_denoise_image){.C = C, .convert = C == 1 || C == 3};
    if (clae_image_load(in, t->convert ? 0 : C, &t->img) != CLAE_OK) return 0;
    t->H = t->img.h, t->W = t->img.w;
    t->x = malloc((size_t)C * t->H * t->W * sizeof(float));
    if (!t->x) {
        fprintf(stderr, "clae: out of memory for a %dx%d image\n", t->W, t->H);
        return 0;
    }
    if (t->convert)
        clae_image_to_chw_as(t->x, C, &t->img);
    else
        clae_image_to_chw(t->x, &t->img);
    return 1;
}

int clae_denoise_corrupt(clae_denoise_image *t, const clae_corrupt *cor, uint64_t seed)
{
    clae_rng rng;
    clae_rng_seed(&rng, seed);
    return clae_corrupt_apply(t->x, t->x, 1, t->C, t->H, t->W, cor, &rng) == CLAE_OK;
}

int clae_denoise_write(clae_denoise_image *t, const char *path)
{
    if (t->convert)
        clae_image_from_chw_as(&t->img, t->x, t->C);
    else
        clae_image_from_chw(&t->img, t->x);
    return clae_image_write(path, &t->img) == CLAE_OK;
}

/* "grey", "grey + alpha", "RGB", "RGBA" */
static const char *layout_name(int c)
{
    static const char *const NAMES[] = {"?", "grey", "grey + alpha", "RGB", "RGBA"};
    return c >= 1 && c <= 4 ? NAMES[c] : "?";
}

static int ext_is(const char *path, const char *ext)
{
    size_t n = strlen(path), e = strlen(ext);
    return n >= e && strcasecmp(path + n - e, ext) == 0;
}

/* What a file of this name keeps of img's alpha (clae_image_write: stb). */
static int keeps_alpha(const char *path, const clae_image *img)
{
    if (ext_is(path, ".png")) return 1;
    if (ext_is(path, ".bmp")) return img->c == 4;
    return 0; /* JPEG */
}

void clae_denoise_channel_note(const clae_denoise_image *t, const char *out, char *buf,
                               size_t len)
{
    const clae_image *img = &t->img;
    const int C = t->C, colors = img->c >= 3 ? 3 : 1, alpha = clae_image_has_alpha(img);
    buf[0] = '\0';
    if (!t->convert || (colors == C && !alpha)) return;
    size_t n = (size_t)snprintf(buf, len, ": %s", layout_name(colors));
    if (n < len && colors != C)
        n += (size_t)snprintf(buf + n, len - n, " run as %s",
                              C == 3 ? "RGB" : "grey (BT.601 luma)");
    if (n < len && alpha)
        snprintf(buf + n, len - n, ", alpha %s",
                 keeps_alpha(out, img) ? "kept"
                 : ext_is(out, ".bmp") ? "dropped (a BMP keeps only RGBA's)"
                                       : "dropped (JPEG has none)");
}

void clae_denoise_free(clae_denoise_image *t)
{
    free(t->x);
    clae_image_free(&t->img);
    t->x = NULL;
}
