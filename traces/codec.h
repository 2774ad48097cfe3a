/* SPDX-License-Identifier: MIT */
/*
 * codec.h - little-endian integers, LEB128 varints, zigzag and CRC32C, the
 * byte-level pieces of format v1 (traces/FORMAT.md "Primitives"). Internal to
 * traces/.
 */
#ifndef FRT_CODEC_H
#define FRT_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FRT_VARINT_MAX 10

static inline void put_le16(uint8_t *p, uint16_t v) { p[0] = v; p[1] = v >> 8; }
static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}
static inline uint16_t get_le16(const uint8_t *p) { return p[0] | (uint16_t)p[1] << 8; }
static inline uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Writes @v at @p (room for FRT_VARINT_MAX bytes); returns bytes written. */
static inline size_t varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)v | 0x80;
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

/*
 * Reads a varint from [*pp, end). Returns 0 and advances *pp, or -1 when the
 * input ends inside the varint, or it is longer than 10 bytes or 64 bits.
 */
static inline int varint_get(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	unsigned int shift = 0;

	if (p < end && *p < 0x80) { /* the common one-byte case */
		*v = *p;
		*pp = p + 1;
		return 0;
	}
	while (p < end && shift < 64) {
		uint8_t b = *p++;

		if (shift == 63 && b > 1)
			return -1; /* more than 64 bits */
		r |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = r;
			*pp = p;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* CRC32C, continued from @crc (0 to start): SSE4.2 where the CPU has it */
uint32_t frt_crc32c(uint32_t crc, const void *buf, size_t len);
/* the same in software always (for the tests) */
uint32_t frt_crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* frt_crc32c() uses the CPU's crc32 instruction */
bool frt_crc32c_hw(void);

#endif
