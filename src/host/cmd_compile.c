/* clae compile [CONFIG...] [--device N|ref] [--jobs N]: build the kernels
 * that training each config launches ahead of its first run, into the
 * kernel caches (clae_train_warmup). */
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clae/device.h"
#include "clae/model.h"
#include "clae/rng.h"
#include "clae/train.h"
#include "cli.h"

static const clae_cmdline COMPILE_CMDLINE = {
    .cmd = "clae compile", .hint = "try 'clae compile --help'", .width = 14,
    .about = CLAE_ABOUT_COMPILE};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* One config's kernels on d: a line saying what it took. 1 on success. */
static int compile_config(const char *config, clae_device *d)
{
    clae_model m;
    if (clae_model_load(config, &m) != CLAE_OK) return 0;
    clae_rng rng;
    clae_rng_seed(&rng, m.train.seed);
    const double t0 = now_s(), c0 = clae_compile_seconds(d);
    clae_status st = clae_model_init(&m, &rng);
    if (st == CLAE_OK) st = clae_train_warmup(&m, d);
    if (st == CLAE_OK)
        printf("%s: kernels ready on %s (%.1f s, %.1f s of it compiling)\n", config, d->name,
               now_s() - t0, clae_compile_seconds(d) - c0);
    else
        fprintf(stderr, "clae compile: %s: the warm-up run failed\n", config);
    fflush(stdout);
    clae_model_free(&m);
    return st == CLAE_OK;
}

/* Configs k, k + jobs, ... of the list on one device opened here: 0 when all
 * compiled, else 1. */
static int compile_share(const clae_arg_list *configs, int k, int jobs, const char *device)
{
    clae_device d;
    if (clae_device_open(&d, device) != CLAE_OK) return 1;
    int rc = 0;
    if (d.be->reference)
        printf("%s: the reference path compiles nothing\n", d.name);
    else
        for (int i = k; i < configs->n; i += jobs) rc |= !compile_config(configs->v[i], &d);
    clae_device_close(&d);
    return rc;
}

/* The shares in jobs processes (forked before any OpenCL call: each opens
 * its own device): 0 when every config compiled, else 1. */
static int compile_all(const clae_arg_list *configs, int jobs, const char *device)
{
    if (jobs > configs->n) jobs = configs->n;
    if (jobs <= 1) return compile_share(configs, 0, 1, device);
    fflush(stdout);
    int rc = 0, started = 0;
    for (int k = 0; k < jobs; k++) {
        pid_t pid = fork();
        if (pid == 0) _exit(compile_share(configs, k, jobs, device));
        if (pid < 0) {
            perror("clae compile: fork");
            rc = 1;
            break;
        }
        started++;
    }
    for (int status; started > 0 && wait(&status) > 0; started--)
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) rc = 1;
    return rc;
}

/* Every config read before any is compiled: 1, or 0 after the first one's error line. */
static int configs_read(const clae_arg_list *configs)
{
    for (int i = 0; i < configs->n; i++) {
        clae_model m;
        if (clae_model_load(configs->v[i], &m) != CLAE_OK) return 0;
        clae_model_free(&m);
    }
    return 1;
}

/* No CONFIG: every .cfg file in configs/ (of the folder clae runs in). 1, or 0 after a line. */
static int default_configs(clae_arg_list *configs, glob_t *g)
{
    if (glob("configs/*.cfg", 0, NULL, g) != 0 || g->gl_pathc == 0) {
        fprintf(stderr, "clae compile: no CONFIG given and no configs/*.cfg here (try 'clae "
                "compile --help')\n");
        return 0;
    }
    for (size_t i = 0; i < g->gl_pathc && configs->n < CLAE_ARG_LIST_MAX; i++)
        configs->v[configs->n++] = g->gl_pathv[i];
    return 1;
}

int cmd_compile(int argc, char **argv)
{
    static clae_arg_list configs;
    const char *device = NULL;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = ncpu > 0 ? (int)ncpu : 1;
    const clae_opt OPTS[] = {
        {.name = "CONFIG", .kind = CLAE_OPT_ARGS, .to = &configs,
         .help = "model configs (default: every configs/*.cfg)"},
        CLAE_OPT_DEVICE(&device, CLAE_HELP_DEVICE),
        {.name = "jobs", .meta = "N", .kind = CLAE_OPT_INT, .to = &jobs, .min = 1, .max = 256,
         .help = "configs compiled at once, each in a process of its own\n(default: the "
                 "processor count)"},
        {0}};
    configs.n = 0;
    int code = clae_cmdline_parse(&COMPILE_CMDLINE, OPTS, argc, argv);
    if (code >= 0) return code;
    glob_t g = {0};
    if (configs.n == 0 && !default_configs(&configs, &g)) return 2;
    int rc = configs_read(&configs) ? compile_all(&configs, jobs, device) : 1;
    globfree(&g);
    return rc;
}
