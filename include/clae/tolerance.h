/* Every tolerance the tests (tests/) and `clae selftest` (src/host/selftest/)
 * use, in one place. A comparison passes when
 * |got - want| <= ABS + REL * max(|got|, |want|): the absolute margin covers
 * values near zero, the relative one everything else. */
#ifndef CLAE_TOLERANCE_H
#define CLAE_TOLERANCE_H

/* Elementwise kernels (activations, bias, pooling, Adam, conversion): same
 * float operations in a different order or with a different libm. */
#define TOL_ELEM_ABS 1e-6
#define TOL_ELEM_REL 1e-5

/* Reductions and GEMM-based kernels (conv, transposed conv, MSE, weight
 * gradients summed over a batch): float sums in another order. */
#define TOL_SUM_ABS 1e-4
#define TOL_SUM_REL 1e-4

/* Whole-model step (OpenCL vs reference): errors compound through layers.
 * Gradients of a model are tiny in absolute terms (the loss is a mean over
 * every pixel), so their absolute margin is a fraction of the largest
 * gradient of the same tensor: TOL_MODEL_SCALED * max|g|. */
#define TOL_MODEL_ABS 1e-4
#define TOL_MODEL_REL 2e-3
#define TOL_MODEL_SCALED 1e-3

/* Reference backward vs central finite differences of a float forward pass:
 * step FD_STEP, error O(step^2) plus float rounding of the loss / step. */
#define FD_STEP 1e-2
/* ... and for losses with more curvature near the ends (binary cross-entropy) */
#define FD_STEP_SMALL 1e-3
#define TOL_FD_ABS 5e-3
#define TOL_FD_REL 2e-2

/* Hand-worked values. */
#define TOL_HAND_ABS 1e-5
#define TOL_HAND_REL 1e-6

/* Ops that only move values (max-unpooling): bit-identical on every device. */
#define TOL_EXACT_ABS 0.0
#define TOL_EXACT_REL 0.0

#endif
