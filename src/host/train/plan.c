/* What a resumed run will do, said before it does it; see
 * include/clae/train_setup.h. */
#include <stdio.h>

#include "clae/train_setup.h"

void clae_train_resume_plan(const clae_run *r, long max_steps, char *buf, size_t len)
{
    if (max_steps > 0)
        snprintf(buf, len, "will stop after %ld more step%s (--max-steps or [train] max_steps) "
                 "or at the end of epoch %ld, whichever comes first", max_steps,
                 max_steps == 1 ? "" : "s", r->epochs);
    else
        snprintf(buf, len, "will train to the end of epoch %ld (the run's epochs; --max-steps N "
                 "stops sooner, --epochs N goes further)", r->epochs);
}
