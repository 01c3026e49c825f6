/* A training run's TensorBoard log; see include/clae/tensorboard_log.h. */
#include "clae/tensorboard_log.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <stb/stb_image.h>

#include "clae/fs.h"

void clae_tb_log_init(clae_tb_log *l, const char *out_dir)
{
    memset(l, 0, sizeof *l);
    l->w.fd = -1;
    if (!out_dir) return;
    snprintf(l->out_dir, sizeof l->out_dir, "%s", out_dir);
    snprintf(l->dir, sizeof l->dir, "%s/tb", out_dir);
}

void clae_tb_log_close(clae_tb_log *l) { clae_tb_close(&l->w); }

void clae_tb_log_remove(const char *out_dir)
{
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/tb", out_dir);
    DIR *dh = opendir(dir);
    struct dirent *e;
    while (dh && (e = readdir(dh)) != NULL) {
        if (strncmp(e->d_name, "events.out.tfevents.", 20) != 0) continue;
        char file[1400];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        (void)unlink(file);
    }
    if (dh) closedir(dh);
}

/* The one warning; the log is off from here on. */
static void fail(clae_tb_log *l, const char *what, clae_status st)
{
    fprintf(stderr, "clae: warning: %s: cannot write the TensorBoard log (%s); training goes on "
            "without it\n", what, st == CLAE_ERR_NOMEM ? "out of memory" : strerror(errno));
    l->failed = 1;
    clae_tb_close(&l->w);
}

static void keep_epoch(clae_tb_log *l, const clae_train_event *e)
{
    l->pending = 1;
    l->epoch = e->epoch;
    l->train_loss = e->train_loss;
    l->val_loss = e->val_loss;
    l->val_psnr = e->val_psnr;
    l->val_accuracy = e->val_accuracy;
    l->images_per_s = e->images_per_s;
    l->lr = e->lr;
    l->term_mask = e->term_mask;
    l->has_val_terms = e->val_terms != NULL;
    for (int k = 0; k < CLAE_NTERMS; k++) {
        l->train_terms[k] = e->train_terms ? e->train_terms[k] : NAN;
        l->val_terms[k] = e->val_terms ? e->val_terms[k] : NAN;
    }
}

/* The PNG file at path into *buf (malloc'ed) with its size: 1, or 0. */
static int read_png(const char *path, uint8_t **buf, size_t *n, int *h, int *w, int *c)
{
    const char *why;
    FILE *f = clae_fopen_regular(path, &why);
    if (!f) return 0;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    *buf = len > 0 && len < (long)(CLAE_TB_MAX_RECORD / 2) ? malloc((size_t)len) : NULL;
    int ok = *buf && fseek(f, 0, SEEK_SET) == 0 && fread(*buf, 1, (size_t)len, f) == (size_t)len;
    fclose(f);
    ok = ok && stbi_info_from_memory(*buf, (int)len, w, h, c);
    if (!ok) {
        free(*buf);
        *buf = NULL;
        errno = EINVAL;
        return 0;
    }
    *n = (size_t)len;
    return 1;
}

static void add(clae_tb_value *v, int *n, const char *tag, double x)
{
    if (!isfinite(x)) return; /* not measured */
    v[*n] = (clae_tb_value){.tag = tag, .scalar = (float)x};
    (*n)++;
}

enum { MAXV = 8 + 2 * CLAE_NTERMS }; /* values of an event at most */

/* v[0..n) and the image at sample_png (NULL: none) as the event of step,
 * flushed. */
static clae_status write_values(clae_tb_log *l, long step, clae_tb_value *v, int n,
                                const char *sample_png, const char **what)
{
    uint8_t *png = NULL;
    if (sample_png) {
        clae_tb_value *im = &v[n];
        *im = (clae_tb_value){.tag = "samples"};
        if (!read_png(sample_png, &png, &im->png_len, &im->height, &im->width, &im->channels)) {
            *what = sample_png;
            return CLAE_ERR_IO;
        }
        im->png = png;
        n++;
    }
    clae_status st = clae_tb_write_summary(&l->w, clae_tb_now(), step, v, n);
    free(png);
    if (st == CLAE_OK) st = clae_tb_flush(&l->w);
    return st;
}

/* The kept epoch's scalars (and the image) as one event. */
static clae_status write_epoch(clae_tb_log *l, const char *sample_png, const char **what)
{
    clae_tb_value v[MAXV + 1];
    char tags[2 * CLAE_NTERMS][48];
    int n = 0;
    add(v, &n, "train/loss", l->train_loss);
    add(v, &n, "val/loss", l->val_loss);
    add(v, &n, "val/psnr", l->val_psnr);
    add(v, &n, "val/accuracy", l->val_accuracy);
    add(v, &n, "train/lr", l->lr);
    add(v, &n, "train/images_per_s", l->images_per_s);
    for (int k = 0; l->term_mask > 1u && k < CLAE_NTERMS; k++) {
        if (!(l->term_mask >> k & 1u)) continue;
        snprintf(tags[2 * k], sizeof tags[0], "train/%s", clae_term_names[k]);
        snprintf(tags[2 * k + 1], sizeof tags[0], "val/%s", clae_term_names[k]);
        add(v, &n, tags[2 * k], l->train_terms[k]);
        if (l->has_val_terms) add(v, &n, tags[2 * k + 1], l->val_terms[k]);
    }
    return write_values(l, l->epoch, v, n, sample_png, what);
}

/* history.jsonl's keys and the tags of their values (-1 there: not measured) */
static const char *const HISTORY_TAGS[][2] = {
    {"train_loss", "train/loss"}, {"val_loss", "val/loss"}, {"val_psnr", "val/psnr"},
    {"val_accuracy", "val/accuracy"}, {"lr", "train/lr"}, {"images_per_s", "train/images_per_s"}};

/* Whether the resumed epoch can be written again: a run that resumes after
 * an epoch with its history line, which parses. */
static int restorable(const clae_tb_log *l)
{
    if (l->resume_epoch <= 0) return 0;
    cJSON *o = cJSON_Parse(l->resume_line);
    int ok = cJSON_IsObject(o);
    cJSON_Delete(o);
    return ok;
}

/* The epoch a resumed run starts from, again, from its checkpoint's history
 * line (and its figure, if OUT/samples has it). */
static clae_status write_restored(clae_tb_log *l, const char **what)
{
    cJSON *o = cJSON_Parse(l->resume_line);
    if (!o) return CLAE_ERR_NOMEM; /* (restorable: it parsed before) */
    clae_tb_value v[MAXV + 1];
    char tags[2 * CLAE_NTERMS][48];
    int n = 0, nt = 0;
    for (size_t i = 0; i < sizeof HISTORY_TAGS / sizeof HISTORY_TAGS[0]; i++) {
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, HISTORY_TAGS[i][0]);
        if (cJSON_IsNumber(x) && x->valuedouble != -1.0)
            add(v, &n, HISTORY_TAGS[i][1], x->valuedouble);
    }
    const char *groups[2][2] = {{"terms", "train"}, {"val_terms", "val"}};
    for (int g = 0; g < 2; g++) {
        const cJSON *t, *terms = cJSON_GetObjectItemCaseSensitive(o, groups[g][0]);
        cJSON_ArrayForEach(t, terms)
        {
            if (nt == 2 * CLAE_NTERMS || !cJSON_IsNumber(t) || !t->string) continue;
            snprintf(tags[nt], sizeof tags[0], "%s/%s", groups[g][1], t->string);
            add(v, &n, tags[nt++], t->valuedouble);
        }
    }
    char png[1200];
    snprintf(png, sizeof png, "%.1080s/samples/epoch-%04ld.png", l->out_dir, l->resume_epoch);
    clae_status st =
        write_values(l, l->resume_epoch, v, n, access(png, F_OK) == 0 ? png : NULL, what);
    cJSON_Delete(o);
    return st;
}

/* This run's file, a SessionLog START at its first step, and the resumed
 * epoch again when first is that epoch. */
static clae_status open_file(clae_tb_log *l, long first, const char **what)
{
    clae_status st = clae_tb_open(&l->w, l->dir);
    if (st == CLAE_OK) st = clae_tb_write_session_start(&l->w, clae_tb_now(), first);
    if (st == CLAE_OK && l->resume_epoch > 0 && first == l->resume_epoch)
        st = write_restored(l, what);
    return st;
}

void clae_tb_log_resume(clae_tb_log *l, long epoch, const char *line)
{
    l->resume_epoch = line && line[0] ? epoch : 0;
    snprintf(l->resume_line, sizeof l->resume_line, "%s", line ? line : "");
}

void clae_tb_log_restore(clae_tb_log *l)
{
    if (!l->dir[0] || l->failed || l->w.fd >= 0 || !restorable(l)) return;
    const char *what = l->w.path;
    clae_status st = open_file(l, l->resume_epoch, &what);
    if (st != CLAE_OK) fail(l, what, st);
}

void clae_tb_log_event(clae_tb_log *l, const clae_train_event *e, const char *sample_png)
{
    if (!l->dir[0] || l->failed) return;
    /* A resume writes its epoch again at once: a run killed before its
     * first epoch ends may have been the one to write it. */
    if (e->kind == CLAE_TRAIN_START) clae_tb_log_restore(l);
    if (e->kind == CLAE_TRAIN_EPOCH) keep_epoch(l, e);
    if (e->kind != CLAE_TRAIN_SAVED || !l->pending || l->epoch != e->epoch) return;
    l->pending = 0;
    clae_status st = CLAE_OK;
    const char *what = l->w.path;
    if (l->w.fd < 0) st = open_file(l, l->epoch, &what); /* a new run's file */
    if (st == CLAE_OK) st = write_epoch(l, sample_png, &what);
    if (st != CLAE_OK) fail(l, what, st);
}
