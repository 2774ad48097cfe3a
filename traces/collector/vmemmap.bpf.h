/* SPDX-License-Identifier: MIT OR GPL-2.0-only */
/*
 * vmemmap.bpf.h - what both BPF objects use to find the vmemmap base (the
 * address of pfn 0's struct page): a program that sees a free's struct page
 * and one that sees its pfn, each pairing its value with the other's latest
 * on that CPU and voting with page - pfn * sizeof(struct page). Half the
 * votes are of one free and agree; the loader (vmemmap.c) picks the value
 * most page-aligned votes give. Include once per object, after vmlinux's
 * types; each object attaches its own pair of programs.
 */
#ifndef FRT_VMEMMAP_BPF_H
#define FRT_VMEMMAP_BPF_H

#include "vmemmap.h" /* FRT_VM_SAMPLES */

__u64 vm_cand[FRT_VM_SAMPLES];
__u32 vm_nr;

struct vm_last {
	__u64 page, pfn;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vm_last);
} vm_last SEC(".maps");

/* Two CPUs may race for a slot and one vote be lost: the vote survives that. */
static __always_inline void vm_vote(struct vm_last *l)
{
	/* read back from the map: a number now, no more a pointer the verifier guards */
	__u64 page = *(volatile __u64 *)&l->page;
	__u32 i = vm_nr;

	if (!page || !l->pfn || i >= FRT_VM_SAMPLES)
		return;
	vm_cand[i] = page - l->pfn * bpf_core_type_size(struct page);
	vm_nr = i + 1;
}

/* A half of a vote: the program that sees a free's struct page passes
 * @is_page, the one that sees its pfn not; each votes with the other's latest. */
static __always_inline void vm_saw(bool is_page, __u64 v)
{
	__u32 zero = 0;
	struct vm_last *l = bpf_map_lookup_elem(&vm_last, &zero);

	if (!l)
		return;
	if (is_page)
		l->page = v;
	else
		l->pfn = v;
	vm_vote(l);
}

#endif
