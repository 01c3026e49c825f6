/* What the device layer's files (src/host/device/) share among
 * themselves and nobody else calls. */
#ifndef CLAE_DEVICE_INTERNAL_H
#define CLAE_DEVICE_INTERNAL_H

#include "clae/device.h"

/* Build (or load from the binary cache) every embedded kernel file into d's
 * program table (program.c). */
clae_status clae_programs_build(clae_device *d);

/* Open d on the host backend: no OpenCL objects; its names say so
 * (host.c). */
clae_status clae_device_open_host(clae_device *d);

#endif
