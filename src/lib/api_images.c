/* libclae's image arrays: the checks every call makes on them, and their conversion
 * between the caller's (N, H, W, C) and the network's (N, C, H, W) floats. */
#include <stdint.h>

#include "api_int.h"
#include "clae/cifar.h"

clae_api_status api_check_images(const clae_api_model *am, const clae_api_images *x,
                                 const char *who)
{
    const clae_net_config *nc = &am->m.net;
    if (!x || !x->data)
        return api_fail(CLAE_API_ERR_ARG, "%s: no images (NULL)", who);
    if (x->dtype != CLAE_API_UINT8 && x->dtype != CLAE_API_FLOAT32)
        return api_fail(CLAE_API_ERR_ARG, "%s: images of element type %d: expected uint8 (0) "
                        "or float32 (1)", who, (int)x->dtype);
    if (x->n == 0 || x->n > CLAE_CIFAR_MAX_RECORDS)
        return api_fail(CLAE_API_ERR_ARG, "%s: %zu images: expected 1 to %d", who, x->n,
                        CLAE_CIFAR_MAX_RECORDS);
    if (x->h != nc->H || x->w != nc->W || x->c != nc->C)
        return api_fail(CLAE_API_ERR_ARG, "%s: images of %d x %d x %d (H x W x C): %s takes "
                        "%d x %d x %d", who, x->h, x->w, x->c, am->m.name, nc->H, nc->W, nc->C);
    return CLAE_API_OK;
}

void api_images_to_chw(const clae_api_images *x, size_t first, int nb, float *out)
{
    const size_t H = (size_t)x->h, W = (size_t)x->w, C = (size_t)x->c, P = H * W * C;
    for (int n = 0; n < nb; n++) {
        const size_t img = (first + (size_t)n) * P;
        float *o = out + (size_t)n * P;
        if (x->dtype == CLAE_API_UINT8) {
            const uint8_t *px = (const uint8_t *)x->data + img;
            for (size_t c = 0; c < C; c++)
                for (size_t i = 0; i < H * W; i++) o[c * H * W + i] = (float)px[i * C + c] / 255.0f;
        } else {
            const float *px = (const float *)x->data + img;
            for (size_t c = 0; c < C; c++)
                for (size_t i = 0; i < H * W; i++) o[c * H * W + i] = px[i * C + c];
        }
    }
}

void api_chw_to_hwc(const float *in, int nb, int C, int H, int W, float *out, size_t first)
{
    const size_t HW = (size_t)H * (size_t)W, P = HW * (size_t)C;
    for (int n = 0; n < nb; n++) {
        const float *src = in + (size_t)n * P;
        float *dst = out + (first + (size_t)n) * P;
        for (size_t i = 0; i < HW; i++)
            for (int c = 0; c < C; c++) dst[i * (size_t)C + (size_t)c] = src[(size_t)c * HW + i];
    }
}
