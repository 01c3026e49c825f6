/* Images as a model takes them: bytes to and from float (C,H,W) in [0,1],
 * colour conversion between an image's channels and a model's, and the
 * reflect padding and cropping of (C,H,W) floats (see clae/image.h). */
#include "clae/image.h"

#include <math.h>
#include <string.h>

void clae_image_to_chw(float *out, const clae_image *img)
{
    size_t hw = (size_t)img->w * img->h;
    for (int c = 0; c < img->c; c++)
        for (size_t i = 0; i < hw; i++) out[c * hw + i] = img->px[i * img->c + c] / 255.0f;
}

void clae_image_from_chw(clae_image *img, const float *in)
{
    size_t hw = (size_t)img->w * img->h;
    for (int c = 0; c < img->c; c++)
        for (size_t i = 0; i < hw; i++) {
            float x = in[c * hw + i];
            x = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; /* NaN -> 0 */
            img->px[i * img->c + c] = (uint8_t)(x * 255.0f + 0.5f);
        }
}

int clae_image_has_alpha(const clae_image *img) { return img->c == 2 || img->c == 4; }

static float luma(float r, float g, float b)
{
    return CLAE_LUMA_R * r + CLAE_LUMA_G * g + CLAE_LUMA_B * b;
}

void clae_image_to_chw_as(float *out, int C, const clae_image *img)
{
    const size_t hw = (size_t)img->w * img->h;
    const int ic = img->c, colors = ic >= 3 ? 3 : 1;
    for (size_t i = 0; i < hw; i++) {
        const uint8_t *p = img->px + i * ic;
        if (colors == C) {
            for (int c = 0; c < C; c++) out[c * hw + i] = p[c] / 255.0f;
        } else if (C == 3) { /* grey -> RGB */
            out[i] = out[hw + i] = out[2 * hw + i] = p[0] / 255.0f;
        } else { /* RGB -> grey */
            out[i] = luma(p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f);
        }
    }
}

static uint8_t to_byte(float x)
{
    x = x > 0.0f ? (x < 1.0f ? x : 1.0f) : 0.0f; /* NaN -> 0 */
    return (uint8_t)(x * 255.0f + 0.5f);
}

void clae_image_from_chw_as(clae_image *img, const float *in, int C)
{
    const size_t hw = (size_t)img->w * img->h;
    const int ic = img->c, colors = ic >= 3 ? 3 : 1;
    for (size_t i = 0; i < hw; i++) {
        uint8_t *p = img->px + i * ic;
        if (colors == C) {
            for (int c = 0; c < C; c++) p[c] = to_byte(in[c * hw + i]);
        } else if (C == 1) { /* grey -> RGB */
            p[0] = p[1] = p[2] = to_byte(in[i]);
        } else { /* RGB -> grey: luma of the clamped values */
            float r = fminf(fmaxf(in[i], 0.0f), 1.0f), g = fminf(fmaxf(in[hw + i], 0.0f), 1.0f),
                  b = fminf(fmaxf(in[2 * hw + i], 0.0f), 1.0f);
            p[0] = to_byte(luma(r, g, b));
        }
    }
}

int clae_reflect_index(int i, int n)
{
    if (n <= 1) return 0;
    int period = 2 * (n - 1);
    i %= period;
    if (i < 0) i += period;
    return i < n ? i : period - i;
}

int clae_round_up(int n, int m) { return m <= 1 ? n : (n + m - 1) / m * m; }

void clae_pad_reflect(float *out, const float *in, int C, int H, int W, int Hp, int Wp, int top,
                      int left)
{
    for (int c = 0; c < C; c++)
        for (int y = 0; y < Hp; y++) {
            const float *row = in + ((size_t)c * H + clae_reflect_index(y - top, H)) * W;
            float *o = out + ((size_t)c * Hp + y) * Wp;
            for (int x = 0; x < Wp; x++) o[x] = row[clae_reflect_index(x - left, W)];
        }
}

void clae_crop(float *out, const float *in, int C, int Hp, int Wp, int top, int left, int H, int W)
{
    for (int c = 0; c < C; c++)
        for (int y = 0; y < H; y++)
            memcpy(out + ((size_t)c * H + y) * W, in + ((size_t)c * Hp + top + y) * Wp + left,
                   (size_t)W * sizeof(float));
}
