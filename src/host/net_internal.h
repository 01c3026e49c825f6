/* What net.c and net_path.c share, and no one else: clae_net_create's and
 * clae_net_free's part of the parameter blocks' ranges (include/clae/net.h,
 * clae_net.range). Not a public header. */
#ifndef CLAE_NET_INTERNAL_H
#define CLAE_NET_INTERNAL_H

#include "clae/net.h"

/* The ranges (without branches range[0]: the whole block) and how many of
 * their first floats [train] freeze keeps; from the model alone. */
void clae_net_parts(clae_net *n);
/* Then their views of the four blocks (with branches), and their release. */
clae_status clae_net_ranges(clae_net *n);
void clae_net_ranges_free(clae_net *n);

#endif
