// SPDX-License-Identifier: MIT
/*
 * snapshot_bpf.c - load snapshot.bpf.c, find the vmemmap base, and run its
 * walks with BPF_PROG_TEST_RUN (nothing stays attached).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "snapshot_bpf.h"
#include "vmemmap.h"
#include "snapshot_internal.h" /* before the skeleton: its .bss holds our structs */
#include "snapshot.skel.h"

#define VM_MIN_VOTES 16
#define FL_MAX_RUNS 64 /* of 1M list entries each */

#define KPF_RESERVED 32

struct frt_snap_bpf {
	struct snapshot_bpf *skel;
	struct frt_walk_out *out;
	bool zones_ok;                /* page_zonenum() proved right by the free lists */
	unsigned int nodes_walked;
	uint8_t kind[FRT_WALK_CHUNK]; /* the last chunk, for the check */
};

static int frt_snap_bpf_walk(struct frt_snap_bpf *b, uint64_t start_pfn, uint64_t end_pfn,
			     frt_walk_feed feed, void *ctx);
static void frt_snap_bpf_close(struct frt_snap_bpf *b);

static int test_run(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	if (err)
		return -errno;
	return opts.retval ? -EINVAL : 0;
}

/* The vmemmap base, from the votes of vmemmap.bpf.h's pair of programs (vmemmap.h). */
static int find_vmemmap(struct frt_snap_bpf *b, char *err, size_t errlen)
{
	struct snapshot_bpf__bss *bss = b->skel->bss;
	struct bpf_link *l1 = NULL, *l2 = NULL;
	uint64_t base;
	int ret = 0;

	l1 = bpf_program__attach(b->skel->progs.vm_page);
	l2 = l1 ? bpf_program__attach(b->skel->progs.vm_pfn) : NULL;
	if (!l2) {
		ret = frt_snap_errf(err, errlen, -errno, "attaching to mm_page_free: %s",
				    strerror(errno));
		goto cleanup;
	}
	for (int i = 0; i < 50 && bss->vm_nr < 4 * VM_MIN_VOTES; i++)
		frt_vmemmap_free_some_pages(1u << 20);
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	l1 = l2 = NULL;
	ret = frt_vmemmap_pick(bss->vm_cand, bss->vm_nr, VM_MIN_VOTES, &base, err, errlen);
	if (!ret)
		bss->vmemmap = base;
cleanup:
	bpf_link__destroy(l2);
	bpf_link__destroy(l1);
	return ret;
}

static int copy_chunk(void *ctx, uint64_t start_pfn, size_t n, const uint8_t *kind,
		      const uint8_t *aux, const uint8_t *zone, const uint64_t *ts)
{
	struct frt_snap_bpf *b = ctx;

	memcpy(b->kind, kind, n);
	return 0;
}

/*
 * Prove the base before trusting it: the reserved pages of the lowest chunk
 * of memory (firmware, boot allocations: they do not change) must be the
 * ones /proc/kpageflags calls reserved. A wrong base reads other memory or
 * none.
 */
static int check_vmemmap(struct frt_snap_bpf *b, uint64_t min_pfn, char *err, size_t errlen)
{
	uint64_t kpf[1024], agree = 0, reserved = 0, covered = 0;
	uint64_t start = min_pfn & ~(uint64_t)(FRT_WALK_CHUNK - 1);
	int fd, ret;

	ret = frt_snap_bpf_walk(b, start, start + FRT_WALK_CHUNK, copy_chunk, b);
	b->skel->bss->skip_until = 0;
	if (ret)
		return frt_snap_errf(err, errlen, ret, "walking struct page: %s", strerror(-ret));
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* nothing to check against: trust the vote */
	for (uint64_t pfn = 0; pfn < FRT_WALK_CHUNK; pfn += 1024) {
		if (pread(fd, kpf, sizeof(kpf), (off_t)((start + pfn) * 8)) != sizeof(kpf))
			break;
		for (unsigned int i = 0; i < 1024; i++) {
			bool kr = kpf[i] >> KPF_RESERVED & 1;
			bool br = b->kind[pfn + i] == FRT_PFN_RESERVED;

			reserved += kr;
			agree += kr && br;
			covered += kr || br;
		}
	}
	close(fd);
	if (!reserved || agree * 100 < covered * 99)
		return frt_snap_errf(err, errlen, -EIO,
				     "vmemmap base fails the check: %llu of %llu reserved pages agree",
				     (unsigned long long)agree, (unsigned long long)covered);
	return 0;
}

/* enum frt_walk_gap, bit by bit */
static const char *const gap_name[FRT_GAP_NR] = {
	NULL, /* FRT_GAP_PAGE_SIZE: said with the size, in check_layout() */
	"struct page.flags (neither unsigned long nor memdesc_flags_t)",
	"struct page.compound_head or .compound_info",
	"struct page.buddy_list, .mapping, .private, .page_type or ._refcount",
	"struct folio._folio_order or ._flags_1",
	"enum pageflags: PG_lru, PG_head or PG_reserved",
	"struct slab.slab_cache or struct kmem_cache.flags",
	"the fields of struct pglist_data, zone, free_area or zonelist read",
	"the way from task_struct.cgroups to lruvec.pgdat (CONFIG_MEMCG)",
	"enum migratetype: MIGRATE_HIGHATOMIC",
};

/*
 * Before anything runs: does this kernel's BTF have what the walk reads?
 * walk_layout says (CO-RE existence checks, resolved at load); where it
 * lacks something, the walk programs loaded as one early return, and the
 * BPF walk is refused here, naming what is missing.
 */
static int check_layout(struct frt_snap_bpf *b, bool verbose, char *err, size_t errlen)
{
	static const char *const pt_enc[] = { "top byte (enum pagetype)",
					      "inverted bits (enum values)",
					      "inverted bits (#define values, no enum in BTF)" };
	const struct frt_walk_layout *l = (const struct frt_walk_layout *)&b->skel->bss->layout;
	static unsigned int said;
	char missing[400] = "";
	size_t len = 0;
	int ret = test_run(b->skel->progs.walk_layout);

	if (ret)
		return frt_snap_errf(err, errlen, ret, "running walk_layout: %s", strerror(-ret));
	if (l->gaps & FRT_GAP_PAGE_SIZE)
		len = (size_t)snprintf(missing, sizeof(missing), "a struct page of %u bytes, "
				       "over the walk's %u", l->page_size, FRT_WALK_PAGE_MAX);
	for (unsigned int i = 1; i < FRT_GAP_NR; i++) {
		if (l->gaps & (1u << i) && len < sizeof(missing))
			len += (size_t)snprintf(missing + len, sizeof(missing) - len, "%s%s",
						len ? "; " : "", gap_name[i]);
	}
	if (l->gaps)
		return frt_snap_errf(err, errlen, -ENOTSUP,
				     "this kernel's BTF lacks what the walk reads: %s", missing);
	if (verbose && !said++) /* once: the same at the end snapshot */
		fprintf(stderr, "fragreplay: BPF walk layout: struct page %u bytes, flags %s at %u, "
			"%s at %u, page_type %s, slab by %s, folio order from %s at %u%s\n",
			l->page_size, l->flags_mdf ? "memdesc_flags_t" : "unsigned long",
			l->flags_off, l->head_info ? "compound_info" : "compound_head",
			l->head_off, l->pt_enc < 3 ? pt_enc[l->pt_enc] : "?",
			l->slab_flag ? "PG_slab" : "page type",
			l->order_byte ? "_folio_order" : "_flags_1", l->order_off,
			l->hugetlb_dtor ? ", hugetlb by _folio_dtor too" : "");
	return 0;
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static int frt_snap_bpf_open(struct frt_snap_bpf **out, unsigned int pbo, unsigned int max_order,
		      uint64_t min_pfn, uint64_t max_pfn, bool verbose, bool *load_failed,
		      char *err, size_t errlen)
{
	/* verbose: leave libbpf's printer as the caller set it (record -v: stderr) */
	libbpf_print_fn_t old = verbose ? NULL : libbpf_set_print(quiet_libbpf);
	size_t nr_pb = (max_pfn >> pbo) + 1;
	struct frt_snap_bpf *b;
	int ret;

	b = calloc(1, sizeof(*b));
	if (!b) {
		ret = frt_snap_errf(err, errlen, -ENOMEM, "out of memory");
		goto cleanup;
	}
	b->out = malloc(sizeof(*b->out));
	b->skel = snapshot_bpf__open();
	if (!b->out || !b->skel) {
		ret = frt_snap_errf(err, errlen, b->out ? -errno : -ENOMEM,
				    "opening the BPF object failed");
		goto cleanup;
	}
	b->skel->rodata->pageblock_order = pbo;
	ret = bpf_map__set_max_entries(b->skel->maps.pb_mt, nr_pb);
	if (ret) {
		frt_snap_errf(err, errlen, ret, "sizing the pageblock map: %s", strerror(-ret));
		goto cleanup;
	}
	ret = snapshot_bpf__load(b->skel);
	if (ret) {
		*load_failed = true;
		frt_snap_errf(err, errlen, ret, "loading snapshot.bpf.o failed: %s%s",
			      strerror(-ret), verbose ? "" : " (-v shows the verifier's log)");
		goto cleanup;
	}
	ret = check_layout(b, verbose, err, errlen);
	if (ret) {
		*load_failed = true; /* the same kernel gives the same answer */
		goto cleanup;
	}
	b->skel->bss->max_pfn = max_pfn;
	b->skel->bss->max_order = max_order;
	ret = find_vmemmap(b, err, errlen);
	if (!ret)
		ret = check_vmemmap(b, min_pfn, err, errlen);
cleanup:
	if (!verbose)
		libbpf_set_print(old);
	if (ret) {
		frt_snap_bpf_close(b);
		b = NULL;
	}
	*out = b;
	return ret;
}

static int frt_snap_bpf_free_lists(struct frt_snap_bpf *b, int nid, struct frt_fl_state *st)
{
	struct snapshot_bpf__bss *bss = b->skel->bss;
	int ret = 0;

	memset((void *)&bss->fl, 0, sizeof(bss->fl));
	bss->fl_nid = nid;
	for (int run = 0; run < FL_MAX_RUNS && !bss->fl.done && !bss->fl.error && !ret; run++)
		ret = test_run(b->skel->progs.walk_free_lists);
	memcpy(st, (const void *)&bss->fl, sizeof(*st));
	b->zones_ok = (b->nodes_walked++ ? b->zones_ok : true) && st->zone_agree &&
		      !st->zone_disagree;
	if (!ret && st->error)
		ret = st->error == FRT_FL_NO_PGDAT ? -ENOENT : -ENOTSUP;
	else if (!ret && !st->done)
		ret = -E2BIG;
	return ret;
}

static int frt_snap_bpf_walk(struct frt_snap_bpf *b, uint64_t start_pfn, uint64_t end_pfn,
		      frt_walk_feed feed, void *ctx)
{
	struct snapshot_bpf__bss *bss = b->skel->bss;
	int fd = bpf_map__fd(b->skel->maps.walk_out);
	uint32_t zero = 0;
	int ret = 0;

	bss->skip_until = 0;
	for (uint64_t pfn = start_pfn; pfn < end_pfn && !ret; pfn += FRT_WALK_CHUNK) {
		size_t n = end_pfn - pfn < FRT_WALK_CHUNK ? end_pfn - pfn : FRT_WALK_CHUNK;

		/* unwritten pfns must read as holes, not as the last chunk's codes */
		memset(b->out, 0, sizeof(*b->out));
		bss->walk_start = pfn;
		if (bpf_map_update_elem(fd, &zero, b->out, BPF_ANY) ||
		    (ret = test_run(b->skel->progs.walk_pfns)) ||
		    bpf_map_lookup_elem(fd, &zero, b->out)) {
			ret = ret ? ret : -errno;
			break;
		}
		ret = feed(ctx, pfn, n, b->out->kind, b->out->aux,
			   b->zones_ok ? b->out->zone : NULL, (const uint64_t *)b->out->ts);
	}
	return ret;
}

static int frt_snap_bpf_pageblocks(struct frt_snap_bpf *b, uint8_t *mt1, size_t n)
{
	size_t len = n * 8, page = (size_t)getpagesize();
	const uint8_t *map;

	if (n > bpf_map__max_entries(b->skel->maps.pb_mt))
		return -EINVAL;
	len = (len + page - 1) / page * page;
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(b->skel->maps.pb_mt), 0);
	if (map == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < n; i++)
		mt1[i] = map[i * 8]; /* array values are 8-byte aligned */
	munmap((void *)map, len);
	return 0;
}

static const struct frt_walk_stats *frt_snap_bpf_stats(const struct frt_snap_bpf *b)
{
	return (const struct frt_walk_stats *)&b->skel->bss->walk_stats;
}

static void frt_snap_bpf_close(struct frt_snap_bpf *b)
{
	if (!b)
		return;
	snapshot_bpf__destroy(b->skel);
	free(b->out);
	free(b);
}

const struct frt_snap_bpf_ops frt_snap_bpf_ops = {
	.open = frt_snap_bpf_open,
	.free_lists = frt_snap_bpf_free_lists,
	.walk = frt_snap_bpf_walk,
	.pageblocks = frt_snap_bpf_pageblocks,
	.stats = frt_snap_bpf_stats,
	.close = frt_snap_bpf_close,
};
