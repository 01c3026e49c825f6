/* `clae data import`, its images: the shape every image becomes, and the
 * decoding (stb_image), scaling (stb_image_resize) and conversion to planar
 * records, in parallel (see clae/cifar.h). The system libstb provides both
 * implementations. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include "clae/fs.h"
#include "clae/image.h"
#include "data/import_int.h"

typedef struct decode_job {
    const item *items;
    size_t n;
    const target *t;
    sink out;
    import_tally *tally; /* under mu */
    size_t first_sixteen; /* index of the first 16-bit image seen in this range */
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t mu;
    size_t err_index; /* lowest failing index seen; its message below */
    clae_status err_st;
    char err[4608];
} decode_job;

static void job_fail(decode_job *j, size_t i, clae_status st, const char *msg)
{
    pthread_mutex_lock(&j->mu);
    if (i < j->err_index) {
        j->err_index = i;
        j->err_st = st;
        snprintf(j->err, sizeof j->err, "%s", msg);
    }
    atomic_store(&j->stop, 1);
    pthread_mutex_unlock(&j->mu);
}

/* in (h,w,c) interleaved -> out (H,W,c): the centred window of in with
 * H:W's aspect ratio (as large as fits), scaled to H x W by stb_image_resize
 * (Mitchell when shrinking, Catmull-Rom when enlarging, edges clamped), or
 * copied when it is H x W already. 1, or 0 when out of memory. */
static int fit(uint8_t *out, int H, int W, const uint8_t *in, int h, int w, int c)
{
    int cw = w, ch = h;
    if ((long long)w * H > (long long)h * W) /* wider than H:W: the sides go */
        cw = (int)(((long long)h * W * 2 + H) / (2LL * H));
    else /* taller: top and bottom go */
        ch = (int)(((long long)w * H * 2 + W) / (2LL * W));
    cw = cw < 1 ? 1 : cw > w ? w : cw;
    ch = ch < 1 ? 1 : ch > h ? h : ch;
    const uint8_t *src = in + ((size_t)((h - ch) / 2) * w + (size_t)((w - cw) / 2)) * c;
    if (ch == H && cw == W) {
        for (int r = 0; r < H; r++)
            memcpy(out + (size_t)r * W * c, src + (size_t)r * w * c, (size_t)W * c);
        return 1;
    }
    return stbir_resize_uint8(src, cw, ch, w * c, out, W, H, W * c, c);
}

static void decode_one(decode_job *j, size_t i)
{
    const item *it = &j->items[i];
    const target *t = j->t;
    char msg[sizeof j->err];
    const char *refused;
    FILE *f = clae_fopen_regular(it->path, &refused);
    if (!f) {
        snprintf(msg, sizeof msg, "clae: %s: %s%s", it->path, refused ? "" : "cannot open: ",
                 refused ? refused : strerror(errno));
        job_fail(j, i, CLAE_ERR_IO, msg);
        return;
    }
    int w = 0, h = 0, c = 0;
    /* The header first: a crafted header declaring a huge image must not
     * cost seconds, and a wrong size is reported without decoding. */
    if (!stbi_info_from_file(f, &w, &h, &c)) { /* not a header stb_image knows: not decoded */
        char why[160];
        clae_image_unreadable_reason(f, why, sizeof why);
        fclose(f);
        snprintf(msg, sizeof msg, "clae: %s: cannot decode: %s", it->path, why);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    struct stat sb;
    const char *over = fstat(fileno(f), &sb) != 0 ? "cannot stat"
                                                  : clae_image_over_limits(w, h, (long)sb.st_size);
    if (over) {
        fclose(f);
        snprintf(msg, sizeof msg, "clae: %s: %dx%d image: %s", it->path, h, w, over);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    if (!t->sized && (w != t->W || h != t->H)) {
        fclose(f);
        snprintf(msg, sizeof msg, "clae: %s: image is %dx%d (HxW), the first image %s is %dx%d: "
                 "--size H,W scales and crops every image to one size", it->path, h, w,
                 t->first, t->H, t->W);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    if (!t->convert && c != t->C) {
        fclose(f);
        snprintf(msg, sizeof msg, "clae: %s: image has %d channel%s, expected %d (--channels %d "
                 "converts grey, grey+alpha and RGBA images)", it->path, c, c == 1 ? "" : "s",
                 t->C, t->C);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    if (stbi_is_16_bit_from_file(f)) { /* stb_image's 8-bit load keeps the high byte */
        pthread_mutex_lock(&j->mu);
        j->tally->sixteen_bit++;
        if (i < j->first_sixteen) j->first_sixteen = i;
        pthread_mutex_unlock(&j->mu);
    }
    /* req_comp C: stb_image converts (grey -> RGB repeats the value, RGB ->
     * grey its luma, an alpha channel is dropped) */
    uint8_t *px = stbi_load_from_file(f, &w, &h, &c, t->C);
    fclose(f);
    if (!px) {
        const char *why = stbi_failure_reason(); /* thread-local in libstb */
        snprintf(msg, sizeof msg, "clae: %s: cannot decode: %s", it->path,
                 why ? why : "unknown error");
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    const int C = t->C, H = t->H, W = t->W;
    const size_t plane = (size_t)H * W;
    uint8_t *img = px;
    if (w != W || h != H) { /* --size */
        if (!(img = malloc(plane * C)) || !fit(img, H, W, px, h, w, C)) {
            snprintf(msg, sizeof msg, "clae: %s: out of memory scaling a %dx%d image", it->path,
                     h, w);
            stbi_image_free(px);
            free(img);
            job_fail(j, i, CLAE_ERR_NOMEM, msg);
            return;
        }
        stbi_image_free(px);
    }
    j->out.lab[i * j->out.lab_stride] = it->label;
    uint8_t *o = j->out.px + i * j->out.px_stride;
    for (size_t p = 0; p < plane; p++) /* interleaved -> planar */
        for (int k = 0; k < C; k++) o[k * plane + p] = img[p * C + k];
    if (img == px)
        stbi_image_free(px);
    else
        free(img);
}

static void *decode_worker(void *arg)
{
    decode_job *j = arg;
    for (;;) {
        if (atomic_load(&j->stop)) break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n) break;
        decode_one(j, i);
    }
    return NULL;
}

clae_status import_decode_range(const item *items, size_t n, const target *t, sink out,
                                int threads, import_tally *tally)
{
    size_t seen = tally->sixteen_bit;
    decode_job j = {.items = items, .n = n, .t = t, .out = out, .tally = tally,
                    .first_sixteen = (size_t)-1, .err_index = (size_t)-1};
    atomic_init(&j.next, 0);
    atomic_init(&j.stop, 0);
    pthread_mutex_init(&j.mu, NULL);
    enum { MAX_THREADS = 64 };
    pthread_t tid[MAX_THREADS];
    int started = 0;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    for (int k = 1; k < threads && (size_t)k < n; k++) {
        if (pthread_create(&tid[started], NULL, decode_worker, &j) != 0) break; /* fewer is fine */
        started++;
    }
    decode_worker(&j);
    for (int k = 0; k < started; k++) pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&j.mu);
    if (seen == 0 && j.first_sixteen != (size_t)-1)
        snprintf(tally->first_sixteen, sizeof tally->first_sixteen, "%s",
                 items[j.first_sixteen].path);
    if (j.err_index != (size_t)-1) {
        fprintf(stderr, "%s\n", j.err);
        return j.err_st;
    }
    return CLAE_OK;
}

clae_status import_choose_target(const clae_import_opts *o, const split *tr, target *t)
{
    t->C = o->C ? o->C : 3;
    t->convert = o->C != 0;
    t->sized = o->H > 0;
    t->first = tr->items[0].path;
    if (t->sized) {
        t->H = o->H;
        t->W = o->W;
    } else {
        const char *refused;
        FILE *f = clae_fopen_regular(t->first, &refused);
        if (!f) {
            fprintf(stderr, "clae: %s: %s%s\n", t->first, refused ? "" : "cannot open: ",
                    refused ? refused : strerror(errno));
            return CLAE_ERR_IO;
        }
        int c;
        struct stat sb;
        int ok = stbi_info_from_file(f, &t->W, &t->H, &c);
        const char *over = !ok                          ? NULL
                           : fstat(fileno(f), &sb) != 0 ? "cannot stat"
                                : clae_image_over_limits(t->W, t->H, (long)sb.st_size);
        char why[160];
        if (!ok) clae_image_unreadable_reason(f, why, sizeof why);
        fclose(f);
        if (!ok) {
            fprintf(stderr, "clae: %s: cannot decode: %s\n", t->first, why);
            return CLAE_ERR_FORMAT;
        }
        if (over) { /* (a crafted header) */
            fprintf(stderr, "clae: %s: %dx%d image: %s\n", t->first, t->H, t->W, over);
            return CLAE_ERR_FORMAT;
        }
    }
    if (t->H < 1 || t->W < 1 || t->H > CLAE_DATA_MAX_SIDE || t->W > CLAE_DATA_MAX_SIDE ||
        (long)t->C * t->H * t->W > CLAE_DATA_MAX_PIXELS) {
        fprintf(stderr, "clae: %s: images of %dx%dx%d (HxWxC): at most %d a side and %ld bytes "
                "an image%s\n", t->sized ? "--size" : t->first, t->H, t->W, t->C,
                CLAE_DATA_MAX_SIDE, CLAE_DATA_MAX_PIXELS,
                t->sized ? "" : " (--size H,W scales them)");
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

