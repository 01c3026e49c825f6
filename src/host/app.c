/* What the commands that apply a trained model share; see include/clae/app.h. */
#include "clae/app.h"

#include <stdio.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "clae/cifar.h"

int clae_app_load(const char *ckpt, clae_model *m)
{
    memset(m, 0, sizeof *m);
    return clae_ckpt_load(ckpt, m, NULL, CLAE_CKPT_WEIGHTS_ONLY) == CLAE_OK;
}

int clae_app_check_cifar(const char *ckpt, const clae_model *m)
{
    if (m->net.H == CLAE_CIFAR_SIDE && m->net.W == CLAE_CIFAR_SIDE &&
        m->net.C == CLAE_CIFAR_CHANNELS)
        return 1;
    fprintf(stderr, "clae: %s: the model's input is %dx%dx%d, CIFAR-10 images are 32x32x3\n", ckpt,
            m->net.H, m->net.W, m->net.C);
    return 0;
}
