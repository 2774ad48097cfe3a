/* SPDX-License-Identifier: MIT */
/*
 * procdir.h - snapshot directories: plain copies of /proc/zoneinfo,
 * /proc/pagetypeinfo, /proc/buddyinfo, /proc/vmstat and optionally
 * /proc/kpageflags (raw, or zstd-compressed as kpageflags.zst), under those
 * file names. A user makes one with cp alone; fragreplay snapshot writes
 * one; fragreplay import builds a trace's start and end state from them
 * (frt_snapshot_write_dir() in snapshot_host.h).
 */
#ifndef FRT_PROCDIR_H
#define FRT_PROCDIR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/**
 * frt_procdir_save - write a snapshot directory of this host
 * @dir: created if missing; files in it are replaced
 * @kpageflags: also /proc/kpageflags, compressed to kpageflags.zst (root)
 *
 * The four text files are read first, then kpageflags, so the counts and
 * the page flags are as close in time as a copy allows. Returns 0 or a
 * negative errno with a one-line reason in @err.
 */
int frt_procdir_save(const char *dir, bool kpageflags, char *err, size_t errlen);

/**
 * frt_procdir_meta - the memory layout of a snapshot directory's host
 *
 * Sets "zones", "pageblock_order", "max_order" and "nr_cpus" (the pagesets
 * zoneinfo lists) in @meta, from the directory's zoneinfo, pagetypeinfo and
 * buddyinfo. Returns 0 or a negative errno with a reason in @err.
 */
int frt_procdir_meta(const char *dir, json_t *meta, char *err, size_t errlen);

#endif
