/* Running kernels on an OpenCL device: scratch buffers, work-group sizes,
 * launches, and recording a step into a command buffer to replay it
 * (include/clae/device.h). */
#include <stdlib.h>
#include <string.h>

#include "clae/device.h"
#include "internal.h"

/* OpenCL 2.1's, declared here as clae builds against the 1.2 API;
 * cmdbuf_load offers recordings only on platforms of 2.1 or later. */
extern CL_API_ENTRY cl_kernel CL_API_CALL clCloneKernel(cl_kernel kernel, cl_int *errcode_ret);


clae_status clae_scratch(clae_device *d, int slot, size_t bytes, cl_mem *out)
{
    if (slot < 0 || slot >= CLAE_SCRATCH_SLOTS) return CLAE_ERR_ARG;
    if (bytes == 0) bytes = 4;
    if (d->scratch_bytes[slot] < bytes) {
        /* Safe on an in-order queue: OpenCL keeps the old buffer alive until
         * the commands already enqueued on it complete. */
        if (d->scratch[slot]) clReleaseMemObject(d->scratch[slot]);
        d->gen++;
        d->scratch[slot] = NULL;
        d->scratch_bytes[slot] = 0;
        CLAE_TRY(clae_buffer(d, bytes, &d->scratch[slot]));
        d->scratch_bytes[slot] = bytes;
    }
    *out = d->scratch[slot];
    return CLAE_OK;
}

clae_status clae_group_size(clae_device *d, cl_kernel k, size_t cap, size_t *out)
{
    size_t kwg = 0;
    CL_CHECK(clGetKernelWorkGroupInfo(k, d->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg,
                                      NULL));
    size_t l = 1;
    while (l * 2 <= cap && l * 2 <= kwg && l * 2 <= d->max_wg) l *= 2;
    *out = l;
    return CLAE_OK;
}

/* Work-groups of 64: a multiple of NVIDIA's warp (32) and AMD's wavefront
 * (64), within every device's limit, and on PoCL one work-group function
 * for every launch (its CPU driver compiles one per local size). A kernel
 * that cannot run 64 work-items at once on this device (registers, local
 * memory: CL_KERNEL_WORK_GROUP_SIZE) gets the largest power of two it can. */
clae_status clae_launch1d(clae_device *d, cl_kernel k, size_t n)
{
    if (n == 0) return CLAE_OK;
    size_t local;
    CLAE_TRY(clae_group_size(d, k, 64, &local));
    size_t global = (n + local - 1) / local * local;
    return clae_launch(d, k, 1, &global, &local);
}

/* Record a clone of kernel k (its arguments as they are now) into d->rec
 * after the command recorded before it: the order an in-order queue gives. */
static void record_kernel(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                          const size_t *local)
{
    clae_recording *r = &d->rec;
    if (d->rec_failed) return;
    if (r->nkernels == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        cl_kernel *p = realloc(r->kernels, cap * sizeof *p);
        if (!p) {
            d->rec_failed = 1;
            return;
        }
        r->kernels = p;
        r->cap = cap;
    }
    cl_int err = CL_SUCCESS;
    cl_kernel c = clCloneKernel(k, &err);
    const char *call = "clCloneKernel";
    if (c && err == CL_SUCCESS) {
        r->kernels[r->nkernels] = c;
        cl_sync_point_khr sp = 0;
        int after = r->nkernels > 0;
        call = "clCommandNDRangeKernelKHR";
        err = d->cb.ndrange(r->cb, NULL, NULL, c, dims, NULL, global, local, after ? 1 : 0,
                            after ? &d->rec_last : NULL, &sp, NULL);
        if (err == CL_SUCCESS) {
            r->nkernels++;
            d->rec_last = sp;
            return;
        }
        clReleaseKernel(c);
    }
    if (d->verbose)
        fprintf(stderr, "clae: %s: %s; the step runs unrecorded\n", call, clae_cl_errname(err));
    d->rec_failed = 1;
}

clae_status clae_launch(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                        const size_t *local)
{
    for (cl_uint i = 0; i < dims; i++)
        if (global[i] == 0) return CLAE_OK;
    if (d->rec.cb) {
        record_kernel(d, k, dims, global, local);
        return CLAE_OK;
    }
    /* a first launch may compile (PoCL): run alone, its wait counted as compiling */
    const int first = clae_launch_first(d, k, dims, global, local);
    double t0 = 0;
    if (first) {
        CL_CHECK(clFinish(d->queue));
        t0 = clae_mono_s();
    }
    cl_event ev = NULL;
    CL_CHECK(clEnqueueNDRangeKernel(d->queue, k, dims, NULL, global, local, 0, NULL,
                                    first ? &ev : NULL));
    d->launches++;
    if (first) {
        cl_int err = clFinish(d->queue);
        if (err == CL_SUCCESS) clae_compile_launch(d, ev, clae_mono_s() - t0);
        clReleaseEvent(ev);
        CL_CHECK(err);
    }
    return CLAE_OK;
}

int clae_record_refuse(clae_device *d)
{
    if (!d->rec.cb) return 0;
    if (d->verbose && !d->rec_failed)
        fprintf(stderr, "clae: the step holds a command a command buffer cannot; it runs "
                        "unrecorded\n");
    d->rec_failed = 1;
    return 1;
}

void clae_recording_free(clae_device *d, clae_recording *r)
{
    if (r->done) clae_event_wait(&r->done);
    if (r->cb && d->cb.release) d->cb.release(r->cb);
    for (size_t i = 0; i < r->nkernels; i++) clReleaseKernel(r->kernels[i]);
    free(r->kernels);
    memset(r, 0, sizeof *r);
}

clae_status clae_record_begin(clae_device *d)
{
    if (!d->cb.create || d->rec.cb) return CLAE_ERR_CL;
    cl_int err = CL_SUCCESS;
    cl_command_buffer_properties_khr props[] = {CL_COMMAND_BUFFER_FLAGS_KHR,
                                                CL_COMMAND_BUFFER_SIMULTANEOUS_USE_KHR, 0};
    cl_command_buffer_khr cb =
        d->cb.create(1, &d->queue, d->cb.simultaneous ? props : NULL, &err);
    if (err != CL_SUCCESS || !cb) {
        /* e.g. CL_INCOMPATIBLE_COMMAND_QUEUE_KHR (a profiling queue): no
         * recordings on this device from now on */
        if (d->verbose)
            fprintf(stderr, "clae: clCreateCommandBufferKHR: %s; steps run unrecorded\n",
                    clae_cl_errname(err));
        d->cb.create = NULL;
        return CLAE_ERR_CL;
    }
    memset(&d->rec, 0, sizeof d->rec);
    d->rec.cb = cb;
    d->rec_failed = 0;
    return CLAE_OK;
}

clae_status clae_record_end(clae_device *d, clae_recording *out)
{
    *out = d->rec;
    memset(&d->rec, 0, sizeof d->rec);
    if (!out->cb) return CLAE_ERR_CL;
    if (d->rec_failed || out->nkernels == 0) {
        clae_recording_free(d, out);
        return CLAE_OK;
    }
    cl_int err = d->cb.finalize(out->cb);
    if (err != CL_SUCCESS) {
        clae_recording_free(d, out);
        CL_CHECK(err);
    }
    return CLAE_OK;
}

clae_status clae_replay(clae_device *d, clae_recording *r)
{
    if (d->cb.simultaneous) {
        CL_CHECK(d->cb.enqueue(0, NULL, r->cb, 0, NULL, NULL));
    } else {
        CLAE_TRY(clae_event_wait(&r->done));
        CL_CHECK(d->cb.enqueue(0, NULL, r->cb, 0, NULL, &r->done));
    }
    d->launches += r->nkernels;
    d->replays++;
    return CLAE_OK;
}

clae_status clae_kernel_max_wg(clae_device *d, cl_kernel k, size_t *out)
{
    size_t kwg = 0;
    CL_CHECK(clGetKernelWorkGroupInfo(k, d->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof kwg, &kwg,
                                      NULL));
    *out = kwg < d->max_wg ? kwg : d->max_wg;
    return CLAE_OK;
}
