/* Labels against the classes a data folder names; see labels.h. */
#define _POSIX_C_SOURCE 200809L
#include "labels.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CLASS_NAMES_MAX_BYTES = 64 * 1024 };

int clae_class_names_count(const char *text, size_t len)
{
    int names = 0, line = 0, blank = 1;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            line++;
            if (!blank) names = line;
            blank = 1;
        } else if (!strchr(" \t\r\f\v", text[i])) {
            blank = 0;
        }
    }
    return names;
}

int clae_class_names_file(const char *dir, char *path, size_t cap, int *n)
{
    *n = 0;
    if ((size_t)snprintf(path, cap, "%s/batches.meta.txt", dir) >= cap) {
        fprintf(stderr, "clae: %s: path too long\n", dir);
        return 0;
    }
    /* non-blocking: a FIFO of that name is refused below, not waited on */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return 1;
        fprintf(stderr, "clae: %s: cannot open: %s\n", path, strerror(errno));
        return 0;
    }
    struct stat sb;
    char *text = NULL;
    int ok = 0;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "clae: %s: not a regular file\n", path);
    } else if (sb.st_size > CLASS_NAMES_MAX_BYTES) {
        fprintf(stderr, "clae: %s: %lld bytes: class names (one a line) take at most %d\n", path,
                (long long)sb.st_size, CLASS_NAMES_MAX_BYTES);
    } else if (!(text = malloc((size_t)sb.st_size + 1))) {
        fprintf(stderr, "clae: %s: out of memory\n", path);
    } else {
        size_t got = 0;
        ssize_t r = 1;
        while (got < (size_t)sb.st_size && (r = read(fd, text + got, (size_t)sb.st_size - got)) > 0)
            got += (size_t)r;
        if (r < 0) {
            fprintf(stderr, "clae: %s: cannot read: %s\n", path, strerror(errno));
        } else {
            *n = clae_class_names_count(text, got);
            ok = 1;
        }
    }
    free(text);
    close(fd);
    return ok;
}

size_t clae_first_label_past(const uint8_t *rec, size_t n, size_t stride, int classes)
{
    for (size_t i = 0; i < n; i++)
        if (rec[i * stride] >= classes) return i;
    return n;
}

void clae_report_label_past(const char *file, size_t index, size_t n, int label,
                            const char *source, int classes)
{
    fprintf(stderr, "clae: %s: record %zu of %zu has label %d, but %s names %d classes (labels "
            "0 to %d)\n", file, index + 1, n, label, source, classes, classes - 1);
}

void clae_class_names_read(const char *dir, int K, size_t cap, char *names)
{
    for (int k = 0; k < K; k++) snprintf(names + (size_t)k * cap, cap, "%d", k);
    char path[4200], line[256];
    snprintf(path, sizeof path, "%s/batches.meta.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) return;
    for (int k = 0; k < K && fgets(line, sizeof line, f); k++) {
        int over = !strchr(line, '\n') && !feof(f); /* a line longer than line: its rest */
        size_t len = strcspn(line, "\r\n");
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t')) len--;
        size_t at = strspn(line, " \t");
        if (len > at)
            snprintf(names + (size_t)k * cap, cap, "%.*s", (int)(len - at), line + at);
        for (int ch; over && (ch = fgetc(f)) != EOF && ch != '\n';) {}
    }
    fclose(f);
}
