/* Output files named on the command line, checked up front; see
 * include/clae/output.h. */
#include "clae/output.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int clae_output_is_image_name(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (!dot || strchr(dot, '/')) return 0;
    char e[8] = {0};
    for (int i = 0; i < 7 && dot[i + 1]; i++) e[i] = (char)tolower((unsigned char)dot[i + 1]);
    return strcmp(e, "png") == 0 || strcmp(e, "jpg") == 0 || strcmp(e, "jpeg") == 0 ||
           strcmp(e, "bmp") == 0;
}

/* The folder path goes into, into buf ("." when it names none). 0, or -1 when too long. */
static int folder_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    int n;
    if (!slash)
        n = snprintf(buf, len, ".");
    else if (slash == path)
        n = snprintf(buf, len, "/");
    else
        n = snprintf(buf, len, "%.*s", (int)(slash - path), path);
    return n >= 0 && (size_t)n < len ? 0 : -1;
}

int clae_output_check(const char *cmd, const char *path)
{
    size_t len = strlen(path);
    if (len == 0) {
        fprintf(stderr, "%s: an empty output file name\n", cmd);
        return 0;
    }
    struct stat sb;
    if (path[len - 1] == '/' || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))) {
        fprintf(stderr, "%s: %s: is a directory (name the file to write)\n", cmd, path);
        return 0;
    }
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "%s: %s: is not a regular file (clae writes a new file and renames it "
                "over the old one)\n", cmd, path);
        return 0;
    }
    char dir[4096];
    if (folder_of(path, dir, sizeof dir) != 0) {
        fprintf(stderr, "%s: %s: path too long\n", cmd, path);
        return 0;
    }
    if (stat(dir, &sb) != 0) {
        if (errno == ENOENT)
            fprintf(stderr, "%s: %s: cannot write: folder %s does not exist (create it first)\n",
                    cmd, path, dir);
        else
            fprintf(stderr, "%s: %s: cannot write: folder %s: %s\n", cmd, path, dir,
                    strerror(errno));
        return 0;
    }
    if (!S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: %s: cannot write: %s is not a folder\n", cmd, path, dir);
        return 0;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "%s: %s: cannot write into folder %s: %s\n", cmd, path, dir,
                strerror(errno));
        return 0;
    }
    return 1;
}

int clae_output_check_image(const char *cmd, const char *path)
{
    if (!clae_output_is_image_name(path)) {
        fprintf(stderr, "%s: %s: unknown image type (use .png, .jpg or .bmp)\n", cmd, path);
        return 0;
    }
    return clae_output_check(cmd, path);
}
