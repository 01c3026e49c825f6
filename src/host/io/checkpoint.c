/* Model checkpoints on top of the safetensors reader/writer: naming, the
 * metadata, and loading into a new or an existing model without touching it
 * until everything has been checked. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "clae/crc32c.h"
#include "clae/safetensors.h"

static const char *const RESERVED[] = {"format", "seed",     "config",        "epoch",      "step",
                                       "rng",    "val_loss", "best_val_loss", "train_loss"};
#define NRESERVED ((int)(sizeof RESERVED / sizeof RESERVED[0]))
/* Reserved too, written by every save, optional at load (older files lack
 * them): CRC-32C of the data section and of the config text, 8 hex digits. */
#define KEY_DATA_CRC "data_crc32c"
#define KEY_CONFIG_CRC "config_crc32c"

static int is_reserved(const char *key)
{
    for (int i = 0; i < NRESERVED; i++)
        if (strcmp(key, RESERVED[i]) == 0) return 1;
    return strcmp(key, KEY_DATA_CRC) == 0 || strcmp(key, KEY_CONFIG_CRC) == 0;
}

static void fail(const char *path, const char *fmt, ...)
{
    char msg[CLAE_ST_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "clae: %s: %s\n", path ? path : "(null)", msg);
}

/* A metadata value quoted for an error line: at most 40 characters,
 * control characters as '?', so the message stays one line. */
const char *clae_ckpt_quote(const char *v, char *buf, size_t size)
{
    size_t j = 0, i = 0;
    for (; v[i] && j + 4 < size && i < 40; i++)
        buf[j++] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i];
    if (v[i]) {
        buf[j++] = '.';
        buf[j++] = '.';
        buf[j++] = '.';
    }
    buf[j] = 0;
    return buf;
}

/* ------------------------------------------------------------------ meta */

void clae_ckpt_meta_init(clae_ckpt_meta *meta)
{
    memset(meta, 0, sizeof *meta);
    meta->best_val_loss = INFINITY;
    meta->val_loss = NAN;
    meta->train_loss = NAN;
}

void clae_ckpt_meta_free(clae_ckpt_meta *meta)
{
    if (!meta) return;
    for (int i = 0; i < meta->nextra && i < CLAE_CKPT_MAX_EXTRA; i++) {
        free(meta->extra_keys[i]);
        free(meta->extra_vals[i]);
    }
    clae_ckpt_meta_init(meta);
}

const char *clae_ckpt_meta_get(const clae_ckpt_meta *meta, const char *key)
{
    for (int i = 0; i < meta->nextra && i < CLAE_CKPT_MAX_EXTRA; i++)
        if (meta->extra_keys[i] && strcmp(meta->extra_keys[i], key) == 0)
            return meta->extra_vals[i];
    return NULL;
}

clae_status clae_ckpt_meta_set(clae_ckpt_meta *meta, const char *key, const char *val)
{
    if (!key || !*key || !val) {
        fprintf(stderr, "clae: checkpoint metadata: empty key or value\n");
        return CLAE_ERR_ARG;
    }
    if (is_reserved(key)) {
        fprintf(stderr, "clae: checkpoint metadata: key '%s' is reserved\n", key);
        return CLAE_ERR_ARG;
    }
    int at = -1;
    for (int i = 0; i < meta->nextra; i++)
        if (strcmp(meta->extra_keys[i], key) == 0) at = i;
    if (at < 0 && meta->nextra >= CLAE_CKPT_MAX_EXTRA) {
        fprintf(stderr, "clae: checkpoint metadata: more than %d extra keys (adding '%s')\n",
                CLAE_CKPT_MAX_EXTRA, key);
        return CLAE_ERR_ARG;
    }
    char *v = strdup(val), *k = at < 0 ? strdup(key) : NULL;
    if (!v || (at < 0 && !k)) {
        free(v);
        free(k);
        fprintf(stderr, "clae: checkpoint metadata: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    if (at >= 0) {
        free(meta->extra_vals[at]);
        meta->extra_vals[at] = v;
    } else {
        meta->extra_keys[meta->nextra] = k;
        meta->extra_vals[meta->nextra] = v;
        meta->nextra++;
    }
    return CLAE_OK;
}

/* ------------------------------------------------------------------ save */

static void tensor_name(char *buf, size_t size, const char *base, const char *suffix)
{
    snprintf(buf, size, "%s%s", base, suffix);
}

clae_status clae_ckpt_save(const char *path, const clae_model *m, const clae_ckpt_meta *meta,
                           int with_adam)
{
    if (!path || !m || !meta) {
        fail(path, "cannot save a checkpoint: no %s given", !m ? "model" : "metadata");
        return CLAE_ERR_ARG;
    }
    if (!m->params || (with_adam && (!m->adam_m || !m->adam_v)) || !m->text) {
        fail(path, "cannot save a checkpoint: the model has no %s",
             !m->text ? "config text" : "parameters allocated");
        return CLAE_ERR_ARG;
    }
    if (meta->epoch < 0 || meta->step < 0 || meta->nextra < 0 ||
        meta->nextra > CLAE_CKPT_MAX_EXTRA) {
        fail(path, "cannot save a checkpoint: negative epoch/step or bad extra count");
        return CLAE_ERR_ARG;
    }
    for (int i = 0; i < meta->nextra; i++) {
        const char *k = meta->extra_keys[i];
        if (!k || !*k || !meta->extra_vals[i] || is_reserved(k)) {
            fail(path, "cannot save a checkpoint: extra metadata key '%s' is %s", k ? k : "",
                 (k && *k && meta->extra_vals[i]) ? "reserved" : "empty or has no value");
            return CLAE_ERR_ARG;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(meta->extra_keys[j], k) == 0) {
                fail(path, "cannot save a checkpoint: extra metadata key '%s' given twice", k);
                return CLAE_ERR_ARG;
            }
    }

    int nt = m->ntensors * (with_adam ? 3 : 1);
    clae_st_tensor *t = calloc(nt ? (size_t)nt : 1, sizeof *t);
    if (!t) {
        fail(path, "out of memory");
        return CLAE_ERR_NOMEM;
    }
    static const char *const suffix[3] = {"", ".adam_m", ".adam_v"};
    const float *blocks[3] = {m->params, m->adam_m, m->adam_v};
    int k = 0;
    for (int b = 0; b < (with_adam ? 3 : 1); b++)
        for (int i = 0; i < m->ntensors; i++) {
            const clae_tensor *x = &m->tensors[i];
            clae_st_tensor *o = &t[k++];
            tensor_name(o->name, sizeof o->name, x->name, suffix[b]);
            o->ndim = x->ndim;
            for (int d = 0; d < x->ndim; d++) o->shape[d] = x->dims[d];
            o->data = blocks[b] + x->offset;
        }
    /* Sort order within the file: all parameters, then per tensor m, v. */
    if (with_adam) {
        clae_st_tensor *u = calloc((size_t)nt, sizeof *u);
        if (!u) {
            free(t);
            fail(path, "out of memory");
            return CLAE_ERR_NOMEM;
        }
        int n = m->ntensors, j = 0;
        for (int i = 0; i < n; i++) u[j++] = t[i];
        for (int i = 0; i < n; i++) {
            u[j++] = t[n + i];
            u[j++] = t[2 * n + i];
        }
        free(t);
        t = u;
    }

    uint32_t data_crc = 0;
    for (int i = 0; i < nt; i++) { /* in file order: the data section's CRC */
        size_t count = 1;
        for (int d = 0; d < t[i].ndim; d++) count *= (size_t)t[i].shape[d];
        data_crc = clae_crc32c(data_crc, t[i].data, count * sizeof(float));
    }
    char data_crc_hex[16], config_crc_hex[16];
    snprintf(data_crc_hex, sizeof data_crc_hex, "%08" PRIx32, data_crc);
    snprintf(config_crc_hex, sizeof config_crc_hex, "%08" PRIx32,
             clae_crc32c(0, m->text, strlen(m->text)));
    char epoch[32], step[32], seed[32], rng[32], best[40], val[40], train[40];
    snprintf(epoch, sizeof epoch, "%ld", meta->epoch);
    snprintf(step, sizeof step, "%ld", meta->step);
    snprintf(seed, sizeof seed, "%" PRIu64, meta->seed);
    snprintf(rng, sizeof rng, "%" PRIu64, meta->rng);
    snprintf(best, sizeof best, "%.17g", meta->best_val_loss);
    snprintf(val, sizeof val, "%.17g", meta->val_loss);
    snprintf(train, sizeof train, "%.17g", meta->train_loss);
    const char *keys[NRESERVED + 2 + CLAE_CKPT_MAX_EXTRA] = {
        "format",     "config",     "epoch",       "step", "seed", "rng", "best_val_loss",
        "val_loss",   "train_loss", KEY_DATA_CRC, KEY_CONFIG_CRC};
    const char *vals[NRESERVED + 2 + CLAE_CKPT_MAX_EXTRA] = {
        CLAE_CKPT_FORMAT, m->text, epoch,        step,          seed, rng, best,
        val,              train,   data_crc_hex, config_crc_hex};
    int nmeta = NRESERVED + 2;
    for (int i = 0; i < meta->nextra; i++) {
        keys[nmeta] = meta->extra_keys[i];
        vals[nmeta++] = meta->extra_vals[i];
    }
    clae_status s = clae_st_write(path, t, nt, keys, vals, nmeta);
    free(t);
    return s;
}

/* ------------------------------------------------------------------ load */

/* Decimal digits only (no sign, no spaces), no overflow. */
int clae_ckpt_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return 0;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *out = v;
    return 1;
}

/* A whole strtod number ("inf", "nan" included), no surrounding spaces. */
int clae_ckpt_parse_double(const char *s, double *out)
{
    if (!s || !*s || s[0] == ' ' || s[0] == '\t' || s[0] == '\n') return 0;
    char *end;
    double v = strtod(s, &end);
    if (*end) return 0;
    *out = v;
    return 1;
}

static clae_status parse_meta(const clae_st_file *f, const char *path, clae_ckpt_meta *meta)
{
    char q[64];
    const char *v;
    uint64_t u;
    clae_ckpt_meta_init(meta);
    for (int i = 0; i < NRESERVED; i++)
        if (!clae_st_meta(f, RESERVED[i])) {
            fail(path, "missing metadata key '%s'", RESERVED[i]);
            return CLAE_ERR_FORMAT;
        }
    const char *ikeys[2] = {"epoch", "step"};
    long *ivals[2] = {&meta->epoch, &meta->step};
    for (int i = 0; i < 2; i++) {
        v = clae_st_meta(f, ikeys[i]);
        if (!clae_ckpt_parse_u64(v, &u)) {
            fail(path, "metadata '%s' is not a non-negative integer ('%s')", ikeys[i],
                 clae_ckpt_quote(v, q, sizeof q));
            return CLAE_ERR_FORMAT;
        }
        if (u > (uint64_t)CLAE_CKPT_MAX_COUNT) {
            fail(path, "metadata '%s' is %llu, over the limit of %ld", ikeys[i],
                 (unsigned long long)u, CLAE_CKPT_MAX_COUNT);
            return CLAE_ERR_FORMAT;
        }
        *ivals[i] = (long)u;
    }
    const char *ukeys[2] = {"seed", "rng"};
    uint64_t *uvals[2] = {&meta->seed, &meta->rng};
    for (int i = 0; i < 2; i++) {
        v = clae_st_meta(f, ukeys[i]);
        if (!clae_ckpt_parse_u64(v, uvals[i])) {
            fail(path, "metadata '%s' is not an unsigned 64-bit integer ('%s')", ukeys[i],
                 clae_ckpt_quote(v, q, sizeof q));
            return CLAE_ERR_FORMAT;
        }
    }
    const char *dkeys[3] = {"best_val_loss", "val_loss", "train_loss"};
    double *dvals[3] = {&meta->best_val_loss, &meta->val_loss, &meta->train_loss};
    for (int i = 0; i < 3; i++) {
        v = clae_st_meta(f, dkeys[i]);
        if (!clae_ckpt_parse_double(v, dvals[i])) {
            fail(path, "metadata '%s' is not a number ('%s')", dkeys[i],
                 clae_ckpt_quote(v, q, sizeof q));
            return CLAE_ERR_FORMAT;
        }
    }
    for (int i = 0; i < f->nmeta; i++) {
        if (is_reserved(f->meta_keys[i])) continue;
        if (meta->nextra >= CLAE_CKPT_MAX_EXTRA) {
            fail(path, "more than %d extra metadata keys (at '%s')", CLAE_CKPT_MAX_EXTRA,
                 clae_ckpt_quote(f->meta_keys[i], q, sizeof q));
            clae_ckpt_meta_free(meta);
            return CLAE_ERR_FORMAT;
        }
        char *k = strdup(f->meta_keys[i]), *x = strdup(f->meta_vals[i]);
        if (!k || !x) {
            free(k);
            free(x);
            clae_ckpt_meta_free(meta);
            fail(path, "out of memory");
            return CLAE_ERR_NOMEM;
        }
        meta->extra_keys[meta->nextra] = k;
        meta->extra_vals[meta->nextra++] = x;
    }
    return CLAE_OK;
}

/* The stored checksums (KEY_DATA_CRC, KEY_CONFIG_CRC) against the data
 * section and the config text; *none is set for a file from before they
 * were written (it loads, with a note once all else is checked). */
static clae_status verify_checksums(const clae_st_file *f, const char *path, int *none)
{
    const char *want[2] = {clae_st_meta(f, KEY_DATA_CRC), clae_st_meta(f, KEY_CONFIG_CRC)};
    *none = !want[0] && !want[1];
    if (*none) return CLAE_OK;
    const char *config = clae_st_meta(f, "config");
    uint32_t got[2] = {clae_crc32c(0, f->data_, f->data_bytes),
                       clae_crc32c(0, config, strlen(config))};
    static const char *const what[2] = {"tensor data", "stored config"};
    char q[64], hex[16];
    for (int i = 0; i < 2; i++) {
        if (!want[i]) {
            fail(path, "metadata '%s' is missing (its twin '%s' is there)",
                 i ? KEY_CONFIG_CRC : KEY_DATA_CRC, i ? KEY_DATA_CRC : KEY_CONFIG_CRC);
            return CLAE_ERR_FORMAT;
        }
        snprintf(hex, sizeof hex, "%08" PRIx32, got[i]);
        if (strcmp(want[i], hex) != 0) {
            fail(path, "checksum mismatch in the %s (stored %s, computed %s): the file is "
                 "damaged", what[i], clae_ckpt_quote(want[i], q, sizeof q), hex);
            return CLAE_ERR_FORMAT;
        }
    }
    return CLAE_OK;
}

/* Every value of the n floats x finite (and, for an Adam second moment, not
 * negative): a NaN weight would load and silently give other numbers. */
static clae_status check_values(const char *path, const char *name, const float *x, size_t n,
                                int second_moment)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || (second_moment && x[i] < 0)) {
            fail(path, "tensor %s holds %g at index %zu (%s): the checkpoint is damaged or "
                 "from a run that diverged", name, (double)x[i], i,
                 isfinite(x[i]) ? "a negative Adam second moment" : "not a finite number");
            return CLAE_ERR_FORMAT;
        }
    return CLAE_OK;
}

/* Check the file's tensors against model mm; fills src[3][ntensors] with
 * the data of parameters and (resume) Adam moments. */
static clae_status match_tensors(clae_st_file *f, const char *path, const clae_model *mm,
                                 int weights_only, const float **src)
{
    int n = mm->ntensors;
    char name[CLAE_ST_NAME_MAX];
    int64_t shape[4];
    for (int i = 0; i < n; i++) {
        const clae_tensor *x = &mm->tensors[i];
        for (int d = 0; d < x->ndim; d++) shape[d] = x->dims[d];
        const clae_st_entry *e;
        CLAE_TRY(clae_st_expect(f, x->name, x->ndim, shape, &e));
        src[i] = e->data;
    }
    /* Adam moments: none at all -> the resume hint; some -> each required. */
    int any = 0;
    for (int i = 0; i < n && !any; i++)
        for (int b = 0; b < 2 && !any; b++) {
            tensor_name(name, sizeof name, mm->tensors[i].name, b ? ".adam_v" : ".adam_m");
            any = clae_st_find(f, name) != NULL;
        }
    if (weights_only) {
        for (int i = 0; i < n; i++)
            for (int b = 0; b < 2; b++) {
                tensor_name(name, sizeof name, mm->tensors[i].name, b ? ".adam_v" : ".adam_m");
                clae_st_entry *e = (clae_st_entry *)clae_st_find(f, name);
                if (e) e->used = 1;
            }
    } else if (!any && n > 0) {
        tensor_name(name, sizeof name, mm->tensors[0].name, ".adam_m");
        fail(path,
             "no optimizer state (%s); use --weights to start from these weights with a fresh "
             "optimizer",
             name);
        return CLAE_ERR_FORMAT;
    } else {
        for (int b = 0; b < 2; b++)
            for (int i = 0; i < n; i++) {
                const clae_tensor *x = &mm->tensors[i];
                for (int d = 0; d < x->ndim; d++) shape[d] = x->dims[d];
                tensor_name(name, sizeof name, x->name, b ? ".adam_v" : ".adam_m");
                const clae_st_entry *e;
                CLAE_TRY(clae_st_expect(f, name, x->ndim, shape, &e));
                src[(1 + b) * n + i] = e->data;
            }
    }
    return clae_st_check_all_used(f);
}

clae_status clae_ckpt_load(const char *path, clae_model *m, clae_ckpt_meta *meta, int flags)
{
    if (!path || !m) {
        fail(path, "cannot load a checkpoint: no %s given", !m ? "model" : "path");
        return CLAE_ERR_ARG;
    }
    if (flags & ~CLAE_CKPT_WEIGHTS_ONLY) {
        fail(path, "cannot load a checkpoint: unknown flags 0x%x", (unsigned)flags);
        return CLAE_ERR_ARG;
    }
    int weights_only = (flags & CLAE_CKPT_WEIGHTS_ONLY) != 0;
    int empty = m->nlayers == 0 && m->ntensors == 0 && m->text == NULL;

    clae_st_file f;
    /* a gap in the data section: match_tensors names the missing tensor */
    clae_status s = clae_st_open_flags(path, &f, CLAE_ST_LAYOUT_LATER);
    if (s != CLAE_OK) { /* reported */
        clae_st_close(&f);
        return s;
    }

    clae_model fresh;
    memset(&fresh, 0, sizeof fresh);
    clae_ckpt_meta mt;
    clae_ckpt_meta_init(&mt);
    const float **src = NULL;
    char q[64];
    int no_checksum = 0;

    const char *format = clae_st_meta(&f, "format");
    if (!format) {
        if (empty || !weights_only) {
            fail(path,
                 "not a clae checkpoint (no 'format' metadata); to load plain safetensors "
                 "weights give a CONFIG and use --weights");
            s = CLAE_ERR_FORMAT;
            goto out;
        }
    } else if (strcmp(format, CLAE_CKPT_FORMAT) != 0) {
        fail(path, "unsupported checkpoint format '%s' (expected '%s')",
             clae_ckpt_quote(format, q, sizeof q), CLAE_CKPT_FORMAT);
        s = CLAE_ERR_FORMAT;
        goto out;
    } else if ((s = parse_meta(&f, path, &mt)) != CLAE_OK ||
               (s = verify_checksums(&f, path, &no_checksum)) != CLAE_OK) {
        goto out;
    }

    clae_model *mm = m;
    if (empty) {
        size_t nl = strlen(path) + sizeof ":config";
        char *name = malloc(nl);
        if (!name) {
            fail(path, "out of memory");
            s = CLAE_ERR_NOMEM;
            goto out;
        }
        snprintf(name, nl, "%s:config", path);
        s = clae_model_parse_string(clae_st_meta(&f, "config"), name, &fresh);
        free(name);
        if (s != CLAE_OK) goto out; /* reported */
        mm = &fresh;
    }

    src = calloc(3 * (size_t)mm->ntensors + 1, sizeof *src);
    if (!src) {
        fail(path, "out of memory");
        s = CLAE_ERR_NOMEM;
        goto out;
    }
    if ((s = match_tensors(&f, path, mm, weights_only, src)) != CLAE_OK) goto out;
    for (int b = 0; b < (weights_only ? 1 : 3); b++)
        for (int i = 0; i < mm->ntensors; i++) {
            char name[CLAE_ST_NAME_MAX];
            static const char *const suffix[3] = {"", ".adam_m", ".adam_v"};
            tensor_name(name, sizeof name, mm->tensors[i].name, suffix[b]);
            s = check_values(path, name, src[b * mm->ntensors + i], mm->tensors[i].count, b == 2);
            if (s != CLAE_OK) goto out;
        }
    if ((s = clae_model_alloc(mm)) != CLAE_OK) goto out; /* only allocates missing blocks */

    /* Everything checked: copy. */
    size_t bytes = mm->block_floats * sizeof(float);
    memset(mm->params, 0, bytes);
    memset(mm->grads, 0, bytes);
    memset(mm->adam_m, 0, bytes);
    memset(mm->adam_v, 0, bytes);
    for (int i = 0; i < mm->ntensors; i++) {
        const clae_tensor *x = &mm->tensors[i];
        memcpy(mm->params + x->offset, src[i], x->count * sizeof(float));
        if (!weights_only) {
            memcpy(mm->adam_m + x->offset, src[mm->ntensors + i], x->count * sizeof(float));
            memcpy(mm->adam_v + x->offset, src[2 * mm->ntensors + i], x->count * sizeof(float));
        }
    }
    if (empty) {
        *m = fresh;
        memset(&fresh, 0, sizeof fresh);
    }
    if (no_checksum)
        fprintf(stderr, "clae: %s: note: no checksum stored (written by an older clae), so "
                "damage to it cannot be detected\n", path);
    if (meta) {
        *meta = mt;
        clae_ckpt_meta_init(&mt); /* ownership moved */
    }

out:
    free(src);
    clae_model_free(&fresh);
    clae_ckpt_meta_free(&mt);
    clae_st_close(&f);
    return s;
}
