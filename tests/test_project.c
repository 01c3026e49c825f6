/* The principal components of `clae plot-codes` (apps/project.c) against known answers: four
 * points whose components are exact (turned and shifted), points on a known plane in 40-D
 * plus tiny noise, codes of lower rank than the iteration's block (ReLU codes, few images),
 * codes that do not vary, and refused arguments. All on the host (no OpenCL). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "clae/project.h"
#include "testutil.h"

/* (+-2, 0) and (0, +-1) turned by 30 degrees and shifted by (3, -1): the covariance
 * (divided by n = 4) has eigenvalues 2 and 0.5 along (cos 30, sin 30) and (-sin 30, cos 30). */
START_TEST(test_pca_four_points)
{
    const double c = cos(M_PI / 6), s = sin(M_PI / 6);
    const double base[4][2] = {{2, 0}, {-2, 0}, {0, 1}, {0, -1}};
    float x[8];
    for (int i = 0; i < 4; i++) {
        x[2 * i] = (float)(3 + c * base[i][0] - s * base[i][1]);
        x[2 * i + 1] = (float)(-1 + s * base[i][0] + c * base[i][1]);
    }
    double proj[8], comp[4];
    clae_pca info;
    ck_assert_int_eq(clae_pca_project(x, 4, 2, 2, proj, comp, &info), CLAE_OK);
    printf("four points: var %.9f %.9f of %.9f, PC1 (%.6f, %.6f), %d iterations\n", info.var[0],
           info.var[1], info.total_var, comp[0], comp[1], info.iters);
    ck_assert(info.converged);
    ck_assert_double_eq_tol(info.var[0], 2.0, 1e-6);
    ck_assert_double_eq_tol(info.var[1], 0.5, 1e-6);
    ck_assert_double_eq_tol(info.total_var, 2.5, 1e-6);
    ck_assert_double_eq_tol(info.frac[0], 0.8, 1e-6);
    ck_assert_double_eq_tol(info.frac[1], 0.2, 1e-6);
    /* signs: each component's largest entry positive */
    ck_assert_double_eq_tol(comp[0], c, 1e-6);
    ck_assert_double_eq_tol(comp[1], s, 1e-6);
    ck_assert_double_eq_tol(comp[2], -s, 1e-6); /* (-sin, cos): cos is the larger, positive */
    ck_assert_double_eq_tol(comp[3], c, 1e-6);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(proj[2 * i], base[i][0], 1e-5);
        ck_assert_double_eq_tol(proj[2 * i + 1], base[i][1], 1e-5);
    }
}
END_TEST

/* d random values into v, orthogonalised against the j unit vectors in basis and made unit */
static void unit_vector(double *v, int d, const double *basis, int j, uint64_t *seed)
{
    float r[64];
    tu_rand(r, (size_t)d, -1, 1, seed);
    for (int k = 0; k < d; k++) v[k] = r[k];
    for (int b = 0; b < j; b++) {
        double dot = 0;
        for (int k = 0; k < d; k++) dot += v[k] * basis[b * d + k];
        for (int k = 0; k < d; k++) v[k] -= dot * basis[b * d + k];
    }
    double n = 0;
    for (int k = 0; k < d; k++) n += v[k] * v[k];
    for (int k = 0; k < d; k++) v[k] /= sqrt(n);
}

/* x = m + a u + b v + noise, a of standard deviation about 3, b of 1 (uncorrelated), noise 1e-3 per value: the
 * components are u and v (up to sign), the variances a's and b's, the projections a and b. */
START_TEST(test_pca_plane)
{
    enum { N = 3000, D = 40 };
    uint64_t seed = 42;
    double uv[2 * D] = {0}, m[D];
    unit_vector(uv, D, uv, 0, &seed);
    unit_vector(uv + D, D, uv, 1, &seed);
    float *x = malloc(sizeof(float) * N * D), *ab = malloc(sizeof(float) * 2 * N),
          *noise = malloc(sizeof(float) * N * D), mf[D];
    tu_rand(mf, D, 2, 8, &seed);
    for (int k = 0; k < D; k++) m[k] = mf[k];
    tu_rand(ab, 2 * N, -1, 1, &seed); /* uniform on [-1, 1): variance 1/3 */
    tu_rand(noise, (size_t)N * D, -1e-3f, 1e-3f, &seed);
    double ma = 0, mb = 0, aa = 0, abd = 0; /* a and b centred and exactly uncorrelated: the */
    for (int i = 0; i < N; i++) {           /* sample's components are then u and v exactly */
        ma += ab[2 * i] / N;
        mb += ab[2 * i + 1] / N;
    }
    for (int i = 0; i < N; i++) {
        ab[2 * i] -= (float)ma;
        ab[2 * i + 1] -= (float)mb;
        aa += (double)ab[2 * i] * ab[2 * i];
        abd += (double)ab[2 * i] * ab[2 * i + 1];
    }
    for (int i = 0; i < N; i++) ab[2 * i + 1] -= (float)(abd / aa * ab[2 * i]);
    const double sa = 3 * sqrt(3.0), sb = sqrt(3.0);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < D; k++)
            x[i * D + k] = (float)(m[k] + sa * ab[2 * i] * uv[k] + sb * ab[2 * i + 1] * uv[D + k] +
                                   noise[i * D + k]);
    double *proj = malloc(sizeof(double) * 2 * N), comp[2 * D];
    clae_pca info;
    ck_assert_int_eq(clae_pca_project(x, N, D, 2, proj, comp, &info), CLAE_OK);
    double dot[2] = {0, 0}, mean[2] = {0, 0}, var[2] = {0, 0};
    for (int k = 0; k < D; k++) {
        dot[0] += comp[k] * uv[k];
        dot[1] += comp[D + k] * uv[D + k];
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++) mean[j] += (j ? sb : sa) * ab[2 * i + j] / N;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++) {
            double t = (j ? sb : sa) * ab[2 * i + j] - mean[j];
            var[j] += t * t / N;
        }
    printf("plane: |PC1.u| %.9f, |PC2.v| %.9f; var %.6f %.6f (of a, b: %.6f %.6f), explained "
           "%.6f + %.6f, %d iterations\n", fabs(dot[0]), fabs(dot[1]), info.var[0], info.var[1],
           var[0], var[1], info.frac[0], info.frac[1], info.iters);
    ck_assert(info.converged);
    ck_assert(fabs(dot[0]) > 1 - 1e-6 && fabs(dot[1]) > 1 - 1e-6);
    ck_assert_double_eq_tol(info.var[0], var[0], 1e-3 * var[0]);
    ck_assert_double_eq_tol(info.var[1], var[1], 1e-3 * var[1]);
    ck_assert(info.frac[0] > info.frac[1]);
    ck_assert(info.frac[0] + info.frac[1] > 0.9999 && info.frac[0] + info.frac[1] <= 1 + 1e-12);
    ck_assert_double_eq_tol(info.frac[0], var[0] / (var[0] + var[1]), 1e-4);
    double err = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < 2; j++) {
            double want = ((j ? sb : sa) * ab[2 * i + j] - mean[j]) * (dot[j] < 0 ? -1 : 1);
            err = fmax(err, fabs(proj[2 * i + j] - want));
        }
    printf("plane: projections within %.3g of a and b\n", err);
    ck_assert(err < 1e-2);
    free(x), free(ab), free(noise), free(proj);
}
END_TEST

/* 5 sparse non-negative codes of 50 values (rank at most 4, under the block's 8): finite,
 * ordered variances, fractions that add to at most 1; and codes that do not vary at all. */
START_TEST(test_pca_low_rank_and_constant)
{
    enum { N = 5, D = 50 };
    uint64_t seed = 7;
    float x[N * D];
    tu_rand(x, N * D, -1, 1, &seed);
    for (int i = 0; i < N * D; i++) x[i] = x[i] > 0.6f ? x[i] : 0.0f; /* ReLU-like: mostly 0 */
    double proj[2 * N];
    clae_pca info;
    ck_assert_int_eq(clae_pca_project(x, N, D, 2, proj, NULL, &info), CLAE_OK);
    printf("low rank: var %.6g %.6g of %.6g\n", info.var[0], info.var[1], info.total_var);
    ck_assert(isfinite(info.var[0]) && isfinite(info.var[1]));
    ck_assert(info.var[0] >= info.var[1] && info.var[1] > 0);
    ck_assert(info.frac[0] + info.frac[1] <= 1 + 1e-9);
    double pv[2] = {0, 0}; /* the projections' variances are the components' */
    for (int j = 0; j < 2; j++) {
        for (int i = 0; i < N; i++) ck_assert(isfinite(proj[2 * i + j]));
        for (int i = 0; i < N; i++) pv[j] += proj[2 * i + j] * proj[2 * i + j] / N;
        ck_assert_double_eq_tol(pv[j], info.var[j], 1e-9 * info.total_var);
    }
    for (int i = 0; i < N * D; i++) x[i] = 0.25f;
    ck_assert_int_eq(clae_pca_project(x, N, D, 2, proj, NULL, &info), CLAE_OK);
    ck_assert(info.total_var == 0 && info.frac[0] == 0 && info.frac[1] == 0);
    for (int i = 0; i < 2 * N; i++) ck_assert_double_eq_tol(proj[i], 0, 1e-12);
}
END_TEST

START_TEST(test_pca_refuses)
{
    float x[4] = {1, 2, 3, 4};
    double proj[8];
    clae_pca info;
    ck_assert_int_eq(clae_pca_project(x, 4, 1, 2, proj, NULL, &info), CLAE_ERR_ARG); /* k > d */
    ck_assert_int_eq(clae_pca_project(x, 0, 2, 2, proj, NULL, &info), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_pca_project(x, 2, 2, 0, proj, NULL, &info), CLAE_ERR_ARG);
    ck_assert_int_eq(clae_pca_project(x, 4, 1, 1, proj, NULL, &info), CLAE_OK);
    ck_assert_double_eq_tol(info.frac[0], 1.0, 1e-12);
}
END_TEST

static Suite *project_suite(void)
{
    Suite *s = suite_create("project");
    TCase *tc = tcase_create("pca");
    tcase_add_test(tc, test_pca_four_points);
    tcase_add_test(tc, test_pca_plane);
    tcase_add_test(tc, test_pca_low_rank_and_constant);
    tcase_add_test(tc, test_pca_refuses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return tu_run(project_suite()); }
