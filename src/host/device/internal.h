/* What the device layer's files (src/host/device/) share among
 * themselves and nobody else calls. */
#ifndef CLAE_DEVICE_INTERNAL_H
#define CLAE_DEVICE_INTERNAL_H

#include "clae/device.h"

/* Ready d's program table for the embedded kernel files, each built (or
 * loaded from the binary cache) when a kernel of it is first asked for
 * (program.c). */
clae_status clae_programs_build(clae_device *d);

/* A monotonic clock in seconds (compile_time.c). */
double clae_mono_s(void);

/* 1 the first time this kernel, grid and work-group size is launched on d
 * (then timed as a compile: compile_time.c), else 0. */
int clae_launch_first(clae_device *d, cl_kernel k, cl_uint dims, const size_t *global,
                      const size_t *local);
/* Such a first launch done (event ev, `wall` seconds from enqueue to the
 * queue's end): its time less the kernel's run added to d's compile time. */
void clae_compile_launch(clae_device *d, cl_event ev, double wall);

/* Open d on the host backend: no OpenCL objects; its names say so
 * (host.c). */
clae_status clae_device_open_host(clae_device *d);

#endif
