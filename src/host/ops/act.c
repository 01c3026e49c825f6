/* Host side of activations: typed launch wrappers for src/kernels/act.cl. */
#include "clae/ops.h"

static const char *const FWD[] = {"act_forward_none", "act_forward_relu", "act_forward_sigmoid",
                                  "act_forward_tanh", "act_forward_leaky_relu"};
static const char *const BWD[] = {"act_backward_none", "act_backward_relu",
                                  "act_backward_sigmoid", "act_backward_tanh",
                                  "act_backward_leaky_relu"};

static clae_status check(size_t n, clae_act a)
{
    if ((unsigned)a > CLAE_ACT_LEAKY_RELU || n > 0x7fffffff) return CLAE_ERR_ARG;
    return CLAE_OK;
}

clae_status act_forward_cl(clae_device *d, cl_mem out, cl_mem in, size_t n, clae_act a,
                           float alpha)
{
    CLAE_TRY(check(n, a));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, FWD[a], &k));
    CL_ARG(k, 0, cl_mem, out);
    CL_ARG(k, 1, cl_mem, in);
    CL_ARG(k, 2, cl_int, (cl_int)n);
    CL_ARG(k, 3, cl_float, alpha);
    return clae_launch1d(d, k, n);
}

clae_status act_backward_cl(clae_device *d, cl_mem din, cl_mem dout, cl_mem out, size_t n,
                            clae_act a, float alpha)
{
    CLAE_TRY(check(n, a));
    cl_kernel k;
    CLAE_TRY(clae_kernel(d, BWD[a], &k));
    CL_ARG(k, 0, cl_mem, din);
    CL_ARG(k, 1, cl_mem, dout);
    CL_ARG(k, 2, cl_mem, out);
    CL_ARG(k, 3, cl_int, (cl_int)n);
    CL_ARG(k, 4, cl_float, alpha);
    return clae_launch1d(d, k, n);
}

/* ---- backends: each op once per backend (clae_device.be picks) ----------- */

/* OpenCL: the launchers above, on the buffers' cl_mem. */
static clae_status act_forward_opencl(clae_device *d, clae_buf out, clae_buf in, size_t n,
                                      clae_act a, float alpha)
{
    return act_forward_cl(d, out.d, in.d, n, a, alpha);
}

static clae_status act_backward_opencl(clae_device *d, clae_buf din, clae_buf dout, clae_buf out,
                                       size_t n, clae_act a, float alpha)
{
    return act_backward_cl(d, din.d, dout.d, out.d, n, a, alpha);
}

/* Host: the reference twins (src/host/ref/act.c), on the buffers' host memory. */
static clae_status act_forward_host(clae_device *d, clae_buf out, clae_buf in, size_t n, clae_act a,
                                    float alpha)
{
    act_forward_ref(out.h, in.h, n, a, alpha);
    return CLAE_OK;
}

static clae_status act_backward_host(clae_device *d, clae_buf din, clae_buf dout, clae_buf out,
                                     size_t n, clae_act a, float alpha)
{
    act_backward_ref(din.h, dout.h, out.h, n, a, alpha);
    return CLAE_OK;
}

static const struct act_backend {
    clae_status (*act_forward)(clae_device *, clae_buf, clae_buf, size_t, clae_act, float);
    clae_status (*act_backward)(clae_device *, clae_buf, clae_buf, clae_buf, size_t, clae_act,
                                float);
} BACKENDS[CLAE_BACKENDS] = {
    [CLAE_BACKEND_OPENCL] = {.act_forward = act_forward_opencl,
                             .act_backward = act_backward_opencl},
    [CLAE_BACKEND_HOST] = {.act_forward = act_forward_host, .act_backward = act_backward_host},
};

/* ---- entry points (clae/ops.h): the checks every backend shares, one dispatch - */

clae_status act_forward(clae_device *d, clae_buf out, clae_buf in, size_t n, clae_act a,
                        float alpha)
{
    if (a == CLAE_ACT_SOFTMAX) return CLAE_ERR_ARG; /* over rows: softmax_forward */
    return BACKENDS[d->be->id].act_forward(d, out, in, n, a, alpha);
}

clae_status act_backward(clae_device *d, clae_buf din, clae_buf dout, clae_buf out, size_t n,
                         clae_act a, float alpha)
{
    if (a == CLAE_ACT_SOFTMAX) return CLAE_ERR_ARG; /* only with categorical_crossentropy */
    return BACKENDS[d->be->id].act_backward(d, din, dout, out, n, a, alpha);
}
