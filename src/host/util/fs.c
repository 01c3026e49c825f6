/* The atomic write (and the clearing of what a killed one left), the
 * regular-file open and mkdir -p; see include/clae/fs.h. */
#include "clae/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void fault_pause(void)
{
    const char *v = getenv("CLAE_FAULT_SLOW_WRITE_MS");
    long ms = v ? strtol(v, NULL, 10) : 0;
    if (ms <= 0 || ms > 10000) return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int write_all(int fd, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    while (n > 0) {
        size_t chunk = n > (1u << 30) ? (1u << 30) : n;
        ssize_t w = write(fd, p, chunk);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* fsync the folder holding path, so the rename itself is durable (best effort). */
static void sync_dir(const char *path)
{
    char *dir = strdup(path);
    if (!dir) return;
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash == dir)
        d = "/";
    else if (slash) {
        *slash = 0;
        d = dir;
    }
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* The pid in name when it is a temporary file of a write to the file
 * called base (base.tmp.PID.XXXXXX); 0 otherwise. */
static long temp_pid_of(const char *name, const char *base)
{
    size_t b = strlen(base);
    if (strncmp(name, base, b) != 0 || strncmp(name + b, ".tmp.", 5) != 0 ||
        !clae_is_atomic_temp(name))
        return 0;
    const char *digits = name + b + 5;
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (errno || *end != '.' || strlen(end + 1) != 6 || pid <= 0 || pid > INT_MAX) return 0;
    return pid;
}

/* Leftovers of earlier writes to path whose process died mid-write (killed,
 * a power cut): path.tmp.PID.XXXXXX where no process PID exists. A running
 * writer's file (this process's too) stays. */
static void remove_dead_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char dir[PATH_MAX];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) >= sizeof dir)
        return;
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    DIR *dh = opendir(dir);
    if (!dh) return;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        long pid = temp_pid_of(e->d_name, base);
        if (pid == 0 || pid == (long)getpid()) continue;
        if (kill((pid_t)pid, 0) == -1 && errno == ESRCH) (void)unlinkat(dirfd(dh), e->d_name, 0);
    }
    closedir(dh);
}

int clae_write_atomic(const char *path, const void *const *data, const size_t *len, int n,
                      mode_t mode, const char **what)
{
    remove_dead_temps(path);
    const char *w = NULL;
    size_t tlen = strlen(path) + 48;
    char *tmp = malloc(tlen);
    if (!tmp) {
        *what = "create";
        errno = ENOMEM;
        return -1;
    }
    snprintf(tmp, tlen, "%s.tmp.%ld.XXXXXX", path, (long)getpid());
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        *what = "create";
        errno = e;
        return -1;
    }
    int err = 0;
    if (fchmod(fd, mode) != 0) w = "create", err = errno;
    for (int i = 0; !w && i < n; i++) {
        if (len[i] && write_all(fd, data[i], len[i]) != 0) w = "write", err = errno;
        fault_pause();
    }
    if (!w && fsync(fd) != 0) w = "fsync", err = errno;
    if (close(fd) != 0 && !w) w = "close", err = errno;
    fault_pause();
    if (!w && rename(tmp, path) != 0) w = "rename", err = errno;
    if (w) {
        unlink(tmp);
        free(tmp);
        *what = w;
        errno = err;
        return -1;
    }
    free(tmp);
    sync_dir(path);
    fault_pause();
    return 0;
}

/* clae_open_regular, and with pipes a pipe too. */
static int open_checked(const char *path, int pipes, const char **why)
{
    *why = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return -1;
    struct stat st;
    int flags;
    if (fstat(fd, &st) != 0 || (flags = fcntl(fd, F_GETFL)) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode) && !(pipes && S_ISFIFO(st.st_mode))) {
        close(fd);
        *why = S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file";
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return -1;
    }
    if (fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int clae_open_regular(const char *path, const char **why) { return open_checked(path, 0, why); }

static FILE *fopen_checked(const char *path, int pipes, const char **why)
{
    int fd = open_checked(path, pipes, why);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

FILE *clae_fopen_regular(const char *path, const char **why)
{
    return fopen_checked(path, 0, why);
}

FILE *clae_fopen_regular_or_pipe(const char *path, const char **why)
{
    return fopen_checked(path, 1, why);
}

int clae_is_atomic_temp(const char *name)
{
    const char *t = strstr(name, ".tmp.");
    if (!t || t == name) return 0;
    t += 5;
    size_t digits = strspn(t, "0123456789");
    if (digits == 0 || t[digits] != '.') return 0;
    t += digits + 1;
    return strlen(t) == 6;
}

int clae_mkdir_p(const char *path, mode_t mode)
{
    size_t n = strlen(path);
    char *tmp = malloc(n + 1);
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(tmp, path, n + 1);
    int first = 0; /* why a parent could not be made: the reason the last one fails */
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST && !first) first = errno;
        *p = '/';
    }
    int rc = mkdir(tmp, mode);
    if (rc != 0) {
        int e = errno;
        struct stat st;
        rc = stat(tmp, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
        errno = rc ? (e == EEXIST ? ENOTDIR : e == ENOENT && first ? first : e) : 0;
    }
    free(tmp);
    return rc;
}

int clae_abs_path(const char *path, char *buf, size_t len)
{
    char real[PATH_MAX];
    if (realpath(path, real)) {
        if (strlen(real) >= len) return errno = ERANGE, -1;
        memcpy(buf, real, strlen(real) + 1);
        return 0;
    }
    if (path[0] == '/') {
        if (strlen(path) >= len) return errno = ERANGE, -1;
        memcpy(buf, path, strlen(path) + 1);
        return 0;
    }
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return -1;
    while (path[0] == '.' && path[1] == '/') path += 2;
    int n = snprintf(buf, len, "%s/%s", cwd, path);
    if (n < 0 || (size_t)n >= len) return errno = ERANGE, -1;
    return 0;
}

int clae_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

clae_status clae_file_write_atomic(const char *path, const void *data, size_t len)
{
    const char *what = NULL;
    if (clae_write_atomic(path, &data, &len, 1, 0644, &what) == 0) return CLAE_OK;
    fprintf(stderr, "clae: %s: cannot write (%s): %s\n", path, what, strerror(errno));
    return CLAE_ERR_IO;
}
