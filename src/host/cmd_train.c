/* clae train CONFIG [options]: train a model on CIFAR-10; see --help. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clae/app.h"
#include "clae/fs.h"
#include "clae/layer.h"
#include "clae/plural.h"
#include "clae/tensorboard_log.h"
#include "clae/train_setup.h"
#include "clae/transfer.h"
#include "cli.h"

static volatile sig_atomic_t g_stop; /* set by SIGINT/SIGTERM; polled after each step */

static void on_signal(int sig) { g_stop = sig; }

static const clae_cmdline TRAIN_CMDLINE = {
    .cmd = "clae train", .dash_is_option = 1, .width = 17, .about = CLAE_ABOUT_TRAIN,
    .more = CLAE_MORE_TRAIN};

/* What `clae train` prints of a run: a line at the start, a live progress
 * bar on a terminal, a line per epoch, the test MSE. */
struct printer {
    int bar;   /* stdout is a terminal (not a launcher's pty) and no --no-progress */
    int drawn; /* a bar is on the screen */
    int quiet; /* --quiet: no lines (samples are still written) */
    /* --samples N: a figure of N validation (or test) images after every
     * epoch, run on the reference path from the parameters just saved. */
    int samples;
    clae_model *m;
    const clae_dataset *ds;
    size_t first;
    const char *out_dir;
    clae_device ref;
    int ref_open, failed;
    char sample_path[1300];
    clae_tb_log tb; /* OUT/tb/ (off: [train] tensorboard = 0, --no-tensorboard) */
};

/* OUT/samples/epoch-NNNN.png after an epoch: original / corrupted /
 * restored; its path, or NULL. A failure is a warning (once); the run goes on. */
static const char *write_samples(struct printer *p, const clae_train_event *e)
{
    if (p->failed) return NULL;
    char dir[1200], *path = p->sample_path;
    snprintf(dir, sizeof dir, "%s/samples", p->out_dir);
    snprintf(path, sizeof p->sample_path, "%s/epoch-%04ld.png", dir, e->epoch);
    if (!p->ref_open && clae_device_open(&p->ref, "ref") == CLAE_OK) p->ref_open = 1;
    if (!p->ref_open || clae_mkdir_p(dir, 0755) != 0 ||
        !clae_app_figure(p->m, &p->ref, p->ds, p->first, p->samples, path, NULL, NULL, NULL)) {
        fprintf(stderr, "clae: warning: %s: cannot write the samples figure; training goes on "
                "without them\n", path);
        p->failed = 1;
        return NULL;
    }
    if (!p->quiet) printf("  samples: %s\n", path);
    return path;
}

/* A model with branches: each one's validation or test loss, on a line of their own. */
static void branch_losses(const clae_model *m, const char *what, const double *loss)
{
    if (!loss) return;
    printf("  %s by branch:", what);
    for (int k = 0; k < m->nbranches; k++)
        printf("%s %s %.6f", k ? "," : "", m->branches[k].name, loss[k]);
    printf("\n");
}

static void print_event(const clae_train_event *e, void *user)
{
    struct printer *p = user;
    if (e->kind != CLAE_TRAIN_SAVED) /* EPOCH: its metrics kept for SAVED (below) */
        clae_tb_log_event(&p->tb, e, NULL);
    if (p->quiet && e->kind != CLAE_TRAIN_SAVED) return;
    if (p->drawn && e->kind != CLAE_TRAIN_STEP) {
        printf("\r%*s\r", 100, "");
        p->drawn = 0;
    }
    switch (e->kind) {
    case CLAE_TRAIN_START:
        printf("training %s on %s: %zu train / %zu validation %s, batch %d, %ld %s per epoch\n",
               e->model, e->device, e->ntrain, e->nval, clae_plural((long long)e->nval, "image",
               "images"), e->batch, e->steps, clae_plural(e->steps, "step", "steps"));
        break;
    case CLAE_TRAIN_STEP: {
        if (!p->bar) return;
        enum { WIDTH = 24 };
        int fill = (int)((double)WIDTH * (double)e->step / (double)e->steps);
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++) bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[WIDTH] = '\0';
        /* nothing measured yet: a dash, not "loss 0.00000" or a first step's rate */
        char loss[32] = "-", rate[32] = "-";
        if (!isnan(e->loss)) snprintf(loss, sizeof loss, "%.5f", (double)e->loss);
        if (!isnan(e->images_per_s)) snprintf(rate, sizeof rate, "%.0f", e->images_per_s);
        printf("\repoch %ld/%ld [%s] %ld/%ld  loss %s  %s img/s  ETA %.0f s   ", e->epoch + 1,
               e->epochs, bar, e->step, e->steps, loss, rate, e->eta_s);
        p->drawn = 1;
        break;
    }
    case CLAE_TRAIN_EPOCH:
        printf("epoch %ld/%ld  train loss %.6f  val loss %.6f%s  ", e->epoch, e->epochs,
               e->train_loss, e->val_loss, e->is_best ? " *" : "");
        if (!isnan(e->val_psnr)) printf("val PSNR %.2f dB  ", e->val_psnr);
        printf("acc %.1f%%  %.0f img/s  %.1f s (total %.1f s", 100.0 * e->val_accuracy,
               e->images_per_s, e->seconds, e->total_seconds);
        if (e->compile_seconds >= 0.05) /* a cold kernel cache: not in img/s */
            printf("; building kernels %.1f s", e->compile_seconds);
        printf(")\n");
        for (int k = 0; e->term_mask > 1u && k < CLAE_NTERMS; k++)
            if (e->term_mask >> k & 1u) {
                printf("%s%s %.6f", k == 0 ? "  terms: " : ", ", clae_term_names[k],
                       e->train_terms[k]);
                if (e->val_terms) printf(" (val %.6f)", e->val_terms[k]);
            }
        if (e->term_mask > 1u) printf("\n");
        branch_losses(p->m, "val loss", e->branch_loss);
        if (e->next_lr < e->lr)
            printf("  lr %.3g -> %.3g: no lower val loss for lr_patience epochs\n", e->lr,
                   e->next_lr);
        if (e->early_stop)
            printf("  stopping early: no lower val loss for %ld %s ([train] patience); the "
                   "best (epoch %ld) is in best.safetensors%s\n", e->since_best,
                   clae_plural(e->since_best, "epoch", "epochs"), e->best_epoch,
                   p->m->train.restore_best ? " and restored ([train] restore_best)" : "");
        break;
    case CLAE_TRAIN_SAVED:
        clae_tb_log_event(&p->tb, e, p->samples > 0 ? write_samples(p, e) : NULL);
        break;
    case CLAE_TRAIN_TEST: {
        char which[160];
        clae_train_weights_text(e, which, sizeof which);
        if (!isnan(e->test_accuracy))
            printf("test loss %.6f, accuracy %.2f%% (%zu %s) %s\n", e->test_mse,
                   100.0 * e->test_accuracy, e->ntest,
                   clae_plural((long long)e->ntest, "image", "images"), which);
        else
            printf("test MSE %.6f (%zu %s) %s\n", e->test_mse, e->ntest,
                   clae_plural((long long)e->ntest, "image", "images"), which);
        branch_losses(p->m, "test MSE", e->branch_loss);
        break;
    }
    case CLAE_TRAIN_READY:
        printf("first step done %.2f s after start (device, kernels, data, one step)\n",
               e->seconds);
        break;
    }
    fflush(stdout);
}

/* "(2,3,3,3)" */
static void dims_text(const clae_tensor *t, char *buf, size_t len)
{
    size_t at = (size_t)snprintf(buf, len, "(");
    for (int k = 0; k < t->ndim && at < len; k++)
        at += (size_t)snprintf(buf + at, len - at, "%s%d", k ? "," : "", t->dims[k]);
    if (at < len) snprintf(buf + at, len - at, ")");
}

/* --transfer: the tensors of ckpt that m has too (same name and shape)
 * over m's fresh ones, and a line naming each; a tensor of the same name and
 * another shape (a new head where the checkpoint had its decoder) stays
 * fresh and is named too. 1, or 0 after a one-line error (none taken). */
static int transfer_tensors(clae_model *m, const char *ckpt, int *frozen_fresh)
{
    clae_model src;
    if (!clae_app_load_tensors(ckpt, &src)) return 0;
    clae_transfer_fate *fate = malloc((size_t)m->ntensors * sizeof *fate);
    if (!fate) {
        fprintf(stderr, "clae: out of memory\n");
        clae_model_free(&src);
        return 0;
    }
    int taken = clae_transfer_tensors(m, &src, fate);
    for (int t = 0; t < m->ntensors; t++) {
        const clae_tensor *T = &m->tensors[t];
        if (fate[t] == CLAE_TRANSFER_TAKEN) printf("  %s from %s\n", T->name, ckpt);
        if (fate[t] != CLAE_TRANSFER_OTHER_SHAPE) continue;
        char a[64], b[64];
        dims_text(&src.tensors[clae_model_find_tensor(&src, T->name)], a, sizeof a);
        dims_text(T, b, sizeof b);
        printf("  %s is %s in %s and %s here: left fresh\n", T->name, a, ckpt, b);
    }
    if (taken == 0)
        fprintf(stderr, "clae: %s: none of its tensors is in this model (same name and shape)\n",
                ckpt);
    if (taken > 0)
        printf("took %d of this model's %d tensors from %s (%d of its %d unused); the others "
               "start fresh\n", taken, m->ntensors, ckpt, src.ntensors - taken, src.ntensors);
    int frozen;
    *frozen_fresh = clae_transfer_frozen_fresh(m, fate, &frozen);
    free(fate);
    clae_model_free(&src);
    return taken > 0;
}

enum { MAX_SAMPLES = 64 };

/* What `clae train` was asked: the run's options and the command's own. */
typedef struct train_args {
    clae_train_request q;
    const char *device, *transfer;
    const char *set_flag;  /* the first of --set, --lr, --batch (without "--") */
    char shortcut[2][96];  /* --lr and --batch as --set assignments */
    char shortcut_flag[2][96]; /* ... and as the user wrote them, for errors */
    char branch_data[CLAE_MAX_BRANCHES][640]; /* --data NAME=DIR as --set NAME.data=DIR */
    char branch_flag[CLAE_MAX_BRANCHES][640];
    int nbranch_data;
    long samples;
    int quiet, no_progress, no_tensorboard;
    int frozen_fresh; /* [train] freeze's tensors left random: warned about before training */
} train_args;

/* --set SEC.KEY=V, or --lr X / --batch N as --set net.lr=X / net.batch=N:
 * 1, or 0 after a line. */
static int parse_set(const clae_opt *opt, const char *v)
{
    train_args *a = opt->to;
    clae_train_request *q = &a->q;
    if (q->nsets == CLAE_RUN_MAX_SETS) {
        fprintf(stderr, "clae train: more than %d --set options\n", CLAE_RUN_MAX_SETS);
        return 0;
    }
    const char *flag = NULL;
    if (strcmp(opt->name, "set") != 0) {
        int k = strcmp(opt->name, "lr") == 0 ? 0 : 1;
        snprintf(a->shortcut[k], sizeof a->shortcut[k], "net.%s=%.80s", opt->name, v);
        snprintf(a->shortcut_flag[k], sizeof a->shortcut_flag[k], "--%s %.80s", opt->name, v);
        v = a->shortcut[k];
        flag = a->shortcut_flag[k];
    }
    q->set_flags[q->nsets] = flag;
    q->sets[q->nsets++] = v;
    if (!a->set_flag) a->set_flag = opt->name;
    return 1;
}

/* --data DIR (the data folder), or NAME=DIR: branch NAME's ([branch] data,
 * as --set NAME.data=DIR, kept in the checkpoints' config) */
static int parse_data(const clae_opt *opt, const char *v)
{
    train_args *a = opt->to;
    const size_t n = strcspn(v, "=/");
    if (v[n] != '=' || n == 0) {
        a->q.data = v;
        return 1;
    }
    if (a->nbranch_data == CLAE_MAX_BRANCHES || a->q.nsets == CLAE_RUN_MAX_SETS) {
        fprintf(stderr, "clae train: more than %d --data NAME=DIR options\n", CLAE_MAX_BRANCHES);
        return 0;
    }
    const int k = a->nbranch_data++;
    snprintf(a->branch_data[k], sizeof a->branch_data[k], "%.*s.data=%.512s", (int)n, v,
             v + n + 1);
    snprintf(a->branch_flag[k], sizeof a->branch_flag[k], "--data %.600s", v);
    a->q.set_flags[a->q.nsets] = a->branch_flag[k];
    a->q.sets[a->q.nsets++] = a->branch_data[k];
    if (!a->set_flag) a->set_flag = "data";
    return 1;
}

/* --classes LIST, checked before anything is loaded */
static int parse_classes(const clae_opt *opt, const char *v)
{
    clae_classes probe;
    if (clae_classes_parse(v, &probe)) {
        *(const char **)opt->to = v;
        return 1;
    }
    fprintf(stderr, "clae train: bad --classes '%s': expected all or labels from 0 to 255 "
            "separated by commas, like 0,1\n", v);
    return 0;
}

/* The options that exclude each other or a resumed run: 1, or 0 after a line. */
static int check_args(const train_args *a)
{
    const clae_train_request *q = &a->q;
    if (!q->config && !q->resume) {
        fprintf(stderr, "clae train: missing CONFIG (see --help)\n");
        return 0;
    }
    if (!!q->resume + !!q->weights + !!a->transfer > 1) {
        fprintf(stderr, "clae train: --resume, --weights and --transfer exclude each other\n");
        return 0;
    }
    if (q->resume && q->nsets > 0) {
        fprintf(stderr, "clae train: --%s with --resume: a resumed run keeps the settings stored "
                "in %s; to change them, start a new run from its weights (--weights)\n",
                a->set_flag, q->resume);
        return 0;
    }
    return 1;
}

/* The command line into a: -1 to go on, or the exit status (0 after --help). */
static int parse_args(int argc, char **argv, train_args *a)
{
    memset(a, 0, sizeof *a);
    clae_train_request *q = &a->q;
    q->epochs = q->max_steps = q->seed = -1;
    const clae_opt OPTS[] = {
        CLAE_ARG_OPTIONAL("CONFIG", &q->config),
        {.name = "data", .meta = "DIR", .kind = CLAE_OPT_CALL, .to = a, .parse = parse_data,
         .help = "data folder, CIFAR-10 binary or clae data import's (default:\n[train] data; on "
                 "resume the run's); NAME=DIR: branch NAME's\n(as --set NAME.data=DIR)"},
        {.name = "epochs", .meta = "N", .kind = CLAE_OPT_LONG_RANGE, .to = &q->epochs, .min = 1,
         .max = CLAE_MAX_EPOCHS,
         .help = "total epochs (default: [train] epochs; on resume the run's,\nwhich --epochs "
                 "may raise)"},
        CLAE_OPT_DEVICE(&a->device, CLAE_HELP_DEVICE),
        {.name = "out", .meta = "DIR", .kind = CLAE_OPT_STR, .to = &q->out,
         .help = "checkpoint folder (default: [train] out; on resume the\ncheckpoint's folder). "
                 "A folder that holds another run is\nrefused: --resume it, choose another "
                 "--out, or --overwrite"},
        {.name = "overwrite", .kind = CLAE_OPT_FLAG, .to = &q->overwrite,
         .help = "replace the run in --out (its checkpoints and history)"},
        {.name = "resume", .meta = "CKPT", .kind = CLAE_OPT_STR, .to = &q->resume,
         .help = "continue the run of CKPT (weights, optimizer, epoch, and its\nsettings: config, "
                 "data, --limit, --seed, --classes, shuffle,\nepochs, folder); CONFIG may be left "
                 "out. An option that would\nchange the run is refused"},
        {.name = "weights", .meta = "CKPT", .kind = CLAE_OPT_STR, .to = &q->weights,
         .help = "start from these weights with a fresh optimizer"},
        {.name = "transfer", .meta = "CKPT", .kind = CLAE_OPT_STR, .to = &a->transfer,
         .help = "start from the tensors of CKPT that this model has too (same\nname, "
                 "layers.<i>.*, and shape; each is named), the others\nfreshly initialised: a "
                 "trained encoder under a new head (with\n[train] freeze)"},
        {.name = "set", .meta = "SEC.KEY=V", .kind = CLAE_OPT_CALL, .to = a, .parse = parse_set,
         .help = "set a config key, like net.lr=0.01, train.corrupt=noise or\nenc1.filters=16 "
                 "(SEC: net, train, a layer's name or layers.I);\nrepeatable; the checkpoints' "
                 "stored config carries it"},
        {.name = "lr", .meta = "X", .kind = CLAE_OPT_CALL, .to = a, .parse = parse_set,
         .help = "--set net.lr=X"},
        {.name = "batch", .meta = "N", .kind = CLAE_OPT_CALL, .to = a, .parse = parse_set,
         .help = "--set net.batch=N"},
        {.name = "seed", .meta = "S", .kind = CLAE_OPT_LONG, .to = &q->seed,
         .help = "seed for initialisation and batch order"},
        {.name = "max-steps", .meta = "N", .kind = CLAE_OPT_LONG, .to = &q->max_steps,
         .help = "stop after N steps of this invocation (on resume: N more;\ncheckpoint written); "
                 "0: no limit, over [train] max_steps"},
        {.name = "no-shuffle", .kind = CLAE_OPT_FLAG, .to = &q->no_shuffle,
         .help = "batches in file order"},
        CLAE_OPT_LIMIT(&q->limit, "use only the first N training and test images"),
        {.name = "classes", .meta = "LIST", .kind = CLAE_OPT_CALL, .to = &q->classes,
         .parse = parse_classes,
         .help = "train (and test) on these labels only, like 0 or 0,1: one-class\ntraining for "
                 "anomaly detection (clae score); default: [train]\nclasses"},
        {.name = "samples", .meta = "N", .kind = CLAE_OPT_LONG_RANGE, .to = &a->samples,
         .max = MAX_SAMPLES,
         .help = "after every epoch, OUT/samples/epoch-NNNN.png: N validation\nimages (test "
                 "images without validation), original /\ncorrupted / restored, as clae show "
                 "draws them"},
        {.name = "quiet", .kind = CLAE_OPT_FLAG, .to = &a->quiet, .help = "no per-epoch lines"},
        {.name = "no-progress", .kind = CLAE_OPT_FLAG, .to = &a->no_progress,
         .help = "no live progress bar, even on a terminal: one line per epoch\n(the bar is "
                 "drawn only when stdout is a terminal and not\nunder mpirun)"},
        {.name = "no-tensorboard", .kind = CLAE_OPT_FLAG, .to = &a->no_tensorboard,
         .help = "no OUT/tb/ event files (as [train] tensorboard = 0)"},
        {0}};
    int code = clae_cmdline_parse(&TRAIN_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    return check_args(a) ? -1 : 2;
}

/* What the setup did, on resume or with --weights (after the folder check). */
static void print_start(const clae_train_setup *s, const clae_train_request *q)
{
    const clae_run *r = &s->run;
    if (!q->resume)
        printf("starting from the weights of %s with a fresh optimizer\n", q->weights);
    else if (r->restored)
        printf("%s: the run is finished: [train] restore_best put the weights of its best epoch "
               "(%ld) in it when training ended (epoch %ld): nothing to resume (start a new run "
               "from them with --weights)\n", q->resume, r->best_epoch, r->epoch);
    else if (r->epoch >= r->epochs) /* still run: it restores a lost last history line */
        printf("%s: already trained for %ld %s (asked for %ld): nothing to do\n", q->resume,
               r->epoch, clae_plural(r->epoch, "epoch", "epochs"), r->epochs);
    else {
        char plan[320];
        clae_train_resume_plan(r, s->opts.max_steps, s->m.train.patience, plan, sizeof plan);
        printf("resuming %s at epoch %ld (step %ld of it), %ld steps taken%s%s; %s\n", q->resume,
               r->epoch + 1, r->epoch_step, r->step, s->opts.continues ? "" : "; writing to ",
               s->opts.continues ? "" : s->opts.out_dir, plan);
    }
}

/* The model's starting point: the checkpoint's (resume), --weights', or
 * fresh (with --transfer's tensors over it). 1, or 0 after an error. */
static int start_weights(clae_train_setup *s, train_args *a)
{
    if (!a->q.weights && !a->q.resume) {
        if (clae_train_setup_weights(s, &a->q) != CLAE_OK) return 0;
        int frozen;
        a->frozen_fresh = clae_transfer_frozen_fresh(&s->m, NULL, &frozen);
        return !a->transfer || transfer_tensors(&s->m, a->transfer, &a->frozen_fresh);
    }
    if (a->q.weights && clae_train_setup_weights(s, &a->q) != CLAE_OK) return 0;
    print_start(s, &a->q);
    return 1;
}

/* The data, with what was done to it: classes kept, images added. */
static int load_data(clae_train_setup *s, const train_args *a)
{
    if (clae_train_setup_data(s, &a->q) != CLAE_OK) return 0;
    if (!clae_classes_empty(&s->run.classes)) {
        char cls[1024];
        clae_classes_format(&s->run.classes, cls, sizeof cls);
        printf("classes %s: %zu of %zu training images, %zu of %zu test images\n", cls,
               s->train.n, s->class_ntrain, s->test.n, s->class_ntest);
    }
    if (clae_train_setup_data_ready(s) != CLAE_OK) return 0;
    for (int k = 0; k < s->m.nbranches; k++) {
        const clae_branch *b = &s->m.branches[k];
        const clae_train_branches *br = &s->branches;
        char cls[1024];
        clae_classes_format(&b->classes, cls, sizeof cls);
        printf("branch %s: %zu training, %zu validation, %zu test images (%s, classes %s)\n",
               b->name, br->train_n[k], br->val_n[k], br->test_n[k], s->branch_dirs[k], cls);
    }
    const size_t *c = s->augment_counts;
    if (strcmp(s->m.train.augment, "recipe") == 0)
        printf("augmented %zu training images with %zu more (%zu flip lr, %zu flip ud, %zu "
               "rotate -30)\n",
               s->augment_from, s->train.n - s->augment_from, c[0], c[1], c[2]);
    return 1;
}

/* --samples N: the images of each epoch's figure. 1, or 0 after a line. */
static int choose_samples(const clae_train_setup *s, long samples, struct printer *pr)
{
    return samples <= 0 || clae_train_setup_samples(s, samples, &pr->ds, &pr->first) == CLAE_OK;
}

/* A progress bar still on the screen (a run that stopped inside an epoch) wiped. */
static void end_bar(struct printer *p)
{
    if (!p->drawn) return;
    printf("\r%*s\r", 100, "");
    p->drawn = 0;
}

/* Training with Ctrl-C caught (the step finishes, last.safetensors is
 * written; during the final test pass, that pass is skipped), then its last
 * lines; the exit status. */
static int run_training(clae_train_setup *s, clae_device *d, const clae_dist *dist,
                        int nothing_left, struct printer *pr)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    clae_train_result res;
    clae_status st = clae_train(&s->m, d, &s->train, &s->test, &s->opts, &s->run, &g_stop, &res);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    end_bar(pr);
    if (st != CLAE_OK) return 1;
    if (nothing_left) return 0;
    int rc = 0;
    if (res.stopped == 2 || res.stopped == 4) {
        if (res.stopped == 2)
            printf("interrupted after step %ld; checkpoint written to %s (resume with --resume)\n",
                   res.steps, res.last_path);
        else
            printf("interrupted during the test pass: test pass skipped; training is complete, "
                   "checkpoint: %s (clae eval scores it)\n", res.last_path);
        rc = 128 + (g_stop ? (int)g_stop : SIGINT); /* another rank's signal */
    } else {
        if (res.stopped == 1)
            printf("stopped after %ld %s (--max-steps %ld; %ld %s taken in all)\n",
                   res.run_steps, clae_plural(res.run_steps, "step", "steps"), s->opts.max_steps,
                   res.steps, clae_plural(res.steps, "step", "steps"));
        if (res.stopped == 3) printf("stopped early ([train] patience)\n");
        printf("checkpoint: %s\n", res.last_path);
    }
    if (dist->size > 1 && dist->calls > 0) /* what a user needs to predict scaling */
        printf("communication: %ld gradient %s of %.1f KB in and out per rank, %.2f ms "
               "each (%.1f s in all)\n", dist->calls,
               clae_plural(dist->calls, "exchange", "exchanges"),
               dist->bytes / (double)dist->calls / 1e3,
               1e3 * dist->seconds / (double)dist->calls, dist->seconds);
    return rc;
}

/* The device, the data and the training of a run set up this far. */
static int train_on_device(clae_train_setup *s, const train_args *a, clae_dist *dist,
                           struct printer *pr)
{
    /* Data parallel: a device per rank, from the --device list (N,M,...:
     * rank r takes entry r modulo their number) or by local rank. */
    char dev_spec[32];
    const char *device = a->device;
    if (dist->size > 1) {
        device = clae_train_rank_device(dist, device, dev_spec, sizeof dev_spec);
        s->opts.dist = dist;
    }
    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) return 1;
    if (dist->size > 1)
        printf("data parallel: %d ranks (MPI), each batch split over them; rank 0 on %s\n",
               dist->size, d.name);
    int rc;
    const int nothing_left = a->q.resume && s->run.epoch >= s->run.epochs;
    if (!load_data(s, a))
        rc = s->refused ? 2 : 1;
    else if (!choose_samples(s, a->samples, pr))
        rc = 2;
    else {
        if (dist->rank == 0) clae_transfer_warn_frozen(&s->m, a->frozen_fresh, a->transfer);
        rc = run_training(s, &d, dist, nothing_left, pr);
    }
    if (rc == 0 && nothing_left) clae_tb_log_restore(&pr->tb); /* as the history's last line */
    if (pr->ref_open) clae_device_close(&pr->ref);
    clae_device_close(&d);
    return rc;
}

static int train_main(int argc, char **argv, clae_dist *dist)
{
    struct timespec launch;
    clock_gettime(CLOCK_MONOTONIC, &launch);
    train_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    clae_train_setup s;
    clae_train_setup_init(&s);
    rc = 1;
    if (clae_train_setup_model(&s, &a.q) != CLAE_OK) goto done;
    if (a.samples > 0 && s.m.train.labels) {
        fprintf(stderr, "clae train: --samples draws restored images; a classifier (target = "
                "labels) gives none\n");
        rc = 2;
        goto done;
    }
    if (clae_train_setup_run(&s, &a.q) != CLAE_OK || !start_weights(&s, &a)) goto done;
    /* under mpirun stdout is the launcher's pty, whatever the output is redirected to */
    struct printer pr = {.bar = !a.no_progress && isatty(fileno(stdout)) && !clae_dist_launched(),
                         .quiet = a.quiet, .m = &s.m, .out_dir = s.opts.out_dir};
    pr.samples = dist->rank == 0 ? (int)a.samples : 0; /* rank 0 writes the run's files */
    const int tb = dist->rank == 0 && s.m.train.tensorboard && !a.no_tensorboard;
    clae_tb_log_init(&pr.tb, tb ? s.opts.out_dir : NULL);
    clae_tb_log_resume(&pr.tb, s.run.epoch, s.run.history);
    s.opts.report = print_event;
    s.opts.report_user = &pr;
    s.opts.launch_s = (double)launch.tv_sec + 1e-9 * (double)launch.tv_nsec;
    rc = train_on_device(&s, &a, dist, &pr);
    clae_tb_log_close(&pr.tb);
done:
    if (rc == 1 && s.refused) rc = 2;
    clae_train_setup_free(&s);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    clae_dist dist;
    if (clae_dist_init(&dist, &argc, &argv) != CLAE_OK) return 1;
    /* one voice: rank 0 prints the run; the others only their errors */
    if (dist.rank != 0 && !freopen("/dev/null", "w", stdout)) {
        fprintf(stderr, "clae: rank %d: cannot silence its output\n", dist.rank);
        clae_dist_abort(&dist, 1);
    }
    int rc = train_main(argc, argv, &dist);
    if (dist.size > 1 && (rc == 1 || rc == 2)) { /* one rank failed: end them all */
        fprintf(stderr, "clae: rank %d of %d failed; stopping the run\n", dist.rank, dist.size);
        clae_dist_abort(&dist, rc);
    }
    clae_dist_finalize(&dist);
    return rc;
}
