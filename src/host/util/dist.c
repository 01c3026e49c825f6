/* Data-parallel training on MPI; see include/clae/dist.h. */
#include "clae/dist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clae/parse.h"

#ifdef CLAE_HAVE_MPI
#include <mpi.h>
#endif

/* How many processes the launcher started (Open MPI's, or a PMI/PMIx
 * launcher's variables), 0 outside a launcher. */
static long launched_size(void)
{
    static const char *const VARS[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof VARS / sizeof VARS[0]; i++) {
        long n;
        const char *v = getenv(VARS[i]);
        if (v && clae_str_to_long(v, 1, INT_MAX, &n)) return n;
    }
    return 0;
}

int clae_dist_launched(void) { return launched_size() > 0; }

clae_status clae_dist_init(clae_dist *d, int *argc, char ***argv)
{
    memset(d, 0, sizeof *d);
    d->size = 1;
    long n = launched_size();
#ifdef CLAE_HAVE_MPI
    if (n == 0) return CLAE_OK;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        fprintf(stderr, "clae: MPI_Init failed\n");
        return CLAE_ERR_IO;
    }
    d->mpi = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &d->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &d->size);
    MPI_Comm node; /* the ranks on this machine: this one's place among them */
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, d->rank, MPI_INFO_NULL,
                            &node) == MPI_SUCCESS) {
        MPI_Comm_rank(node, &d->local_rank);
        MPI_Comm_free(&node);
    }
    return CLAE_OK;
#else
    (void)argc;
    (void)argv;
    if (n > 1) {
        fprintf(stderr, "clae: started as one of %ld processes (mpirun), but this clae was built "
                "without MPI: install libopenmpi-dev and build again\n", n);
        return CLAE_ERR_ARG;
    }
    return CLAE_OK;
#endif
}

void clae_dist_finalize(clae_dist *d)
{
    free(d->gather);
#ifdef CLAE_HAVE_MPI
    if (d->mpi) MPI_Finalize();
#endif
    memset(d, 0, sizeof *d);
    d->size = 1;
}

#ifdef CLAE_HAVE_MPI
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static clae_status mpi_fail(const clae_dist *d, const char *what, int err)
{
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(err, msg, &len);
    fprintf(stderr, "clae: rank %d of %d: %s failed: %s\n", d->rank, d->size, what, msg);
    return CLAE_ERR_IO;
}
#endif

clae_status clae_dist_sum(clae_dist *d, float *x, size_t n, double w, int *any)
{
    if (d->size == 1) return CLAE_OK;
#ifdef CLAE_HAVE_MPI
    if (n > (size_t)INT_MAX) {
        fprintf(stderr, "clae: rank %d: %zu floats are more than one MPI message holds\n",
                d->rank, n);
        return CLAE_ERR_ARG;
    }
    const size_t R = (size_t)d->size;
    if (d->capacity < n) {
        float *g = realloc(d->gather, R * n * sizeof(float) + 2 * R * sizeof(double));
        if (!g) {
            fprintf(stderr, "clae: rank %d: out of memory for the gradient exchange\n", d->rank);
            return CLAE_ERR_NOMEM;
        }
        d->gather = g;
        d->capacity = n;
    }
    double *meta = (double *)(void *)(d->gather + R * d->capacity); /* (w, flag) per rank */
    double mine[2] = {w, any && *any ? 1.0 : 0.0};
    double t0 = now_s();
    int err = MPI_Allgather(mine, 2, MPI_DOUBLE, meta, 2, MPI_DOUBLE, MPI_COMM_WORLD);
    if (err != MPI_SUCCESS) return mpi_fail(d, "MPI_Allgather", err);
    err = MPI_Allgather(x, (int)n, MPI_FLOAT, d->gather, (int)n, MPI_FLOAT, MPI_COMM_WORLD);
    if (err != MPI_SUCCESS) return mpi_fail(d, "MPI_Allgather", err);
    d->seconds += now_s() - t0;
    d->calls++;
    /* sent and received: every other rank's block in, this one's out to each */
    d->bytes += 2.0 * (double)(R - 1) * ((double)n * sizeof(float) + 2 * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t r = 0; r < R; r++) s += (double)d->gather[r * n + i] * meta[2 * r];
        x[i] = (float)s;
    }
    if (any) {
        *any = 0;
        for (size_t r = 0; r < R; r++) *any |= meta[2 * r + 1] != 0.0;
    }
    return CLAE_OK;
#else
    (void)x;
    (void)n;
    (void)w;
    (void)any;
    return CLAE_OK;
#endif
}

clae_status clae_dist_sum_double(clae_dist *d, double *x, int n)
{
    if (d->size == 1) return CLAE_OK;
#ifdef CLAE_HAVE_MPI
    double *all = malloc((size_t)d->size * (size_t)n * sizeof *all);
    if (!all) return CLAE_ERR_NOMEM;
    int err = MPI_Allgather(x, n, MPI_DOUBLE, all, n, MPI_DOUBLE, MPI_COMM_WORLD);
    if (err != MPI_SUCCESS) {
        free(all);
        return mpi_fail(d, "MPI_Allgather", err);
    }
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int r = 0; r < d->size; r++) s += all[(size_t)r * (size_t)n + (size_t)i];
        x[i] = s;
    }
    free(all);
    return CLAE_OK;
#else
    (void)x;
    (void)n;
    return CLAE_OK;
#endif
}

clae_status clae_dist_bcast(clae_dist *d, float *x, size_t n)
{
    if (d->size == 1) return CLAE_OK;
#ifdef CLAE_HAVE_MPI
    for (size_t at = 0; at < n;) { /* in messages of at most INT_MAX floats */
        int part = n - at > (size_t)INT_MAX ? INT_MAX : (int)(n - at);
        int err = MPI_Bcast(x + at, part, MPI_FLOAT, 0, MPI_COMM_WORLD);
        if (err != MPI_SUCCESS) return mpi_fail(d, "MPI_Bcast", err);
        at += (size_t)part;
    }
    return CLAE_OK;
#else
    (void)x;
    (void)n;
    return CLAE_OK;
#endif
}

void clae_dist_abort(const clae_dist *d, int code)
{
    fflush(stdout);
    fflush(stderr);
#ifdef CLAE_HAVE_MPI
    if (d->mpi && d->size > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
    (void)d;
    exit(code);
}
