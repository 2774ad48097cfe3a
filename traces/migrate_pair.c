// SPDX-License-Identifier: MIT
/*
 * migrate_pair.c - old pfn -> new pfn pairs from the migration PTEs.
 *
 * When the kernel migrates a mapped folio (mm/migrate.c, mm/rmap.c in 6.18),
 * try_to_migrate_one() replaces each of its PTEs with a migration entry that
 * encodes the OLD pfn and fires set_migration_pte(addr, pte, order); after
 * the copy, remove_migration_pte() installs a present PTE of the NEW folio at
 * the same address and fires remove_migration_pte(addr, pte, order). The
 * tracepoints carry no mm, so a set and its remove are matched by virtual
 * address. A folio mapped by several processes (after fork) gives one set and
 * one remove per mapping; only the first pair of an old pfn is emitted.
 *
 * Completeness (also in FORMAT.md): only folios mapped in user page tables
 * get migration PTEs. Unmapped page cache, movable_ops pages (zsmalloc,
 * balloon) and PMD-mapped THPs (remove_migration_pmd has no tracepoint)
 * migrate without a pair; replay sees their old pfn freed and their new pfn
 * appear without an allocation.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "migrate_pair.h"

#define SLOTS 65536         /* open addressing, power of two */
#define STALE_NS 1000000000 /* a set older than this is abandoned */
#define RECENT 64           /* old pfns paired lately, for de-duplication */

/* x86-64: _PAGE_PRESENT bit 0, _PAGE_PROTNONE = bit 8, PTE_PFN_MASK bits 12..51 */
#define PTE_PRESENT 0x1ull
#define PTE_PROTNONE 0x100ull
#define PTE_PFN_MASK 0x000ffffffffff000ull
/* swap entries: 5 type bits on top, offset inverted from bit 9 (SWP_OFFSET_SHIFT 14) */
#define SWP_TYPE_BITS 5
#define SWP_OFFSET_SHIFT 14
/* migration entries keep the pfn in the offset's low bits; young/dirty sit above
 * SWP_PFN_BITS = MAX_PHYSMEM_BITS - PAGE_SHIFT = 34 with 4-level paging. With
 * 5-level paging that is 40, but on hosts below 64 TiB bits 34..39 are 0 anyway. */
#define SWP_PFN_MASK ((1ull << 34) - 1)

struct slot {
	uint64_t addr, old_pfn, ts;
	uint32_t refs; /* mappings of this address still to be restored */
	bool used, paired;
};

struct frt_pairer {
	struct slot slots[SLOTS];
	uint64_t recent[RECENT];
	unsigned int recent_next;
	struct frt_pairer_stats st;
};

/* pte_pfn(): a PROT_NONE (NUMA hinting) PTE holds its pfn inverted (L1TF) */
uint64_t frt_pte_pfn(uint64_t pte)
{
	if ((pte & (PTE_PRESENT | PTE_PROTNONE)) == PTE_PROTNONE)
		pte = ~pte;
	return (pte & PTE_PFN_MASK) >> 12;
}

/* pte_to_swp_entry() + swp_offset_pfn() for a migration entry */
uint64_t frt_migration_entry_pfn(uint64_t swp_pte)
{
	uint64_t offset = ~swp_pte << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT;

	return offset & SWP_PFN_MASK;
}

struct frt_pairer *frt_pairer_new(void)
{
	struct frt_pairer *p = calloc(1, sizeof(*p));

	if (p)
		memset(p->recent, 0xff, sizeof(p->recent));
	return p;
}

void frt_pairer_free(struct frt_pairer *p)
{
	free(p);
}

/* The slot holding @addr, else (with @insert) a free or stale one near it. */
static struct slot *lookup(struct frt_pairer *p, uint64_t addr, bool insert, uint64_t now)
{
	uint32_t h0 = (uint32_t)((addr >> 12) * 0x9E3779B97F4A7C15ull >> 48) & (SLOTS - 1);
	struct slot *s;

	for (unsigned int i = 0; i < 32; i++) {
		s = &p->slots[(h0 + i) & (SLOTS - 1)];
		if (s->used && s->addr == addr)
			return s;
	}
	for (unsigned int i = 0; insert && i < 32; i++) {
		s = &p->slots[(h0 + i) & (SLOTS - 1)];
		if (s->used && now - s->ts > STALE_NS) {
			p->st.unmatched_set++;
			s->used = false;
		}
		if (!s->used)
			return s;
	}
	return NULL;
}

static bool recently_paired(struct frt_pairer *p, uint64_t old_pfn)
{
	for (unsigned int i = 0; i < RECENT; i++)
		if (p->recent[i] == old_pfn)
			return true;
	p->recent[p->recent_next++ % RECENT] = old_pfn;
	return false;
}

int frt_pairer_feed(struct frt_pairer *p, const struct frt_event *ev, struct frt_event *pair)
{
	uint64_t old_pfn;
	struct slot *s;

	if (ev->type == FRT_EV_SET_MIGRATION_PTE) {
		s = lookup(p, ev->migration_pte.addr, true, ev->ts);
		if (!s) {
			p->st.unmatched_set++; /* table crowded here: drop this one */
			return 0;
		}
		old_pfn = frt_migration_entry_pfn(ev->migration_pte.pte);
		if (s->used && s->old_pfn == old_pfn) {
			s->refs++; /* the same page at the same address in another mm (fork) */
			return 0;
		}
		if (s->used)
			p->st.unmatched_set++; /* an earlier migration here was never restored */
		*s = (struct slot){ .addr = ev->migration_pte.addr, .ts = ev->ts, .used = true,
				    .refs = 1, .old_pfn = old_pfn };
		return 0;
	}
	if (ev->type != FRT_EV_REMOVE_MIGRATION_PTE)
		return 0;
	s = lookup(p, ev->migration_pte.addr, false, ev->ts);
	if (!s) {
		p->st.unmatched_remove++;
		return 0;
	}
	s->used = --s->refs > 0;
	if (s->paired || recently_paired(p, s->old_pfn)) {
		p->st.dup_mappings++;
		return 0;
	}
	s->paired = true;
	*pair = (struct frt_event){
		.ts = ev->ts, .cpu = ev->cpu, .type = FRT_EV_MIGRATE_PAIR,
		.pair = { .old_pfn = s->old_pfn, .new_pfn = frt_pte_pfn(ev->migration_pte.pte),
			  .order = (uint64_t)(ev->migration_pte.order < 0 ? 0 : ev->migration_pte.order) },
	};
	p->st.pairs++;
	return 1;
}

void frt_pairer_stats(const struct frt_pairer *p, struct frt_pairer_stats *st)
{
	*st = p->st;
}
