/* libclae from C: a model from a config, one epoch on made-up images with a progress
 * callback, the restored images of a few, a layer's codes, and a checkpoint.
 *
 *   cmake --install build --prefix ~/.local
 *   cc examples/fit_predict.c $(PKG_CONFIG_PATH=~/.local/lib/pkgconfig pkg-config --cflags \
 *      --libs clae) -Wl,-rpath,$HOME/.local/lib -o fit_predict
 *   ./fit_predict configs/denoiser.cfg ref out.safetensors */
#include <clae/clae.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int on_epoch(const clae_api_epoch *e, void *user)
{
    (void)user;
    printf("epoch %ld: loss %.6f, val loss %.6f, %.0f images/s\n", e->epoch, e->train_loss,
           e->val_loss, e->images_per_s);
    return 0; /* non-zero: stop after this epoch */
}

/* The error line of the call that failed, and exit 1. */
static int fail(const char *what)
{
    fprintf(stderr, "fit_predict: %s: %s\n", what, clae_api_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fit_predict CONFIG DEVICE OUT.safetensors (DEVICE: ref or N)\n");
        return 2;
    }
    clae_api_device *dev;
    clae_api_model *m;
    if (clae_api_device_open(argv[2], &dev) != CLAE_API_OK) return fail("device");
    printf("libclae %s on %s\n", clae_api_version(), clae_api_device_name(dev));
    if (clae_api_model_from_config(dev, argv[1], NULL, 0, -1, &m) != CLAE_API_OK)
        return fail(argv[1]);
    clae_api_device_close(dev); /* the model keeps it open */
    int h, w, c;
    clae_api_model_input_shape(m, &h, &w, &c);
    const size_t n = 64, per = (size_t)h * w * c;
    uint8_t *x = malloc(n * per);
    float *out = malloc(n * per * sizeof(float));
    if (!x || !out) return 1;
    for (size_t i = 0; i < n * per; i++) x[i] = (uint8_t)((i * 2654435761u) >> 24);
    clae_api_images img = {.data = x, .dtype = CLAE_API_UINT8, .n = n, .h = h, .w = w, .c = c};
    clae_api_fit_opts o;
    clae_api_fit_opts_init(&o);
    o.progress = on_epoch;
    clae_api_fit_result res;
    if (clae_api_model_fit(m, &img, &o, &res) != CLAE_API_OK) return fail("fit");
    if (clae_api_model_predict(m, &img, out, n * per, 0) != CLAE_API_OK) return fail("predict");
    printf("trained %ld step(s); first restored pixel %.4f (input %.4f)\n", res.steps, out[0],
           x[0] / 255.0);
    if (clae_api_model_save(m, argv[3]) != CLAE_API_OK) return fail("save");
    printf("wrote %s\n", argv[3]);
    free(x);
    free(out);
    clae_api_model_free(m);
    return 0;
}
