/* The training scheduler; see include/clae/train.h.
 *
 * One step on the OpenCL path, all enqueued without waiting on the host:
 *   [upload queue]  write the batch's uint8 records (gathered on the host into
 *                   a staging buffer) into device slot k, after the previous
 *                   user of slot k has converted it (event conv_ev[k]);
 *   [main queue]    wait for that write (barrier on write_ev[k]), convert to
 *                   float (the target), corrupt (blur) into the input,
 *                   forward, MSE, backward, Adam, copy the loss scalar into a
 *                   per-epoch loss history on the device.
 * While the device runs step s, the host gathers and uploads step s+1 into
 * the other slot. The loss history is read once per epoch. */
#include "clae/train.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/corrupt.h"
#include "clae/fs.h"
#include "clae/image.h"
#include "clae/metrics.h"
#include "clae/net.h"

void clae_epoch_order(uint32_t *order, size_t n, uint64_t seed, long epoch, int shuffle)
{
    for (size_t i = 0; i < n; i++) order[i] = (uint32_t)i;
    if (!shuffle || n < 2) return;
    clae_rng r;
    clae_rng_seed(&r, seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(epoch + 1)));
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)clae_rng_below(&r, i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the batch feeder ---------------------------------------------------- */

typedef struct feeder {
    clae_net *net;
    clae_device *d;
    int B;
    int C, H, W;                  /* one image (the model's input and the data's) */
    size_t P, R;                  /* its pixel bytes C*H*W, record bytes 1 + P */
    uint8_t *stage[2];            /* host staging: B records each */
    clae_buf rec[2];              /* the records on the device (the stage itself on ref) */
    cl_event write_ev[2], conv_ev[2];
    cl_command_queue upq;         /* upload queue (NULL on the reference path) */
    int blur;                     /* corrupt = blur (a device op) */
    int ksize;
    float kern[64];
    clae_buf kbuf;
    /* Other corruptions (noise, salt-and-pepper, masks) are drawn on the host:
     * the batch is converted there too and its corrupted input uploaded. */
    int host_corrupt;
    clae_corrupt cor;
    uint64_t seed;
    float *h_clean, *h_input[2];
    clae_buf input[2];
} feeder;

static clae_status feeder_init(feeder *f, clae_net *net, const clae_model *m, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->net = net;
    clae_device *d = f->d = net->d;
    f->B = net->N;
    f->C = m->net.C, f->H = m->net.H, f->W = m->net.W;
    f->P = (size_t)f->C * f->H * f->W, f->R = 1 + f->P;
    f->seed = seed;
    CLAE_TRY(clae_corrupt_from_config(&m->train, &f->cor));
    f->blur = f->cor.kind == CLAE_CORRUPT_BLUR; /* on the device; the others on the host */
    f->ksize = f->cor.blur_size;
    f->host_corrupt = !f->blur && f->cor.kind != CLAE_CORRUPT_NONE;
    size_t bytes = (size_t)f->B * f->R, cnt = (size_t)f->B * f->P;
    for (int k = 0; k < 2; k++) {
        if (!(f->stage[k] = calloc(bytes, 1))) return CLAE_ERR_NOMEM;
        CLAE_TRY(clae_buf_mirror(d, f->stage[k], bytes, &f->rec[k]));
    }
    if (f->host_corrupt) {
        if (!(f->h_clean = malloc(cnt * sizeof(float)))) return CLAE_ERR_NOMEM;
        for (int k = 0; k < 2; k++) {
            if (!(f->h_input[k] = calloc(cnt, sizeof(float)))) return CLAE_ERR_NOMEM;
            CLAE_TRY(clae_buf_mirror(d, f->h_input[k], cnt * sizeof(float), &f->input[k]));
        }
    }
    if (f->blur) {
        if (f->ksize < 1 || f->ksize > 63 || f->ksize % 2 == 0) {
            fprintf(stderr, "clae: %s: blur_size must be odd and at most 63\n", m->name);
            return CLAE_ERR_ARG;
        }
        clae_gaussian_kernel(f->kern, f->ksize, f->cor.blur_sigma);
        CLAE_TRY(clae_buf_mirror(d, f->kern, sizeof(float) * (size_t)f->ksize, &f->kbuf));
    }
    return clae_queue_create(d, &f->upq);
}

static void feeder_free(feeder *f)
{
    clae_queue_release(f->upq);
    for (int k = 0; k < 2; k++) {
        if (f->write_ev[k]) clReleaseEvent(f->write_ev[k]);
        if (f->conv_ev[k]) clReleaseEvent(f->conv_ev[k]);
        clae_buf_free(&f->rec[k]);
        clae_buf_free(&f->input[k]);
        free(f->stage[k]);
        free(f->h_input[k]);
    }
    clae_buf_free(&f->kbuf);
    free(f->h_clean);
    memset(f, 0, sizeof *f);
}

/* Gather records idx[0..nb) of ds (offset base) into slot k and start the
 * upload. key names the batch (epoch and step) for host-drawn corruptions,
 * so a resumed run draws the same noise. */
static clae_status feeder_prepare(feeder *f, int k, const clae_dataset *ds, size_t base,
                                  const uint32_t *idx, int nb, uint64_t key)
{
    CLAE_TRY(clae_event_wait(&f->write_ev[k])); /* the stage is free once its upload is done */
    for (int i = 0; i < nb; i++) {
        size_t r = base + (idx ? idx[i] : (size_t)i);
        memcpy(f->stage[k] + (size_t)i * f->R, clae_dataset_record(ds, r), f->R);
    }
    if (f->host_corrupt) {
        clae_rng r;
        clae_rng_seed(&r, f->seed ^ (key * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL));
        clae_records_to_float(f->h_clean, f->stage[k], nb, f->C, f->H, f->W);
        CLAE_TRY(clae_corrupt_apply(f->h_input[k], f->h_clean, nb, f->C, f->H, f->W, &f->cor, &r));
    }
    /* after slot k's last conversion; the input upload follows the records on the same queue */
    cl_uint nwait = f->conv_ev[k] ? 1 : 0;
    CLAE_TRY(clae_buf_write_async(f->d, f->upq, f->rec[k], f->stage[k],
                                  (size_t)nb * f->R, nwait, &f->conv_ev[k],
                                  &f->write_ev[k]));
    if (f->host_corrupt) {
        if (f->write_ev[k]) clReleaseEvent(f->write_ev[k]);
        CLAE_TRY(clae_buf_write_async(f->d, f->upq, f->input[k], f->h_input[k],
                                      (size_t)nb * f->P * sizeof(float), nwait,
                                      &f->conv_ev[k], &f->write_ev[k]));
    }
    return clae_flush(f->d, f->upq);
}

/* Turn slot k into the net's target (clean) and input (corrupted). */
static clae_status feeder_consume(feeder *f, int k, int nb)
{
    clae_net *n = f->net;
    clae_device *d = f->d;
    CLAE_TRY(clae_wait_on(d, f->write_ev[k]));
    if (n->m->train.labels) { /* a classifier: clean images in, one-hot labels as targets */
        CLAE_TRY(cifar_to_float(d, n->act[0], f->rec[k], nb, f->C, f->H, f->W));
        CLAE_TRY(labels_onehot(d, n->target, f->rec[k], nb,
                               clae_layer_out_count(&n->m->layers[n->L - 1]), f->C, f->H, f->W));
        return clae_marker(d, &f->conv_ev[k]);
    }
    CLAE_TRY(cifar_to_float(d, n->target, f->rec[k], nb, f->C, f->H, f->W));
    if (f->blur)
        CLAE_TRY(blur_forward(d, n->act[0], n->target, f->kbuf, f->ksize, nb, f->C, f->H, f->W));
    else
        CLAE_TRY(clae_buf_copy(d, n->act[0], 0, f->host_corrupt ? f->input[k] : n->target, 0,
                               (size_t)nb * f->P * sizeof(float)));
    /* slot k's device buffers are free for the next upload after this point */
    return clae_marker(d, &f->conv_ev[k]);
}

/* ---- data parallel ------------------------------------------------------ */

/* This rank's part of a batch of nb images: [*lo, *lo + *cnt), the parts
 * in rank order (all of it without dist). */
static void rank_part(const clae_dist *dist, int nb, int *lo, int *cnt)
{
    if (!dist || dist->size == 1) {
        *lo = 0;
        *cnt = nb;
        return;
    }
    long r = dist->rank, R = dist->size;
    *lo = (int)((long)nb * r / R);
    *cnt = (int)((long)nb * (r + 1) / R) - *lo;
}

/* The gradient exchange of a data-parallel step (clae_net.grad_hook): the
 * block read back, summed over the ranks, each weighted by its part of the
 * global batch (its gradient is that of its own mean loss), and written
 * back for the update; the stop flags of the ranks agreed on the way. */
typedef struct exchange {
    clae_dist *dist;
    int nb, cnt;                  /* the global batch, this rank's part */
    volatile sig_atomic_t *stop;  /* this rank's signal flag */
    int stop_all;                 /* out: some rank was signalled */
} exchange;

static clae_status exchange_grads(clae_net *n, void *user)
{
    exchange *x = user;
    const clae_model *m = n->m;
    size_t bytes = m->block_floats * sizeof(float);
    int flag = x->stop && *x->stop;
    CLAE_TRY(clae_buf_read(n->d, n->grads, m->grads, bytes));
    CLAE_TRY(clae_dist_sum(x->dist, m->grads, m->block_floats, (double)x->cnt / (double)x->nb,
                           &flag));
    x->stop_all = flag;
    return clae_buf_write(n->d, n->grads, m->grads, bytes);
}

/* ---- loss history (one scalar per batch, read once per pass) ----------- */

typedef struct history {
    float *h;      /* host copy */
    clae_buf m;    /* on the device (h itself on the reference path) */
    long cap;
    /* A model with loss terms (clae_net.terms): each batch's terms too,
     * CLAE_NTERMS a batch, and their means over the last history_sum. */
    float *th;
    clae_buf tm;
    double tmean[CLAE_NTERMS];
} history;

static clae_status history_init(history *hs, clae_net *n, long cap)
{
    memset(hs, 0, sizeof *hs);
    hs->cap = cap > 0 ? cap : 1;
    if (!(hs->h = calloc((size_t)hs->cap, sizeof(float)))) return CLAE_ERR_NOMEM;
    CLAE_TRY(clae_buf_mirror(n->d, hs->h, (size_t)hs->cap * sizeof(float), &hs->m));
    if (!n->terms.h && !n->terms.d) return CLAE_OK;
    size_t tb = (size_t)hs->cap * CLAE_NTERMS * sizeof(float);
    if (!(hs->th = calloc(1, tb))) return CLAE_ERR_NOMEM;
    return clae_buf_mirror(n->d, hs->th, tb, &hs->tm);
}

static void history_free(history *hs)
{
    clae_buf_free(&hs->m);
    clae_buf_free(&hs->tm);
    free(hs->h);
    free(hs->th);
    memset(hs, 0, sizeof *hs);
}

static clae_status history_put(history *hs, clae_net *n, long i)
{
    if (hs->th)
        CLAE_TRY(clae_buf_copy(n->d, hs->tm, (size_t)i * CLAE_NTERMS * sizeof(float), n->terms,
                               0, CLAE_NTERMS * sizeof(float)));
    return clae_buf_copy(n->d, hs->m, (size_t)i * sizeof(float), n->loss, 0, sizeof(float));
}

/* Sum of loss[i] * batch size over i in [from, to); the terms' means over
 * the same batches into hs->tmean (the batches of this process: after a
 * resume inside an epoch, those since the resume). */
static clae_status history_sum(history *hs, clae_device *d, long from, long to, size_t total,
                               int B, double start, clae_dist *dist, double *sum)
{
    if (to > from)
        CLAE_TRY(clae_buf_read_at(d, hs->m, (size_t)from * sizeof(float), hs->h + from,
                                  (size_t)(to - from) * sizeof(float)));
    if (to > from && hs->th)
        CLAE_TRY(clae_buf_read_at(d, hs->tm, (size_t)from * CLAE_NTERMS * sizeof(float),
                                  hs->th + (size_t)from * CLAE_NTERMS,
                                  (size_t)(to - from) * CLAE_NTERMS * sizeof(float)));
    /* sums[0]: loss x images, [1]: images, [2 + k]: term k x images; with
     * dist, this rank's part of each batch, then the sums over the ranks */
    double sums[2 + CLAE_NTERMS] = {0};
    for (long i = from; i < to; i++) {
        size_t first = (size_t)i * (size_t)B;
        int lo, nb = (int)(total - first < (size_t)B ? total - first : (size_t)B);
        rank_part(dist, nb, &lo, &nb);
        sums[0] += (double)hs->h[i] * (double)nb;
        sums[1] += (double)nb;
        for (int k = 0; hs->th && k < CLAE_NTERMS; k++)
            sums[2 + k] += (double)hs->th[(size_t)i * CLAE_NTERMS + k] * (double)nb;
    }
    if (dist) CLAE_TRY(clae_dist_sum_double(dist, sums, 2 + CLAE_NTERMS));
    for (int k = 0; k < CLAE_NTERMS; k++)
        hs->tmean[k] = sums[1] > 0 ? sums[2 + k] / sums[1] : NAN;
    *sum = start + sums[0]; /* continuing a partial epoch: the sum so far first */
    return CLAE_OK;
}

/* Mean MSE over records [base, base + count) of ds, in file order. */
/* Validation extras computed on the host from the outputs: mean per-image
 * PSNR (peak 1) and Keras's channel-argmax accuracy (ties to the first
 * channel, as tf.argmax). Costs one read-back per validation batch. */
typedef struct val_metrics {
    float *out, *target; /* B images each: output, clean target */
    int classes;         /* a classifier's K (target = labels), else 0 */
    double psnr_sum;
    size_t images, correct, pixels;
} val_metrics;

static void val_metrics_add(val_metrics *vm, const feeder *f, const uint8_t *records, int nb)
{
    if (vm->classes) { /* a classifier: the largest of the K outputs against the label */
        for (int i = 0; i < nb; i++) {
            const float *o = vm->out + (size_t)i * vm->classes;
            int best = 0;
            for (int k = 1; k < vm->classes; k++) best = o[k] > o[best] ? k : best;
            vm->correct += best == records[(size_t)i * f->R];
        }
        vm->pixels += (size_t)nb; /* accuracy: correct of images */
        vm->images += (size_t)nb;
        return;
    }
    clae_records_to_float(vm->target, records, nb, f->C, f->H, f->W);
    for (int i = 0; i < nb; i++) {
        size_t o = (size_t)i * f->P;
        vm->psnr_sum += clae_psnr_from_mse(clae_mse(vm->out + o, vm->target + o, f->P));
    }
    vm->correct += clae_argmax_equal(vm->out, vm->target, nb, f->C, f->H, f->W);
    vm->pixels += (size_t)nb * f->H * f->W;
    vm->images += (size_t)nb;
}

static clae_status evaluate(feeder *f, history *hs, const clae_dataset *ds, size_t base,
                            size_t count, double *mse, val_metrics *vm)
{
    clae_net *n = f->net;
    int B = f->B;
    long steps = (long)((count + (size_t)B - 1) / (size_t)B);
    if (count == 0) {
        *mse = NAN;
        return CLAE_OK;
    }
    /* evaluation batches draw the same corruption every time: keys from 2^62 on */
    const uint64_t key0 = (uint64_t)1 << 62;
    CLAE_TRY(feeder_prepare(f, 0, ds, base, NULL, (int)(count < (size_t)B ? count : (size_t)B),
                            key0 + base));
    for (long s = 0; s < steps; s++) {
        int k = (int)(s % 2);
        int nb = (int)(count - (size_t)s * B < (size_t)B ? count - (size_t)s * B : (size_t)B);
        CLAE_TRY(feeder_consume(f, k, nb));
        CLAE_TRY(clae_net_forward(n, nb));
        CLAE_TRY(clae_net_loss(n, nb));
        CLAE_TRY(history_put(hs, n, s));
        if (vm) { /* slot k's records stay until the prepare two batches on */
            CLAE_TRY(clae_net_read_output(n, vm->out, nb));
            val_metrics_add(vm, f, f->stage[k], nb);
        }
        if (s + 1 < steps) {
            size_t nxt = base + (size_t)(s + 1) * B;
            size_t left = count - (size_t)(s + 1) * B;
            CLAE_TRY(feeder_prepare(f, 1 - k, ds, nxt, NULL,
                                    (int)(left < (size_t)B ? left : (size_t)B), key0 + nxt));
        }
        CLAE_TRY(clae_flush(f->d, NULL));
    }
    double sum;
    CLAE_TRY(history_sum(hs, f->d, 0, steps, count, B, 0.0, NULL, &sum));
    *mse = sum / (double)count;
    return CLAE_OK;
}

/* ---- watching ----------------------------------------------------------- */

/* STEP events, a few times a second: steps, the latest loss, images/s and
 * the time left. The loss reported is the latest one already copied back
 * without waiting: each event starts a non-blocking read of the newest loss
 * and reports it at the next. */
typedef struct progress {
    const clae_train_opts *o;
    double t0, last;
    float shown;
    float pending;
    cl_event ev;
} progress;

static void report(const clae_train_opts *o, const clae_train_event *e)
{
    if (o->report) o->report(e, o->report_user);
}

static void progress_update(progress *p, history *hs, clae_net *n, long epoch, long s,
                            long steps, long s0, int B)
{
    double t = now_s();
    if (!p->o->report || (t - p->last < 0.25 && s + 1 < steps)) return;
    p->last = t;
    if (p->ev && clae_event_wait(&p->ev) == CLAE_OK) p->shown = p->pending;
    if (clae_buf_read_async(n->d, hs->m, (size_t)s * sizeof(float), &p->pending, sizeof(float),
                            &p->ev) == CLAE_OK && !p->ev)
        p->shown = p->pending; /* read at once (the reference path) */
    double done = (double)(s + 1 - s0);
    clae_train_event e = {.kind = CLAE_TRAIN_STEP, .epoch = epoch, .epochs = p->o->epochs,
                          .step = s + 1, .steps = steps, .loss = p->shown,
                          /* one step's rate is mostly launch and upload: none until two */
                          .images_per_s = done >= 2 ? done * B / (t - p->t0) : NAN,
                          .eta_s = (double)(steps - s - 1) * (t - p->t0) / done};
    report(p->o, &e);
}

static void progress_end(progress *p) { (void)clae_event_wait(&p->ev); }

/* One JSON object per epoch for OUT/history.jsonl (no newline); the
 * epoch's checkpoints carry it too, so a resume can put it back. */
#define HISTORY_LINE_MAX 1024

/* ", \"NAME\": {\"reconstruction\": .., \"kl\": ..}" for the terms in mask */
static size_t terms_json(char *buf, size_t len, const char *name, unsigned mask,
                         const double *mean)
{
    size_t at = (size_t)snprintf(buf, len, ", \"%s\": {", name);
    int first = 1;
    for (int k = 0; k < CLAE_NTERMS && at < len; k++) {
        if (!(mask >> k & 1u)) continue;
        at += (size_t)snprintf(buf + at, len - at, "%s\"%s\": %.9g", first ? "" : ", ",
                               clae_term_names[k], isfinite(mean[k]) ? mean[k] : -1.0);
        first = 0;
    }
    if (at < len) at += (size_t)snprintf(buf + at, len - at, "}");
    return at < len ? at : len;
}

/* The loss's terms apart (models with penalties: mask beyond the
 * reconstruction): their means over the epoch's training batches and over
 * the validation batches; NULL: not measured. */
typedef struct history_terms {
    unsigned mask;
    const double *train, *val;
} history_terms;

static void history_line(char *buf, long epoch, double tl, double vl, double psnr, double acc,
                         double ips, double secs, long steps, double lr,
                         const history_terms *ht)
{
    /* -1 marks a value that was not measured (no validation images) */
    size_t at = (size_t)snprintf(
        buf, HISTORY_LINE_MAX,
        "{\"epoch\": %ld, \"train_loss\": %.9g, \"val_loss\": %.9g, \"val_psnr\": %.6g, "
        "\"val_accuracy\": %.6g, \"images_per_s\": %.6g, \"seconds\": %.6g, \"steps\": %ld, "
        "\"lr\": %.7g",
        epoch, tl, isnan(vl) ? -1.0 : vl, isfinite(psnr) ? psnr : -1.0,
        isfinite(acc) ? acc : -1.0, isfinite(ips) ? ips : -1.0, secs, steps, lr);
    if (ht && ht->mask > 1u && ht->train && at < HISTORY_LINE_MAX)
        at += terms_json(buf + at, HISTORY_LINE_MAX - at, "terms", ht->mask, ht->train);
    if (ht && ht->mask > 1u && ht->val && at < HISTORY_LINE_MAX)
        at += terms_json(buf + at, HISTORY_LINE_MAX - at, "val_terms", ht->mask, ht->val);
    if (at + 1 < HISTORY_LINE_MAX) snprintf(buf + at, HISTORY_LINE_MAX - at, "}");
}

/* OUT/history.csv, the history again for spreadsheets: rewritten from
 * history.jsonl (after every append, and after a resume cut it). */
static void history_csv(const char *dir)
{
    char path[1100], csv[1100];
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    snprintf(csv, sizeof csv, "%s/history.csv", dir);
    if (access(path, F_OK) != 0) return;
    if (clae_history_csv(path, csv) != CLAE_OK)
        fprintf(stderr, "clae: warning: %s: not written (history.jsonl has the history)\n", csv);
}

static void history_append(const char *dir, const char *line)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/history.jsonl", dir);
    FILE *f = fopen(path, "a");
    if (!f || fprintf(f, "%s\n", line) < 0 || fclose(f) != 0)
        fprintf(stderr, "clae: warning: %s: cannot append the metrics history\n", path);
    history_csv(dir);
}

/* Remove the temporary files of writes that a killed run left in dir
 * (NAME.tmp.PID.XXXXXX); only called with dir locked by us. */
static void remove_stale_temps(const char *dir)
{
    DIR *dh = opendir(dir);
    if (!dh) return;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        if (!clae_is_atomic_temp(e->d_name)) continue;
        char path[1400];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        (void)unlink(path);
    }
    closedir(dh);
}

/* ---- checkpoints --------------------------------------------------------- */

/* The epochs in a row without a lower validation loss, for early stopping
 * (wait) and reduce on plateau (lr_wait, reset when it lowers the rate);
 * saved in every checkpoint with the learning rate itself. */
typedef struct plateau {
    long wait, lr_wait;
} plateau;

static clae_status save(clae_net *n, const char *dir, const char *file, long epoch,
                        long epoch_step, double loss_sum, const clae_train_opts *o,
                        double best, double val, double train, const char *hline,
                        const plateau *pl, char *path, size_t len)
{
    CLAE_TRY(clae_net_download(n));
    snprintf(path, len, "%s/%s", dir, file);
    /* Never a checkpoint of non-finite weights (a NaN or inf gradient, or a
     * learning rate that overshoots): the last one written stays the last
     * good one. */
    const clae_model *m = n->m;
    for (size_t i = 0; i < m->block_floats; i++)
        if (!isfinite(m->params[i])) {
            fprintf(stderr, "clae: training diverged: a parameter is %g after Adam step %ld; %s "
                    "not written (the checkpoint there is the last good one)\n",
                    (double)m->params[i], n->t, path);
            return CLAE_ERR_NUMERIC;
        }
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    meta.epoch = epoch;
    meta.step = n->t;
    meta.seed = o->seed;
    meta.rng = o->seed; /* batch order is a function of (seed, epoch) alone */
    meta.best_val_loss = best;
    meta.val_loss = val;
    meta.train_loss = train;
    /* Where inside the epoch a stopped run is, so a resume continues exactly. */
    char buf[64];
    snprintf(buf, sizeof buf, "%ld", epoch_step);
    clae_status st = clae_ckpt_meta_set(&meta, "epoch_step", buf);
    snprintf(buf, sizeof buf, "%.17g", loss_sum);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(&meta, "epoch_loss_sum", buf);
    if (st == CLAE_OK && hline && *hline) st = clae_ckpt_meta_set(&meta, "history", hline);
    for (int i = 0; st == CLAE_OK && i < o->nrun; i++)
        st = clae_ckpt_meta_set(&meta, o->run_keys[i], o->run_vals[i]);
    snprintf(buf, sizeof buf, "%.9g", (double)m->net.adam.lr);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(&meta, "lr", buf);
    snprintf(buf, sizeof buf, "%ld,%ld", pl->wait, pl->lr_wait);
    if (st == CLAE_OK) st = clae_ckpt_meta_set(&meta, "plateau", buf);
    if (st == CLAE_OK && !clae_classes_empty(&m->train.classes)) { /* what it was trained on */
        char cls[1024];
        clae_classes_format(&m->train.classes, cls, sizeof cls);
        st = clae_ckpt_meta_set(&meta, "classes", cls);
    }
    if (st == CLAE_OK) st = clae_ckpt_save(path, n->m, &meta, 1);
    clae_ckpt_meta_free(&meta);
    return st;
}

/* ---- the loop ------------------------------------------------------------ */

/* Lock OUT for this run: OUT/.lock, held with flock() (released by the
 * kernel when the process ends, however it ends) and holding the pid. A
 * second run into the same folder is refused, naming the holder. Returns
 * the descriptor to close at the end, or -1 after one line. */
static int lock_out(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "clae: %s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        char buf[32] = "";
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        if (err == EWOULDBLOCK)
            fprintf(stderr, "clae: %s is in use by another run (pid %s); choose another --out\n",
                    dir, buf[0] ? buf : "unknown");
        else
            fprintf(stderr, "clae: %s: cannot lock: %s\n", path, strerror(err));
        close(fd);
        return -1;
    }
    char pid[32];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
        fprintf(stderr, "clae: %s: cannot write: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

/* The files of a run in a folder. */
static const char *const RUN_FILES[] = {"last.safetensors", "best.safetensors", "history.jsonl",
                                        "history.csv"};

clae_status clae_train_claim_out(const char *dir, int overwrite)
{
    char found[256] = "", path[1100];
    size_t at = 0;
    for (size_t i = 0; i < sizeof RUN_FILES / sizeof RUN_FILES[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, RUN_FILES[i]);
        if (access(path, F_OK) != 0) continue;
        if (overwrite) {
            if (unlink(path) != 0) {
                fprintf(stderr, "clae: %s: cannot remove: %s\n", path, strerror(errno));
                return CLAE_ERR_IO;
            }
            continue;
        }
        at += (size_t)snprintf(found + at, sizeof found - at, "%s%s", at ? ", " : "",
                               RUN_FILES[i]);
    }
    if (overwrite) { /* its --samples figures, OUT/samples/epoch-NNNN.png */
        snprintf(path, sizeof path, "%s/samples", dir);
        DIR *dh = opendir(path);
        struct dirent *e;
        while (dh && (e = readdir(dh)) != NULL) {
            unsigned no;
            char tail[8];
            if (sscanf(e->d_name, "epoch-%u.%7s", &no, tail) != 2 || strcmp(tail, "png") != 0)
                continue;
            char file[1400];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            (void)unlink(file);
        }
        if (dh) closedir(dh);
    }
    if (!found[0]) return CLAE_OK;
    fprintf(stderr, "clae: %s already holds a run (%s): continue it with --resume %s/last."
            "safetensors, choose another --out, or replace it with --overwrite\n", dir, found,
            dir);
    return CLAE_ERR_ARG;
}

static clae_status train_locked(clae_model *m, clae_device *d, const clae_dataset *train,
                                const clae_dataset *test, const clae_train_opts *o,
                                volatile sig_atomic_t *stop, clae_train_result *res);

clae_status clae_train(clae_model *m, clae_device *d, const clae_dataset *train,
                       const clae_dataset *test, const clae_train_opts *o,
                       volatile sig_atomic_t *stop, clae_train_result *res)
{
    memset(res, 0, sizeof *res);
    /* (clae_dataset_load checked this already, naming the data folder) */
    const clae_dataset *sets[2] = {train, test};
    for (int k = 0; k < 2; k++) {
        const clae_dataset *s = sets[k];
        if (s && (s->H != m->net.H || s->W != m->net.W || s->C != m->net.C)) {
            fprintf(stderr, "clae: %s: the input is %d,%d,%d, the %s images are %dx%dx%d\n",
                    m->name, m->net.H, m->net.W, m->net.C, k ? "test" : "training", s->H, s->W,
                    s->C);
            return CLAE_ERR_ARG;
        }
    }
    size_t outlen = strlen(o->out_dir);
    if (outlen == 0 || outlen > CLAE_TRAIN_MAX_OUT) {
        fprintf(stderr, "clae: output folder path of %zu characters: expected 1 to %d\n", outlen,
                CLAE_TRAIN_MAX_OUT);
        return CLAE_ERR_ARG;
    }
    if (o->dist && o->dist->rank != 0) { /* rank 0 writes the run's files */
        if (o->start_epoch < o->epochs) return train_locked(m, d, train, test, o, stop, res);
        res->epochs_done = o->start_epoch;
        res->train_loss = res->val_loss = res->test_mse = res->test_accuracy = NAN;
        return CLAE_OK;
    }
    if (clae_mkdir_p(o->out_dir, 0755) != 0) {
        fprintf(stderr, "clae: %s: cannot create output folder\n", o->out_dir);
        return CLAE_ERR_IO;
    }
    int lock = lock_out(o->out_dir);
    if (lock < 0) return CLAE_ERR_IO;
    remove_stale_temps(o->out_dir);
    if (!o->continues && clae_train_claim_out(o->out_dir, o->overwrite) != CLAE_OK) {
        close(lock);
        return CLAE_ERR_ARG;
    }
    /* The history goes no further than the checkpoint a run starts from (and
     * a fresh run starts it afresh, as it does last.safetensors). */
    char hp[1100];
    snprintf(hp, sizeof hp, "%s/history.jsonl", o->out_dir);
    clae_status st = clae_history_keep(hp, o->start_epoch,
                                       o->start_epoch > 0 ? o->history_line : NULL);
    if (st == CLAE_OK) history_csv(o->out_dir);
    if (st == CLAE_OK && o->start_epoch >= o->epochs) { /* nothing left but that history line */
        res->epochs_done = o->start_epoch;
        res->steps = o->adam_t;
        res->train_loss = res->val_loss = res->test_mse = res->test_accuracy = NAN;
    } else if (st == CLAE_OK) {
        st = train_locked(m, d, train, test, o, stop, res);
    }
    close(lock);
    return st;
}

static clae_status train_locked(clae_model *m, clae_device *d, const clae_dataset *train,
                                const clae_dataset *test, const clae_train_opts *o,
                                volatile sig_atomic_t *stop, clae_train_result *res)
{
    const double t_call = now_s();
    size_t total = train->n;
    if (o->limit > 0 && (size_t)o->limit < total) total = (size_t)o->limit;
    size_t ntest = test ? test->n : 0;
    if (o->limit > 0 && (size_t)o->limit < ntest) ntest = (size_t)o->limit;
    /* Keras validation_split: the last fraction of the array, before shuffling. */
    size_t ntrain = (size_t)((double)total * (1.0 - m->train.validation_split));
    size_t nval = total - ntrain;
    if (ntrain == 0) {
        fprintf(stderr, "clae: no training images left after the validation split\n");
        return CLAE_ERR_ARG;
    }
    int B = m->net.batch;
    if ((size_t)B > ntrain) B = (int)ntrain;
    long steps = (long)((ntrain + (size_t)B - 1) / (size_t)B);
    long hist_cap = steps;
    long vsteps = (long)((nval + (size_t)B - 1) / (size_t)B);
    long tsteps = (long)((ntest + (size_t)B - 1) / (size_t)B);
    if (vsteps > hist_cap) hist_cap = vsteps;
    if (tsteps > hist_cap) hist_cap = tsteps;

    clae_net net;
    feeder f;
    history hs;
    memset(&f, 0, sizeof f);
    memset(&hs, 0, sizeof hs);
    uint32_t *order = malloc(ntrain * sizeof *order);
    /* a classifier reads its outputs back on the test set too (its accuracy) */
    const int need_out = nval || m->train.labels;
    const size_t per = clae_model_in_count(m); /* floats an image */
    float *val_out = need_out ? malloc(2 * (size_t)B * per * sizeof(float)) : NULL;
    if (!order || (need_out && !val_out)) {
        free(order);
        free(val_out);
        return CLAE_ERR_NOMEM;
    }
    clae_dist *dist = o->dist && o->dist->size > 1 ? o->dist : NULL;
    const int rank0 = !dist || dist->rank == 0; /* writes checkpoints and history */
    exchange xg = {.dist = dist, .stop = stop};
    clae_status st = CLAE_OK;
    if (dist) {
        size_t last = ntrain % (size_t)B ? ntrain % (size_t)B : (size_t)B;
        if (last < (size_t)dist->size) {
            fprintf(stderr, "clae: rank %d: a batch of %zu images cannot be split over %d ranks "
                    "(batch %d, %zu training images): use a batch or --limit that leaves each "
                    "rank an image\n", dist->rank, last, dist->size, B, ntrain);
            st = CLAE_ERR_ARG;
        }
        /* every rank starts from rank 0's weights and optimizer state */
        if (st == CLAE_OK) st = clae_dist_bcast(dist, m->params, m->block_floats);
        if (st == CLAE_OK) st = clae_dist_bcast(dist, m->adam_m, m->block_floats);
        if (st == CLAE_OK) st = clae_dist_bcast(dist, m->adam_v, m->block_floats);
    }
    if (st == CLAE_OK) st = clae_net_create(&net, m, d, B);
    if (st != CLAE_OK) {
        free(order);
        free(val_out);
        return st;
    }
    if (dist) {
        net.grad_hook = exchange_grads;
        net.grad_user = &xg;
    }
    net.t = o->adam_t;
    net.seed = o->seed;
    st = feeder_init(&f, &net, m, o->seed);
    if (st == CLAE_OK) st = history_init(&hs, &net, hist_cap);
    const unsigned term_mask = clae_model_term_mask(m);
    /* a classifier (target = labels): K outputs, accuracy instead of PSNR */
    const int classes = m->train.labels ? (int)clae_layer_out_count(&m->layers[m->nlayers - 1]) : 0;
    double train_terms[CLAE_NTERMS];
    clae_train_event start = {.kind = CLAE_TRAIN_START, .model = m->name, .device = d->name,
                              .ntrain = ntrain, .nval = nval, .ntest = ntest, .batch = B,
                              .steps = steps, .epochs = o->epochs};
    if (st == CLAE_OK) report(o, &start);

    double best = o->best_val, val = NAN, tl = NAN;
    char hline[HISTORY_LINE_MAX] = ""; /* the last completed epoch's history line */
    if (o->history_line) snprintf(hline, sizeof hline, "%s", o->history_line);
    long run_steps = 0;
    long epoch = o->start_epoch;
    plateau pl = {.wait = o->start_wait, .lr_wait = o->start_lr_wait};
    double t_start = now_s();
    while (st == CLAE_OK && epoch < o->epochs) {
        double t0 = now_s();
        long s0 = epoch == o->start_epoch ? o->start_epoch_step : 0;
        if (s0 < 0 || s0 >= steps) {
            fprintf(stderr, "clae: the checkpoint stopped at step %ld of an epoch, but this run has "
                            "%ld steps per epoch (batch or data size changed)\n", s0, steps);
            st = CLAE_ERR_ARG;
            break;
        }
        double carried = epoch == o->start_epoch ? o->start_loss_sum : 0.0;
        clae_epoch_order(order, ntrain, o->seed, epoch, o->shuffle);
        int nb0 = (int)(ntrain - (size_t)s0 * B < (size_t)B ? ntrain - (size_t)s0 * B : (size_t)B);
        const uint64_t ekey = (uint64_t)epoch << 32;
        int lo, cnt; /* this rank's part of the batch (all of it alone) */
        rank_part(dist, nb0, &lo, &cnt);
        if (s0 < steps)
            st = feeder_prepare(&f, (int)(s0 % 2), train, 0, order + s0 * B + lo, cnt,
                                ekey + (uint64_t)s0);
        long s = s0;
        int early = 0;
        progress pg = {.o = o, .t0 = t0, .shown = NAN};
        for (; st == CLAE_OK && s < steps; s++) {
            int k = (int)(s % 2);
            size_t first = (size_t)s * B;
            int nb = (int)(ntrain - first < (size_t)B ? ntrain - first : (size_t)B);
            rank_part(dist, nb, &lo, &cnt);
            xg.nb = nb;
            xg.cnt = cnt;
            if ((st = feeder_consume(&f, k, cnt)) != CLAE_OK) break;
            if ((st = clae_net_train_step(&net, cnt)) != CLAE_OK) break;
            if ((st = history_put(&hs, &net, s)) != CLAE_OK) break;
            if (s + 1 < steps) {
                size_t nf = first + (size_t)B;
                int nbn = (int)(ntrain - nf < (size_t)B ? ntrain - nf : (size_t)B), lon, cntn;
                rank_part(dist, nbn, &lon, &cntn);
                if ((st = feeder_prepare(&f, 1 - k, train, 0, order + nf + lon, cntn,
                                         ekey + (uint64_t)(s + 1))) != CLAE_OK)
                    break;
            }
            if ((st = clae_flush(d, NULL)) != CLAE_OK) break;
            if (++run_steps == 1) { /* start-up cost: device, kernels, data, one step */
                if ((st = clae_finish(d)) != CLAE_OK) break;
                clae_train_event ready = {.kind = CLAE_TRAIN_READY,
                                          .seconds = now_s() - (o->launch_s > 0 ? o->launch_s
                                                                                : t_call)};
                report(o, &ready);
            }
            progress_update(&pg, &hs, &net, epoch, s, steps, s0, B);
            /* every rank of a data-parallel run stops at the same step */
            int stopped = dist ? xg.stop_all : (stop && *stop);
            if ((o->max_steps > 0 && run_steps >= o->max_steps) || stopped) {
                early = stopped ? 2 : 1;
                s++;
                break;
            }
        }
        progress_end(&pg);
        if (st != CLAE_OK) break;
        double sum;
        if ((st = history_sum(&hs, d, s0, s, ntrain, B, carried, dist, &sum)) != CLAE_OK) break;
        /* The first non-finite batch loss stops the run; the losses are read
         * here, once per epoch, so this costs no round-trip per step. */
        for (long i = s0; i < s; i++)
            if (!isfinite(hs.h[i])) {
                fprintf(stderr, "clae: training diverged: the loss is %g at epoch %ld, step %ld; "
                        "stopped without writing a checkpoint (%s/last.safetensors, if any, is "
                        "the last good one)\n",
                        (double)hs.h[i], epoch + 1, i + 1, o->out_dir);
                st = CLAE_ERR_NUMERIC;
                break;
            }
        if (st != CLAE_OK) break;
        if (early && s < steps) {
            /* Stopped inside the epoch: save where we are, resumable exactly. */
            res->stopped = early;
            if (rank0)
                st = save(&net, o->out_dir, "last.safetensors", epoch, s, sum, o, best, val,
                          sum / (double)((size_t)s * B), hline, &pl, res->last_path,
                          sizeof res->last_path);
            res->epochs_done = epoch;
            break;
        }
        tl = sum / (double)ntrain;
        memcpy(train_terms, hs.tmean, sizeof train_terms);
        double t_trained = now_s(); /* images/s counts the training steps only */
        val_metrics vm = {.out = val_out,
                          .target = val_out ? val_out + (size_t)B * per : NULL,
                          .classes = classes};
        if ((st = evaluate(&f, &hs, train, ntrain, nval, &val, val_out ? &vm : NULL)) != CLAE_OK)
            break;
        epoch++;
        double dt = now_s() - t0;
        double ips = (double)(ntrain - (size_t)s0 * B) / (t_trained - t0);
        int is_best = nval > 0 && isfinite(val) && val < best; /* a NaN never wins */
        if (is_best) best = val;
        /* Keras's EarlyStopping and ReduceLROnPlateau on val_loss (an
         * improvement: any lower value): the epochs in a row without one. */
        const clae_train_config *tc = &m->train;
        const double lr = m->net.adam.lr;
        int early_stop = 0;
        if (nval > 0) {
            pl.wait = is_best ? 0 : pl.wait + 1;
            pl.lr_wait = is_best ? 0 : pl.lr_wait + 1;
            if (tc->lr_patience > 0 && pl.lr_wait >= tc->lr_patience) {
                double next = lr * tc->lr_factor;
                if (next < tc->lr_min) next = tc->lr_min;
                if (next < lr && next >= 1e-37) m->net.adam.lr = (float)next;
                pl.lr_wait = 0;
            }
            early_stop = tc->patience > 0 && pl.wait >= tc->patience && epoch < o->epochs;
        }
        double psnr = vm.images && !classes ? vm.psnr_sum / (double)vm.images : NAN;
        double acc = vm.pixels ? (double)vm.correct / (double)vm.pixels : NAN;
        clae_train_event ev = {.kind = CLAE_TRAIN_EPOCH, .epoch = epoch, .epochs = o->epochs,
                               .train_loss = tl, .val_loss = val, .val_psnr = psnr,
                               .val_accuracy = acc, .is_best = is_best, .images_per_s = ips,
                               .seconds = dt, .total_seconds = now_s() - t_start,
                               .term_mask = term_mask, .train_terms = train_terms,
                               .val_terms = nval > 0 ? hs.tmean : NULL, .lr = lr,
                               .next_lr = m->net.adam.lr, .since_best = pl.wait,
                               .early_stop = early_stop};
        report(o, &ev);
        history_terms ht = {.mask = term_mask, .train = train_terms,
                            .val = nval > 0 ? hs.tmean : NULL};
        history_line(hline, epoch, tl, val, psnr, acc, ips, dt, net.t, lr, &ht);
        /* best before last: a run killed between them resumes from the
         * previous last.safetensors and writes this epoch's best again. */
        if (rank0 && (is_best || nval == 0)) {
            char bp[1024];
            if ((st = save(&net, o->out_dir, "best.safetensors", epoch, 0, 0.0, o, best, val, tl,
                           hline, &pl, bp, sizeof bp)) != CLAE_OK)
                break;
        }
        if (rank0 && (st = save(&net, o->out_dir, "last.safetensors", epoch, 0, 0.0, o, best,
                                val, tl, hline, &pl, res->last_path,
                                sizeof res->last_path)) != CLAE_OK)
            break;
        /* Only once the epoch's checkpoints are safely written: a failed write
         * leaves no history line past the last checkpoint (and one killed
         * before this line gets it back from the checkpoint on resume). */
        if (rank0) history_append(o->out_dir, hline);
        clae_train_event saved = {.kind = CLAE_TRAIN_SAVED, .epoch = epoch,
                                  .epochs = o->epochs, .path = res->last_path};
        if (rank0) report(o, &saved);
        if (early || early_stop) {
            res->stopped = early ? early : 3;
            break;
        }
    }
    res->epochs_done = epoch;
    res->steps = net.t;
    res->train_loss = tl;
    res->val_loss = val;
    res->test_mse = res->test_accuracy = NAN;
    if (st == CLAE_OK && (!res->stopped || res->stopped == 3) && test && ntest > 0) {
        val_metrics tm = {.out = val_out, .classes = classes};
        st = evaluate(&f, &hs, test, 0, ntest, &res->test_mse, classes ? &tm : NULL);
        if (term_mask > 1u) res->test_mse = hs.tmean[CLAE_TERM_RECON];
        res->test_accuracy = tm.images ? (double)tm.correct / (double)tm.images : NAN;
        clae_train_event ev = {.kind = CLAE_TRAIN_TEST, .test_mse = res->test_mse, .ntest = ntest,
                               .test_accuracy = res->test_accuracy};
        if (st == CLAE_OK) report(o, &ev);
    }
    (void)clae_finish(d);
    history_free(&hs);
    feeder_free(&f);
    clae_net_free(&net);
    free(order);
    free(val_out);
    return st;
}
