/* What the commands that apply a trained model share; see include/clae/app.h. */
#include "clae/app.h"

#include <stdio.h>
#include <string.h>

#include "clae/checkpoint.h"
#include "clae/cifar.h"

int clae_app_load(const char *ckpt, clae_model *m)
{
    memset(m, 0, sizeof *m);
    clae_ckpt_meta meta;
    clae_ckpt_meta_init(&meta);
    if (clae_ckpt_load(ckpt, m, &meta, CLAE_CKPT_WEIGHTS_ONLY) != CLAE_OK) {
        clae_ckpt_meta_free(&meta);
        return 0;
    }
    /* the classes it was trained on, when `clae train --classes` chose them */
    const char *cls = clae_ckpt_meta_get(&meta, "classes");
    int ok = !cls || clae_classes_parse(cls, &m->train.classes);
    if (!ok) fprintf(stderr, "clae: %s: bad classes '%s' in the metadata\n", ckpt, cls);
    clae_ckpt_meta_free(&meta);
    if (!ok) clae_model_free(m);
    return ok;
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
