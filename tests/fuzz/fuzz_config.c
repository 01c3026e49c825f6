/* libFuzzer: the model config parser (INI via inih, then every key's value),
 * from a file as `clae summary/train` reads it and from a string as a
 * checkpoint's stored config is read. */
#include "clae/model.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clae_model m;
    if (clae_model_load(fuzz_file("f.cfg", data, size), &m) == CLAE_OK) {
        clae_model_layout(&m, 64);
        clae_model_free(&m);
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (clae_model_parse_string(text, "fuzz:config", &m) == CLAE_OK) clae_model_free(&m);
    free(text);
    return 0;
}
