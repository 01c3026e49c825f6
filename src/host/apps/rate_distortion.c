/* clae rate-distortion's work: each checkpoint's .clz files and JPEG over a test split, their
 * sizes and metrics, and the CSV; see include/clae/rate_distortion.h. */
#include "clae/rate_distortion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clae/cifar.h"
#include "clae/compress.h"
#include "clae/fs.h"
#include "clae/jpeg_mem.h"
#include "clae/metrics.h"

/* What one checkpoint's walk holds, freed by rd_free whatever happened. */
typedef struct rd_walk {
    clae_codec c;
    clae_dataset ds;
    size_t n;
    float *clean, *codes, *deq, *out;
    clae_metrics acc[CLAE_RD_MAX_SETTINGS + 1];
    double bytes[CLAE_RD_MAX_SETTINGS + 1];
} rd_walk;

static void rd_free(rd_walk *w)
{
    free(w->clean);
    free(w->codes);
    free(w->deq);
    free(w->out);
    clae_dataset_free(&w->ds);
    clae_codec_close(&w->c);
}

/* The split, the net for a batch, the buffers and the accumulators; 1, or 0 after one line. */
static int rd_open(rd_walk *w, const clae_rd_opts *o, char *data_used, size_t data_len)
{
    clae_model *m = &w->c.v.m;
    const char *data = o->data ? o->data : m->train.data;
    snprintf(data_used, data_len, "%s", data);
    if (clae_dataset_load(data, CLAE_CIFAR_TEST, m->net.H, m->net.W, m->net.C, &w->ds) !=
        CLAE_OK)
        return 0;
    w->n = o->limit > 0 && (size_t)o->limit < w->ds.n ? (size_t)o->limit : w->ds.n;
    int batch = (size_t)o->batch < w->n ? (int)o->batch : (int)w->n;
    if (!clae_vae_bind(&w->c.v, o->device, batch)) return 0;
    size_t N = (size_t)w->c.v.net.N, per = w->c.v.per, zc = w->c.v.zc;
    w->clean = malloc(N * per * sizeof(float));
    w->out = malloc(N * per * sizeof(float));
    w->codes = malloc(N * zc * sizeof(float));
    w->deq = malloc(N * zc * sizeof(float));
    if (!w->clean || !w->out || !w->codes || !w->deq) {
        fprintf(stderr, "clae: out of memory for a batch of %zu\n", N);
        return 0;
    }
    for (int k = 0; k <= o->nbits; k++)
        if (clae_metrics_init(&w->acc[k], m->net.C, m->net.H, m->net.W) != CLAE_OK) return 0;
    return 1;
}

/* codes (nb, zc) through .clz files of bits in memory and back into deq; their bytes added
 * to *bytes. 1, or 0 after one line. */
static int rd_clz(rd_walk *w, int bits, int nb, double *bytes)
{
    const size_t zc = w->c.v.zc;
    for (int i = 0; i < nb; i++) {
        clae_clz_header h, back;
        uint8_t *file = NULL;
        float *v = NULL;
        size_t len = 0;
        char why[160];
        clae_codec_header(&w->c, bits, &h);
        int ok = clae_clz_encode(&h, w->codes + (size_t)i * zc, &file, &len, why,
                                 sizeof why) == CLAE_OK &&
                 clae_clz_decode(file, len, &back, &v, why, sizeof why) == CLAE_OK;
        if (ok) memcpy(w->deq + (size_t)i * zc, v, zc * sizeof(float));
        free(file);
        free(v);
        if (!ok) {
            fprintf(stderr, "clae: test image %d of the batch at %d bits: %s\n", i, bits, why);
            return 0;
        }
        *bytes += (double)len;
    }
    return 1;
}

/* The walk over the split: encode a batch, then each bit depth's files and decodes, then
 * the unquantised decode. 1, or 0 after one line. */
static int rd_walk_split(rd_walk *w, const clae_rd_opts *o)
{
    const int N = w->c.v.net.N;
    const clae_dataset *ds = &w->ds;
    for (size_t first = 0; first < w->n; first += (size_t)N) {
        int nb = w->n - first < (size_t)N ? (int)(w->n - first) : N;
        clae_records_to_float(w->clean, clae_dataset_record(ds, first), nb, ds->C, ds->H, ds->W);
        if (!clae_vae_encode(&w->c.v, w->clean, w->codes, nb)) return 0;
        for (int k = 0; k < o->nbits; k++) {
            if (!rd_clz(w, o->bits[k], nb, &w->bytes[k]) ||
                !clae_vae_decode(&w->c.v, w->deq, w->out, nb))
                return 0;
            clae_metrics_add(&w->acc[k], w->out, w->clean, (size_t)nb);
        }
        if (!clae_vae_decode(&w->c.v, w->codes, w->out, nb)) return 0;
        clae_metrics_add(&w->acc[o->nbits], w->out, w->clean, (size_t)nb);
    }
    return 1;
}

int clae_rd_model(const char *ckpt, const clae_rd_opts *o, clae_rd_row *rows, char *data_used,
                  size_t data_len)
{
    rd_walk w = {0};
    int rc = clae_codec_open(&w.c, "rate-distortion", ckpt, o->layer);
    if (rc == 0) rc = rd_open(&w, o, data_used, data_len) && rd_walk_split(&w, o) ? 0 : 1;
    if (rc == 0) {
        const clae_model *m = &w.c.v.m;
        const double px = (double)m->net.H * m->net.W, n = (double)w.n;
        for (int k = 0; k <= o->nbits; k++) {
            clae_rd_row *r = &rows[k];
            clae_metrics_summary s = clae_metrics_result(&w.acc[k]);
            *r = (clae_rd_row){.codec = "clae", .images = w.n, .H = m->net.H, .W = m->net.W,
                               .C = m->net.C, .psnr = s.psnr, .ssim = s.ssim};
            snprintf(r->model, sizeof r->model, "%s", ckpt);
            snprintf(r->code, sizeof r->code, "%dx%dx%d", w.c.code_h, w.c.code_w, w.c.code_c);
            if (k < o->nbits) {
                r->param = o->bits[k];
                snprintf(r->setting, sizeof r->setting, "bits=%d", o->bits[k]);
                r->bpp = 8.0 * w.bytes[k] / (n * px);
                r->payload_bpp = 8.0 * (w.bytes[k] - n * CLAE_CLZ_HEADER_BYTES) / (n * px);
            } else {
                r->param = 32;
                snprintf(r->setting, sizeof r->setting, "float32");
                r->bpp = r->payload_bpp = 32.0 * (double)w.c.v.zc / px;
            }
        }
    }
    rd_free(&w);
    return rc;
}

/* Record i of ds (planar bytes) as an interleaved image (allocated by the caller). */
static void record_image(const clae_dataset *ds, size_t i, clae_image *img)
{
    const uint8_t *p = clae_dataset_pixels(ds, i);
    const size_t plane = (size_t)ds->H * ds->W;
    for (size_t k = 0; k < plane; k++)
        for (int c = 0; c < ds->C; c++) img->px[k * ds->C + c] = p[c * plane + k];
}

int clae_rd_jpeg(const char *data, int H, int W, int C, const clae_rd_opts *o,
                 clae_rd_row *rows)
{
    clae_dataset ds = {0};
    clae_image img = {0}, dec = {0};
    size_t per = (size_t)C * H * W;
    float *clean = malloc(per * sizeof(float)), *back = malloc(per * sizeof(float));
    int ok = clean && back;
    if (!ok) fprintf(stderr, "clae: out of memory\n");
    ok = ok && clae_dataset_load(data, CLAE_CIFAR_TEST, H, W, C, &ds) == CLAE_OK &&
         clae_image_alloc(&img, W, H, C) == CLAE_OK;
    size_t n = ok && o->limit > 0 && (size_t)o->limit < ds.n ? (size_t)o->limit : ds.n;
    for (int k = 0; ok && k < o->njpeg; k++) {
        clae_metrics acc;
        double file = 0, scan = 0;
        ok = clae_metrics_init(&acc, C, H, W) == CLAE_OK;
        for (size_t i = 0; ok && i < n; i++) {
            size_t fb = 0, sb = 0;
            record_image(&ds, i, &img);
            clae_records_to_float(clean, clae_dataset_record(&ds, i), 1, C, H, W);
            ok = clae_jpeg_roundtrip(&img, o->jpeg[k], &dec, &fb, &sb) == CLAE_OK;
            if (!ok) break;
            clae_image_to_chw(back, &dec);
            clae_image_free(&dec);
            clae_metrics_add(&acc, back, clean, 1);
            file += (double)fb;
            scan += (double)sb;
        }
        if (!ok) break;
        clae_metrics_summary s = clae_metrics_result(&acc);
        const double px = (double)H * W * (double)n;
        rows[k] = (clae_rd_row){.codec = "jpeg", .param = o->jpeg[k], .images = n, .H = H,
                                .W = W, .C = C,
                                .bpp = 8.0 * file / px, .payload_bpp = 8.0 * scan / px,
                                .psnr = s.psnr, .ssim = s.ssim};
        snprintf(rows[k].setting, sizeof rows[k].setting, "q=%d", o->jpeg[k]);
    }
    free(clean);
    free(back);
    clae_image_free(&img);
    clae_dataset_free(&ds);
    return ok;
}

/* s as one CSV field into buf: as it is, or quoted (quotes doubled) when it holds a comma, a
 * quote or a line break (RFC 4180). */
static const char *csv_field(const char *s, char *buf, size_t len)
{
    if (!strpbrk(s, ",\"\r\n")) return s;
    size_t o = 0;
    buf[o++] = '"';
    for (; *s && o + 3 < len; s++) {
        if (*s == '"') buf[o++] = '"';
        buf[o++] = *s;
    }
    buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

int clae_rd_write_csv(const char *path, const clae_rd_row *rows, int n)
{
    size_t cap = 128 + (size_t)n * 768, len = 0;
    char *s = malloc(cap);
    if (!s) {
        fprintf(stderr, "clae: out of memory\n");
        return 0;
    }
    len += (size_t)snprintf(s, cap, "codec,model,code,setting,images,bpp,payload_bpp,psnr,ssim\n");
    for (int i = 0; i < n; i++) {
        const clae_rd_row *r = &rows[i];
        char model[2 * sizeof r->model + 3];
        int w = snprintf(s + len, cap - len, "%s,%s,%s,%s,%zu,%.4f,%.4f,%.3f,%.4f\n", r->codec,
                         csv_field(r->model, model, sizeof model), r->code, r->setting, r->images, r->bpp, r->payload_bpp,
                         r->psnr, r->ssim);
        if (w > 0 && (size_t)w < cap - len) len += (size_t)w;
    }
    int ok;
    if (path)
        ok = clae_file_write_atomic(path, s, len) == CLAE_OK;
    else
        ok = fwrite(s, 1, len, stdout) == len && fflush(stdout) == 0;
    if (!ok && !path) fprintf(stderr, "clae: stdout: cannot write the CSV\n");
    free(s);
    return ok;
}
