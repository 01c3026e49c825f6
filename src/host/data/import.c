/* Folders of images -> the official CIFAR-10 binary layout (see clae/cifar.h).
 * Images are read with stb_image (the system libstb provides the implementation). */
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

#define PLANE (CLAE_CIFAR_SIDE * CLAE_CIFAR_SIDE)

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

static int has_image_ext(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    return strcasecmp(dot, ".png") == 0 || strcasecmp(dot, ".jpg") == 0 ||
           strcasecmp(dot, ".jpeg") == 0 || strcasecmp(dot, ".bmp") == 0;
}

/* Names in dir (not starting with '.'), sorted by strcmp. want_dirs: every
 * entry must be a folder (class folders); else every entry must be an image file. */
static clae_status list_dir(const char *dir, int want_dirs, strvec *out)
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
        } else if (want_dirs && !S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "clae: %s: not a class folder (expected <split>/<class>/<image>)\n",
                    p);
            st = CLAE_ERR_FORMAT;
        } else if (want_dirs && strpbrk(e->d_name, "\r\n")) {
            fprintf(stderr, "clae: %s: class name contains a line break\n", p);
            st = CLAE_ERR_FORMAT;
        } else if (!want_dirs && (!S_ISREG(sb.st_mode) || !has_image_ext(e->d_name))) {
            fprintf(stderr, "clae: %s: not a .png, .jpg, .jpeg or .bmp image file\n", p);
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
                               split *out)
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
    if ((st = list_dir(root, 1, &present)) != CLAE_OK) goto done;
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
            st = list_dir(cdir, 0, fv);
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

typedef struct decode_job {
    const item *items;
    size_t n;
    uint8_t *buf; /* n records */
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

static void decode_one(decode_job *j, size_t i)
{
    const item *it = &j->items[i];
    char msg[sizeof j->err];
    FILE *f = fopen(it->path, "rb");
    if (!f) {
        snprintf(msg, sizeof msg, "clae: %s: cannot open: %s", it->path, strerror(errno));
        job_fail(j, i, CLAE_ERR_IO, msg);
        return;
    }
    int w = 0, h = 0, c = 0;
    /* The header first: only a 32x32 RGB image is decoded at all (a crafted
     * header declaring a huge image must not cost seconds). */
    if (!stbi_info_from_file(f, &w, &h, &c)) { /* not a header stb_image knows: not decoded */
        fclose(f);
        const char *why = stbi_failure_reason();
        snprintf(msg, sizeof msg, "clae: %s: cannot decode: %s", it->path,
                 why ? why : "unknown error");
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    if (w != CLAE_CIFAR_SIDE || h != CLAE_CIFAR_SIDE || c != CLAE_CIFAR_CHANNELS) {
        fclose(f);
        snprintf(msg, sizeof msg, "clae: %s: image is %dx%dx%d, expected %dx%dx%d", it->path, w,
                 h, c, CLAE_CIFAR_SIDE, CLAE_CIFAR_SIDE, CLAE_CIFAR_CHANNELS);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    /* 0 = the file's own channel count: grey or RGBA images are rejected, not converted. */
    uint8_t *px = stbi_load_from_file(f, &w, &h, &c, 0);
    fclose(f);
    if (!px) {
        const char *why = stbi_failure_reason(); /* thread-local in libstb */
        snprintf(msg, sizeof msg, "clae: %s: cannot decode: %s", it->path,
                 why ? why : "unknown error");
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    if (w != CLAE_CIFAR_SIDE || h != CLAE_CIFAR_SIDE || c != CLAE_CIFAR_CHANNELS) {
        snprintf(msg, sizeof msg, "clae: %s: image is %dx%dx%d, expected %dx%dx%d", it->path, w,
                 h, c, CLAE_CIFAR_SIDE, CLAE_CIFAR_SIDE, CLAE_CIFAR_CHANNELS);
        stbi_image_free(px);
        job_fail(j, i, CLAE_ERR_FORMAT, msg);
        return;
    }
    uint8_t *rec = j->buf + i * (size_t)CLAE_CIFAR_RECORD;
    rec[0] = it->label;
    for (int p = 0; p < PLANE; p++) {
        rec[1 + p] = px[3 * p];
        rec[1 + PLANE + p] = px[3 * p + 1];
        rec[1 + 2 * PLANE + p] = px[3 * p + 2];
    }
    stbi_image_free(px);
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

static clae_status decode_range(const item *items, size_t n, uint8_t *buf, int threads)
{
    decode_job j = {.items = items, .n = n, .buf = buf, .err_index = (size_t)-1};
    atomic_init(&j.next, 0);
    atomic_init(&j.stop, 0);
    pthread_mutex_init(&j.mu, NULL);
    enum { MAX_THREADS = 64 };
    pthread_t tid[MAX_THREADS];
    int started = 0;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    for (int t = 1; t < threads && (size_t)t < n; t++) {
        if (pthread_create(&tid[started], NULL, decode_worker, &j) != 0) break; /* fewer is fine */
        started++;
    }
    decode_worker(&j);
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&j.mu);
    if (j.err_index != (size_t)-1) {
        fprintf(stderr, "%s\n", j.err);
        return j.err_st;
    }
    return CLAE_OK;
}

/* ---- output ------------------------------------------------------------- */

enum { N_OUT = CLAE_CIFAR_TRAIN_FILES + 2 };
static const char *const OUT_NAMES[N_OUT] = {"data_batch_1.bin", "data_batch_2.bin",
                                             "data_batch_3.bin", "data_batch_4.bin",
                                             "data_batch_5.bin", "test_batch.bin",
                                             "batches.meta.txt"};

/* Write bytes to a new temporary file <dir>/.<name>.XXXXXX; its path goes to *tmp. */
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
    ok = ok && (bytes == 0 || fwrite(data, 1, bytes, f) == bytes);
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

clae_status clae_cifar_import(const char *src, const char *out_dir, int threads,
                              size_t *n_train, size_t *n_test, int *n_classes)
{
    if (threads < 1) threads = 1;
    clae_status st = CLAE_OK;
    strvec classes = {0};
    split tr = {0}, te = {0};
    char *tmp[N_OUT] = {0};
    uint8_t *buf = NULL;
    char *meta = NULL;
    int made_dir = 0;

    char *train_root = join(src, "train");
    if (!train_root) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    st = list_dir(train_root, 1, &classes);
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
    if ((st = build_split(src, "train", &classes, &tr)) != CLAE_OK) goto done;
    if ((st = build_split(src, "test", &classes, &te)) != CLAE_OK) goto done;

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
    for (int k = 0; k <= CLAE_CIFAR_TRAIN_FILES; k++) {
        const item *first;
        size_t n;
        if (k < CLAE_CIFAR_TRAIN_FILES) {
            first = tr.items + (size_t)k * per;
            n = k == CLAE_CIFAR_TRAIN_FILES - 1 ? last : per;
        } else {
            first = te.items;
            n = te.n;
        }
        if ((st = decode_range(first, n, buf, threads)) != CLAE_OK) goto done;
        st = write_temp(out_dir, OUT_NAMES[k], buf, n * CLAE_CIFAR_RECORD, mode, &tmp[k]);
        if (st != CLAE_OK) goto done;
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
    st = write_temp(out_dir, OUT_NAMES[N_OUT - 1], meta, at, mode, &tmp[N_OUT - 1]);
    if (st != CLAE_OK) goto done;

    for (int k = 0; k < N_OUT; k++) {
        char *final = join(out_dir, OUT_NAMES[k]);
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
    if (n_train) *n_train = tr.n;
    if (n_test) *n_test = te.n;
    if (n_classes) *n_classes = (int)classes.n;
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
