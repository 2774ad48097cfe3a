/* SPDX-License-Identifier: MIT */
/*
 * fuzz_fix.h - FRT_FUZZ_FIX=1 for the trace harnesses: make @b pass the
 * checks a mutation almost never gets past (FORMAT.md §3, §5.2): the header
 * and metadata CRCs, and per frame a stored_size clamped to what remains,
 * raw_size = stored_size when stored, and the frame CRC. The decoders behind
 * the checks then see mutated content.
 */
#ifndef FRT_FUZZ_FIX_H
#define FRT_FUZZ_FIX_H

#include <stdint.h>
#include <string.h>

#include "codec.h" /* frt_crc32c() */

static inline uint32_t fuzz_get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void fuzz_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void frt_fuzz_fix(uint8_t *b, size_t n)
{
	if (n < 32 || memcmp(b, "\x89" "FRT\r\n\x1a\n", 8))
		return;
	uint32_t m = fuzz_get32(b + 20);
	if (m > n - 32) {
		m = (uint32_t)(n - 32);
		fuzz_put32(b + 20, m);
	}
	fuzz_put32(b + 24, frt_crc32c(0, b + 32, m));
	fuzz_put32(b + 28, frt_crc32c(0, b, 28));
	for (size_t off = 32 + (size_t)m; n - off >= 24;) {
		uint8_t *h = b + off;
		size_t left = n - off - 24;

		if (memcmp(h, "FRFM", 4))
			return;
		if (fuzz_get32(h + 8) > left)
			fuzz_put32(h + 8, (uint32_t)left);
		if (!(h[5] & 1))
			fuzz_put32(h + 12, fuzz_get32(h + 8));
		uint32_t crc = frt_crc32c(0, h, 20);
		fuzz_put32(h + 20, frt_crc32c(crc, h + 24, fuzz_get32(h + 8)));
		off += 24 + fuzz_get32(h + 8);
	}
}

#endif
