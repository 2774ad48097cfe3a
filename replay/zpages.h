/* SPDX-License-Identifier: MIT */
/*
 * zpages.h - a calloc()ed map whose pages are written before anything reads
 * them.
 *
 * A large calloc() returns untouched memory, which costs nothing until used:
 * what a sparse node's per-pfn maps need. But a read of an untouched page
 * maps the shared zero page, and a later write replaces it (wp_page_copy()),
 * which flushes the TLB of every CPU the process runs on: an IPI to each
 * other thread's CPU, a VM exit on a guest. A map read before it is written
 * (a first-word map, an index probed before it is set) pays that once a
 * page. Here each page is written first: a write to an untouched page comes
 * zeroed from its first fault with nothing to flush. The bits say which pages
 * of the map (by address: a page is ZP_PAGE bytes, a piece of a larger one
 * where pages are larger) have been written; a page not written holds only
 * zeros, so a read there needs no memory access at all.
 */
#ifndef FRAGREPLAY_REPLAY_ZPAGES_H
#define FRAGREPLAY_REPLAY_ZPAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define ZP_PAGE 4096u

struct zpages {
	uint64_t *bits; /* per page of the map, from the one holding its first byte */
};

/* bits for a map of @bytes at any address */
static inline size_t zpages_nr(size_t bytes)
{
	return bytes / ZP_PAGE + 2;
}

static inline int zpages_init(struct zpages *z, size_t bytes)
{
	z->bits = calloc(zpages_nr(bytes) / 64 + 1, sizeof(uint64_t));
	return z->bits ? 0 : -1;
}

static inline void zpages_free(struct zpages *z)
{
	free(z->bits);
	z->bits = NULL;
}

/* bit of the page holding byte @off of @map */
static inline size_t zpages_bit(const void *map, size_t off)
{
	return ((uintptr_t)map + off) / ZP_PAGE - (uintptr_t)map / ZP_PAGE;
}

static inline bool zpages_is_written(const struct zpages *z, size_t b)
{
	return z->bits[b / 64] >> (b % 64) & 1;
}

/* whether byte @off of @map may hold anything but 0 */
static inline bool zpages_written(const struct zpages *z, const void *map, size_t off)
{
	return zpages_is_written(z, zpages_bit(map, off));
}

/* the pages of [@off, @off + @n) of @map written (with a 0) where they were not */
static inline void zpages_write_first(struct zpages *z, void *map, size_t off, size_t n)
{
	for (size_t b = zpages_bit(map, off); b <= zpages_bit(map, off + n - 1); b++) {
		if (zpages_is_written(z, b))
			continue;
		uintptr_t page = ((uintptr_t)map / ZP_PAGE + b) * ZP_PAGE;
		*(volatile uint8_t *)(b ? (uint8_t *)page : (uint8_t *)map) = 0;
		z->bits[b / 64] |= 1ull << (b % 64);
	}
}

/*
 * The next written page of a map of @bytes at @map from bit *@b on: its
 * bytes [*from, *to), and *@b past it for the next call. false when none is
 * left. for (size_t b = 0, from, to; zpages_next(z, map, n, &b, &from, &to);)
 */
static inline bool zpages_next(const struct zpages *z, const void *map, size_t bytes, size_t *b,
			       size_t *from, size_t *to)
{
	for (; *b < zpages_nr(bytes); ++*b) {
		uintptr_t start = ((uintptr_t)map / ZP_PAGE + *b) * ZP_PAGE - (uintptr_t)map;

		*from = *b ? start : 0;
		*to = start + ZP_PAGE < bytes ? start + ZP_PAGE : bytes;
		if (zpages_is_written(z, *b) && *from < *to) {
			++*b;
			return true;
		}
	}
	return false;
}

#endif
