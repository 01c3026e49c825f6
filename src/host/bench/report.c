/* `clae bench`'s report: the readable table and the same as JSON
 * (include/clae/bench.h); bench/measure.c measures. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "clae/bench.h"
#include "clae/fs.h"
#include "clae/json_file.h"
#include "clae/plural.h"

/* ---- output ------------------------------------------------------------- */

static double pct(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }
static double rate(double amount, double s) { return s > 0 ? amount / s : 0.0; }

static void print_row(const clae_bench_result *r, const clae_bench_row *w, FILE *out)
{
    char layer[16] = "";
    if (w->layer >= 0) snprintf(layer, sizeof layer, "%d", w->layer);
    double fs = rate(w->flops, w->median_s), bs = rate(w->bytes, w->median_s);
    fprintf(out, "%3s %-22s %-15s %-20s %9.3f %9.3f %9.2f %8.2f %8.2f %5.1f %7.2f %5.1f %5.1f\n",
            layer, w->what, w->op, w->shape, 1e3 * w->median_s, 1e3 * w->min_s, 1e-6 * w->flops,
            1e-6 * w->bytes, 1e-9 * fs, pct(fs, r->peak_flops_s), 1e-9 * bs,
            pct(bs, r->peak_bytes_s), pct(w->median_s, r->step.median_s));
}

/* What the percentage columns are of; %bw above 100 is no error. */
static void print_columns_note(const clae_bench_result *r, FILE *out)
{
    double top = 0;
    for (int k = 0; k < r->nrows; k++) {
        const clae_bench_row *w = &r->rows[k];
        double p = pct(rate(w->bytes, w->median_s), r->peak_bytes_s);
        if (p > top) top = p;
    }
    fprintf(out,
            "\n%%pk: GFLOP/s as %% of the fma probe's. %%bw: GB/s as %% of the copy probe's (a "
            "%.0f MB buffer copied,\n"
            "far past the caches: main memory's rate). An op's MB count each tensor it reads "
            "or writes once;\n"
            "%%bw over 100 (here up to %.1f%%) means its tensors were served by the caches, "
            "faster than main\n"
            "memory. %%step: share of the median training step's time.\n",
            0.5e-6 * r->probe_copy_bytes, top);
}

void clae_bench_print(const clae_bench_result *r, const char *config, FILE *out)
{
    fprintf(out, "clae bench: %s, batch %d, median and min of %d %s after %d warm-up\n", config,
            r->batch, r->repeats, clae_plural(r->repeats, "run", "runs"), r->warmup);
    fprintf(out, "device:   %s\n", r->device);
    fprintf(out, "platform: %s (vendor %s, driver %s)\n", r->platform, r->vendor, r->driver);
    fprintf(out, "timer:    %s\n", r->timer);
    fprintf(out,
            "peak:     fma probe %.2f GFLOP/s (%.3f ms for %.1f MFLOP), copy probe %.2f GB/s "
            "(%.3f ms for %.1f MB)\n\n",
            1e-9 * r->peak_flops_s, 1e3 * r->probe_fma_s, 1e-6 * r->probe_fma_flops,
            1e-9 * r->peak_bytes_s, 1e3 * r->probe_copy_s, 1e-6 * r->probe_copy_bytes);
    fprintf(out, "%3s %-22s %-15s %-20s %9s %9s %9s %8s %8s %5s %7s %5s %5s\n", "#", "layer", "op",
            "shape (per image)", "median ms", "min ms", "MFLOP", "MB", "GFLOP/s", "%pk", "GB/s",
            "%bw", "%step");
    clae_bench_row sum = {.layer = -1};
    snprintf(sum.what, sizeof sum.what, "sum of the rows above");
    for (int k = 0; k < r->nrows; k++) {
        print_row(r, &r->rows[k], out);
        sum.median_s += r->rows[k].median_s;
        sum.min_s += r->rows[k].min_s;
        sum.flops += r->rows[k].flops;
        sum.bytes += r->rows[k].bytes;
    }
    fprintf(out, "\n");
    print_row(r, &sum, out);
    print_row(r, &r->step, out);
    print_columns_note(r, out);
    fprintf(out, "\nimages/s: %.1f (batch %d / median step %.3f ms; best step %.3f ms: %.1f "
                 "images/s)\n",
            rate(r->batch, r->step.median_s), r->batch, 1e3 * r->step.median_s,
            1e3 * r->step.min_s, rate(r->batch, r->step.min_s));
    if (!r->is_ref) {
        fprintf(out, "kernels per step: %lu (%lu unfused), plus %lu CLBlast GEMM calls (1-4 "
                     "kernels each)%s\n",
                r->step_kernels, r->step_kernels_unfused, r->step_gemms,
                r->step_replayed ? "; enqueued as one recorded command buffer" : "");
        fprintf(out, "bytes per step: %.1f MB (%.1f MB unfused; rows of fused passes: "
                     "+pool, +loss; CLAE_FUSE=0 shows the unfused rows)\n",
                r->step.bytes / 1e6, r->step_bytes_unfused / 1e6);
    }
    if (r->data_convert_s > 0)
        fprintf(out, "data pipeline per batch (clae train, besides the step): convert %.3f ms, "
                     "blur %.3f ms\n",
                1e3 * r->data_convert_s, 1e3 * r->data_blur_s);
    fprintf(out, "memory: %.1f MiB (%.1f KiB per image, %.1f KiB of parameters, gradients and "
                 "Adam moments; scratch and upload buffers not counted)\n",
            (r->mem_batch_bytes + r->mem_param_bytes) / 1048576.0,
            r->batch > 0 ? r->mem_batch_bytes / r->batch / 1024.0 : 0.0,
            r->mem_param_bytes / 1024.0);
}

static cJSON *row_json(const clae_bench_result *r, const clae_bench_row *w)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    double fs = rate(w->flops, w->median_s), bs = rate(w->bytes, w->median_s);
    cJSON_AddNumberToObject(o, "layer", w->layer);
    cJSON_AddStringToObject(o, "what", w->what);
    cJSON_AddStringToObject(o, "op", w->op);
    cJSON_AddStringToObject(o, "shape", w->shape);
    cJSON_AddNumberToObject(o, "median_ms", 1e3 * w->median_s);
    cJSON_AddNumberToObject(o, "min_ms", 1e3 * w->min_s);
    cJSON_AddNumberToObject(o, "flops", w->flops);
    cJSON_AddNumberToObject(o, "bytes", w->bytes);
    cJSON_AddNumberToObject(o, "gflop_s", 1e-9 * fs);
    cJSON_AddNumberToObject(o, "gb_s", 1e-9 * bs);
    cJSON_AddNumberToObject(o, "pct_peak_flops", pct(fs, r->peak_flops_s));
    cJSON_AddNumberToObject(o, "pct_peak_bw", pct(bs, r->peak_bytes_s));
    cJSON_AddNumberToObject(o, "pct_step", pct(w->median_s, r->step.median_s));
    return o;
}

static cJSON *result_json(const clae_bench_result *r, const char *config)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "config", config);
    cJSON *dev = cJSON_AddObjectToObject(root, "device");
    if (dev) {
        cJSON_AddStringToObject(dev, "name", r->device);
        cJSON_AddStringToObject(dev, "platform", r->platform);
        cJSON_AddStringToObject(dev, "vendor", r->vendor);
        cJSON_AddStringToObject(dev, "driver", r->driver);
        cJSON_AddBoolToObject(dev, "reference", r->is_ref);
    }
    cJSON_AddNumberToObject(root, "batch", r->batch);
    cJSON_AddNumberToObject(root, "repeats", r->repeats);
    cJSON_AddNumberToObject(root, "warmup", r->warmup);
    cJSON_AddStringToObject(root, "timer", r->timer);
    cJSON *peak = cJSON_AddObjectToObject(root, "peak");
    if (peak) {
        cJSON_AddNumberToObject(peak, "fma_gflop_s", 1e-9 * r->peak_flops_s);
        cJSON_AddNumberToObject(peak, "fma_ms", 1e3 * r->probe_fma_s);
        cJSON_AddNumberToObject(peak, "fma_flops", r->probe_fma_flops);
        cJSON_AddNumberToObject(peak, "copy_gb_s", 1e-9 * r->peak_bytes_s);
        cJSON_AddNumberToObject(peak, "copy_ms", 1e3 * r->probe_copy_s);
        cJSON_AddNumberToObject(peak, "copy_bytes", r->probe_copy_bytes);
    }
    cJSON *rows = cJSON_AddArrayToObject(root, "rows");
    double sum_med = 0;
    for (int k = 0; k < r->nrows; k++) {
        sum_med += r->rows[k].median_s;
        if (rows) cJSON_AddItemToArray(rows, row_json(r, &r->rows[k]));
    }
    cJSON_AddNumberToObject(root, "rows_median_ms_sum", 1e3 * sum_med);
    cJSON *step = row_json(r, &r->step);
    if (step) {
        cJSON_AddNumberToObject(step, "images_per_s", rate(r->batch, r->step.median_s));
        if (!r->is_ref) {
            cJSON_AddNumberToObject(step, "kernels", (double)r->step_kernels);
            cJSON_AddNumberToObject(step, "kernels_unfused", (double)r->step_kernels_unfused);
            cJSON_AddNumberToObject(step, "bytes_unfused", r->step_bytes_unfused);
            cJSON_AddNumberToObject(step, "clblast_gemm_calls", (double)r->step_gemms);
            cJSON_AddBoolToObject(step, "replayed", r->step_replayed);
        }
        cJSON_AddNumberToObject(step, "memory_batch_bytes", r->mem_batch_bytes);
        cJSON_AddNumberToObject(step, "memory_param_bytes", r->mem_param_bytes);
        cJSON_AddItemToObject(root, "step", step);
    }
    return root;
}

clae_status clae_bench_write_json(const clae_bench_result *r, const char *config,
                                  const char *path)
{
    cJSON *root = result_json(r, config);
    clae_status st = clae_json_write_file(path, root);
    cJSON_Delete(root);
    return st;
}
