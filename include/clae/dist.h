/* Data-parallel training on MPI (src/host/util/dist.c): which rank this
 * process is, and the one collective the training step needs. Built with
 * MPI when CMake finds it (CLAE_HAVE_MPI); without it, every process is a
 * run of its own (rank 0 of 1), and a launch under mpirun with more than one
 * process is refused.
 *
 * The gradient reduction is a fixed-order sum: every rank gathers every
 * rank's block (MPI_Allgather) and adds them in rank order, in double, so
 * each rank gets the same bits whatever algorithm the MPI library picks
 * (MPI_Allreduce's summation order is the library's, and the standard does
 * not promise every rank the same result; weights that differ by a bit
 * between ranks drift apart). It moves (size - 1) x n floats into each
 * rank per step where a ring allreduce moves about 2 n: nothing for the
 * autoencoders here (6,467 parameters: 26 KB a step), a cost to weigh for
 * models of many millions. */
#ifndef CLAE_DIST_H
#define CLAE_DIST_H

#include <stddef.h>

#include "clae/status.h"

typedef struct clae_dist {
    int rank, size;  /* this process, of size (1: no MPI, or one process) */
    int local_rank;  /* among the processes on this machine (for the device) */
    int mpi;         /* MPI was initialised here (finalise at the end) */
    /* What the reduction cost so far: calls, bytes sent and received by this
     * rank, seconds inside MPI. */
    long calls;
    double bytes, seconds;
    float *gather;   /* size x capacity floats: the blocks gathered */
    size_t capacity;
} clae_dist;

/* Start: MPI_Init when this process was launched by mpirun/mpiexec (Open
 * MPI's or a PMI environment) in an MPI build; otherwise rank 0 of 1. A
 * launch of several processes in a build without MPI is an error (one
 * line). */
clae_status clae_dist_init(clae_dist *d, int *argc, char ***argv);
void clae_dist_finalize(clae_dist *d);
/* 1 when a launcher (mpirun, mpiexec, srun: Open MPI's or PMI's variables)
 * started this process, whatever the build: its stdout is then the
 * launcher's pipe or pty, which says nothing of where the output goes. */
int clae_dist_launched(void);
/* Every rank ends with x[i] = sum over ranks r (in order 0, 1, ...) of rank
 * r's x[i] * w_r, summed in double: the same bits on every rank. n floats.
 * any (may be NULL): in, this rank's flag; out, 1 when any rank's is set
 * (a stop that every rank sees at the same step). */
clae_status clae_dist_sum(clae_dist *d, float *x, size_t n, double w, int *any);
/* One double summed over the ranks (in rank order). */
clae_status clae_dist_sum_double(clae_dist *d, double *x, int n);
/* Broadcast n floats from rank 0. */
clae_status clae_dist_bcast(clae_dist *d, float *x, size_t n);
/* End every rank of the run with this exit code (after this rank's one-line
 * error): MPI_Abort, or exit() without MPI. */
void clae_dist_abort(const clae_dist *d, int code);

#endif
