/* CIFAR-10 loader for the official binary release (cifar-10-batches-bin/). */
#include "clae/cifar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clae/parse.h"

static const char *const TRAIN_FILES[] = {"data_batch_1.bin", "data_batch_2.bin",
                                          "data_batch_3.bin", "data_batch_4.bin",
                                          "data_batch_5.bin"};
static const char *const TEST_FILES[] = {"test_batch.bin"};

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The folder holding the .bin files: dir itself, unless it lacks the split's
 * first file and has a cifar-10-batches-bin/ subfolder. */
static clae_status resolve_dir(const char *dir, const char *first, char *buf, size_t cap)
{
    char probe[4096];
    if ((size_t)snprintf(probe, sizeof probe, "%s/%s", dir, first) >= sizeof probe) goto long_path;
    if (!is_file(probe)) {
        if ((size_t)snprintf(buf, cap, "%s/cifar-10-batches-bin", dir) >= cap) goto long_path;
        if (is_dir(buf)) return CLAE_OK;
    }
    if ((size_t)snprintf(buf, cap, "%s", dir) >= cap) goto long_path;
    return CLAE_OK;
long_path:
    fprintf(stderr, "clae: %s: path too long\n", dir);
    return CLAE_ERR_ARG;
}

clae_status clae_cifar_load(const char *dir, int split, clae_dataset *out)
{
    out->records = NULL;
    out->n = 0;
    if (split != CLAE_CIFAR_TRAIN && split != CLAE_CIFAR_TEST) {
        fprintf(stderr, "clae: %s: bad split %d (train %d, test %d)\n", dir, split,
                CLAE_CIFAR_TRAIN, CLAE_CIFAR_TEST);
        return CLAE_ERR_ARG;
    }
    const char *const *names = split == CLAE_CIFAR_TRAIN ? TRAIN_FILES : TEST_FILES;
    size_t nfiles = split == CLAE_CIFAR_TRAIN ? sizeof TRAIN_FILES / sizeof TRAIN_FILES[0]
                                              : sizeof TEST_FILES / sizeof TEST_FILES[0];
    char base[4096];
    clae_status st = resolve_dir(dir, names[0], base, sizeof base);
    if (st != CLAE_OK) return st;

    enum { MAXF = 5 };
    FILE *f[MAXF] = {0};
    char path[MAXF][4096 + 32];
    size_t count[MAXF] = {0}, total = 0;
    uint8_t *rec = NULL;

    /* Open and size every file first, so a bad last file costs no reading. */
    for (size_t i = 0; i < nfiles; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s", base, names[i]);
        f[i] = fopen(path[i], "rb");
        if (!f[i]) {
            fprintf(stderr, "clae: %s: cannot open: %s (choose the folder with --data, or fetch "
                    "CIFAR-10 with scripts/fetch-cifar10.sh)\n", path[i], strerror(errno));
            st = CLAE_ERR_IO;
            goto done;
        }
        struct stat sb;
        if (fstat(fileno(f[i]), &sb) != 0 || !S_ISREG(sb.st_mode)) {
            fprintf(stderr, "clae: %s: not a regular file\n", path[i]);
            st = CLAE_ERR_IO;
            goto done;
        }
        if (sb.st_size % CLAE_CIFAR_RECORD != 0) {
            fprintf(stderr, "clae: %s: size %lld is not a whole number of %d-byte records\n",
                    path[i], (long long)sb.st_size, CLAE_CIFAR_RECORD);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        count[i] = (size_t)((uint64_t)sb.st_size / CLAE_CIFAR_RECORD);
        if (count[i] > CLAE_CIFAR_MAX_RECORDS - total) {
            fprintf(stderr, "clae: %s: %zu records would take the %s split past %d\n", path[i],
                    count[i], split == CLAE_CIFAR_TRAIN ? "train" : "test",
                    CLAE_CIFAR_MAX_RECORDS);
            st = CLAE_ERR_FORMAT;
            goto done;
        }
        total += count[i];
    }
    if (total == 0) {
        fprintf(stderr, "clae: %s: no records in the %s split\n", base,
                split == CLAE_CIFAR_TRAIN ? "train" : "test");
        st = CLAE_ERR_FORMAT;
        goto done;
    }
    rec = malloc(total * CLAE_CIFAR_RECORD);
    if (!rec) {
        fprintf(stderr, "clae: %s: cannot allocate %zu bytes for %zu records\n", base,
                total * CLAE_CIFAR_RECORD, total);
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    size_t at = 0;
    for (size_t i = 0; i < nfiles; i++) {
        size_t bytes = count[i] * CLAE_CIFAR_RECORD;
        if (fread(rec + at, 1, bytes, f[i]) != bytes) {
            fprintf(stderr, "clae: %s: short read: %s\n", path[i],
                    ferror(f[i]) ? strerror(errno) : "file shrank while reading");
            st = CLAE_ERR_IO;
            goto done;
        }
        at += bytes;
    }
    out->records = rec;
    out->n = total;
    rec = NULL;
    st = CLAE_OK;
done:
    for (size_t i = 0; i < nfiles; i++)
        if (f[i]) fclose(f[i]);
    free(rec);
    return st;
}

void clae_dataset_free(clae_dataset *d)
{
    if (!d) return;
    free(d->records);
    d->records = NULL;
    d->n = 0;
}

/* ---- class sets ---------------------------------------------------------- */

int clae_classes_parse(const char *text, clae_classes *out)
{
    clae_classes c;
    memset(&c, 0, sizeof c);
    if (strcmp(text, "all") == 0) {
        *out = c;
        return 1;
    }
    const char *p = text;
    for (;;) { /* a label, then ',' or the end */
        char num[8];
        size_t n = 0;
        while (p[n] && p[n] != ',' && n + 1 < sizeof num) {
            num[n] = p[n];
            n++;
        }
        if (p[n] && p[n] != ',') return 0; /* a label of 8 or more characters */
        num[n] = '\0';
        int label;
        if (!clae_str_to_int(num, 0, CLAE_CIFAR_MAX_CLASSES - 1, &label)) return 0;
        c.bits[label / 64] |= (uint64_t)1 << (label % 64);
        if (!p[n]) break;
        p += n + 1;
    }
    *out = c;
    return 1;
}

int clae_classes_empty(const clae_classes *c)
{
    for (size_t w = 0; w < sizeof c->bits / sizeof c->bits[0]; w++)
        if (c->bits[w]) return 0;
    return 1;
}

int clae_classes_has(const clae_classes *c, int label)
{
    if (label < 0 || label >= CLAE_CIFAR_MAX_CLASSES) return 0;
    return clae_classes_empty(c) || (c->bits[label / 64] >> (label % 64) & 1u);
}

void clae_classes_format(const clae_classes *c, char *buf, size_t len)
{
    if (len == 0) return;
    buf[0] = '\0';
    if (clae_classes_empty(c)) {
        snprintf(buf, len, "all");
        return;
    }
    size_t at = 0;
    for (int k = 0; k < CLAE_CIFAR_MAX_CLASSES && at < len; k++)
        if (c->bits[k / 64] >> (k % 64) & 1u)
            at += (size_t)snprintf(buf + at, len - at, "%s%d", at ? "," : "", k);
}

size_t clae_dataset_keep_classes(clae_dataset *d, const clae_classes *c)
{
    if (clae_classes_empty(c)) return d->n;
    size_t kept = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (!clae_classes_has(c, clae_dataset_label(d, i))) continue;
        if (kept != i)
            memmove(d->records + kept * (size_t)CLAE_CIFAR_RECORD, clae_dataset_record(d, i),
                    CLAE_CIFAR_RECORD);
        kept++;
    }
    d->n = kept;
    return kept;
}
