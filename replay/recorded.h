/* SPDX-License-Identifier: MIT */
/*
 * recorded.h - what the kernel itself recorded in a trace, with no model:
 * the figures `fragreplay diff` sets side by side (README, "Real A/B").
 *
 * A trace's figures are rows of one fixed table (recorded_row()), the same
 * rows in the same order for every trace, each known or not (no vmstat
 * copy, no end snapshot). Groups of traces (runs of one workload under one
 * setting) get each row's mean, minimum and maximum over the traces that
 * know it.
 *
 * The extfrag words are those of the defrag_mode series' bpftrace (patch
 * 3/5), defined here from mm_page_alloc_extfrag's fields:
 *   claimer  change_ownership = 1: the fallback retyped the pageblock
 *            (a whole free block taken, or try_to_claim_block() claimed it);
 *            counted by the allocation's type.
 *   pollute  change_ownership = 0 and fallback_order > alloc_order: a chunk
 *            of another type's free list split for the request; the block
 *            keeps its type and now holds a foreign allocation, the rest of
 *            the chunk stays on the other type's lists.
 *   steal    change_ownership = 0 and fallback_order = alloc_order: exactly
 *            the pages asked for taken from another type's list (single
 *            pages for an order-0 request or a pcp refill).
 * pollute and steal are counted by (allocation type, fallback type).
 *
 * On a NUMA host the event rows count every node's events (a diff is of the
 * kernel, not of the model), while the end state is node 0's, as validate's
 * is; the row "numa_nodes" gives the metadata's nodes with memory.
 */
#ifndef FRAGREPLAY_REPLAY_RECORDED_H
#define FRAGREPLAY_REPLAY_RECORDED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct recorded_row_desc {
	const char *key;     /* JSON key, e.g. "thp_fault_alloc", "pollute:movable<-reclaimable" */
	const char *label;   /* text label */
	const char *section; /* text section heading */
};

/* the rows, in their order */
size_t recorded_nr_rows(void);
const struct recorded_row_desc *recorded_row(size_t i);
/* the row whose key is @key, or -1 */
long recorded_row_find(const char *key);

struct recorded {
	char path[512];
	/* why only a prefix was read (damaged or truncated trace); "" when whole */
	char damage[512];
	int defrag_mode; /* vm.defrag_mode as recorded, -1 if unknown */
	int64_t *value;  /* recorded_nr_rows() of them */
	bool *known;
};

/**
 * recorded_read - read the trace at @path once and fill @out
 *
 * A damaged or truncated trace yields the figures of its valid prefix, with
 * out->damage saying so. Returns 0, or a negative errno with a one-line
 * message naming the file in @err (the trace cannot be opened; -ENOMEM).
 * recorded_free() releases @out, also after a failure.
 */
int recorded_read(const char *path, struct recorded *out, char *err, size_t errlen);
void recorded_free(struct recorded *r);

/* one row over a group of traces: over those that know it (n of them) */
struct recorded_stat {
	size_t n;
	double mean;
	int64_t min, max;
};

/* row @row over @nr traces @runs into @out (n = 0: none knows it) */
void recorded_stat(const struct recorded *runs, size_t nr, size_t row, struct recorded_stat *out);

#endif
