/* `clae data import`, its output: folders of images (import_list.c,
 * import_decode.c) -> the official CIFAR-10 binary layout (32x32x3) or
 * clae's own layout (any H x W x C, safetensors), written as temporaries
 * and renamed into place at the end; see clae/cifar.h. */
#include "clae/cifar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clae/safetensors.h"
#include "data/import_int.h"

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
                                  mode_t mode, char **tmp, import_tally *tally)
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
    if ((st = import_decode_range(sp->items, n, t, out, threads, tally)) != CLAE_OK) goto done;
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
        char *p = import_join(out_dir, names[k]);
        if (p && unlink(p) != 0 && errno != ENOENT)
            fprintf(stderr, "clae: warning: %s: cannot remove the old layout's file: %s\n", p,
                    strerror(errno));
        free(p);
    }
}

/* The files of one import: temporaries in dir, renamed to their final
 * names once all are written. */
typedef struct outputs {
    const char *dir;
    mode_t mode;
    int n;
    char *tmp[N_OUT];
    const char *final[N_OUT];
    import_tally tally;
} outputs;

static clae_status check_opts(const clae_import_opts *o)
{
    if ((o->H != 0 || o->W != 0) && (o->H < 1 || o->W < 1)) {
        fprintf(stderr, "clae: --size %d,%d: expected two positive sides\n", o->H, o->W);
        return CLAE_ERR_ARG;
    }
    if (o->C != 0 && o->C != 1 && o->C != 3) {
        fprintf(stderr, "clae: --channels %d: expected 1 or 3\n", o->C);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
}

/* The output folder: created if missing (*made_dir: removed again on failure). */
static clae_status open_out_dir(const char *out_dir, int *made_dir)
{
    struct stat sb;
    if (stat(out_dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "clae: %s: not a folder\n", out_dir);
            return CLAE_ERR_IO;
        }
    } else if (mkdir(out_dir, 0777) == 0) {
        *made_dir = 1;
    } else {
        fprintf(stderr, "clae: %s: cannot create: %s\n", out_dir, strerror(errno));
        return CLAE_ERR_IO;
    }
    return CLAE_OK;
}

/* CIFAR-10's layout. Train: 5 files of n/5 records in order, the last one
 * with the remainder; then test. */
static clae_status write_cifar(outputs *o, const split *tr, const split *te, const target *t,
                               int threads)
{
    size_t per = tr->n / CLAE_CIFAR_TRAIN_FILES;
    size_t last = tr->n - per * (CLAE_CIFAR_TRAIN_FILES - 1);
    size_t biggest = last > te->n ? last : te->n;
    uint8_t *buf = malloc(biggest ? biggest * CLAE_CIFAR_RECORD : 1);
    if (!buf) {
        fprintf(stderr, "clae: out of memory (%zu bytes)\n", biggest * CLAE_CIFAR_RECORD);
        return CLAE_ERR_NOMEM;
    }
    sink out = {.px = buf + 1, .lab = buf, .px_stride = CLAE_CIFAR_RECORD,
                .lab_stride = CLAE_CIFAR_RECORD};
    clae_status st = CLAE_OK;
    for (int k = 0; k < N_CIFAR && st == CLAE_OK; k++) {
        const item *first;
        size_t n;
        if (k < CLAE_CIFAR_TRAIN_FILES) {
            first = tr->items + (size_t)k * per;
            n = k == CLAE_CIFAR_TRAIN_FILES - 1 ? last : per;
        } else {
            first = te->items;
            n = te->n;
        }
        if ((st = import_decode_range(first, n, t, out, threads, &o->tally)) != CLAE_OK) break;
        o->final[o->n] = CIFAR_NAMES[k];
        st = write_temp(o->dir, CIFAR_NAMES[k], buf, n * CLAE_CIFAR_RECORD, o->mode,
                        &o->tmp[o->n++]);
    }
    free(buf);
    return st;
}

/* batches.meta.txt: the class names, one a line. */
static clae_status write_meta(outputs *o, const strvec *classes)
{
    size_t mlen = 1;
    for (size_t c = 0; c < classes->n; c++) mlen += strlen(classes->s[c]) + 1;
    char *meta = malloc(mlen);
    if (!meta) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    size_t at = 0;
    for (size_t c = 0; c < classes->n; c++)
        at += (size_t)sprintf(meta + at, "%s\n", classes->s[c]);
    o->final[o->n] = META_NAME;
    clae_status st = write_temp(o->dir, META_NAME, meta, at, o->mode, &o->tmp[o->n++]);
    free(meta);
    return st;
}

/* Every temporary renamed to its final name, in order. */
static clae_status commit_outputs(outputs *o)
{
    for (int k = 0; k < o->n; k++) {
        char *final = import_join(o->dir, o->final[k]);
        if (!final) {
            fprintf(stderr, "clae: out of memory\n");
            return CLAE_ERR_NOMEM;
        }
        if (rename(o->tmp[k], final) != 0) {
            fprintf(stderr, "clae: %s: cannot rename to %s: %s\n", o->tmp[k], final,
                    strerror(errno));
            free(final);
            return CLAE_ERR_IO;
        }
        free(final);
        free(o->tmp[k]);
        o->tmp[k] = NULL;
    }
    return CLAE_OK;
}

/* Both splits decoded and written in their layout, then batches.meta.txt,
 * all as temporaries in out_dir (created if missing). */
static clae_status write_outputs(outputs *o, int *made_dir, const split *tr, const split *te,
                                 const target *t, const strvec *classes, int cifar, int threads)
{
    clae_status st = open_out_dir(o->dir, made_dir);
    if (st != CLAE_OK) return st;
    mode_t mask = umask(0);
    umask(mask);
    o->mode = 0666 & ~mask;
    if (cifar) {
        st = write_cifar(o, tr, te, t, threads);
    } else {
        for (int k = 0; k < 2 && st == CLAE_OK; k++) {
            o->final[o->n] = ST_NAMES[k];
            st = write_st_split(o->dir, k, k ? te : tr, t, classes, threads, o->mode,
                                &o->tmp[o->n++], &o->tally);
        }
    }
    return st == CLAE_OK ? write_meta(o, classes) : st;
}

clae_status clae_data_import(const char *src, const char *out_dir, const clae_import_opts *o,
                             clae_import_result *res)
{
    memset(res, 0, sizeof *res);
    int threads = o->threads < 1 ? 1 : o->threads;
    clae_status st = check_opts(o);
    if (st != CLAE_OK) return st;
    strvec classes = {0};
    split tr = {0}, te = {0};
    skips sk = {0};
    target t = {0};
    outputs out = {.dir = out_dir};
    int made_dir = 0, cifar = 0;
    if ((st = import_list_classes(src, &classes, &sk)) != CLAE_OK) goto done;
    if ((st = import_build_split(src, "train", &classes, &tr, &sk)) != CLAE_OK) goto done;
    if ((st = import_build_split(src, "test", &classes, &te, &sk)) != CLAE_OK) goto done;
    if ((st = import_choose_target(o, &tr, &t)) != CLAE_OK) goto done;
    /* CIFAR-10's layout when it fits: 32x32x3, and a record for each of
     * its 5 batch files (an empty one is refused as a lost batch) */
    cifar = t.H == CLAE_CIFAR_SIDE && t.W == CLAE_CIFAR_SIDE && t.C == CLAE_CIFAR_CHANNELS &&
            tr.n >= CLAE_CIFAR_TRAIN_FILES;
    st = write_outputs(&out, &made_dir, &tr, &te, &t, &classes, cifar, threads);
    if (st == CLAE_OK) st = commit_outputs(&out);
    if (st != CLAE_OK) goto done;
    remove_other_layout(out_dir, cifar);
    res->n_train = tr.n;
    res->n_test = te.n;
    res->n_classes = (int)classes.n;
    res->H = t.H, res->W = t.W, res->C = t.C;
    res->cifar = cifar;
    res->skipped = sk.n;
    snprintf(res->first_skipped, sizeof res->first_skipped, "%s", sk.first);
    res->sixteen_bit = out.tally.sixteen_bit;
    snprintf(res->first_sixteen, sizeof res->first_sixteen, "%s", out.tally.first_sixteen);
done:
    for (int k = 0; k < N_OUT; k++) {
        if (out.tmp[k]) unlink(out.tmp[k]);
        free(out.tmp[k]);
    }
    if (st != CLAE_OK && made_dir) rmdir(out_dir);
    import_split_free(&tr);
    import_split_free(&te);
    import_strvec_free(&classes);
    return st;
}
