// SPDX-License-Identifier: MIT
/*
 * test_migrate_pair.c - old -> new pfn pairs from the migration PTEs.
 * The PTE values are real: recorded on this project's Linux 6.18 machine
 * during `echo 1 > /proc/sys/vm/compact_memory` with 1 GiB of anonymous
 * memory mapped. There, old pfn 0x10381f was allocated before and freed 9 us
 * after the migration, and new pfn 0x17219c had no mm_page_alloc (compaction
 * isolated it free) and was freed when the process exited.
 */
#include <string.h>

#include "check.h"
#include "migrate_pair.h"

#define REAL_SET_PTE 0xf7ffe7ffdf8fc000ull    /* migration entry of pfn 0x10381f */
#define REAL_REMOVE_PTE 0x800000017219c067ull /* present, NX, pfn 0x17219c */

static struct frt_event pte_event(uint16_t type, uint64_t ts, uint64_t addr, uint64_t pte)
{
	return (struct frt_event){ .ts = ts, .cpu = 1, .type = type,
				   .migration_pte = { addr, pte, 0 } };
}

/* pte_to_swp_entry()/swp_offset_pfn() and pte_pfn() on x86-64 */
static void test_pte_decoding_matches_a_real_migration(void)
{
	uint64_t protnone = ~(0x17219cull << 12) & ~0x1ull; /* L1TF-inverted, not present */

	protnone = (protnone & ~0xfffull) | 0x100; /* _PAGE_PROTNONE set, present clear */
	CHECK(frt_migration_entry_pfn(REAL_SET_PTE) == 0x10381f, "%llx",
	      (unsigned long long)frt_migration_entry_pfn(REAL_SET_PTE));
	CHECK(frt_pte_pfn(REAL_REMOVE_PTE) == 0x17219c);
	CHECK(frt_pte_pfn(protnone) == 0x17219c, "PROT_NONE pte holds its pfn inverted");
}

static void test_set_then_remove_gives_one_pair_each(void)
{
	struct frt_pairer *p = frt_pairer_new();
	struct frt_event a = pte_event(FRT_EV_SET_MIGRATION_PTE, 10, 0x7000, REAL_SET_PTE);
	struct frt_event b = pte_event(FRT_EV_SET_MIGRATION_PTE, 11, 0x8000, REAL_SET_PTE - 0x200);
	struct frt_event ra = pte_event(FRT_EV_REMOVE_MIGRATION_PTE, 20, 0x7000, REAL_REMOVE_PTE);
	struct frt_event rb = pte_event(FRT_EV_REMOVE_MIGRATION_PTE, 21, 0x8000,
					REAL_REMOVE_PTE + 0x1000);
	struct frt_event pair;
	struct frt_pairer_stats st;

	CHECK(frt_pairer_feed(p, &a, &pair) == 0 && frt_pairer_feed(p, &b, &pair) == 0);
	CHECK(frt_pairer_feed(p, &ra, &pair) == 1);
	CHECK(pair.type == FRT_EV_MIGRATE_PAIR && pair.ts == 20 && pair.cpu == 1 &&
	      pair.pair.old_pfn == 0x10381f && pair.pair.new_pfn == 0x17219c && pair.pair.order == 0);
	CHECK(frt_pairer_feed(p, &rb, &pair) == 1);
	CHECK(pair.pair.old_pfn == 0x103820 && pair.pair.new_pfn == 0x17219d, "%llx %llx",
	      (unsigned long long)pair.pair.old_pfn, (unsigned long long)pair.pair.new_pfn);
	CHECK(frt_pairer_feed(p, &ra, &pair) == 0, "a remove without its set pairs nothing");
	frt_pairer_stats(p, &st);
	CHECK(st.pairs == 2 && st.unmatched_remove == 1 && st.unmatched_set == 0);
	frt_pairer_free(p);
}

/* After fork, parent and child map the page at the same address: one pair. */
static void test_shared_mapping_paired_once(void)
{
	struct frt_pairer *p = frt_pairer_new();
	struct frt_event set = pte_event(FRT_EV_SET_MIGRATION_PTE, 10, 0x7000, REAL_SET_PTE);
	struct frt_event rm = pte_event(FRT_EV_REMOVE_MIGRATION_PTE, 20, 0x7000, REAL_REMOVE_PTE);
	struct frt_event pair;
	struct frt_pairer_stats st;
	int n = 0;

	n += frt_pairer_feed(p, &set, &pair);
	n += frt_pairer_feed(p, &set, &pair);
	n += frt_pairer_feed(p, &rm, &pair);
	n += frt_pairer_feed(p, &rm, &pair);
	frt_pairer_stats(p, &st);
	CHECK(n == 1 && st.pairs == 1 && st.dup_mappings == 1 && st.unmatched_set == 0 &&
	      st.unmatched_remove == 0, "n %d dup %llu us %llu ur %llu", n,
	      (unsigned long long)st.dup_mappings, (unsigned long long)st.unmatched_set,
	      (unsigned long long)st.unmatched_remove);
	frt_pairer_free(p);
}

/* Other events pass through untouched. */
static void test_other_events_ignored(void)
{
	struct frt_pairer *p = frt_pairer_new();
	struct frt_event ev = { .ts = 1, .type = FRT_EV_PAGE_FREE, .free = { 0x10381f, 0 } }, pair;
	struct frt_pairer_stats st;

	CHECK(frt_pairer_feed(p, &ev, &pair) == 0);
	frt_pairer_stats(p, &st);
	CHECK(!st.pairs && !st.unmatched_remove && !st.unmatched_set && !st.dup_mappings);
	frt_pairer_free(p);
}

int main(void)
{
	RUN(test_pte_decoding_matches_a_real_migration);
	RUN(test_set_then_remove_gives_one_pair_each);
	RUN(test_shared_mapping_paired_once);
	RUN(test_other_events_ignored);
	return CHECK_DONE();
}
