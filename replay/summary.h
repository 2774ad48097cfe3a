/* SPDX-License-Identifier: MIT */
/*
 * summary.h - a trace's requests summarised as `perf kmem --page stat`
 * would (summary.c): allocations and frees with their pages, allocations by
 * order and migratetype, failures, extfrag by kind, compaction counts.
 */
#ifndef FRAGREPLAY_REPLAY_SUMMARY_H
#define FRAGREPLAY_REPLAY_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * replay_summary - read the trace at @path and print its summary to @f, or,
 * with @json, return it there as a new object instead. 0; -EINVAL when the
 * trace cannot be opened, -EIO when it is damaged (what was readable is
 * summarised): @err says why, naming the file.
 */
int replay_summary(const char *path, FILE *f, json_t **json, char *err, size_t errlen);

#endif
