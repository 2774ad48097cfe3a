// SPDX-License-Identifier: MIT
/*
 * sha256.c - SHA-256 as FIPS 180-4 section 6.2 gives it (sha256.h), for
 * provenance: a report hashes its trace. Portable C takes about 5 ms per MB
 * here; where the CPU has the SHA extensions (x86 SHA-NI: sha256rnds2,
 * sha256msg1/2) they do the compression function, several times faster.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHA_NI 1
#endif

#include "sha256.h"

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes so far */
	unsigned char block[64];
	size_t fill;
};

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

static void sha256_block_c(struct sha256 *c, const unsigned char *p)
{
	uint32_t w[64];

	for (int t = 0; t < 16; t++)
		w[t] = (uint32_t)p[4 * t] << 24 | (uint32_t)p[4 * t + 1] << 16 |
		       (uint32_t)p[4 * t + 2] << 8 | p[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3;
		uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10;
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
	uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[t] +
			      w[t];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = cc;
		cc = b;
		b = a;
		a = t1 + t2;
	}
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d;
	c->h[4] += e, c->h[5] += f, c->h[6] += g, c->h[7] += h;
}

#ifdef HAVE_SHA_NI
/*
 * One block with the SHA extensions (Intel's "SHA extensions" paper, 2013):
 * the state as ABEF and CDGH, sha256rnds2 doing two rounds with two
 * message-plus-K words, sha256msg1/msg2 and the words 7 back the schedule
 * (W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], four words a step).
 */
__attribute__((target("sha,sse4.1")))
static void sha256_block_ni(struct sha256 *c, const unsigned char *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i w[16], msg, tmp, st0, st1, abef, cdgh;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&c->h[0]), 0xb1); /* CDAB */
	st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&c->h[4]), 0x1b); /* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);    /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xf0); /* CDGH */
	abef = st0;
	cdgh = st1;
	for (int g = 0; g < 16; g++) { /* rounds 4g .. 4g + 3 */
		if (g < 4)
			w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
		else
			w[g] = _mm_sha256msg2_epu32(
				_mm_add_epi32(_mm_sha256msg1_epu32(w[g - 4], w[g - 3]),
					      _mm_alignr_epi8(w[g - 1], w[g - 2], 4)),
				w[g - 1]);
		msg = _mm_add_epi32(w[g], _mm_loadu_si128((const __m128i *)&K[4 * g]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(msg, 0x0e));
	}
	st0 = _mm_add_epi32(st0, abef);
	st1 = _mm_add_epi32(st1, cdgh);
	tmp = _mm_shuffle_epi32(st0, 0x1b);       /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xb1);       /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xf0);    /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);       /* HGFE */
	_mm_storeu_si128((__m128i *)&c->h[0], st0);
	_mm_storeu_si128((__m128i *)&c->h[4], st1);
}
#endif

static bool portable;

void sha256_force_portable(bool on)
{
	portable = on;
}

#ifdef HAVE_SHA_NI
/* CPUID: SHA (leaf 7, EBX bit 29) and SSE4.1 (leaf 1, ECX bit 19); by cpuid.h,
 * as not every compiler's __builtin_cpu_supports() knows "sha" */
static bool cpu_has_sha_ni(void)
{
	static int has = -1; /* not asked yet; every thread finds the same */
	int v = __atomic_load_n(&has, __ATOMIC_RELAXED);

	if (v < 0) {
		unsigned int a, b, c, d;

		v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29));
		__atomic_store_n(&has, v, __ATOMIC_RELAXED);
	}
	return v;
}
#endif

static void sha256_block(struct sha256 *c, const unsigned char *p)
{
#ifdef HAVE_SHA_NI
	if (!portable && cpu_has_sha_ni()) {
		sha256_block_ni(c, p);
		return;
	}
#endif
	sha256_block_c(c, p);
}

static void sha256_init(struct sha256 *c)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memset(c, 0, sizeof(*c));
	memcpy(c->h, h0, sizeof(h0));
}

static void sha256_update(struct sha256 *c, const unsigned char *p, size_t n)
{
	c->len += n;
	for (; !c->fill && n >= 64; p += 64, n -= 64) /* whole blocks in place */
		sha256_block(c, p);
	while (n) {
		size_t take = 64 - c->fill < n ? 64 - c->fill : n;
		memcpy(c->block + c->fill, p, take);
		c->fill += take;
		p += take;
		n -= take;
		if (c->fill == 64) {
			sha256_block(c, c->block);
			c->fill = 0;
		}
	}
}

static void sha256_final(struct sha256 *c, char hex[SHA256_HEX_LEN])
{
	uint64_t bits = c->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t npad = (c->fill < 56 ? 56 : 120) - c->fill;

	for (int i = 0; i < 8; i++)
		pad[npad + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	sha256_update(c, pad, npad + 8);
	for (int i = 0; i < 8; i++)
		snprintf(hex + 8 * i, 9, "%08x", c->h[i]);
}

void sha256_hex(const void *buf, size_t len, char hex[SHA256_HEX_LEN])
{
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, buf, len);
	sha256_final(&c, hex);
}

int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN])
{
	unsigned char buf[1 << 16];
	struct sha256 c;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto cleanup;
		}
		sha256_update(&c, buf, (size_t)n);
	}
	sha256_final(&c, hex);
cleanup:
	close(fd);
	return ret;
}
