// SPDX-License-Identifier: MIT
/*
 * snapshot_kpf.c - the fallback walk: /proc/kpageflags (fs/proc/page.c,
 * stable_page_flags()) decoded into the same per-pfn codes as the BPF walk.
 *
 * What kpageflags cannot say, and how it is guessed (all listed in the
 * snapshot header's "inferred"):
 *  - free block orders. Since is_free_buddy_page() took over KPF_BUDDY, it
 *    marks every page of a free block, so a run of KPF_BUDDY pages is cut
 *    into the largest aligned blocks, up to MAX_PAGE_ORDER: exactly the
 *    split the buddy allocator keeps, as it merges any two free buddies
 *    (except across pageblocks of non-mergeable types). Older kernels mark
 *    only the first page; then the block runs on over flagless pages, as far
 *    as alignment allows. frt_kpf_buddy_marks_all() tells the two apart;
 *  - compound orders: the head and its run of tails;
 *  - slab reclaimability: every slab page counts as unmovable;
 *  - flagless pages: pcp pages, pages being freed and kernel pages look
 *    alike; taken as FROZEN (unmovable in the snapshot, no vote in the fit),
 *    and a whole memory section of them as memmap not yet initialised
 *    (deferred struct page init), which the BPF walk sees directly;
 *  - the free lists' migratetypes: left to the fit.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/kernel-page-flags.h>

#include <zstd.h>

#include "snapshot_internal.h"

#define KPF(bit) (1ull << KPF_##bit)
#define KPF_RESERVED_BIT (1ull << 32)     /* include/linux/kernel-page-flags.h */
#define KPF_MAPPEDTODISK_BIT (1ull << 34)
#define KPF_MLOCKED_BIT (1ull << 33)

#define KPF_PATH "/proc/kpageflags"
/* bits between the stable flags (0-26) and the hidden ones (32-42), and above
 * those: no kernel sets them, random bytes almost always do */
#define KPF_NEVER_SET ((0x1full << 27) | (~0ull << 48))
/* PAGES_PER_SECTION on x86-64 (SECTION_SIZE_BITS 27) and arm64 with 4K pages */
#define FRT_KPF_SECTION_PAGES ((size_t)1 << 15)

/* flags of memory that LRU, page cache, anon, hugetlb or balloon users hold */
#define KPF_MOVABLE_USE                                                              \
	(KPF(LRU) | KPF(ANON) | KPF(MMAP) | KPF(SWAPCACHE) | KPF(SWAPBACKED) | KPF(KSM) | \
	 KPF(THP) | KPF(HUGE) | KPF(OFFLINE) | KPF(UPTODATE) | KPF(DIRTY) |               \
	 KPF(WRITEBACK) | KPF(UNEVICTABLE) | KPF_MAPPEDTODISK_BIT | KPF_MLOCKED_BIT)

int frt_kpf_buddy_marks_all(const uint64_t *kpf, uint64_t start_pfn, size_t n)
{
	size_t buddy = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(kpf[i] & KPF(BUDDY)))
			continue;
		buddy++;
		/* two free buddies of order 0 would have merged: under head-only
		 * marking an odd pfn never follows a marked even one */
		if (i && ((start_pfn + i) & 1) && (kpf[i - 1] & KPF(BUDDY)))
			return 1;
	}
	return buddy >= 64 ? 0 : -1;
}

static unsigned int mobility(uint64_t f)
{
	if (f & (KPF(SLAB) | KPF(PGTABLE)))
		return FRT_PFN_UNMOVABLE;
	return f & KPF_MOVABLE_USE ? FRT_PFN_MOVABLE : FRT_PFN_UNMOVABLE;
}

/*
 * The largest order <= @max whose aligned block at @i fits in [i, end);
 * with @head_only, every page of it after the first must also be flagless.
 */
static unsigned int fit_order(const uint64_t *kpf, uint64_t pfn, size_t i, size_t end,
			      unsigned int max, bool head_only)
{
	unsigned int order = 0;

	while (order < max && !(pfn & ((2ull << order) - 1)) && i + (2ull << order) <= end) {
		if (head_only) {
			for (size_t j = i + (1ull << order); j < i + (2ull << order); j++)
				if (kpf[j])
					return order;
		}
		order++;
	}
	return order;
}

void frt_kpf_decode(const uint64_t *kpf, uint64_t start_pfn, size_t n, bool buddy_all,
		    unsigned int max_order, uint8_t *kind, uint8_t *aux)
{
	size_t i = 0, zero_run = 0;

	memset(kind, FRT_PFN_HOLE, n);
	memset(aux, 0, n);
	while (i < n) {
		uint64_t f = kpf[i], pfn = start_pfn + i;
		unsigned int order = 0, k;
		size_t end = i + 1;

		if (f & KPF(NOPAGE)) {
			k = FRT_PFN_HOLE;
		} else if (f & KPF(BUDDY)) {
			k = FRT_PFN_FREE;
			if (buddy_all)
				while (end < n && (kpf[end] & KPF(BUDDY)))
					end++;
			order = fit_order(kpf, pfn, i, buddy_all ? end : n, max_order, !buddy_all);
		} else if (f & KPF_RESERVED_BIT) {
			k = FRT_PFN_RESERVED;
		} else if (f & KPF(COMPOUND_TAIL)) {
			k = FRT_PFN_TAIL;
		} else if (f & KPF(COMPOUND_HEAD)) {
			while (end < n && (kpf[end] & KPF(COMPOUND_TAIL)))
				end++;
			order = fit_order(kpf, pfn, i, end, FRT_KPF_WINDOW_ORDER, false);
			k = mobility(f);
		} else {
			k = f ? mobility(f) : FRT_PFN_FROZEN;
		}
		kind[i] = (uint8_t)k;
		aux[i] = FRT_AUX(order, 0);
		/* a memory section of nothing but flagless pages: memmap not
		 * initialised (deferred init grows a zone by whole sections) */
		zero_run = f ? 0 : zero_run + 1;
		i += (size_t)1 << order;
		if (order || ((start_pfn + i) & (FRT_KPF_SECTION_PAGES - 1)))
			continue;
		if (zero_run >= FRT_KPF_SECTION_PAGES)
			memset(kind + i - FRT_KPF_SECTION_PAGES, FRT_PFN_UNINIT,
			       FRT_KPF_SECTION_PAGES);
		zero_run = 0;
	}
}

/*
 * Where the words come from: /proc/kpageflags or a raw copy (pread), or a
 * zstd-compressed copy (snapshot directories: kpageflags.zst), decompressed
 * front to back; the walk only moves forward, so skipping is decompressing.
 */
struct kpf_src {
	int fd;
	ZSTD_DCtx *z;
	uint8_t *in;
	ZSTD_inBuffer ib;
	uint64_t pos; /* decompressed bytes consumed */
	bool eof;
};
#define KPF_ZIN (1u << 17)
/*
 * pfns per read of the live /proc/kpageflags: each read's start is the read
 * time of its pfns (FORMAT.md §8.2, read_times), so a read stays short (about
 * 20 us for 1024 words) while the host moves.
 */
#define KPF_TIMED_PFNS 1024u

static int src_open(struct kpf_src *src, const char *path)
{
	size_t len = strlen(path);

	*src = (struct kpf_src){ .fd = open(path, O_RDONLY | O_CLOEXEC) };
	if (src->fd < 0)
		return -errno;
	if (len > 4 && !strcmp(path + len - 4, ".zst")) {
		src->z = ZSTD_createDCtx();
		src->in = malloc(KPF_ZIN);
		if (!src->z || !src->in)
			return -ENOMEM;
		src->ib = (ZSTD_inBuffer){ src->in, 0, 0 };
	}
	return 0;
}

static void src_close(struct kpf_src *src)
{
	if (src->fd >= 0)
		close(src->fd);
	ZSTD_freeDCtx(src->z);
	free(src->in);
}

/* Up to @len bytes of decompressed data into @buf; 0 at the end. */
static ssize_t zread(struct kpf_src *src, void *buf, size_t len)
{
	ZSTD_outBuffer ob = { buf, len, 0 };

	while (ob.pos < ob.size && !src->eof) {
		if (src->ib.pos == src->ib.size) {
			ssize_t n = read(src->fd, src->in, KPF_ZIN);

			if (n < 0)
				return -errno;
			if (!n) {
				src->eof = true;
				break;
			}
			src->ib = (ZSTD_inBuffer){ src->in, (size_t)n, 0 };
		}
		size_t r = ZSTD_decompressStream(src->z, &ob, &src->ib);
		if (ZSTD_isError(r))
			return -EBADMSG;
	}
	src->pos += ob.pos;
	return (ssize_t)ob.pos;
}

static ssize_t src_read(struct kpf_src *src, void *buf, size_t len, uint64_t off)
{
	if (!src->z)
		return pread(src->fd, buf, len, (off_t)off);
	if (off < src->pos)
		return -ESPIPE;
	while (src->pos < off) {
		uint64_t skip = off - src->pos;
		ssize_t n = zread(src, buf, skip < len ? (size_t)skip : len);

		if (n <= 0)
			return n;
	}
	return zread(src, buf, len);
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/*
 * /proc/kpageflags for [@lo, @lo + @n) in reads of KPF_TIMED_PFNS, @ts[i]
 * the time before the read of batch i (FRT_WALK_BATCH pfns from @lo, which
 * is batch-aligned). Returns the bytes read (short at the end of memory) or
 * a negative errno.
 */
static ssize_t timed_read(struct kpf_src *src, uint64_t *kpf, uint64_t lo, size_t n,
			  uint64_t *ts)
{
	size_t done = 0;

	for (size_t off = 0; off < n; off += KPF_TIMED_PFNS) {
		size_t m = n - off < KPF_TIMED_PFNS ? n - off : KPF_TIMED_PFNS;
		uint64_t t = now_ns();
		ssize_t got = src_read(src, kpf + off, m * sizeof(*kpf), (lo + off) * sizeof(*kpf));

		if (got < 0)
			return got;
		for (size_t b = off / FRT_WALK_BATCH; b * FRT_WALK_BATCH < off + m; b++)
			ts[b] = t;
		done += (size_t)got;
		if ((size_t)got < m * sizeof(*kpf))
			break;
	}
	return (ssize_t)done;
}

int frt_kpf_walk(uint64_t start_pfn, uint64_t end_pfn, unsigned int max_order,
		 frt_walk_feed feed, void *ctx, char *err, size_t errlen)
{
	return frt_kpf_walk_file(KPF_PATH, start_pfn, end_pfn, max_order, feed, ctx, err, errlen);
}

int frt_kpf_walk_file(const char *path, uint64_t start_pfn, uint64_t end_pfn,
		      unsigned int max_order, frt_walk_feed feed, void *ctx, char *err,
		      size_t errlen)
{
	const size_t win = (size_t)1 << FRT_KPF_WINDOW_ORDER;
	uint64_t *kpf = malloc(win * sizeof(*kpf));
	uint8_t *kind = malloc(win), *aux = malloc(win);
	uint64_t *ts = malloc(win / FRT_WALK_BATCH * sizeof(*ts));
	struct kpf_src src = { .fd = -1 };
	int all = -1, ret = 0;
	struct stat st;
	bool copy;

	if (!kpf || !kind || !aux || !ts) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ret = src_open(&src, path);
	if (ret) {
		ret = frt_snap_errf(err, errlen, ret, "%s: %s", path, strerror(-ret));
		goto cleanup;
	}
	/* a copy is a regular file (not a link to /dev/zero), as long as the span */
	copy = strcmp(path, KPF_PATH) != 0;
	if (copy && (fstat(src.fd, &st) || !S_ISREG(st.st_mode))) {
		ret = frt_snap_errf(err, errlen, -EINVAL, "%s: not a regular file: a snapshot "
				    "directory holds a copy of /proc/kpageflags", path);
		goto cleanup;
	}
	for (uint64_t pfn = start_pfn & ~(uint64_t)(win - 1); pfn < end_pfn && !ret; pfn += win) {
		uint64_t lo = pfn > start_pfn ? pfn : start_pfn;
		size_t n = (size_t)((pfn + win < end_pfn ? pfn + win : end_pfn) - lo);
		/* a copy was read at another time: it has no read times */
		ssize_t got = copy ? src_read(&src, kpf, n * sizeof(*kpf), lo * sizeof(*kpf))
				   : timed_read(&src, kpf, lo, n, ts);

		if (got < 0) {
			ret = frt_snap_errf(err, errlen, (int)got, "%s: %s", path,
					    strerror((int)-got));
			break;
		}
		if (copy && (size_t)got < n * sizeof(*kpf)) {
			ret = frt_snap_errf(err, errlen, -EBADMSG, "%s: ends at byte %" PRIu64
					    " (pfn %#" PRIx64 "), before the zones end at pfn %#"
					    PRIx64 ": a truncated copy", path,
					    lo * sizeof(*kpf) + (uint64_t)got,
					    lo + (uint64_t)got / sizeof(*kpf), end_pfn);
			break;
		}
		n = (size_t)got / sizeof(*kpf); /* a short read of /proc: the rest are holes */
		for (size_t i = 0; i < n; i++)
			if (kpf[i] & KPF_NEVER_SET) {
				ret = frt_snap_errf(err, errlen, -EBADMSG, "%s: pfn %#" PRIx64 " has "
						    "flags %#" PRIx64 ", bits no kernel sets: not "
						    "a copy of /proc/kpageflags", path, lo + i,
						    kpf[i]);
				goto cleanup;
			}
		if (all < 0)
			all = frt_kpf_buddy_marks_all(kpf, lo, n);
		frt_kpf_decode(kpf, lo, n, all != 0, max_order, kind, aux);
		for (size_t off = 0; off < n && !ret; off += FRT_WALK_CHUNK) {
			size_t m = n - off < FRT_WALK_CHUNK ? n - off : FRT_WALK_CHUNK;

			ret = feed(ctx, lo + off, m, kind + off, aux + off, NULL,
				   copy ? NULL : ts + off / FRT_WALK_BATCH);
		}
	}
cleanup:
	src_close(&src);
	free(ts);
	free(aux);
	free(kind);
	free(kpf);
	return ret;
}
