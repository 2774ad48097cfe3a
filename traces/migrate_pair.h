/* SPDX-License-Identifier: MIT */
/*
 * migrate_pair.h - derive "page moved from old pfn to new pfn" events from
 * the migration PTE tracepoints (FORMAT.md, "migrate_pair"). Pure logic, no
 * I/O: the recorder feeds it every event in timestamp order.
 */
#ifndef FRT_MIGRATE_PAIR_H
#define FRT_MIGRATE_PAIR_H

#include <stdint.h>

#include "event.h"

struct frt_pairer;

struct frt_pairer *frt_pairer_new(void);
void frt_pairer_free(struct frt_pairer *p);

/*
 * frt_pairer_feed - look at one event of the ordered stream
 * Returns 1 and fills *pair (a FRT_EV_MIGRATE_PAIR with the event's ts and
 * cpu) when @ev completes a migration, else 0.
 */
int frt_pairer_feed(struct frt_pairer *p, const struct frt_event *ev, struct frt_event *pair);

struct frt_pairer_stats {
	uint64_t pairs;          /* pairs emitted */
	uint64_t dup_mappings;   /* further mappings of an already paired page */
	uint64_t unmatched_set;  /* set_migration_pte never followed by a remove */
	uint64_t unmatched_remove; /* remove_migration_pte without its set */
};
void frt_pairer_stats(const struct frt_pairer *p, struct frt_pairer_stats *st);

/* x86-64 PTE decoding (arch/x86/include/asm/pgtable{,_64}.h, Linux 6.18). */
uint64_t frt_pte_pfn(uint64_t pte);
uint64_t frt_migration_entry_pfn(uint64_t swp_pte);

#endif
