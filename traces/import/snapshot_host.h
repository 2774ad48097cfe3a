/* SPDX-License-Identifier: MIT */
/*
 * snapshot_host.h - SNAPSHOT frames written from this host's /proc (and,
 * given the collector's BPF walk, struct page), or from a snapshot
 * directory. The frames' format and reading them: traces/snapshot.h.
 */
#ifndef FRT_SNAPSHOT_HOST_H
#define FRT_SNAPSHOT_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

/* frt_snapshot_opts flags */
#define FRT_SNAPSHOT_NO_BPF 0x1u /* read /proc/kpageflags even if BPF works */

struct frt_writer;
struct frt_snap_bpf_ops;

/* How to take a snapshot; all zero is the default (kpageflags, silent). */
struct frt_snapshot_opts {
	unsigned int flags;         /* FRT_SNAPSHOT_* */
	/* the BPF walk of struct page (&frt_snap_bpf_ops, traces/collector/snapshot_bpf.h),
	 * tried first; NULL: /proc/kpageflags only */
	const struct frt_snap_bpf_ops *bpf;
	bool verbose;               /* libbpf's messages, a refused load's verifier log, on stderr */
	const char *no_bpf_reason;  /* set: don't try BPF, and say this is why */
	/* called as the walk goes, pfns done of the total */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	/* called right before the /proc reads and the walk begin (after BPF is
	 * loaded): record switches capture on here */
	void (*walk_begins)(void *ctx);
	void *ctx;
};

/* What a snapshot turned out to be, for the caller's warnings. */
struct frt_snapshot_result {
	bool bpf;                /* struct page read by BPF; else /proc/kpageflags */
	bool bpf_load_failed;    /* the BPF object did not load: trying again cannot help */
	char bpf_error[256];     /* why not BPF ("" when bpf) */
	bool fit_ok;             /* every zone within 1% of pagetypeinfo and zoneinfo */
	char worst_zone[32];     /* the zone furthest off ("DMA32 of node 1" beside node 0), and by how much (%) */
	double worst_pct;
	double secs;             /* the whole snapshot, /proc reads included */
};

/**
 * frt_snapshot_write - snapshot this host's physical memory into @w
 * @kind: "start" or "end"
 * @o: options (NULL: the defaults)
 * @res: filled in when the snapshot was written (may be NULL)
 * @err: a one-line reason on failure (may be NULL)
 *
 * Needs root. Reads struct page through @o->bpf; without one, if any BPF step
 * fails, or with FRT_SNAPSHOT_NO_BPF, /proc/kpageflags instead, and the
 * header says so.
 * Pageblock migratetypes are fitted to /proc/pagetypeinfo read around the
 * walk. Writes one SNAPSHOT frame per part. Returns 0 or a negative errno.
 */
int frt_snapshot_write(struct frt_writer *w, const char *kind, const struct frt_snapshot_opts *o,
		       struct frt_snapshot_result *res, char *err, size_t errlen);

/**
 * frt_snapshot_write_dir - the same from a snapshot directory (procdir.h)
 * @dir: copies of /proc/{zoneinfo,pagetypeinfo,buddyinfo,vmstat}, and
 *       optionally kpageflags (raw, or kpageflags.zst)
 * @ts: the snapshot's time on the trace clock
 * @approximate: set when @dir has no kpageflags, so that free blocks and
 *       allocated pages were placed from pagetypeinfo's counts (procdir.c)
 * @res: how the fit to the directory's pagetypeinfo went (may be NULL)
 *
 * Needs no root and reads nothing of this host. Returns 0 or a negative errno.
 */
int frt_snapshot_write_dir(struct frt_writer *w, const char *kind, const char *dir, uint64_t ts,
			   bool *approximate, struct frt_snapshot_result *res, char *err,
			   size_t errlen);

#endif
