/* Learning-rate schedules ([train] schedule, warmup_steps, decay_steps,
 * decay_rate, decay_alpha): the factor the configured rate is multiplied by
 * for each optimizer step, a pure function of the steps taken before it
 * (Keras's optimizer.iterations, the step count a checkpoint keeps, so a
 * resumed run takes the same rates as an uninterrupted one).
 *
 *   warm-up   step < W: step / W          (Keras CosineDecay's warm-up with
 *                                          initial_learning_rate 0 and
 *                                          warmup_target lr: lr * step / W)
 *   then, with k = step - W and T = decay_steps:
 *   constant     1
 *   cosine       (1 - alpha) (1 + cos(pi min(k, T) / T)) / 2 + alpha
 *                (Keras CosineDecay; PyTorch CosineAnnealingLR's closed form
 *                with eta_min = alpha lr up to T_max = T, held there after)
 *   step         rate^floor(k / T)   (PyTorch StepLR, gamma = rate,
 *                step_size = T; Keras ExponentialDecay with staircase)
 *   exponential  rate^(k / T)        (Keras ExponentialDecay; PyTorch
 *                ExponentialLR, gamma = rate, at T = 1)
 *
 * The rate a step takes is lr * factor, where lr is [net] lr as reduce on
 * plateau ([train] lr_patience) leaves it: the two multiply. */
#ifndef CLAE_SCHEDULE_H
#define CLAE_SCHEDULE_H

typedef enum clae_schedule_kind {
    CLAE_SCHED_CONSTANT = 0,
    CLAE_SCHED_COSINE,
    CLAE_SCHED_STEP,
    CLAE_SCHED_EXPONENTIAL
} clae_schedule_kind;

typedef struct clae_schedule {
    clae_schedule_kind kind;
    long warmup_steps;  /* W >= 0 */
    long decay_steps;   /* T >= 1 */
    double decay_rate;  /* step, exponential: the factor per T steps, (0, 1] */
    double alpha;       /* cosine: the factor it ends at, [0, 1] */
} clae_schedule;

/* The factor for the optimizer step after `step` steps (0-based), in
 * double; exactly 1 for a constant schedule without warm-up. */
double clae_schedule_factor(const clae_schedule *s, long step);

/* "constant", "cosine", "step" or "exponential" ([train] schedule's value). */
const char *clae_schedule_name(clae_schedule_kind k);

/* Whether every step's factor is 1 (constant, no warm-up). */
int clae_schedule_is_constant(const clae_schedule *s);

#endif
