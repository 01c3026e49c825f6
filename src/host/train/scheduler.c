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
 * the other slot. The loss history is read once per epoch.
 *
 * Here: the epoch loop and what ends an epoch (validation, reduce on
 * plateau, early stopping, checkpoints, history); the parts it drives are
 * in src/host/train/ (internal.h). */
#include "clae/train.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/fs.h"
#include "clae/history.h"
#include "internal.h"

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

/* Of `wall` seconds of training, those not spent compiling kernels (the
 * wall time itself if the compile clock ever says more). */
static double train_seconds(double wall, double compiled)
{
    return compiled > 0 && compiled < wall ? wall - compiled : wall;
}

/* ---- watching ----------------------------------------------------------- */

/* STEP events, a few times a second: steps, the latest loss, images/s and
 * the time left. The loss reported is the latest one already copied back
 * without waiting: each event starts a non-blocking read of the newest loss
 * and reports it at the next. */
typedef struct progress {
    const clae_train_opts *o;
    long epochs;
    double t0, last;
    double c0; /* the device's compile seconds at t0: rates leave them out */
    float shown;
    float pending;
    cl_event ev;
} progress;

static void report(const clae_train_opts *o, const clae_train_event *e)
{
    if (o->report) o->report(e, o->report_user);
}

static void progress_update(progress *p, loss_history *hs, clae_net *n, long epoch, long s,
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
    t -= clae_compile_seconds(n->d) - p->c0;
    clae_train_event e = {.kind = CLAE_TRAIN_STEP, .epoch = epoch, .epochs = p->epochs,
                          .step = s + 1, .steps = steps, .loss = p->shown,
                          /* one step's rate is mostly launch and upload: none until two */
                          .images_per_s = done >= 2 ? done * B / (t - p->t0) : NAN,
                          .eta_s = (double)(steps - s - 1) * (t - p->t0) / done};
    report(p->o, &e);
}

static void progress_end(progress *p) { (void)clae_event_wait(&p->ev); }

/* ---- one run ------------------------------------------------------------- */

/* What a run holds while it trains. */
typedef struct trainer {
    clae_model *m;
    clae_device *d;
    const clae_dataset *train, *test;
    const clae_train_opts *o;
    clae_run *run;                /* where the run stands; each checkpoint's metadata */
    volatile sig_atomic_t *stop;
    clae_train_result *res;
    size_t ntrain, nval, ntest;   /* the split (--limit and --classes already applied) */
    int B;                        /* the batch (the training images, if fewer) */
    long steps;                   /* per epoch */
    long hist_cap;                /* batches of the longest pass */
    clae_net net;
    int net_made;
    feeder f;
    loss_history hs;
    uint32_t *order;              /* the epoch's batch order */
    /* a classifier reads its outputs back on the test set too (its accuracy) */
    float *val_out;               /* 2 B images: outputs, targets (val_metrics) */
    size_t per;                   /* floats an image */
    int classes;                  /* a classifier's K (target = labels), else 0 */
    unsigned term_mask;
    clae_dist *dist;              /* NULL: this process alone */
    int rank0;                    /* writes checkpoints and history */
    exchange xg;
    double t_call, t_start;
    double compile0;              /* the device's compile seconds when the epoch began */
    long run_steps;               /* steps taken by this process */
    double tl;                    /* the last completed epoch's training loss (NAN: none) */
    float *best_keep;             /* [train] restore_best: the best epoch's parameters (NULL:
                                     none in this process) */
    const clae_train_branches *br; /* a model with branches: each one's images (else NULL) */
    epoch_plan plan;              /* each step's images (and branch) */
    double branch_loss[CLAE_MAX_BRANCHES]; /* the last pass's loss of each branch */
} trainer;

/* The split and the batch: the last validation_split of the training
 * images (Keras's validation_split: before shuffling) for validation. */
static clae_status trainer_sizes(trainer *t)
{
    const clae_model *m = t->m;
    size_t total = t->train->n;
    t->ntest = t->test ? t->test->n : 0;
    t->ntrain = (size_t)((double)total * (1.0 - m->train.validation_split));
    t->nval = total - t->ntrain;
    if (m->nbranches > 0 && !t->br) { /* the caller's mistake: no data of the branches */
        fprintf(stderr, "clae: %s has branches: clae_train needs their data (opts.branches)\n",
                m->name);
        return CLAE_ERR_ARG;
    }
    if (t->br) { /* each branch split apart: the training images, then the validation ones */
        if (t->dist) {
            fprintf(stderr, "clae: a model with branches trains in one process (not under "
                    "mpirun)\n");
            return CLAE_ERR_ARG;
        }
        t->ntrain = t->nval = 0;
        for (int k = 0; k < t->br->n; k++)
            t->ntrain += t->br->train_n[k], t->nval += t->br->val_n[k];
    }
    if (t->ntrain == 0) {
        fprintf(stderr, "clae: no training images left after the validation split\n");
        return CLAE_ERR_ARG;
    }
    size_t B = (size_t)m->net.batch;
    if (B > t->ntrain) B = t->ntrain;
    t->B = (int)B;
    CLAE_TRY(epoch_plan_init(&t->plan, t->br, t->ntrain, t->B));
    t->steps = t->plan.steps;
    long vsteps = (long)((t->nval + B - 1) / B), tsteps = (long)((t->ntest + B - 1) / B);
    t->hist_cap = t->steps;
    if (vsteps > t->hist_cap) t->hist_cap = vsteps;
    if (tsteps > t->hist_cap) t->hist_cap = tsteps;
    if (t->dist) {
        size_t last = t->ntrain % B ? t->ntrain % B : B;
        if (last < (size_t)t->dist->size) {
            fprintf(stderr, "clae: rank %d: a batch of %zu images cannot be split over %d ranks "
                    "(batch %d, %zu training images): use a batch or --limit that leaves each "
                    "rank an image\n", t->dist->rank, last, t->dist->size, t->B, t->ntrain);
            return CLAE_ERR_ARG;
        }
    }
    return CLAE_OK;
}

/* [train] normalize: the run's min-max pair (a new run's from its training
 * images, those before the validation split; a resumed run keeps its own)
 * into the model, which the feeder reads. */
static clae_status trainer_normalize(trainer *t)
{
    clae_normalize *nz = &t->m->train.norm;
    clae_run *r = t->run;
    if (nz->kind == CLAE_NORM_NONE) return CLAE_OK;
    if (!r->norm.ready) {
        const size_t whole[1] = {0}, n[1] = {t->ntrain};
        const int nr = t->br ? t->br->n : 1;
        CLAE_TRY(clae_norm_pair(t->train, t->br ? t->br->train_from : whole,
                                t->br ? t->br->train_n : n, nr, &r->norm.lo, &r->norm.hi));
        r->norm.kind = nz->kind, r->norm.ready = 1;
    }
    nz->lo = r->norm.lo, nz->hi = r->norm.hi, nz->ready = 1;
    return CLAE_OK;
}

/* The net, its feeder and loss history, the buffers; the START event. */
static clae_status trainer_open(trainer *t)
{
    clae_model *m = t->m;
    t->order = malloc(t->ntrain * sizeof *t->order);
    const int need_out = t->nval || m->train.labels;
    t->per = clae_model_in_count(m);
    t->val_out = need_out ? malloc(2 * (size_t)t->B * t->per * sizeof(float)) : NULL;
    if (!t->order || (need_out && !t->val_out)) return CLAE_ERR_NOMEM;
    if (t->dist) { /* every rank starts from rank 0's weights and optimizer state */
        CLAE_TRY(clae_dist_bcast(t->dist, m->params, m->block_floats));
        CLAE_TRY(clae_dist_bcast(t->dist, m->adam_m, m->block_floats));
        CLAE_TRY(clae_dist_bcast(t->dist, m->adam_v, m->block_floats));
    }
    m->net.adam.lr = t->run->lr; /* the run's rate is the optimizer's */
    CLAE_TRY(clae_net_create(&t->net, m, t->d, t->B));
    t->net_made = 1;
    if (t->dist) {
        t->net.grad_hook = exchange_grads;
        t->net.grad_user = &t->xg;
    }
    t->net.t = t->run->step;
    t->net.seed = t->run->seed;
    clae_status st = feeder_init(&t->f, &t->net, m, t->run->seed);
    if (st == CLAE_OK) st = loss_history_init(&t->hs, &t->net, t->hist_cap);
    t->term_mask = clae_model_term_mask(m);
    t->classes = m->train.labels ? (int)clae_layer_out_count(&m->layers[m->nlayers - 1]) : 0;
    clae_train_event start = {.kind = CLAE_TRAIN_START, .model = m->name, .device = t->d->name,
                              .ntrain = t->ntrain, .nval = t->nval, .ntest = t->ntest,
                              .batch = t->B, .steps = t->steps, .epochs = t->run->epochs};
    if (st == CLAE_OK) report(t->o, &start);
    return st;
}

static void trainer_close(trainer *t)
{
    (void)clae_finish(t->d);
    loss_history_free(&t->hs);
    feeder_free(&t->f);
    if (t->net_made) clae_net_free(&t->net);
    free(t->order);
    free(t->val_out);
    free(t->best_keep);
    epoch_plan_free(&t->plan);
}

/* Images [first, first + B) of the epoch's order, or fewer at its end:
 * this rank's part into slot k, uploading. */
static clae_status feed_batch(trainer *t, int k, long s)
{
    const size_t first = t->plan.first[s];
    const int nb = t->plan.nb[s];
    int lo, cnt; /* this rank's part of the batch (all of it alone) */
    batch_rank_part(t->dist, nb, &lo, &cnt);
    return feeder_prepare(&t->f, k, t->train, 0, t->order + first + lo, cnt,
                          ((uint64_t)t->run->epoch << 32) + (uint64_t)s);
}

/* The steps of the running epoch from step s0 on, until its end, --max-steps
 * or a signal (*early 1 or 2); *s: the steps done in the epoch. */
static clae_status epoch_steps(trainer *t, long s0, double t0, long *s_out, int *early)
{
    clae_status st = CLAE_OK;
    const long steps = t->steps;
    const int B = t->B;
    if (s0 < steps) st = feed_batch(t, (int)(s0 % 2), s0);
    long s = s0;
    progress pg = {.o = t->o, .epochs = t->run->epochs, .t0 = t0, .shown = NAN,
                   .c0 = t->compile0};
    for (; st == CLAE_OK && s < steps; s++) {
        int k = (int)(s % 2), lo, cnt;
        const int nb = t->plan.nb[s];
        batch_rank_part(t->dist, nb, &lo, &cnt);
        t->xg.nb = nb;
        t->xg.cnt = cnt;
        if ((st = feeder_consume(&t->f, k, cnt)) != CLAE_OK) break;
        if (t->br && (st = clae_net_set_branch(&t->net, t->plan.branch[s])) != CLAE_OK) break;
        if ((st = clae_net_train_step(&t->net, cnt)) != CLAE_OK) break;
        if ((st = loss_history_put(&t->hs, &t->net, s)) != CLAE_OK) break;
        if (s + 1 < steps && (st = feed_batch(t, 1 - k, s + 1)) != CLAE_OK) break;
        if ((st = clae_flush(t->d, NULL)) != CLAE_OK) break;
        if (++t->run_steps == 1) { /* start-up cost: device, kernels, data, one step */
            if ((st = clae_finish(t->d)) != CLAE_OK) break;
            double since = t->o->launch_s > 0 ? t->o->launch_s : t->t_call;
            clae_train_event ready = {.kind = CLAE_TRAIN_READY, .seconds = now_s() - since};
            report(t->o, &ready);
        }
        progress_update(&pg, &t->hs, &t->net, t->run->epoch, s, steps, s0, B);
        /* every rank of a data-parallel run stops at the same step */
        int stopped = t->dist ? t->xg.stop_all : (t->stop && *t->stop);
        if ((t->o->max_steps > 0 && t->run_steps >= t->o->max_steps) || stopped) {
            *early = stopped ? 2 : 1;
            s++;
            break;
        }
    }
    progress_end(&pg);
    *s_out = s;
    return st;
}

/* The first non-finite batch loss of steps [s0, s) stops the run; the
 * losses are read once per epoch, so this costs no round-trip per step. */
static clae_status check_losses(const trainer *t, long s0, long s)
{
    for (long i = s0; i < s; i++)
        if (!isfinite(t->hs.h[i])) {
            fprintf(stderr, "clae: training diverged: the loss is %g at epoch %ld, step %ld; "
                    "stopped without writing a checkpoint (%s/last.safetensors, if any, is "
                    "the last good one)\n",
                    (double)t->hs.h[i], t->run->epoch + 1, i + 1, t->o->out_dir);
            return CLAE_ERR_NUMERIC;
        }
    return CLAE_OK;
}

/* Keras's EarlyStopping and ReduceLROnPlateau on val_loss (an improvement:
 * any lower value): the epochs in a row without one, the rate lowered
 * after lr_patience of them; 1 when patience says stop. */
static int plateau_step(trainer *t, int is_best)
{
    const clae_train_config *tc = &t->m->train;
    clae_run *r = t->run;
    if (t->nval == 0) return 0;
    r->wait = is_best ? 0 : r->wait + 1;
    r->lr_wait = is_best ? 0 : r->lr_wait + 1;
    if (tc->lr_patience > 0 && r->lr_wait >= tc->lr_patience) {
        const double lr = r->lr;
        double next = lr * tc->lr_factor;
        if (next < tc->lr_min) next = tc->lr_min;
        if (next < lr && next >= 1e-37) r->lr = (float)next;
        t->m->net.adam.lr = r->lr;
        r->lr_wait = 0;
    }
    return tc->patience > 0 && r->wait >= tc->patience && r->epoch < r->epochs;
}

/* best.safetensors (a new best, or every epoch without validation), then
 * last.safetensors, then the history line: a run killed between them
 * resumes from the previous last.safetensors and writes them again, and a
 * failed write leaves no history line past the last checkpoint. */
static clae_status save_epoch(trainer *t, int is_best)
{
    if (!t->rank0) return CLAE_OK;
    if (is_best || t->nval == 0) {
        char bp[1024];
        CLAE_TRY(save_checkpoint(&t->net, t->o->out_dir, "best.safetensors", t->run, bp,
                                 sizeof bp));
    }
    CLAE_TRY(save_checkpoint(&t->net, t->o->out_dir, "last.safetensors", t->run,
                             t->res->last_path, sizeof t->res->last_path));
    history_jsonl_append(t->o->out_dir, t->run->history);
    clae_train_event saved = {.kind = CLAE_TRAIN_SAVED, .epoch = t->run->epoch,
                              .epochs = t->run->epochs, .path = t->res->last_path};
    report(t->o, &saved);
    return CLAE_OK;
}

/* A validation or test pass over ds: images [base, base + count), or with
 * branches each branch's own (from[k], n[k]) through its path, their losses
 * into t->branch_loss and their mean (over the images) into *mse. */
static clae_status branch_passes(trainer *t, const clae_dataset *ds, size_t base,
                                 const size_t *from, const size_t *n, size_t count, double *mse,
                                 val_metrics *vm)
{
    if (!t->br) return evaluate_pass(&t->f, &t->hs, ds, base, count, mse, vm);
    double sum = 0;
    size_t images = 0;
    for (int k = 0; k < t->br->n; k++) {
        t->branch_loss[k] = NAN;
        if (n[k] == 0) continue;
        CLAE_TRY(clae_net_set_branch(&t->net, k));
        CLAE_TRY(evaluate_pass(&t->f, &t->hs, ds, from[k], n[k], &t->branch_loss[k], vm));
        sum += t->branch_loss[k] * (double)n[k];
        images += n[k];
    }
    *mse = images ? sum / (double)images : NAN;
    return CLAE_OK;
}

/* An epoch's training done (steps s0 to its end, the loss sum `sum`, from
 * t0, its steps ending at t_trained): validation, the plateau counters,
 * the EPOCH event, the history line and the checkpoints. *early_stop: 1
 * when [train] patience stops the run. */
static clae_status epoch_end(trainer *t, long s0, double sum, double t0, int *early_stop)
{
    clae_run *r = t->run;
    const int B = t->B;
    double train_terms[CLAE_NTERMS], val = NAN;
    t->tl = sum / (double)t->ntrain;
    memcpy(train_terms, t->hs.tmean, sizeof train_terms);
    double t_trained = now_s(); /* images/s counts the training steps only */
    /* and the images' time: kernel compiles (a cold cache's first epoch) left out */
    const double compiled = clae_compile_seconds(t->d) - t->compile0;
    val_metrics vm = {.out = t->val_out,
                      .target = t->val_out ? t->val_out + (size_t)B * t->per : NULL,
                      .classes = t->classes};
    CLAE_TRY(branch_passes(t, t->train, t->ntrain, t->br ? t->br->val_from : NULL,
                           t->br ? t->br->val_n : NULL, t->nval, &val, t->val_out ? &vm : NULL));
    r->val_loss = val;
    r->train_loss = t->tl;
    r->epoch++;
    r->epoch_step = 0;
    r->epoch_loss_sum = 0.0;
    r->step = t->net.t;
    double dt = now_s() - t0;
    const size_t before = s0 < t->steps ? t->plan.first[s0] : t->ntrain; /* a resume's */
    double ips = (double)(t->ntrain - before) / train_seconds(t_trained - t0, compiled);
    int is_best = t->nval > 0 && isfinite(val) && val < r->best_val; /* a NaN never wins */
    if (is_best) r->best_val = val, r->best_epoch = r->epoch;
    if (is_best && t->m->train.restore_best)
        CLAE_TRY(best_weights_keep(&t->net, &t->best_keep));
    const double lr = r->lr;
    *early_stop = plateau_step(t, is_best);
    double psnr = vm.images && !t->classes ? vm.psnr_sum / (double)vm.images : NAN;
    double acc = vm.pixels ? (double)vm.correct / (double)vm.pixels : NAN;
    const double *val_terms = t->nval > 0 ? t->hs.tmean : NULL;
    clae_train_event ev = {.kind = CLAE_TRAIN_EPOCH, .epoch = r->epoch, .epochs = r->epochs,
                           .train_loss = t->tl, .val_loss = val, .val_psnr = psnr,
                           .val_accuracy = acc, .is_best = is_best, .images_per_s = ips,
                           .seconds = dt, .total_seconds = now_s() - t->t_start,
                           .compile_seconds = clae_compile_seconds(t->d) - t->compile0,
                           .term_mask = t->term_mask, .train_terms = train_terms,
                           .val_terms = val_terms, .lr = lr, .next_lr = r->lr,
                           .since_best = r->wait, .early_stop = *early_stop,
                           .best_epoch = r->best_epoch,
                           .branch_loss = t->br && t->nval > 0 ? t->branch_loss : NULL};
    report(t->o, &ev);
    history_terms ht = {.mask = t->term_mask, .train = train_terms, .val = val_terms};
    history_jsonl_line(r->history, r->epoch, t->tl, val, psnr, acc, ips, dt, t->net.t, lr, &ht);
    return save_epoch(t, is_best);
}

/* Stopped inside an epoch after step s (loss sum `sum`): last.safetensors
 * where it is, resumable exactly. */
static clae_status save_inside_epoch(trainer *t, long s, double sum)
{
    clae_run *r = t->run;
    r->epoch_step = s;
    r->epoch_loss_sum = sum;
    r->train_loss = sum / (double)(s < t->steps ? t->plan.first[s] : t->ntrain);
    r->step = t->net.t;
    if (!t->rank0) return CLAE_OK;
    return save_checkpoint(&t->net, t->o->out_dir, "last.safetensors", r, t->res->last_path,
                           sizeof t->res->last_path);
}

/* Epochs until run->epochs, --max-steps, a signal or early stopping. */
static clae_status train_epochs(trainer *t)
{
    clae_run *r = t->run;
    clae_status st = CLAE_OK;
    t->t_start = now_s();
    while (st == CLAE_OK && r->epoch < r->epochs) {
        double t0 = now_s();
        t->compile0 = clae_compile_seconds(t->d);
        long s0 = r->epoch_step, s;
        if (s0 < 0 || s0 >= t->steps) {
            fprintf(stderr, "clae: the checkpoint stopped at step %ld of an epoch, but this run "
                    "has %ld steps per epoch (batch or data size changed)\n", s0, t->steps);
            return CLAE_ERR_ARG;
        }
        CLAE_TRY(epoch_plan_order(&t->plan, t->br, t->ntrain, t->order, r->seed, r->epoch,
                                  r->shuffle));
        int early = 0, early_stop = 0;
        double sum;
        CLAE_TRY(epoch_steps(t, s0, t0, &s, &early));
        CLAE_TRY(loss_history_sum(&t->hs, t->d, s0, s, t->plan.nb, t->ntrain, t->B,
                                  r->epoch_loss_sum, t->dist, &sum));
        CLAE_TRY(check_losses(t, s0, s));
        if (early && s < t->steps) {
            t->res->stopped = early;
            return save_inside_epoch(t, s, sum);
        }
        st = epoch_end(t, s0, sum, t0, &early_stop);
        if (st == CLAE_OK && (early || early_stop)) t->res->stopped = early ? early : 3;
        if (t->res->stopped) break;
    }
    return st;
}

/* The test set's loss (and a classifier's accuracy) at the end. */
static clae_status test_pass(trainer *t)
{
    clae_train_result *res = t->res;
    val_metrics tm = {.out = t->val_out, .classes = t->classes};
    t->f.stop = t->stop; /* Ctrl-C here skips the pass (the checkpoints are written) */
    clae_status st = branch_passes(t, t->test, 0, t->br ? t->br->test_from : NULL,
                                   t->br ? t->br->test_n : NULL, t->ntest, &res->test_mse,
                                   t->classes ? &tm : NULL);
    if (t->br) memcpy(res->branch_test_mse, t->branch_loss, sizeof t->branch_loss);
    t->f.stop = NULL;
    if (st == CLAE_ERR_INTERRUPTED || (st == CLAE_OK && t->stop && *t->stop)) {
        res->stopped = 4;
        res->test_mse = NAN;
        return CLAE_OK;
    }
    CLAE_TRY(st);
    if (t->term_mask > 1u) res->test_mse = t->hs.tmean[CLAE_TERM_RECON];
    res->test_accuracy = tm.images ? (double)tm.correct / (double)tm.images : NAN;
    const clae_run *r = t->run;
    clae_train_event ev = {.kind = CLAE_TRAIN_TEST, .test_mse = res->test_mse,
                           .ntest = t->ntest, .test_accuracy = res->test_accuracy,
                           .weights_epoch = res->restored ? r->best_epoch : r->epoch,
                           .best_epoch = r->best_epoch, .epoch = r->epoch,
                           .branch_loss = t->br ? res->branch_test_mse : NULL};
    ev.best_weights = ev.weights_epoch == r->best_epoch;
    report(t->o, &ev);
    return CLAE_OK;
}

/* [train] restore_best, training ended: the best epoch's weights (when it is not the last)
 * for the test pass and in last.safetensors, which is then no resume point (the run is
 * finished: run->restored). */
static clae_status restore_at_end(trainer *t)
{
    clae_run *r = t->run;
    if (!t->m->train.restore_best || r->best_epoch <= 0 || r->best_epoch == r->epoch)
        return CLAE_OK;
    CLAE_TRY(best_weights_put(&t->net, t->best_keep, t->o->out_dir));
    r->restored = t->res->restored = 1;
    if (!t->rank0) return CLAE_OK;
    return save_checkpoint(&t->net, t->o->out_dir, "last.safetensors", r, t->res->last_path,
                           sizeof t->res->last_path);
}

static clae_status train_locked(clae_model *m, clae_device *d, const clae_dataset *train,
                                const clae_dataset *test, const clae_train_opts *o, clae_run *run,
                                volatile sig_atomic_t *stop, clae_train_result *res)
{
    trainer t = {.m = m, .d = d, .train = train, .test = test, .o = o, .run = run, .stop = stop,
                 .res = res, .t_call = now_s(), .tl = NAN};
    t.dist = o->dist && o->dist->size > 1 ? o->dist : NULL;
    t.br = m->nbranches > 0 ? o->branches : NULL; /* (none: trainer_sizes refuses) */
    t.rank0 = !t.dist || t.dist->rank == 0;
    t.xg = (exchange){.dist = t.dist, .stop = stop};
    run->val_loss = run->train_loss = NAN; /* measured by this process */
    clae_status st = trainer_sizes(&t);
    if (st == CLAE_OK) st = trainer_normalize(&t);
    if (st == CLAE_OK) st = trainer_open(&t);
    if (st == CLAE_OK) st = train_epochs(&t);
    res->epochs_done = run->epoch;
    res->steps = t.net_made ? t.net.t : 0;
    res->run_steps = t.run_steps;
    res->train_loss = t.tl;
    res->val_loss = run->val_loss;
    res->test_mse = res->test_accuracy = NAN;
    if (st == CLAE_OK && t.net_made && (!res->stopped || res->stopped == 3))
        st = restore_at_end(&t);
    if (st == CLAE_OK && (!res->stopped || res->stopped == 3) && test && t.ntest > 0)
        st = test_pass(&t);
    trainer_close(&t);
    return st;
}

clae_status clae_train(clae_model *m, clae_device *d, const clae_dataset *train,
                       const clae_dataset *test, const clae_train_opts *o, clae_run *run,
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
        if (run->epoch < run->epochs) return train_locked(m, d, train, test, o, run, stop, res);
        res->epochs_done = run->epoch;
        res->train_loss = res->val_loss = res->test_mse = res->test_accuracy = NAN;
        return CLAE_OK;
    }
    if (clae_mkdir_p(o->out_dir, 0755) != 0) {
        fprintf(stderr, "clae: %s: cannot create output folder: %s\n", o->out_dir,
                strerror(errno));
        return CLAE_ERR_IO;
    }
    int lock = out_dir_lock(o->out_dir);
    if (lock < 0) return CLAE_ERR_IO;
    out_dir_remove_temps(o->out_dir);
    if (!o->continues && clae_train_claim_out(o->out_dir, o->overwrite) != CLAE_OK) {
        close(lock);
        return CLAE_ERR_ARG;
    }
    /* The history goes no further than the checkpoint a run starts from (and
     * a fresh run starts it afresh, as it does last.safetensors). */
    char hp[1100];
    snprintf(hp, sizeof hp, "%s/history.jsonl", o->out_dir);
    clae_status st = clae_history_keep(hp, run->epoch,
                                       run->epoch > 0 && run->history[0] ? run->history : NULL);
    if (st == CLAE_OK) history_csv_update(o->out_dir);
    if (st == CLAE_OK && run->epoch >= run->epochs) { /* nothing left but that history line */
        res->epochs_done = run->epoch;
        res->steps = run->step;
        res->train_loss = res->val_loss = res->test_mse = res->test_accuracy = NAN;
    } else if (st == CLAE_OK) {
        st = train_locked(m, d, train, test, o, run, stop, res);
    }
    close(lock);
    return st;
}

