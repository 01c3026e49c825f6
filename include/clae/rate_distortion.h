/* clae rate-distortion's work (src/host/apps/rate_distortion.c): over a CIFAR-10 test split,
 * the mean bits per pixel and the mean PSNR and SSIM (clae/metrics.h, as clae eval reports
 * them) of each checkpoint's .clz files at each bit depth (exactly what clae compress writes
 * and clae decompress reads, made and parsed in memory), of its unquantised code, and of
 * JPEG at each quality (clae/jpeg_mem.h), all in one process. */
#ifndef CLAE_RATE_DISTORTION_H
#define CLAE_RATE_DISTORTION_H

#include <stddef.h>

#define CLAE_RD_MAX_SETTINGS 32 /* bit depths, and JPEG qualities */

/* One line of the results. bpp: the whole file's bytes * 8 / (H * W); payload_bpp: without
 * the fixed headers (a .clz file's 32 bytes; a JPEG's markers, tables and headers, the scan
 * alone). The unquantised code ("float32") is 32 bits a value, nothing entropy-coded. */
typedef struct clae_rd_row {
    const char *codec;  /* "clae" or "jpeg" */
    char model[256];    /* the checkpoint ("" for JPEG) */
    char code[32];      /* the code's shape H x W x C, "8x8x4" ("" for JPEG) */
    char setting[16];   /* "bits=6", "float32", "q=50" */
    int param;          /* bits, or quality; 32 for float32 */
    size_t images;
    int H, W, C;        /* the images' */
    double bpp, payload_bpp, psnr, ssim;
} clae_rd_row;

typedef struct clae_rd_opts {
    int bits[CLAE_RD_MAX_SETTINGS], nbits;
    int jpeg[CLAE_RD_MAX_SETTINGS], njpeg;
    long limit, batch;            /* images (0: the whole split); per forward pass */
    const char *data, *device, *layer; /* NULL: the checkpoint's data folder, the default
                                          device, the layer named code */
} clae_rd_opts;

/* The rows of checkpoint ckpt: one per bit depth, then float32 (nbits + 1 rows). The data
 * folder it read into data_used. 0; 1 after a one-line error; 2 after a usage error. */
int clae_rd_model(const char *ckpt, const clae_rd_opts *o, clae_rd_row *rows, char *data_used,
                  size_t data_len);
/* The JPEG rows (njpeg) over the test split of data at H x W x C (1 or 3 channels). 1, or 0
 * after a one-line error. */
int clae_rd_jpeg(const char *data, int H, int W, int C, const clae_rd_opts *o,
                 clae_rd_row *rows);
/* The rows as CSV (a header line, then codec,model,code,setting,images,bpp,payload_bpp,psnr,
 * ssim; a model path holding a comma or quote quoted as RFC 4180 says) into path,
 * atomically, or to stdout when path is NULL. 1, or 0 after one line. */
int clae_rd_write_csv(const char *path, const clae_rd_row *rows, int n);

#endif
