/* NumPy .npy writer (format 1.0); see include/clae/npy.h. */
#include "clae/npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clae/fs.h"

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

size_t clae_npy_itemsize(const char *descr)
{
    if (!descr || descr[0] == '\0' || !strchr("<>|=", descr[0]) || descr[1] == '\0' ||
        !strchr("fiub", descr[1]))
        return 0;
    size_t size = 0;
    const char *p = descr + 2;
    if (*p < '1' || *p > '9') return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        size = size * 10 + (size_t)(*p - '0');
        if (size > 16) return 0;
    }
    if (*p != '\0') return 0;
    if (descr[1] == 'f' && size != 2 && size != 4 && size != 8 && size != 16) return 0;
    if (descr[1] != 'f' && size != 1 && size != 2 && size != 4 && size != 8) return 0;
    return size;
}

size_t clae_npy_header(char *buf, size_t cap, const char *descr, int ndim, const size_t *shape)
{
    if (clae_npy_itemsize(descr) == 0 || ndim < 0 || ndim > CLAE_NPY_MAX_NDIM ||
        (ndim > 0 && !shape))
        return 0;
    char dict[CLAE_NPY_HEADER_MAX];
    size_t len = (size_t)snprintf(dict, sizeof dict,
                                  "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (int i = 0; i < ndim && len < sizeof dict; i++)
        len += (size_t)snprintf(dict + len, sizeof dict - len, "%s%zu", i ? ", " : "", shape[i]);
    if (len < sizeof dict) /* a Python tuple of one needs its comma: (N,) */
        len += (size_t)snprintf(dict + len, sizeof dict - len, "%s), }", ndim == 1 ? "," : "");
    if (len >= sizeof dict) return 0;
    size_t total = 10 + len + 1; /* magic, version, length; the dict; its '\n' */
    total = (total + CLAE_NPY_ALIGN - 1) / CLAE_NPY_ALIGN * CLAE_NPY_ALIGN;
    size_t hlen = total - 10;
    if (total > cap || hlen > UINT16_MAX) return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(hlen & 0xff);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + 10, dict, len);
    memset(buf + 10 + len, ' ', hlen - len - 1);
    buf[total - 1] = '\n';
    return total;
}

clae_status clae_npy_write(const char *path, const char *descr, int ndim, const size_t *shape,
                           const void *data, size_t bytes)
{
    size_t item = clae_npy_itemsize(descr);
    if (item == 0) {
        fprintf(stderr, "clae: %s: bad NumPy dtype '%s'\n", path, descr ? descr : "(null)");
        return CLAE_ERR_ARG;
    }
    if (item > 1 && descr[0] == '<' && !host_is_little_endian()) {
        fprintf(stderr, "clae: %s: this host is big-endian; '%s' data needs a little-endian host\n",
                path, descr);
        return CLAE_ERR_ARG;
    }
    size_t want = item;
    for (int i = 0; i < ndim && shape; i++) {
        if (shape[i] != 0 && want > SIZE_MAX / shape[i]) {
            fprintf(stderr, "clae: %s: the array's size overflows\n", path);
            return CLAE_ERR_ARG;
        }
        want *= shape[i];
    }
    char hdr[CLAE_NPY_HEADER_MAX];
    size_t hlen = clae_npy_header(hdr, sizeof hdr, descr, ndim, shape);
    if (hlen == 0) {
        fprintf(stderr, "clae: %s: cannot describe a %d-dimensional array in a .npy header\n",
                path, ndim);
        return CLAE_ERR_ARG;
    }
    if (bytes != want || (bytes > 0 && !data)) {
        fprintf(stderr, "clae: %s: %zu bytes of data%s for an array of %zu\n", path, bytes,
                data ? "" : " (none given)", want);
        return CLAE_ERR_ARG;
    }
    const void *parts[2] = {hdr, data};
    size_t lens[2] = {hlen, bytes};
    const char *what = NULL;
    if (clae_write_atomic(path, parts, lens, bytes > 0 ? 2 : 1, 0644, &what) != 0) {
        fprintf(stderr, "clae: %s: cannot write (%s): %s\n", path, what, strerror(errno));
        return CLAE_ERR_IO;
    }
    return CLAE_OK;
}
