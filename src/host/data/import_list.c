/* `clae data import`, its source folder: the class folders of <src>/train
 * and every image of <src>/<split>/<class>/, sorted and interleaved
 * round-robin over the classes (see clae/cifar.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "data/import_int.h"

void import_strvec_free(strvec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->s[i]);
    free(v->s);
    v->s = NULL;
    v->n = v->cap = 0;
}

static clae_status strvec_push(strvec *v, const char *s)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 16;
        char **p = realloc(v->s, cap * sizeof *p);
        if (!p) goto nomem;
        v->s = p;
        v->cap = cap;
    }
    if (!(v->s[v->n] = strdup(s))) goto nomem;
    v->n++;
    return CLAE_OK;
nomem:
    fprintf(stderr, "clae: out of memory listing images\n");
    return CLAE_ERR_NOMEM;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *import_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    p[la] = '/';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

/* The image types stb_image reads that clae imports */
static int has_image_ext(const char *name)
{
    static const char *const EXT[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif",
                                      ".tga", ".ppm", ".pgm", ".pnm"};
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    for (size_t i = 0; i < sizeof EXT / sizeof EXT[0]; i++)
        if (strcasecmp(dot, EXT[i]) == 0) return 1;
    return 0;
}


static void skip(skips *sk, const char *path)
{
    if (sk && sk->n++ == 0) snprintf(sk->first, sizeof sk->first, "%s", path);
}

/* Names in dir (not starting with '.': those are ignored), sorted by strcmp.
 * want_dirs: the folders (class folders); else the regular files with an
 * image type's extension. Anything else is skipped and counted in sk (if not NULL). */
static clae_status list_dir(const char *dir, int want_dirs, strvec *out, skips *sk)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "clae: %s: cannot open: %s\n", dir, strerror(errno));
        return CLAE_ERR_IO;
    }
    clae_status st = CLAE_OK;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *p = import_join(dir, e->d_name);
        if (!p) {
            fprintf(stderr, "clae: out of memory listing images\n");
            st = CLAE_ERR_NOMEM;
            break;
        }
        struct stat sb;
        if (stat(p, &sb) != 0) {
            fprintf(stderr, "clae: %s: cannot open: %s\n", p, strerror(errno));
            st = CLAE_ERR_IO;
        } else if (want_dirs ? !S_ISDIR(sb.st_mode)
                             : !S_ISREG(sb.st_mode) || !has_image_ext(e->d_name)) {
            skip(sk, p); /* a README beside the class folders, notes among the images */
        } else if (want_dirs && strpbrk(e->d_name, "\r\n")) {
            fprintf(stderr, "clae: %s: class name contains a line break\n", p);
            st = CLAE_ERR_FORMAT;
        } else {
            st = strvec_push(out, e->d_name);
        }
        free(p);
        if (st != CLAE_OK) break;
        errno = 0;
    }
    if (st == CLAE_OK && errno != 0) {
        fprintf(stderr, "clae: %s: cannot read folder: %s\n", dir, strerror(errno));
        st = CLAE_ERR_IO;
    }
    closedir(d);
    if (st == CLAE_OK && out->n > 1) qsort(out->s, out->n, sizeof *out->s, cmp_str);
    return st;
}

void import_split_free(split *s)
{
    for (size_t i = 0; i < s->n; i++) free(s->items[i].path);
    free(s->items);
    s->items = NULL;
    s->n = 0;
}

/* Every image of <src>/<name>/<class>/, ordered round-robin over classes:
 * by (index within class, label). */
clae_status import_build_split(const char *src, const char *name, const strvec *classes,
                               split *out, skips *sk)
{
    clae_status st = CLAE_OK;
    char *root = import_join(src, name);
    strvec present = {0};
    strvec *files = calloc(classes->n, sizeof *files);
    if (!root || !files) {
        fprintf(stderr, "clae: out of memory listing images\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    /* (train/ was listed for the classes already: its skips counted then) */
    if ((st = list_dir(root, 1, &present, strcmp(name, "train") ? sk : NULL)) != CLAE_OK)
        goto done;
    if (present.n == 0) {
        fprintf(stderr, "clae: %s: no class folders (expected %s/<class>/<image>)\n", root, name);
        st = CLAE_ERR_FORMAT;
        goto done;
    }
    size_t total = 0, most = 0;
    for (size_t i = 0; i < present.n; i++) {
        char **hit = bsearch(&present.s[i], classes->s, classes->n, sizeof *classes->s, cmp_str);
        char *cdir = import_join(root, present.s[i]);
        if (!cdir) {
            fprintf(stderr, "clae: out of memory listing images\n");
            st = CLAE_ERR_NOMEM;
            goto done;
        }
        if (!hit) {
            fprintf(stderr, "clae: %s: class '%s' has no folder in %s/train\n", cdir,
                    present.s[i], src);
            st = CLAE_ERR_FORMAT;
        } else {
            strvec *fv = &files[hit - classes->s];
            st = list_dir(cdir, 0, fv, sk);
            if (st == CLAE_OK && fv->n == 0) {
                fprintf(stderr, "clae: %s: no images\n", cdir);
                st = CLAE_ERR_FORMAT;
            }
            total += fv->n;
            if (fv->n > most) most = fv->n;
        }
        free(cdir);
        if (st != CLAE_OK) goto done;
    }
    out->items = calloc(total, sizeof *out->items);
    if (!out->items) {
        fprintf(stderr, "clae: out of memory listing images\n");
        st = CLAE_ERR_NOMEM;
        goto done;
    }
    for (size_t k = 0; k < most; k++)
        for (size_t c = 0; c < classes->n; c++) {
            if (k >= files[c].n) continue;
            char *cdir = import_join(root, classes->s[c]);
            char *p = cdir ? import_join(cdir, files[c].s[k]) : NULL;
            free(cdir);
            if (!p) {
                fprintf(stderr, "clae: out of memory listing images\n");
                st = CLAE_ERR_NOMEM;
                goto done;
            }
            out->items[out->n].path = p;
            out->items[out->n].label = (uint8_t)c;
            out->n++;
        }
done:
    if (files)
        for (size_t c = 0; c < classes->n; c++) import_strvec_free(&files[c]);
    free(files);
    import_strvec_free(&present);
    free(root);
    if (st != CLAE_OK) import_split_free(out);
    return st;
}


clae_status import_list_classes(const char *src, strvec *classes, skips *sk)
{
    char *train_root = import_join(src, "train");
    if (!train_root) {
        fprintf(stderr, "clae: out of memory\n");
        return CLAE_ERR_NOMEM;
    }
    clae_status st = list_dir(train_root, 1, classes, sk);
    if (st == CLAE_OK && classes->n == 0) {
        fprintf(stderr, "clae: %s: no class folders (expected train/<class>/<image>)\n",
                train_root);
        st = CLAE_ERR_FORMAT;
    }
    if (st == CLAE_OK && classes->n > CLAE_CIFAR_MAX_CLASSES) {
        fprintf(stderr, "clae: %s: %zu classes, at most %d fit a label byte\n", train_root,
                classes->n, CLAE_CIFAR_MAX_CLASSES);
        st = CLAE_ERR_FORMAT;
    }
    free(train_root);
    return st;
}
