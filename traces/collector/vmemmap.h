/* SPDX-License-Identifier: MIT */
/*
 * vmemmap.h - the vmemmap base from the votes of vmemmap.bpf.h's programs
 * (both BPF objects attach a pair: the collector for tp_btf programs that
 * see struct page, the snapshot walk to read struct page by pfn).
 */
#ifndef FRT_VMEMMAP_H
#define FRT_VMEMMAP_H

#define FRT_VM_SAMPLES 256

#ifndef __bpf__
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h> /* __u64, as the skeletons' .bss has it */

/* Touch and unmap @bytes of our own, so that mm_page_free fires in this task. */
void frt_vmemmap_free_some_pages(size_t bytes);

/**
 * frt_vmemmap_pick - the base most votes agree on
 * @cand: the votes (the BPF object's vm_cand), @n of them
 *
 * A right pair (page and pfn of one free) always gives the base, a wrong one
 * (two frees) anything else; frees of neighbouring pfns in a row agree on
 * base +- k * sizeof(struct page), which is not page-aligned while the base
 * is (unless k is a multiple of 64), so only page-aligned values vote. The
 * winner needs @min_votes and a third of all. Returns 0 with *@base set, or
 * -ENOENT with the tally in @why.
 */
int frt_vmemmap_pick(const volatile __u64 *cand, unsigned int n, unsigned int min_votes,
		     uint64_t *base, char *why, size_t len);
#endif

#endif
