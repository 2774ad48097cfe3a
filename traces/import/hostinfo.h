/* SPDX-License-Identifier: MIT */
/*
 * hostinfo.h - the metadata object a recording starts with: who wrote it,
 * on which kernel and machine, and the zones, watermarks and vm sysctls in
 * force when capture began (FORMAT.md "Metadata").
 */
#ifndef FRT_HOSTINFO_H
#define FRT_HOSTINFO_H

#include <jansson.h>

/**
 * frt_hostinfo_meta_json - describe this host now, as serialised JSON
 * @created_by: the command line or tool that records
 * @recorder: keys the recorder adds (frt_collector_meta(): events_enabled,
 *            notes, ...), copied in as they are
 *
 * Values whose /proc or /sys file cannot be read are left out. Returns a
 * malloc'ed string, or NULL with errno set.
 */
char *frt_hostinfo_meta_json(const char *created_by, json_t *recorder);

/* The parsers behind it, on file contents. */

/* "zones" array from /proc/zoneinfo text; NULL with errno on ENOMEM. */
json_t *frt_hostinfo_parse_zoneinfo(const char *zoneinfo);
/* pageblock_order from /proc/pagetypeinfo text, or -EBADMSG. */
int frt_hostinfo_parse_pageblock_order(const char *pagetypeinfo);
/* Highest buddy order from /proc/buddyinfo text (columns - 1), or -EBADMSG. */
int frt_hostinfo_parse_max_order(const char *buddyinfo);

/* Also used by snapshots (snapshot.c): */

/*
 * The whole of a /proc or /sys file (or a snapshot directory's copy),
 * malloc'ed; NULL with errno on failure, EFBIG beyond FRT_HOSTINFO_MAX_TEXT
 * (zoneinfo of 16 nodes and 1024 CPUs is ~20 MB).
 */
#define FRT_HOSTINFO_MAX_TEXT (64u << 20)

char *frt_hostinfo_read_text(const char *path);
/* The "sysctls" and "thp" objects of the metadata; NULL on ENOMEM. */
json_t *frt_hostinfo_sysctls(void);
json_t *frt_hostinfo_thp(void);
/* the metadata's "cpu_node": each CPU's NUMA node from /sys/devices/system/node,
 * indexed by CPU (-1: none); NULL where the host has no such directory */
json_t *frt_hostinfo_cpu_node(void);

#endif
