/* Keras SGD update (with momentum, optionally Nesterov); twin of
 * src/host/ref/sgd.c. v is the velocity (zero at the start):
 *   v = momentum v - lr g;  p += v                  (momentum > 0)
 *   p += momentum v - lr g  after that update of v   (nesterov)
 *   p -= lr g                                        (momentum 0) */

__kernel void sgd_update(__global float *p, __global float *v, __global const float *g,
                         const int n, const float lr, const float momentum, const int nesterov)
{
    int i = get_global_id(0);
    if (i >= n) return;
    float gi = g[i];
    if (momentum == 0.0f) {
        p[i] -= lr * gi;
        return;
    }
    float vi = momentum * v[i] - lr * gi;
    v[i] = vi;
    p[i] += nesterov ? momentum * vi - lr * gi : vi;
}
