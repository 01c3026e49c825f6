/* What a resumed run will do, said before it does it; see
 * include/clae/train_setup.h. */
#include <stdio.h>
#include <string.h>

#include "clae/train_setup.h"

void clae_train_resume_plan(const clae_run *r, long max_steps, long patience, char *buf,
                            size_t len)
{
    size_t at;
    if (max_steps > 0)
        snprintf(buf, len, "will stop after %ld more step%s (--max-steps or [train] max_steps) "
                 "or at the end of epoch %ld, whichever comes first", max_steps,
                 max_steps == 1 ? "" : "s", r->epochs);
    else
        snprintf(buf, len, "will train to the end of epoch %ld (the run's epochs; --max-steps N "
                 "stops sooner, --epochs N goes further)", r->epochs);
    at = strlen(buf);
    if (patience > 0 && at < len)
        snprintf(buf + at, len - at, "; early stopping ([train] patience %ld) may end it sooner",
                 patience);
}

void clae_train_weights_text(const clae_train_event *e, char *buf, size_t len)
{
    if (e->best_weights && e->weights_epoch > 0 && e->weights_epoch < e->epoch)
        snprintf(buf, len, "with the best weights (epoch %ld of %ld, restored: [train] "
                 "restore_best)", e->weights_epoch, e->epoch);
    else if (e->best_weights && e->weights_epoch > 0)
        snprintf(buf, len, "with the last weights (epoch %ld, the best)", e->weights_epoch);
    else if (e->best_epoch > 0)
        snprintf(buf, len, "with the last weights (epoch %ld; the best, epoch %ld, is in "
                 "best.safetensors)", e->weights_epoch, e->best_epoch);
    else
        snprintf(buf, len, "with the last weights (epoch %ld)", e->weights_epoch);
}
