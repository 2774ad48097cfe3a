/* SPDX-License-Identifier: MIT */
/*
 * reqclass.h - request classes: who asked for a block, as far as the gfp
 * mask, the order and the migratetype tell, and what that caller does when
 * the allocator says no (DESIGN.md "Closed loop", KERNEL-NOTES.md "Callers'
 * fallbacks"). README "Request classes" has the table and the ambiguities.
 */
#ifndef FRAGREPLAY_REPLAY_REQCLASS_H
#define FRAGREPLAY_REPLAY_REQCLASS_H

#include <stdint.h>

#include "model.h"

enum req_class {
	REQ_THP,       /* anonymous THP or mTHP fault (vma_thp_gfp_mask()), order >= 1 */
	REQ_PAGECACHE, /* large page-cache folio: filemap / readahead, order >= 1 */
	REQ_SLUB,      /* SLUB's opportunistic high-order slab, order >= 1 */
	REQ_OTHER,     /* everything else, all order-0 requests among them */
	REQ_NR_CLASSES,
};

/* "thp", "pagecache", "slub", "other": report and JSON keys */
const char *req_class_name(enum req_class c);

/* the class of a request of @order with the raw gfp mask @gfp */
enum req_class req_class_of(unsigned int order, uint32_t gfp);

/*
 * The caller's fallback, when the allocator fails a request of @class,
 * @order and @gfp: the orders it tries next, highest first (at most @max of
 * them; @mthp_orders is the mask of mTHP orders the trace has shown enabled),
 * each with its gfp. Returns how many; 0 when the caller has no lower order
 * to go to (REQ_OTHER, or an order already at the minimum).
 */
unsigned int req_fallback(const struct model *m, enum req_class class, unsigned int order,
			  uint32_t gfp, uint32_t mthp_orders, unsigned int *orders, uint32_t *gfps,
			  unsigned int max);

#endif
