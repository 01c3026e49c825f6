/* Input corruptions (blur, Gaussian noise, salt and pepper, rectangular
 * masks) on float NCHW batches. Conventions: include/clae/corrupt.h. */
#include "clae/corrupt.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/ops.h"
#include "clae/parse.h"


static const char *const KIND_NAMES[] = {"none", "blur", "noise", "saltpepper", "mask"};

void clae_corrupt_defaults(clae_corrupt *c)
{
    *c = (clae_corrupt){.kind = CLAE_CORRUPT_NONE,
                        .blur_size = 5,
                        .blur_sigma = 1.1,
                        .noise_sigma = 0.1,
                        .sp_rate = 0.05,
                        .mask_count = 1,
                        .mask_min = 8,
                        .mask_max = 16};
}

const char *clae_corrupt_name(clae_corrupt_kind k) { return (unsigned)k < 5 ? KIND_NAMES[k] : "?"; }

/* ---- parsing ------------------------------------------------------------------ */

clae_status clae_corrupt_set(clae_corrupt *c, const char *key, const char *value)
{
    clae_corrupt t = *c;
    const char *want = NULL;
    double d;
    if (strcmp(key, "corrupt") == 0) {
        int k = -1;
        for (int i = 0; i < 5; i++)
            if (strcmp(value, KIND_NAMES[i]) == 0) k = i;
        if (k < 0)
            want = "blur, noise, saltpepper, mask or none";
        else
            t.kind = (clae_corrupt_kind)k;
    } else if (strcmp(key, "blur_size") == 0) {
        if (!clae_str_to_int(value, 1, 255, &t.blur_size) || t.blur_size % 2 == 0)
            want = "an odd integer from 1 to 255";
    } else if (strcmp(key, "blur_sigma") == 0) {
        if (!clae_str_to_double(value, &d) || !(d > 0))
            want = "a number > 0";
        else
            t.blur_sigma = d;
    } else if (strcmp(key, "noise_sigma") == 0) {
        if (!clae_str_to_double(value, &d) || !(d >= 0))
            want = "a number >= 0";
        else
            t.noise_sigma = d;
    } else if (strcmp(key, "sp_rate") == 0) {
        if (!clae_str_to_double(value, &d) || !(d >= 0 && d <= 1))
            want = "a number in [0, 1]";
        else
            t.sp_rate = d;
    } else if (strcmp(key, "mask_count") == 0) {
        if (!clae_str_to_int(value, 0, 1000, &t.mask_count)) want = "an integer from 0 to 1000";
    } else if (strcmp(key, "mask_min") == 0 || strcmp(key, "mask_max") == 0) {
        if (!clae_str_to_int(value, 1, 4096, strcmp(key, "mask_min") == 0 ? &t.mask_min : &t.mask_max))
            want = "an integer from 1 to 4096";
    } else {
        fprintf(stderr, "clae: --corrupt: unknown setting '%s'\n", key);
        return CLAE_ERR_ARG;
    }
    if (want) {
        if (strcmp(key, "corrupt") == 0)
            fprintf(stderr, "clae: --corrupt '%s': expected %s\n", value, want);
        else
            fprintf(stderr, "clae: --corrupt: %s '%s': expected %s\n", key, value, want);
        return CLAE_ERR_ARG;
    }
    *c = t;
    return CLAE_OK;
}

clae_status clae_corrupt_check(const clae_corrupt *c)
{
    if ((unsigned)c->kind > CLAE_CORRUPT_MASK) {
        fprintf(stderr, "corrupt: unknown kind %d\n", (int)c->kind);
        return CLAE_ERR_ARG;
    }
    if (c->blur_size < 1 || c->blur_size > 255 || c->blur_size % 2 == 0 || !(c->blur_sigma > 0) ||
        !(c->noise_sigma >= 0) || !isfinite(c->noise_sigma) ||
        !(c->sp_rate >= 0 && c->sp_rate <= 1) || c->mask_count < 0 || c->mask_min < 1) {
        fprintf(stderr,
                "corrupt: parameter out of range (blur_size %d, blur_sigma %g, "
                "noise_sigma %g, sp_rate %g, mask_count %d, mask_min %d)\n",
                c->blur_size, c->blur_sigma, c->noise_sigma, c->sp_rate, c->mask_count,
                c->mask_min);
        return CLAE_ERR_ARG;
    }
    if (c->mask_min > c->mask_max) {
        fprintf(stderr, "corrupt: mask_min %d > mask_max %d\n", c->mask_min, c->mask_max);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

clae_status clae_corrupt_parse(clae_corrupt *c, const char *spec)
{
    static const char *const KEYS[5][3] = {{NULL},
                                           {"blur_size", "blur_sigma", NULL},
                                           {"noise_sigma", NULL},
                                           {"sp_rate", NULL},
                                           {"mask_count", "mask_min", "mask_max"}};
    char buf[256];
    if (strlen(spec) >= sizeof buf) {
        fprintf(stderr, "clae: --corrupt '%.40s...' is too long\n", spec);
        return CLAE_ERR_ARG;
    }
    strcpy(buf, spec);
    char *params = strchr(buf, ':');
    if (params) *params++ = '\0';
    clae_corrupt t = *c;
    if (clae_corrupt_set(&t, "corrupt", buf) != CLAE_OK) return CLAE_ERR_ARG;
    if (params) {
        int i = 0;
        char *save = NULL;
        for (char *p = strtok_r(params, ",", &save); p; p = strtok_r(NULL, ",", &save), i++) {
            if (i >= 3 || !KEYS[t.kind][i]) {
                fprintf(stderr, "clae: --corrupt '%s': too many numbers for %s\n", spec,
                        clae_corrupt_name(t.kind));
                return CLAE_ERR_ARG;
            }
            if (clae_corrupt_set(&t, KEYS[t.kind][i], p) != CLAE_OK) return CLAE_ERR_ARG;
        }
        if (i == 0) {
            fprintf(stderr, "clae: --corrupt '%s': numbers expected after ':'\n", spec);
            return CLAE_ERR_ARG;
        }
    }
    if (clae_corrupt_check(&t) != CLAE_OK) return CLAE_ERR_ARG;
    *c = t;
    return CLAE_OK;
}

/* ---- corruptions --------------------------------------------------------------- */

/* x (n) */
void clae_corrupt_noise(float *x, size_t n, double sigma, clae_rng *rng)
{
    double z[2];
    for (size_t i = 0; i < n; i++) {
        if (i % 2 == 0) clae_rng_normal2(rng, z);
        double v = x[i] + sigma * z[i % 2];
        x[i] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
    }
}

/* x (N,C,H,W) */
void clae_corrupt_saltpepper(float *x, int N, int C, int H, int W, double rate, clae_rng *rng)
{
    const size_t HW = (size_t)H * W;
    for (int n = 0; n < N; n++) {
        float *img = x + (size_t)n * C * HW;
        for (size_t i = 0; i < HW; i++) {
            double u = clae_rng_uniform53(rng);
            if (u >= rate) continue;
            float v = u < 0.5 * rate ? 1.0f : 0.0f;
            for (int c = 0; c < C; c++) img[c * HW + i] = v;
        }
    }
}

void clae_mask_rect(int rect[4], int H, int W, int min_size, int max_size, clae_rng *rng)
{
    int h = min_size + (int)clae_rng_below(rng, (uint64_t)(max_size - min_size + 1));
    int w = min_size + (int)clae_rng_below(rng, (uint64_t)(max_size - min_size + 1));
    if (h > H) h = H;
    if (w > W) w = W;
    rect[0] = (int)clae_rng_below(rng, (uint64_t)(H - h + 1));
    rect[1] = (int)clae_rng_below(rng, (uint64_t)(W - w + 1));
    rect[2] = h;
    rect[3] = w;
}

/* x (N,C,H,W), mask (N,H,W) or NULL */
void clae_corrupt_mask(float *x, uint8_t *mask, int N, int C, int H, int W, int count, int min_size,
                       int max_size, clae_rng *rng)
{
    const size_t HW = (size_t)H * W;
    if (mask) memset(mask, 0, (size_t)N * HW);
    for (int n = 0; n < N; n++) {
        float *img = x + (size_t)n * C * HW;
        for (int k = 0; k < count; k++) {
            int rc[4];
            clae_mask_rect(rc, H, W, min_size, max_size, rng);
            for (int r = rc[0]; r < rc[0] + rc[2]; r++)
                for (int q = rc[1]; q < rc[1] + rc[3]; q++) {
                    for (int c = 0; c < C; c++) img[c * HW + (size_t)r * W + q] = 0.0f;
                    if (mask) mask[n * HW + (size_t)r * W + q] = 1;
                }
        }
    }
}

/* in (N,C,H,W) -> out (N,C,H,W) */
/* OpenCV BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), repeated for images
 * narrower than the kernel radius; a single pixel reflects onto itself. */
static int reflect101(int p, int len)
{
    if (len == 1) return 0;
    while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
    return p;
}

/* The blur of data preparation: in (N,C,H,W) -> out = cols(rows(in)) with
 * the separable kernel k, reflect-101 borders; in != out. The same float
 * operations in the same order as the blur kernel (src/kernels/blur.cl)
 * and its test oracle, so a corrupted batch is the same whichever made it. */
static void blur_planes(float *out, const float *in, const float *k, int ksize, int N, int C,
                        int H, int W)
{
    const int r = ksize / 2;
    for (long nc = 0; nc < (long)N * C; nc++) {
        const float *x = in + nc * H * W;
        float *y = out + nc * H * W;
        for (int h = 0; h < H; h++)
            for (int w = 0; w < W; w++) {
                float acc = 0.0f;
                for (int j = 0; j < ksize; j++) {
                    const float *row = x + (long)reflect101(h + j - r, H) * W;
                    float t = 0.0f;
                    for (int i = 0; i < ksize; i++) t += k[i] * row[reflect101(w + i - r, W)];
                    acc += k[j] * t;
                }
                y[h * W + w] = acc;
            }
    }
}

clae_status clae_corrupt_blur(float *out, const float *in, int N, int C, int H, int W, int size,
                              double sigma)
{
    if (size < 1 || size > 255 || size % 2 == 0 || !(sigma > 0)) {
        fprintf(stderr, "corrupt: blur size %d / sigma %g invalid (odd 1..255, > 0)\n", size,
                sigma);
        return CLAE_ERR_ARG;
    }
    float k[255];
    clae_gaussian_kernel(k, size, sigma);
    float *tmp = NULL;
    if (out == in) {
        const size_t bytes = (size_t)N * C * H * W * sizeof *tmp;
        tmp = malloc(bytes ? bytes : 1);
        if (!tmp) {
            fprintf(stderr, "corrupt: cannot allocate %zu bytes for the blur\n", bytes);
            return CLAE_ERR_NOMEM;
        }
        memcpy(tmp, in, bytes);
        in = tmp;
    }
    blur_planes(out, in, k, size, N, C, H, W);
    free(tmp);
    return CLAE_OK;
}

/* in (N,C,H,W) -> out (N,C,H,W) */
clae_status clae_corrupt_apply(float *out, const float *in, int N, int C, int H, int W,
                               const clae_corrupt *c, clae_rng *rng)
{
    CLAE_TRY(clae_corrupt_check(c));
    const size_t n = (size_t)N * C * H * W;
    if (c->kind == CLAE_CORRUPT_BLUR)
        return clae_corrupt_blur(out, in, N, C, H, W, c->blur_size, c->blur_sigma);
    if (out != in) memcpy(out, in, n * sizeof *out);
    switch (c->kind) {
    case CLAE_CORRUPT_NOISE: clae_corrupt_noise(out, n, c->noise_sigma, rng); break;
    case CLAE_CORRUPT_SALTPEPPER: clae_corrupt_saltpepper(out, N, C, H, W, c->sp_rate, rng); break;
    case CLAE_CORRUPT_MASK:
        clae_corrupt_mask(out, NULL, N, C, H, W, c->mask_count, c->mask_min, c->mask_max, rng);
        break;
    default: break;
    }
    return CLAE_OK;
}

clae_status clae_corrupt_from_config(const clae_train_config *t, clae_corrupt *c)
{
    clae_corrupt_defaults(c);
    if (clae_corrupt_set(c, "corrupt", t->corrupt) != CLAE_OK) return CLAE_ERR_ARG;
    c->blur_size = t->blur_size;
    c->blur_sigma = t->blur_sigma;
    c->noise_sigma = t->noise_sigma;
    c->sp_rate = t->sp_rate;
    c->mask_count = t->mask_count;
    c->mask_min = t->mask_min;
    c->mask_max = t->mask_max;
    return clae_corrupt_check(c);
}

void clae_corrupt_describe(const clae_corrupt *c, char *buf, size_t len)
{
    if (c->kind == CLAE_CORRUPT_BLUR)
        snprintf(buf, len, "blur (size %d, sigma %g)", c->blur_size, c->blur_sigma);
    else if (c->kind == CLAE_CORRUPT_NOISE)
        snprintf(buf, len, "noise (sigma %g)", c->noise_sigma);
    else if (c->kind == CLAE_CORRUPT_SALTPEPPER)
        snprintf(buf, len, "saltpepper (rate %g)", c->sp_rate);
    else if (c->kind == CLAE_CORRUPT_MASK)
        snprintf(buf, len, "mask (%d rectangles, sides %d to %d)", c->mask_count, c->mask_min,
                 c->mask_max);
    else
        snprintf(buf, len, "%s", clae_corrupt_name(c->kind));
}
