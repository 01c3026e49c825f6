/* CRC-32C, reflected polynomial 0x82F63B78, table-driven eight bytes at a
 * time ("slicing by 8"): about 3 GB/s on one core, so checking a checkpoint costs
 * little next to reading it. See include/clae/crc32c.h. */
#include "clae/crc32c.h"

#include <pthread.h>

static uint32_t g_table[8][256];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        g_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            g_table[t][i] = (g_table[t - 1][i] >> 8) ^ g_table[0][g_table[t - 1][i] & 0xff];
}

uint32_t clae_crc32c(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&g_once, make_table);
    const unsigned char *p = data;
    uint32_t c = ~crc;
    for (; n >= 8; n -= 8, p += 8) { /* little-endian words, as the tables assume */
        uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
        lo ^= c;
        c = g_table[7][lo & 0xff] ^ g_table[6][(lo >> 8) & 0xff] ^
            g_table[5][(lo >> 16) & 0xff] ^ g_table[4][lo >> 24] ^ g_table[3][p[4]] ^
            g_table[2][p[5]] ^ g_table[1][p[6]] ^ g_table[0][p[7]];
    }
    for (; n > 0; n--, p++) c = (c >> 8) ^ g_table[0][(c ^ *p) & 0xff];
    return ~c;
}
