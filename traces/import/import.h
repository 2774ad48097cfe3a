/* SPDX-License-Identifier: MIT */
/*
 * import.h - perf script and ftrace text turned into trace events.
 *
 * Two layers. frt_import_parse_line() reads one line of text into a struct
 * frt_event, by the schema names in event.c (the tracepoints' print formats
 * name some fields differently; those aliases and the symbolic values are
 * mapped back). struct frt_importer streams lines through it into a writer,
 * merging events that come out of timestamp order through a bounded
 * reordering window, and keeps the counts the summary prints.
 */
#ifndef FRT_IMPORT_H
#define FRT_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "event.h"

enum frt_import_fmt {
	FRT_IMPORT_AUTO,   /* not known yet: detected from the first event line */
	FRT_IMPORT_PERF,   /* perf script: "comm pid [cpu] s.us: group:event: fields" */
	FRT_IMPORT_FTRACE, /* tracefs trace/trace_pipe, trace-cmd report: "... event: fields" */
};

const char *frt_import_fmt_name(enum frt_import_fmt f);

enum frt_line_kind {
	FRT_LINE_EVENT,   /* *ev is filled */
	FRT_LINE_OTHER,   /* an event the format does not know: skipped */
	FRT_LINE_NOISE,   /* blank, comment, header: not an event */
	FRT_LINE_LOST,    /* a marker of events the tracer lost ("[EVENTS DROPPED]", "LOST") */
	FRT_LINE_BAD,     /* malformed: the reason is in line->why */
};

/* What one line was, besides its event. */
struct frt_line {
	enum frt_import_fmt fmt; /* the line's style: PERF if the event name has a group */
	unsigned int ts_digits;  /* digits after the decimal point of its timestamp */
	const char *name;        /* OTHER: the event name (not NUL-terminated) */
	size_t name_len;
	const char *why;         /* BAD: a static reason */
	char why_buf[96];        /* ... or one with details, pointed to by why */
	/* gfp names this build does not know: the first few of the line */
	unsigned int nr_unknown_gfp;
	struct { const char *s; size_t len; } unknown_gfp[4];
	/* pfn fields the kernel printed as 2^63 or more where it is known to (a
	 * fast_isolate_freepages start once the scanners crossed): kept as none */
	unsigned int pfns_cleared;
};

/**
 * frt_import_parse_line - one line of perf script or ftrace text
 * @s: the line, without its newline, NUL-terminated
 *
 * Both styles are accepted whatever the input's format: the caller checks
 * line->fmt against what it expects. Never allocates. Returns the kind.
 */
enum frt_line_kind frt_import_parse_line(const char *s, struct frt_event *ev,
					 struct frt_line *line);

/**
 * frt_gfp_parse - a gfp string as show_gfp_flags() prints it, back into mask bits
 * @s, @len: "GFP_KERNEL|__GFP_COMP", "none", hex masks ("0x400000") or a mix
 * @unknown: called with each name this build does not know (may be NULL)
 *
 * The inverse of frt_gfp_format(): frt_gfp_format(frt_gfp_parse(s)) == s for
 * every string the kernel prints. Returns 0 or -EBADMSG (an empty part or a
 * bad hex number); unknown names are not errors, they add no bits.
 */
int frt_gfp_parse(const char *s, size_t len, uint64_t *mask,
		  void (*unknown)(void *ctx, const char *name, size_t len), void *ctx);

/* ---- the streaming importer ---- */

struct frt_writer;
struct frt_importer;

struct frt_import_opts {
	enum frt_import_fmt fmt;   /* AUTO: from the first event line */
	bool strict;               /* stop at the first malformed line */
	uint64_t window_ns;        /* reordering window; 0 = FRT_IMPORT_WINDOW_NS */
	size_t window_events;      /* at most this many held; 0 = FRT_IMPORT_WINDOW_EVENTS */
};
#define FRT_IMPORT_WINDOW_NS 100000000ull /* 100 ms */
#define FRT_IMPORT_WINDOW_EVENTS (1u << 18)
#define FRT_IMPORT_MAX_REPORTED 5 /* malformed lines kept with their reasons */

struct frt_import_bad {
	uint64_t lineno;
	char why[128];
	char text[96]; /* the line's start */
};

struct frt_import_stats {
	uint64_t lines, events, by_type[FRT_EV_NR_TYPES];
	uint64_t other, noise, lost_markers, malformed, late;
	uint64_t bogus_pfns;       /* frt_line.pfns_cleared, summed (STATS bogus_pfns) */
	uint64_t first_ts, last_ts;
	unsigned int max_ts_digits, min_ts_digits;
	struct frt_import_bad bad[FRT_IMPORT_MAX_REPORTED];
	json_t *other_names;       /* event name -> lines, for the first 32 names */
	json_t *unknown_gfp;       /* gfp name -> occurrences */
};

/*
 * Events leave the window, oldest first, through @emit (the caller writes
 * them, and may write a start snapshot before the first one).
 */
typedef int (*frt_import_emit)(void *ctx, const struct frt_event *ev);

struct frt_importer *frt_importer_new(const struct frt_import_opts *opts, frt_import_emit emit,
				      void *ctx);
/*
 * frt_importer_line - feed line number @lineno (1-based; @s NUL-terminated, no newline)
 * Returns 0, -EBADMSG for a malformed line under strict (stats->bad[0] says
 * why), -EPROTO when the line's style contradicts opts->fmt (the input is
 * not what --from says), or an error of @emit.
 */
int frt_importer_line(struct frt_importer *im, const char *s, uint64_t lineno);
/* Flush the window through @emit. */
int frt_importer_finish(struct frt_importer *im);
enum frt_import_fmt frt_importer_fmt(const struct frt_importer *im);
const struct frt_import_stats *frt_importer_stats(const struct frt_importer *im);
void frt_importer_free(struct frt_importer *im);

#endif
