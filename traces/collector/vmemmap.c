// SPDX-License-Identifier: MIT
/*
 * vmemmap.c - see vmemmap.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "vmemmap.h"

void frt_vmemmap_free_some_pages(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	for (size_t off = 0; off < bytes; off += 4096)
		p[off] = 1;
	munmap(p, bytes);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int frt_vmemmap_pick(const volatile __u64 *cand, unsigned int n, unsigned int min_votes,
		     uint64_t *base, char *why, size_t len)
{
	uint64_t v[FRT_VM_SAMPLES], best = 0;
	unsigned int best_run = 0;

	n = n < FRT_VM_SAMPLES ? n : FRT_VM_SAMPLES;
	for (unsigned int i = 0; i < n; i++)
		v[i] = cand[i];
	qsort(v, n, sizeof(v[0]), cmp_u64);
	for (unsigned int i = 0, run = 0; i < n; i++) {
		run = i && v[i] == v[i - 1] ? run + 1 : 1;
		if (run > best_run && !(v[i] & 4095)) {
			best_run = run;
			best = v[i];
		}
	}
	if (best_run < min_votes || best_run * 3 < n) {
		snprintf(why, len, "no vmemmap base: %u of %u samples agree", best_run, n);
		return -ENOENT;
	}
	*base = best;
	return 0;
}
