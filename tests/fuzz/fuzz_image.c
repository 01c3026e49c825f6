/* libFuzzer: user images (PNG, JPEG, BMP, ... through stb_image) as `clae
 * denoise` loads them, header limits first. */
#include "clae/image.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clae_image img;
    if (clae_image_load(fuzz_file("f.img", data, size), size % 2 ? 3 : 0, &img) == CLAE_OK)
        clae_image_free(&img);
    return 0;
}
