/* What a data folder without training data holds instead, for the one line
 * that says so (clae_data_missing, include/clae/cifar.h): images that want
 * `clae data import`, or nothing at all. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "clae/cifar.h"

/* An image `clae data import` reads, by its name */
static int image_name(const char *name)
{
    static const char *const EXT[] = {".png", ".jpg", ".jpeg", ".bmp", ".gif",
                                      ".tga", ".ppm", ".pgm", ".pnm"};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof EXT / sizeof EXT[0]; i++)
        if (strcasecmp(dot, EXT[i]) == 0) return 1;
    return 0;
}

/* What dir holds: -1 it cannot be read, 0 nothing (or only files of
 * neither kind), 1 images (train/ or test/ folders, or image files), 2 some
 * data (a .bin or .safetensors file: only this split's file is missing). */
static int folder_kind(const char *dir, int *entries)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int images = 0, data = 0;
    *entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        ++*entries;
        char path[4400];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int is_dir = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
        if (image_name(e->d_name) ||
            (is_dir && (strcmp(e->d_name, "train") == 0 || strcmp(e->d_name, "test") == 0)))
            images = 1;
        const char *dot = strrchr(e->d_name, '.');
        if (dot && (strcmp(dot, ".bin") == 0 || strcmp(dot, ".safetensors") == 0)) data = 1;
    }
    closedir(d);
    return data ? 2 : images;
}

void clae_data_missing(const char *dir, const char *path, int err)
{
    int entries = 0, kind = err == ENOENT ? folder_kind(dir, &entries) : -1;
    const char *file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    const char *st = strncmp(file, "test", 4) == 0 ? "test.safetensors" : "train.safetensors";
    if (kind == 1)
        fprintf(stderr, "clae: %s holds images, not training data: convert them with 'clae data "
                "import %s OUT', then --data OUT\n", dir, dir);
    else if (kind == 0)
        fprintf(stderr, "clae: %s holds no data (%s of CIFAR-10, or %s of 'clae data import')%s: "
                "fetch CIFAR-10 with scripts/fetch-cifar10.sh, or import images with 'clae data "
                "import DIR %s'\n", dir, file, st, entries ? "" : "; it is empty", dir);
    else
        fprintf(stderr, "clae: %s: cannot open: %s (choose the folder with --data, or fetch "
                "CIFAR-10 with scripts/fetch-cifar10.sh)\n", path, strerror(err));
}
