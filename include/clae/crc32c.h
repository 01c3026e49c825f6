/* CRC-32C (Castagnoli, the iSCSI/ext4 checksum; src/host/util/crc32c.c):
 * what a checkpoint stores to tell a damaged file from a good one. */
#ifndef CLAE_CRC32C_H
#define CLAE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of data[0..n) continued from crc (0 to start): crc32c of "123456789"
 * is 0xE3069283, and crc32c(crc32c(0, a), b) is the CRC of a followed by b. */
uint32_t clae_crc32c(uint32_t crc, const void *data, size_t n);

#endif
