/* libFuzzer: .clz files of clae compress: the header's checks, zlib's inflate of the payload
 * to exactly the code's size, the unpacking and dequantising (in memory), then the same
 * through the file reader. */
#include "clae/clz.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clae_clz_header h;
    float *v = NULL;
    char why[160];
    if (clae_clz_decode(data, size, &h, &v, why, sizeof why) == CLAE_OK) {
        volatile float sink = v[clae_clz_values(&h) - 1];
        (void)sink;
        free(v);
    }
    const char *p = fuzz_file("f.clz", data, size);
    if (clae_clz_read(p, &h, &v) == CLAE_OK) free(v);
    return 0;
}
