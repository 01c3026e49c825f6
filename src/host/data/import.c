/* Folders of images -> the official CIFAR-10 binary layout (32x32x3) or
 * clae's own layout (any H x W x C); see clae/cifar.h. Images are read with
 * stb_image and scaled with stb_image_resize (the system libstb provides
 * both implementations). */
#include "clae/cifar.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include "clae/image.h"
#include "clae/safetensors.h"

typedef struct strvec {
    char **s;
    size_t n, cap;
} strvec;

static void strvec_free(strvec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->s[i]);
    free(v->s);
    v->s = NULL;
    v->n = v->cap = 0;
}

static clae_status strvec_push(strvec *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        char **p = realloc(v->s, cap * sizeof *p);
        if (!p) goto nomem;
        v->s = p;
        v->cap = cap;
    }
    if (!(v->s[v->n] = strdup(s))) goto nomem;
    v->n++;
    return CLAE_OK;
nomem:
    fprintf(stderr, "clae: out of memory listing images\n");
    return CLAE_ERR_NOMEM;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

/* The image types stb_image reads that clae imports */
static int has_image_ext(const char *name)
{
    static const char *const EXT[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif",
                                      ".tga", ".ppm", ".pgm", ".pnm"};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof EXT / sizeof EXT[0]; i++)
        if (strcasecmp(dot, EXT[i]) == 0) return 1;
    return 0;
}

/* Files passed over: how many, and the first one's path. */
typedef struct skips {
    size_t n;
    char first[512];
} skips;

static void skip(skips *sk, const char *path)
{
    if (sk && sk->n++ == 0) snprintf(sk->first, sizeof sk->first, "%s", path);
}

/* Names in dir (not starting with '.': those are ignored), sorted by strcmp.
 * want_dirs: the folders (class folders); else the regular files with an
 * image type's extension. Anything else is skipped and counted in sk (if not NULL). */
static clae_status list_dir(const char *dir, int want_dirs, strvec *out, skips *sk)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "clae: %s: cannot open: %s\n", dir, strerror(errno));
        return CLAE_ERR_IO;
    }
    clae_status st = CLAE_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *p = join(dir, e->d_name);
        if (!p) {
            fprintf(stderr, "clae: out of memory listing images\n");
            st = CLAE_ERR_NOMEM;
            break;
        }
        struct stat sb;
        if (stat(p, &sb) != 0) {
            fprintf(stderr, "clae: %s: cannot open: %s\n", p, strerror(errno));
            st = CLAE_ERR_IO;
        } else if (want_dirs ? !S_ISDIR(sb.st_mode)
                             : !S_ISREG(sb.st_mode) || !has_image_ext(e->d_name)) {
            skip(sk, p); /* a README beside the class folders, notes among the images */
        } else if (want_dirs && strpbrk(e->d_name, "\r\n")) {
            fprintf(stderr, "clae: %s: class name contains a line break\n", p);
            st = CLAE_ERR_FORMAT;
        } else {
            st = strvec_push(out, e->d_name);
        }
        free(p);
        if (st != CLAE_OK) break;
        errno = 0;
    }
    if (st == CLAE_OK && errno != 0) {
        fprintf(stderr, "clae: %s: cannot read folder: %s\n", dir, strerror(errno));
        st = CLAE_ERR_IO;
    }
    closedir(d);
    if (st == CLAE_OK && out->n > 1) qsort(out->s, out->n, sizeof *out->s, cmp_str);
    return st;
}

typedef struct item {
    char *path;
    uint8_t label;
} item;

typedef struct split {
    item *items;
    size_t n;
} split;

static void split_free(split *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->items[i].path);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* Every image of <src>/<name>/<class>/, ordered round-robin over classes:
 * by (index within class, label). */
static clae_status build_split(const char *src, const char *name, const strvec *classes,
                               split *out, skips *sk)
{
    clae_status st = CLAE_OK;
    char *root = join(src, name);
    strvec present = {0};
    strvec *files = calloc(classes->n, sizeof *files);
    if (!root || !files) {
        fprintf(stderr, "clae: out of memory listing images\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    /* (train/ was listed for the classes already: its skips counted then) */
    if ((st = list_dir(root, 1, &present, strcmp(name, "train") ? sk : NULL)) != CLAE_OK)
        goto done;
    if (present.n == 0) {
        fprintf(stderr, "clae: %s: no class folders (expected %s/<class>/<image>)\n", root, name);
        st = CLAE_ERR_FORMAT;
        goto done;
    }
    size_t total = 0, most = 0;
    for (size_t i = 0; i < present.n; i++) {
        char **hit = bsearch(&present.s[i], classes->s, classes->n, sizeof *classes->s, cmp_str);
        char *cdir = join(root, present.s[i]);
        if (!cdir) {
            fprintf(stderr, "clae: out of memory listing images\n");
            st = CLAE_ERR_NOMEM;
            goto done;
        }
        if (!hit) {
            fprintf(stderr, "clae: %s: class '%s' has no folder in %s/train\n", cdir,
                    present.s[i], src);
            st = CLAE_ERR_FORMAT;
        } else {
            strvec *fv = &files[hit - classes->s];
            st = list_dir(cdir, 0, fv, sk);
            if (st == CLAE_OK && fv->n == 0) {
                fprintf(stderr, "clae: %s: no images\n", cdir);
                st = CLAE_ERR_FORMAT;
            }
            total += fv->n;
            if (fv->n > most) most = fv->n;
        }
        free(cdir);
        if (st != CLAE_OK) goto done;
    }
    out->items = calloc(total, sizeof *out->items);
    if (!out->items) {
        fprintf(stderr, "clae: out of memory listing images\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < most; k++)
        for (size_t c = 0; c < classes->n; c++) {
            if (k >= files[c].n) continue;
            char *cdir = join(root, classes->s[c]);
            char *p = cdir ? join(cdir, files[c].s[k]) : NULL;
            free(cdir);
            if (!p) {
                fprintf(stderr, "clae: out of memory listing images\n");
                st = CLAE_ERR_NOMEM;
                goto done;
            }
            out->items[out->n].path = p;
            out->items[out->n].label = (uint8_t)c;
            out->n++;
        }
done:
    if (files)
        for (size_t c = 0; c < classes->n; c++) strvec_free(&files[c]);
    free(files);
    strvec_free(&present);
    free(root);
    if (st != CLAE_OK) split_free(out);
    return st;
}

/* ---- decoding, in parallel ---------------------------------------------- */

/* What every image becomes. */
typedef struct target {
    int H, W, C;       /* the images' shape */
    int sized;         /* --size: scale and crop each to H x W; else each must be H x W */
    int convert;       /* --channels: convert each to C; else each must have C (3) */
    const char *first; /* the image that set H x W (without --size), for messages */
} target;

/* Where decoded images go: image i's planar pixels at px + i * px_stride,
 * its label at lab + i * lab_stride (a CIFAR record: the byte before). */
typedef struct sink {
    uint8_t *px, *lab;
    size_t px_stride, lab_stride;
} sink;

typedef struct decode_job {
    const item *items;
    size_t n;
    const target *t;
    sink out;
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
    FILE *f = fopen(it->path, "rb");
    if (!f) {
        snprintf(msg, sizeof msg, "clae: %s: cannot open: %s", it->path, strerror(errno));
        job_fail(j, i, CLAE_ERR_IO, msg);
        return;
    }
    int w = 0, h = 0, c = 0;
    /* The header first: a crafted header declaring a huge image must not
     * cost seconds, and a wrong size is reported without decoding. */
    if (!stbi_info_from_file(f, &w, &h, &c)) { /* not a header stb_image knows: not decoded */
        fclose(f);
        const char *why = stbi_failure_reason();
        snprintf(msg, sizeof msg, "clae: %s: cannot decode: %s", it->path,
                 why ? why : "unknown error");
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

static clae_status decode_range(const item *items, size_t n, const target *t, sink out,
                                int threads)
{
    decode_job j = {.items = items, .n = n, .t = t, .out = out, .err_index = (size_t)-1};
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
    if (j.err_index != (size_t)-1) {
        fprintf(stderr, "%s\n", j.err);
        return j.err_st;
    }
    return CLAE_OK;
}

/* The shape every image becomes: --size and --channels, else the first
 * training image's size and 3 channels. */
static clae_status choose_target(const clae_import_opts *o, const split *tr, target *t)
{
    t->C = o->C ? o->C : 3;
    t->convert = o->C != 0;
    t->sized = o->H > 0;
    t->first = tr->items[0].path;
    if (t->sized) {
        t->H = o->H;
        t->W = o->W;
    } else {
        FILE *f = fopen(t->first, "rb");
        if (!f) {
            fprintf(stderr, "clae: %s: cannot open: %s\n", t->first, strerror(errno));
            return CLAE_ERR_IO;
        }
        int c;
        struct stat sb;
        int ok = stbi_info_from_file(f, &t->W, &t->H, &c);
        const char *over = !ok                          ? NULL
                           : fstat(fileno(f), &sb) != 0 ? "cannot stat"
                                : clae_image_over_limits(t->W, t->H, (long)sb.st_size);
        fclose(f);
        if (!ok) {
            const char *why = stbi_failure_reason();
            fprintf(stderr, "clae: %s: cannot decode: %s\n", t->first, why ? why : "unknown error");
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

/* ---- output ------------------------------------------------------------- */

enum { N_CIFAR = CLAE_CIFAR_TRAIN_FILES + 1, N_OUT = N_CIFAR + 1 };
static const char *const CIFAR_NAMES[N_CIFAR] = {"data_batch_1.bin", "data_batch_2.bin",
                                                 "data_batch_3.bin", "data_batch_4.bin",
                                                 "data_batch_5.bin", "test_batch.bin"};
static const char *const ST_NAMES[2] = {"train.safetensors", "test.safetensors"};
static const char *const META_NAME = "batches.meta.txt";

/* A new temporary file <dir>/.<name>.XXXXXX holding bytes; its path goes to
 * *tmp. data NULL: only the name is made (an empty file, mode set), for a
 * writer of its own to replace. */
static clae_status write_temp(const char *dir, const char *name, const void *data, size_t bytes,
                              mode_t mode, char **tmp)
{
    size_t len = strlen(dir) + strlen(name) + 16;
    char *p = malloc(len);
    if (!p) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    snprintf(p, len, "%s/.%s.XXXXXX", dir, name);
    int fd = mkstemp(p);
    if (fd < 0) {
        fprintf(stderr, "clae: %s: cannot create: %s\n", p, strerror(errno));
        free(p);
        return CLAE_ERR_IO;
    }
    *tmp = p;
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        fprintf(stderr, "clae: %s: cannot write: %s\n", p, strerror(errno));
        close(fd);
        return CLAE_ERR_IO;
    }
    int ok = fchmod(fd, mode) == 0;
    ok = ok && (bytes == 0 || !data || fwrite(data, 1, bytes, f) == bytes);
    ok = ok && fflush(f) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        fprintf(stderr, "clae: %s: cannot write: %s\n", p, strerror(saved));
        return CLAE_ERR_IO;
    }
    return CLAE_OK;
}

/* One split in clae's layout: every image decoded, then one safetensors file
 * (a temporary in out_dir, its path in *tmp). */
static clae_status write_st_split(const char *out_dir, int which, const split *sp,
                                  const target *t, const strvec *classes, int threads,
                                  mode_t mode, char **tmp)
{
    const size_t P = (size_t)t->C * t->H * t->W, n = sp->n;
    uint8_t *images = malloc(n * P > 0 ? n * P : 1), *labels = malloc(n > 0 ? n : 1);
    char *names = NULL;
    clae_status st = CLAE_OK;
    if (!images || !labels) {
        fprintf(stderr, "clae: out of memory (%zu bytes of images)\n", n * P);
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    sink out = {.px = images, .lab = labels, .px_stride = P, .lab_stride = 1};
    if ((st = decode_range(sp->items, n, t, out, threads)) != CLAE_OK) goto done;
    size_t len = 1;
    for (size_t c = 0; c < classes->n; c++) len += strlen(classes->s[c]) + 1;
    if (!(names = malloc(len))) {
        fprintf(stderr, "clae: out of memory\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    size_t at = 0;
    for (size_t c = 0; c < classes->n; c++)
        at += (size_t)sprintf(names + at, "%s%s", c ? "\n" : "", classes->s[c]);
    names[at] = '\0';
    char h[16], w[16], ch[16], cnt[32];
    snprintf(h, sizeof h, "%d", t->H);
    snprintf(w, sizeof w, "%d", t->W);
    snprintf(ch, sizeof ch, "%d", t->C);
    snprintf(cnt, sizeof cnt, "%zu", n);
    const char *keys[] = {"format", "height", "width", "channels", "count", "classes"};
    const char *vals[] = {CLAE_DATA_FORMAT, h, w, ch, cnt, names};
    const clae_st_tensor ts[2] = {
        {"images", 4, {(int64_t)n, t->C, t->H, t->W}, images, CLAE_ST_U8},
        {"labels", 1, {(int64_t)n}, labels, CLAE_ST_U8}};
    /* a reserved temporary name, replaced atomically by the writer */
    if ((st = write_temp(out_dir, ST_NAMES[which], NULL, 0, mode, tmp)) != CLAE_OK) goto done;
    st = clae_st_write(*tmp, ts, 2, keys, vals, 6);
    if (st == CLAE_OK) (void)chmod(*tmp, mode);
done:
    free(images);
    free(labels);
    free(names);
    return st;
}

/* The other layout's files in out_dir (an earlier import's) are removed once
 * the new ones are in place: a folder holds one layout. */
static void remove_other_layout(const char *out_dir, int cifar)
{
    const char *const *names = cifar ? ST_NAMES : CIFAR_NAMES;
    int n = cifar ? 2 : N_CIFAR;
    for (int k = 0; k < n; k++) {
        char *p = join(out_dir, names[k]);
        if (p && unlink(p) != 0 && errno != ENOENT)
            fprintf(stderr, "clae: warning: %s: cannot remove the old layout's file: %s\n", p,
                    strerror(errno));
        free(p);
    }
}

clae_status clae_data_import(const char *src, const char *out_dir, const clae_import_opts *o,
                             clae_import_result *res)
{
    memset(res, 0, sizeof *res);
    int threads = o->threads < 1 ? 1 : o->threads;
    if ((o->H != 0 || o->W != 0) && (o->H < 1 || o->W < 1)) {
        fprintf(stderr, "clae: --size %d,%d: expected two positive sides\n", o->H, o->W);
        return CLAE_ERR_ARG;
    }
    if (o->C != 0 && o->C != 1 && o->C != 3) {
        fprintf(stderr, "clae: --channels %d: expected 1 or 3\n", o->C);
        return CLAE_ERR_ARG;
    }
    clae_status st = CLAE_OK;
    strvec classes = {0};
    split tr = {0}, te = {0};
    skips sk = {0};
    target t = {0};
    char *tmp[N_OUT] = {0};
    const char *final_names[N_OUT] = {0};
    int nout = 0;
    uint8_t *buf = NULL;
    char *meta = NULL;
    int made_dir = 0;

    char *train_root = join(src, "train");
    if (!train_root) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    st = list_dir(train_root, 1, &classes, &sk);
    if (st == CLAE_OK && classes.n == 0) {
        fprintf(stderr, "clae: %s: no class folders (expected train/<class>/<image>)\n",
                train_root);
        st = CLAE_ERR_FORMAT;
    }
    if (st == CLAE_OK && classes.n > CLAE_CIFAR_MAX_CLASSES) {
        fprintf(stderr, "clae: %s: %zu classes, at most %d fit a label byte\n", train_root,
                classes.n, CLAE_CIFAR_MAX_CLASSES);
        st = CLAE_ERR_FORMAT;
    }
    free(train_root);
    if (st != CLAE_OK) goto done;
    if ((st = build_split(src, "train", &classes, &tr, &sk)) != CLAE_OK) goto done;
    if ((st = build_split(src, "test", &classes, &te, &sk)) != CLAE_OK) goto done;
    if ((st = choose_target(o, &tr, &t)) != CLAE_OK) goto done;
    const int cifar = t.H == CLAE_CIFAR_SIDE && t.W == CLAE_CIFAR_SIDE &&
                      t.C == CLAE_CIFAR_CHANNELS;

    /* The output folder: created if missing (and removed again on failure). */
    struct stat sb;
    if (stat(out_dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "clae: %s: not a folder\n", out_dir);
            st = CLAE_ERR_IO;
            goto done;
        }
    } else if (mkdir(out_dir, 0777) == 0) {
        made_dir = 1;
    } else {
        fprintf(stderr, "clae: %s: cannot create: %s\n", out_dir, strerror(errno));
        st = CLAE_ERR_IO;
        goto done;
    }
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = 0666 & ~mask;

    if (cifar) {
        /* Train: 5 files of n/5 records in order, the last one with the remainder. */
        size_t per = tr.n / CLAE_CIFAR_TRAIN_FILES;
        size_t last = tr.n - per * (CLAE_CIFAR_TRAIN_FILES - 1);
        size_t biggest = last > te.n ? last : te.n;
        buf = malloc(biggest ? biggest * CLAE_CIFAR_RECORD : 1);
        if (!buf) {
            fprintf(stderr, "clae: out of memory (%zu bytes)\n", biggest * CLAE_CIFAR_RECORD);
            st = CLAE_ERR_NOMEM;
            goto done;
        }
        sink out = {.px = buf + 1, .lab = buf, .px_stride = CLAE_CIFAR_RECORD,
                    .lab_stride = CLAE_CIFAR_RECORD};
        for (int k = 0; k < N_CIFAR; k++) {
            const item *first;
            size_t n;
            if (k < CLAE_CIFAR_TRAIN_FILES) {
                first = tr.items + (size_t)k * per;
                n = k == CLAE_CIFAR_TRAIN_FILES - 1 ? last : per;
            } else {
                first = te.items;
                n = te.n;
            }
            if ((st = decode_range(first, n, &t, out, threads)) != CLAE_OK) goto done;
            final_names[nout] = CIFAR_NAMES[k];
            st = write_temp(out_dir, CIFAR_NAMES[k], buf, n * CLAE_CIFAR_RECORD, mode,
                            &tmp[nout++]);
            if (st != CLAE_OK) goto done;
        }
    } else {
        for (int k = 0; k < 2; k++) {
            final_names[nout] = ST_NAMES[k];
            st = write_st_split(out_dir, k, k ? &te : &tr, &t, &classes, threads, mode,
                                &tmp[nout++]);
            if (st != CLAE_OK) goto done;
        }
    }

    size_t mlen = 1;
    for (size_t c = 0; c < classes.n; c++) mlen += strlen(classes.s[c]) + 1;
    if (!(meta = malloc(mlen))) {
        fprintf(stderr, "clae: out of memory\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    size_t at = 0;
    for (size_t c = 0; c < classes.n; c++) at += (size_t)sprintf(meta + at, "%s\n", classes.s[c]);
    final_names[nout] = META_NAME;
    st = write_temp(out_dir, META_NAME, meta, at, mode, &tmp[nout++]);
    if (st != CLAE_OK) goto done;

    for (int k = 0; k < nout; k++) {
        char *final = join(out_dir, final_names[k]);
        if (!final) {
            fprintf(stderr, "clae: out of memory\n");
            st = CLAE_ERR_NOMEM;
            goto done;
        }
        if (rename(tmp[k], final) != 0) {
            fprintf(stderr, "clae: %s: cannot rename to %s: %s\n", tmp[k], final,
                    strerror(errno));
            free(final);
            st = CLAE_ERR_IO;
            goto done;
        }
        free(final);
        free(tmp[k]);
        tmp[k] = NULL;
    }
    remove_other_layout(out_dir, cifar);
    res->n_train = tr.n;
    res->n_test = te.n;
    res->n_classes = (int)classes.n;
    res->H = t.H, res->W = t.W, res->C = t.C;
    res->cifar = cifar;
    res->skipped = sk.n;
    snprintf(res->first_skipped, sizeof res->first_skipped, "%s", sk.first);
done:
    for (int k = 0; k < N_OUT; k++) {
        if (tmp[k]) unlink(tmp[k]);
        free(tmp[k]);
    }
    if (st != CLAE_OK && made_dir) rmdir(out_dir);
    free(meta);
    free(buf);
    split_free(&tr);
    split_free(&te);
    strvec_free(&classes);
    return st;
}
