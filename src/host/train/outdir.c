/* The output folder of a run: its lock, the refusal of a folder that holds
 * another run (clae_train_claim_out), leftovers of a killed run, and the
 * checkpoints written there. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "clae/checkpoint.h"
#include "clae/fs.h"
#include "clae/tensorboard_log.h"
#include "internal.h"

int out_dir_lock(const char *dir)
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
        clae_tb_log_remove(dir); /* and its TensorBoard log, OUT/tb/events.out.tfevents.* */
    }
    if (!found[0]) return CLAE_OK;
    fprintf(stderr, "clae: %s already holds a run (%s): continue it with --resume %s/last."
            "safetensors, choose another --out, or replace it with --overwrite\n", dir, found,
            dir);
    return CLAE_ERR_ARG;
}

void out_dir_remove_temps(const char *dir)
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

clae_status save_checkpoint(clae_net *n, const char *dir, const char *file, const clae_run *run,
                            char *path, size_t len)
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
    CLAE_TRY(clae_run_to_meta(run, &meta));
    clae_status st = clae_ckpt_save(path, m, &meta, 1);
    clae_ckpt_meta_free(&meta);
    return st;
}
