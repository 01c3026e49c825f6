/* A run's state and its checkpoint metadata, written and read here alone;
 * see include/clae/run.h. */
#include "clae/run.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clae/parse.h"

void clae_run_init(clae_run *r, const clae_model *m)
{
    memset(r, 0, sizeof *r);
    r->seed = m->train.seed;
    r->shuffle = m->train.shuffle;
    r->epochs = m->train.epochs;
    r->classes = m->train.classes;
    r->norm = m->train.norm;
    r->lr = m->net.adam.lr;
    r->best_val = INFINITY;
    r->val_loss = r->train_loss = NAN;
}

/* ---- writing ------------------------------------------------------------- */

/* The run's settings (data, limit, epochs, ...: what a resume takes back). */
static clae_status settings_to_meta(const clae_run *r, clae_ckpt_meta *meta)
{
    char shape[64], images[64], limit[32], epochs[32];
    snprintf(shape, sizeof shape, "%d,%d,%d", r->data_H, r->data_W, r->data_C);
    snprintf(images, sizeof images, "%ld,%ld", r->data_ntrain, r->data_ntest);
    snprintf(limit, sizeof limit, "%ld", r->limit);
    snprintf(epochs, sizeof epochs, "%ld", r->epochs);
    const char *keys[] = {"data", "data_shape", "data_images", "limit", "shuffle", "epochs", "out"};
    const char *vals[] = {r->data, shape, images, limit, r->shuffle ? "1" : "0", epochs, r->out};
    clae_status st = CLAE_OK;
    for (size_t i = 0; st == CLAE_OK && i < sizeof keys / sizeof keys[0]; i++)
        st = clae_ckpt_meta_set(meta, keys[i], vals[i]);
    return st;
}

clae_status clae_run_to_meta(const clae_run *r, clae_ckpt_meta *meta)
{
    clae_ckpt_meta_init(meta);
    meta->epoch = r->epoch;
    meta->step = r->step;
    meta->seed = r->seed;
    meta->rng = r->seed; /* batch order is a function of (seed, epoch) alone */
    meta->best_val_loss = r->best_val;
    meta->val_loss = r->val_loss;
    meta->train_loss = r->train_loss;
    /* Where inside the epoch a stopped run is, so a resume continues exactly. */
    char buf[64];
    snprintf(buf, sizeof buf, "%ld", r->epoch_step);
    clae_status st = clae_ckpt_meta_set(meta, "epoch_step", buf);
    snprintf(buf, sizeof buf, "%.17g", r->epoch_loss_sum);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(meta, "epoch_loss_sum", buf);
    if (st == CLAE_OK && r->history[0]) st = clae_ckpt_meta_set(meta, "history", r->history);
    if (st == CLAE_OK && r->data[0]) st = settings_to_meta(r, meta);
    snprintf(buf, sizeof buf, "%.9g", (double)r->lr);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(meta, "lr", buf);
    snprintf(buf, sizeof buf, "%ld,%ld", r->wait, r->lr_wait);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(meta, "plateau", buf);
    if (st == CLAE_OK && !clae_classes_empty(&r->classes)) { /* what it was trained on */
        char cls[1024];
        clae_classes_format(&r->classes, cls, sizeof cls);
        st = clae_ckpt_meta_set(meta, "classes", cls);
    }
    if (st == CLAE_OK && r->norm.ready) { /* [train] normalize's pair: every image fed */
        snprintf(buf, sizeof buf, "%.9g,%.9g", (double)r->norm.lo, (double)r->norm.hi);
        st = clae_ckpt_meta_set(meta, CLAE_NORM_META_KEY, buf);
    }
    if (st == CLAE_OK && r->best_epoch > 0) {
        snprintf(buf, sizeof buf, "%ld%s", r->best_epoch, r->restored ? ",restored" : "");
        st = clae_ckpt_meta_set(meta, "best_epoch", buf);
    }
    if (st != CLAE_OK) clae_ckpt_meta_free(meta);
    return st;
}

/* ---- reading ------------------------------------------------------------- */

/* The settings, where the metadata records them (keyed on "data"). */
static clae_status settings_from_meta(clae_run *r, const clae_ckpt_meta *meta, const char *path)
{
    const char *data = clae_ckpt_meta_get(meta, "data");
    if (!data) return CLAE_OK;
    const char *lim = clae_ckpt_meta_get(meta, "limit"), *ep = clae_ckpt_meta_get(meta, "epochs"),
               *sh = clae_ckpt_meta_get(meta, "shuffle"),
               *cnt = clae_ckpt_meta_get(meta, "data_images"),
               *shape = clae_ckpt_meta_get(meta, "data_shape"),
               *out = clae_ckpt_meta_get(meta, "out");
    long shuffle = 1;
    if (!lim || !clae_str_to_long(lim, 0, LONG_MAX, &r->limit) || !ep ||
        !clae_str_to_long(ep, 1, CLAE_MAX_EPOCHS, &r->epochs) || !sh ||
        !clae_str_to_long(sh, 0, 1, &shuffle) || !cnt ||
        sscanf(cnt, "%ld,%ld", &r->data_ntrain, &r->data_ntest) != 2 ||
        strlen(data) >= sizeof r->data || (out && strlen(out) >= sizeof r->out)) {
        fprintf(stderr, "clae: %s: the run's settings in the metadata are incomplete or bad "
                "(limit, epochs, shuffle, data_images)\n", path);
        return CLAE_ERR_FORMAT;
    }
    r->shuffle = (int)shuffle;
    snprintf(r->data, sizeof r->data, "%s", data);
    snprintf(r->out, sizeof r->out, "%s", out ? out : "");
    if (!shape || sscanf(shape, "%d,%d,%d", &r->data_H, &r->data_W, &r->data_C) != 3)
        r->data_H = r->data_W = r->data_C = 0; /* informational: never checked */
    return CLAE_OK;
}

/* Where inside its epoch the checkpoint stopped: 0 for a key that is absent
 * (a checkpoint from `clae init` or a finished epoch). */
static clae_status resume_point_from_meta(clae_run *r, const clae_ckpt_meta *meta,
                                          const char *path)
{
    char q[64];
    uint64_t u = 0;
    double x = 0.0;
    const char *es = clae_ckpt_meta_get(meta, "epoch_step");
    const char *el = clae_ckpt_meta_get(meta, "epoch_loss_sum");
    if (es && (!clae_ckpt_parse_u64(es, &u) || u > (uint64_t)CLAE_CKPT_MAX_COUNT)) {
        fprintf(stderr, "clae: %s: metadata 'epoch_step' is not an integer from 0 to %ld ('%s')\n",
                path, CLAE_CKPT_MAX_COUNT, clae_ckpt_quote(es, q, sizeof q));
        return CLAE_ERR_FORMAT;
    }
    if (el && (!clae_ckpt_parse_double(el, &x) || !isfinite(x) || x < 0)) {
        fprintf(stderr, "clae: %s: metadata 'epoch_loss_sum' is not a finite number >= 0 ('%s')\n",
                path, clae_ckpt_quote(el, q, sizeof q));
        return CLAE_ERR_FORMAT;
    }
    r->epoch_step = (long)u;
    r->epoch_loss_sum = x;
    return CLAE_OK;
}

/* Where reduce on plateau and early stopping were. */
static clae_status plateau_from_meta(clae_run *r, const clae_ckpt_meta *meta, const char *path)
{
    const char *lr = clae_ckpt_meta_get(meta, "lr"), *pl = clae_ckpt_meta_get(meta, "plateau");
    double lr_now = 0.0;
    long wait = 0, lr_wait = 0;
    if ((lr && (!clae_str_to_double(lr, &lr_now) || !(lr_now >= 1e-37 && lr_now <= 1e38))) ||
        (pl && (sscanf(pl, "%ld,%ld", &wait, &lr_wait) != 2 || wait < 0 || lr_wait < 0))) {
        fprintf(stderr, "clae: %s: bad 'lr' or 'plateau' in the metadata\n", path);
        return CLAE_ERR_FORMAT;
    }
    if (lr) r->lr = (float)lr_now;
    if (pl) {
        r->wait = wait;
        r->lr_wait = lr_wait;
    }
    return CLAE_OK;
}

/* The best epoch, and whether [train] restore_best put its weights in place (0: absent). */
static clae_status best_epoch_from_meta(clae_run *r, const clae_ckpt_meta *meta,
                                        const char *path)
{
    const char *be = clae_ckpt_meta_get(meta, "best_epoch");
    r->best_epoch = 0;
    r->restored = 0;
    if (!be) return CLAE_OK;
    char tail[16] = "";
    long e = 0;
    int got = sscanf(be, "%ld%15s", &e, tail);
    if (got < 1 || e < 1 || e > CLAE_MAX_EPOCHS || (got == 2 && strcmp(tail, ",restored") != 0)) {
        char q[64];
        fprintf(stderr, "clae: %s: metadata 'best_epoch' is not an epoch, alone or with "
                "',restored' ('%s')\n", path, clae_ckpt_quote(be, q, sizeof q));
        return CLAE_ERR_FORMAT;
    }
    r->best_epoch = e;
    r->restored = got == 2;
    return CLAE_OK;
}

clae_status clae_run_from_meta(clae_run *r, const clae_ckpt_meta *meta, const char *path)
{
    r->epoch = meta->epoch;
    r->step = meta->step;
    r->seed = meta->seed;
    r->best_val = isnan(meta->best_val_loss) ? INFINITY : meta->best_val_loss;
    r->val_loss = meta->val_loss;
    r->train_loss = meta->train_loss;
    const char *h = clae_ckpt_meta_get(meta, "history");
    snprintf(r->history, sizeof r->history, "%s", h ? h : "");
    CLAE_TRY(settings_from_meta(r, meta, path));
    const char *cls = clae_ckpt_meta_get(meta, "classes");
    if (cls && !clae_classes_parse(cls, &r->classes)) {
        fprintf(stderr, "clae: %s: bad classes '%s' in the metadata\n", path, cls);
        return CLAE_ERR_FORMAT;
    }
    const char *np = clae_ckpt_meta_get(meta, CLAE_NORM_META_KEY);
    if (np && !clae_norm_parse_pair(np, &r->norm.lo, &r->norm.hi)) {
        char q[64];
        fprintf(stderr, "clae: %s: metadata '%s' is not two numbers min,max with min < max "
                "('%s')\n", path, CLAE_NORM_META_KEY, clae_ckpt_quote(np, q, sizeof q));
        return CLAE_ERR_FORMAT;
    }
    if (np) r->norm.ready = 1;
    CLAE_TRY(resume_point_from_meta(r, meta, path));
    CLAE_TRY(best_epoch_from_meta(r, meta, path));
    return plateau_from_meta(r, meta, path);
}
