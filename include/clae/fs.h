/* Files, once each (src/host/util/fs.c): the atomic write every output of
 * clae goes through (checkpoints, images, history, reports, the kernel
 * cache), the open every reader of a user's file goes through, and mkdir -p. */
#ifndef CLAE_FS_H
#define CLAE_FS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "clae/status.h"

/* Write the n pieces (data[i], len[i]) to a new temporary file next to path
 * (path.tmp.PID.XXXXXX, mode), fsync it, rename it over path and fsync the
 * folder: path is the old file or the whole new one, never a part. 0 on
 * success; -1 with errno set and *what ("create", "write", "fsync", "close",
 * "rename") on failure, the temporary file removed. A write killed before
 * its rename leaves its temporary file; the next write to path removes every
 * path.tmp.PID.XXXXXX whose process PID is gone (a running one's stays). Test hook
 * CLAE_FAULT_SLOW_WRITE_MS=N (1 to 10000): a pause of N ms after each piece,
 * before the rename and after it (scripts/fault-test.sh). */
int clae_write_atomic(const char *path, const void *const *data, const size_t *len, int n,
                      mode_t mode, const char **what);

/* clae_write_atomic of len bytes (mode 0644) as a clae_status: on failure
 * `clae: <path>: cannot write (<step>): <reason>` and CLAE_ERR_IO. */
clae_status clae_file_write_atomic(const char *path, const void *data, size_t len);

/* Whether name is a temporary file of clae_write_atomic (NAME.tmp.PID.XXXXXX). */
int clae_is_atomic_temp(const char *name);

/* Open a user's file to read (O_RDONLY | O_CLOEXEC): a regular file only. A
 * folder, FIFO, socket or device is refused without blocking (a FIFO's open
 * would wait for a writer, so the open is O_NONBLOCK, cleared after the
 * check). The fd; or -1 with *why "is a directory" or "is not a regular
 * file" (errno EISDIR or EINVAL), or *why NULL when the open failed (errno
 * from open). */
int clae_open_regular(const char *path, const char **why);

/* clae_open_regular as a stdio stream ("rb"); NULL as it fails. */
FILE *clae_fopen_regular(const char *path, const char **why);
/* The same, a pipe allowed too (a config given as the shell's <(...)): the
 * open does not wait for a writer, and a named pipe nobody writes to reads
 * as empty. */
FILE *clae_fopen_regular_or_pipe(const char *path, const char **why);

/* mkdir -p: parents 0755, the last folder with mode; 0 when path is a
 * folder at the end, -1 (errno set) otherwise. */
int clae_mkdir_p(const char *path, mode_t mode);

/* path made absolute into buf: realpath() where it exists, else the working
 * folder joined with it. 0, or -1 (errno set; ERANGE when len is short). */
int clae_abs_path(const char *path, char *buf, size_t len);

/* 1 when a and b name the same existing folder or file (same device and
 * inode), else 0. */
int clae_same_file(const char *a, const char *b);

#endif
