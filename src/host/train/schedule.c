/* Learning-rate schedules; the definitions and their sources are in
 * include/clae/schedule.h. */
#include "clae/schedule.h"

#include <math.h>

double clae_schedule_factor(const clae_schedule *s, long step)
{
    if (step < 0) step = 0;
    if (step < s->warmup_steps) return (double)step / (double)s->warmup_steps;
    const long k = step - s->warmup_steps, T = s->decay_steps > 0 ? s->decay_steps : 1;
    switch (s->kind) {
    case CLAE_SCHED_COSINE: {
        const double done = (double)(k < T ? k : T) / (double)T;
        const double pi = 3.14159265358979323846;
        const double c = 0.5 * (1.0 + cos(pi * done));
        return (1.0 - s->alpha) * c + s->alpha;
    }
    case CLAE_SCHED_STEP:
        return pow(s->decay_rate, (double)(k / T));
    case CLAE_SCHED_EXPONENTIAL:
        return pow(s->decay_rate, (double)k / (double)T);
    case CLAE_SCHED_CONSTANT:
    default:
        return 1.0;
    }
}

int clae_schedule_is_constant(const clae_schedule *s)
{
    return s->kind == CLAE_SCHED_CONSTANT && s->warmup_steps == 0;
}

const char *clae_schedule_name(clae_schedule_kind k)
{
    static const char *const names[] = {"constant", "cosine", "step", "exponential"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
