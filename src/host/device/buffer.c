/* clae_buf and queue control, the same calls on every backend: each is
 * the device's backend's own function (clae_device.be; opencl.c,
 * host.c); event waits and releases act on whatever events exist. */
#include <stdlib.h>
#include <string.h>

#include "clae/device.h"

clae_status clae_buf_alloc(clae_device *d, size_t bytes, clae_buf *b)
{
    return d->be->buf_alloc(d, bytes, b);
}

clae_status clae_buf_mirror(clae_device *d, void *host, size_t bytes, clae_buf *b)
{
    return d->be->buf_mirror(d, host, bytes, b);
}

clae_status clae_buf_view(clae_device *d, clae_buf parent, size_t off, size_t bytes,
                          clae_buf *b)
{
    return d->be->buf_view(d, parent, off, bytes, b);
}

clae_status clae_buf_write(clae_device *d, clae_buf b, const void *src, size_t bytes)
{
    return d->be->buf_write(d, b, src, bytes);
}

clae_status clae_buf_read(clae_device *d, clae_buf b, void *dst, size_t bytes)
{
    return d->be->buf_read(d, b, dst, bytes);
}

clae_status clae_buf_fill0(clae_device *d, clae_buf b, size_t bytes)
{
    return d->be->buf_fill0(d, b, bytes);
}

/* By the handle: a cl_mem is released, host memory freed. */
void clae_buf_free(clae_buf *b)
{
    if (b->owned) {
        if (b->d) clReleaseMemObject(b->d);
        else free(b->h);
    }
    memset(b, 0, sizeof *b);
}

clae_status clae_buf_copy(clae_device *d, clae_buf dst, size_t dst_off, clae_buf src,
                          size_t src_off, size_t bytes)
{
    return d->be->buf_copy(d, dst, dst_off, src, src_off, bytes);
}

clae_status clae_buf_read_at(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes)
{
    return d->be->buf_read_at(d, b, off, dst, bytes);
}

clae_status clae_buf_read_async(clae_device *d, clae_buf b, size_t off, void *dst, size_t bytes,
                                cl_event *ev)
{
    return d->be->buf_read_async(d, b, off, dst, bytes, ev);
}

clae_status clae_buf_write_async(clae_device *d, cl_command_queue q, clae_buf b, const void *src,
                                 size_t bytes, cl_uint nwait, const cl_event *wait, cl_event *ev)
{
    return d->be->buf_write_async(d, q, b, src, bytes, nwait, wait, ev);
}

/* ---- queue control ---------------------------------------------------------- */

clae_status clae_queue_create(clae_device *d, cl_command_queue *q)
{
    *q = NULL;
    return d->be->queue_create(d, q);
}

void clae_queue_release(cl_command_queue q)
{
    if (!q) return;
    clFinish(q);
    clReleaseCommandQueue(q);
}

clae_status clae_flush(clae_device *d, cl_command_queue q)
{
    return d->be->flush(d, q);
}

clae_status clae_finish(clae_device *d)
{
    return d->be->finish(d);
}

clae_status clae_wait_on(clae_device *d, cl_event ev)
{
    if (!ev || clae_record_refuse(d)) return CLAE_OK;
    CL_CHECK(clEnqueueBarrierWithWaitList(d->queue, 1, &ev, NULL));
    return CLAE_OK;
}

clae_status clae_event_wait(cl_event *ev)
{
    if (!*ev) return CLAE_OK;
    cl_int err = clWaitForEvents(1, ev);
    clReleaseEvent(*ev);
    *ev = NULL;
    CL_CHECK(err);
    return CLAE_OK;
}

clae_status clae_marker(clae_device *d, cl_event *ev)
{
    if (*ev) clReleaseEvent(*ev);
    *ev = NULL;
    return d->be->marker(d, ev);
}

/* ---- timing ------------------------------------------------------------------ */

clae_status clae_stamp_take(clae_device *d, clae_stamp *s)
{
    s->ev = NULL;
    return d->be->stamp_take(d, s);
}

clae_status clae_stamp_seconds(clae_device *d, const clae_stamp *a, const clae_stamp *b,
                               double *s)
{
    return d->be->stamp_seconds(a, b, s);
}

void clae_stamp_release(clae_stamp *s)
{
    if (s->ev) clReleaseEvent(s->ev);
    s->ev = NULL;
}
