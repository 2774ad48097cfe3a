// SPDX-License-Identifier: MIT
/*
 * gfp_parse.c - gfp strings, as the kernel's show_gfp_flags() prints them,
 * back into mask bits: the inverse of frt_gfp_format() (event.c).
 *
 * The names are those of include/trace/events/mmflags.h on Linux 6.18, with
 * the masks of include/linux/gfp_types.h. tests/unit/test_import.c checks
 * that every name formats back to itself, so this table and event.c's
 * cannot drift apart unnoticed.
 */
#include <errno.h>
#include <string.h>

#include "import.h"

#define B(n) (1ull << (n))
#define RECLAIM (B(10) | B(11))
#define KERNEL (RECLAIM | B(6) | B(7))
#define USER (KERNEL | B(20))
#define HIGHUSER (USER | B(1))
#define HIGHUSER_MOVABLE (HIGHUSER | B(3))
#define TRANSHUGE_LIGHT ((HIGHUSER_MOVABLE | B(18) | B(19) | B(13)) & ~RECLAIM)

static const struct gfp_name {
	const char *name;
	unsigned char len;
	uint64_t mask;
} names[] = {
#define N(s, m) { s, sizeof(s) - 1, m }
	N("GFP_TRANSHUGE", TRANSHUGE_LIGHT | B(10)),
	N("GFP_TRANSHUGE_LIGHT", TRANSHUGE_LIGHT),
	N("GFP_HIGHUSER_MOVABLE", HIGHUSER_MOVABLE),
	N("GFP_HIGHUSER", HIGHUSER),
	N("GFP_USER", USER),
	N("GFP_KERNEL_ACCOUNT", KERNEL | B(22)),
	N("GFP_KERNEL", KERNEL),
	N("GFP_NOFS", RECLAIM | B(6)),
	N("GFP_ATOMIC", B(5) | B(11)),
	N("GFP_NOIO", RECLAIM),
	N("GFP_NOWAIT", B(11) | B(13)),
	N("GFP_DMA", B(0)),
	N("GFP_DMA32", B(2)),
	N("__GFP_RECLAIM", RECLAIM),
	N("__GFP_DMA", B(0)),
	N("__GFP_HIGHMEM", B(1)),
	N("__GFP_DMA32", B(2)),
	N("__GFP_MOVABLE", B(3)),
	N("__GFP_RECLAIMABLE", B(4)),
	N("__GFP_HIGH", B(5)),
	N("__GFP_IO", B(6)),
	N("__GFP_FS", B(7)),
	N("__GFP_ZERO", B(8)),
	N("__GFP_DIRECT_RECLAIM", B(10)),
	N("__GFP_KSWAPD_RECLAIM", B(11)),
	N("__GFP_WRITE", B(12)),
	N("__GFP_NOWARN", B(13)),
	N("__GFP_RETRY_MAYFAIL", B(14)),
	N("__GFP_NOFAIL", B(15)),
	N("__GFP_NORETRY", B(16)),
	N("__GFP_MEMALLOC", B(17)),
	N("__GFP_COMP", B(18)),
	N("__GFP_NOMEMALLOC", B(19)),
	N("__GFP_HARDWALL", B(20)),
	N("__GFP_THISNODE", B(21)),
	N("__GFP_ACCOUNT", B(22)),
	N("__GFP_ZEROTAGS", B(23)),
	N("__GFP_NO_OBJ_EXT", B(24)),
#undef N
};

static int parse_hex(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len < 3 || len > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -EBADMSG;
	for (size_t i = 2; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (unsigned int)((c | 0x20) - 'a' + 10);
		else
			return -EBADMSG;
		x = x << 4 | d;
	}
	*v = x;
	return 0;
}

int frt_gfp_parse(const char *s, size_t len, uint64_t *mask,
		  void (*unknown)(void *ctx, const char *name, size_t len), void *ctx)
{
	const char *end = s + len;
	uint64_t m = 0;

	if (len == 4 && !memcmp(s, "none", 4)) {
		*mask = 0;
		return 0;
	}
	while (s <= end) {
		const char *bar = memchr(s, '|', (size_t)(end - s));
		size_t n = (size_t)((bar ? bar : end) - s);
		size_t i;

		if (!n)
			return -EBADMSG;
		if (s[0] == '0') {
			uint64_t v;

			if (parse_hex(s, n, &v))
				return -EBADMSG;
			m |= v;
		} else {
			for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
				if (names[i].len == n && !memcmp(names[i].name, s, n))
					break;
			if (i < sizeof(names) / sizeof(names[0]))
				m |= names[i].mask;
			else if (unknown)
				unknown(ctx, s, n);
		}
		if (!bar)
			break;
		s = bar + 1;
	}
	*mask = m;
	return 0;
}
