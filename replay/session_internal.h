/* SPDX-License-Identifier: MIT */
/*
 * session_internal.h - the session's insides, shared by session.c (the
 * run), figures.c (the table's rows), fidelity.c and the renderers.
 */
#ifndef FRAGREPLAY_REPLAY_SESSION_INTERNAL_H
#define FRAGREPLAY_REPLAY_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "engine.h"
#include "fidelity.h"
#include "metrics.h"
#include "pbmap.h"
#include "series.h"
#include "session.h"
#include "setup.h"
#include "sha256.h"

/* one variant's model and what came of it */
struct session_run {
	const struct replay_session *s;
	struct replay_variant v;
	bool as_recorded; /* no variant: the trace's own settings */
	char settings[512];
	struct model *m;
	bool cloned; /* m is share_build()'s model or a copy of it */
	struct replay *r;
	struct replay_seed_stats seed;
	struct model_frag_metrics end;
	struct model_frag_metrics end_zone[MODEL_NR_ZONE_TYPES];
	struct replay_series series;
	struct fidelity_model *fid; /* the model's side of validate's lines, or NULL */
	struct pbmap map_start, map_end; /* every pageblock's state, before and after */
	/* compare's shared prefix (session.c, share_prefix()): the events fed
	 * to this run's consumer so far, whether the model and engine are
	 * still to come as copies of the follower's */
	uint64_t fed;
	bool waiting;
	char err[512];
};

struct session_share;

struct replay_session {
	char *path;
	char *meta; /* the trace's metadata JSON */
	/* it lists mm_compaction_try_to_compact_pages among the tracepoints
	 * record attached: replay_follow_manual_compaction() can tell runs apart */
	bool direct_compaction_recorded;
	struct replay_session_opts opts;
	struct frt_reader *rd; /* the decoder's, until the run ends */
	struct replay *proto; /* the engine of share_build()'s model before any event, or NULL */
	struct session_share *share; /* the variants' shared prefix, or NULL (session.c) */
	/* the trace file's SHA-256, hashed beside the replay (session_trace_sha256()) */
	bool hashed;
	int hash_ret;
	char hash[SHA256_HEX_LEN];
	struct session_run *runs[REPLAY_SESSION_MAX_VARIANTS];
	int nr_runs;
	bool ran, ok; /* ok: the run succeeded, there is something to report */
	struct fidelity_kernel *kernel; /* the kernel's side, for a fidelity session */
	replay_progress_fn progress;
	void *progress_ctx;
	char damaged[512]; /* "" or why only the valid prefix was replayed */
	json_t *rec_notes; /* the recording's own caveats (notes.h) */
	uint64_t valid_bytes;
	char err[1536];
};

/* the sentences every report carries (no start snapshot, a damaged trace, the
 * recording's own caveats): a new JSON array of strings */
json_t *session_notes(const struct replay_session *s);
/* the same without the runs' own: what every run of the trace shares */
json_t *session_trace_notes(const struct replay_session *s);
/* the trace file's SHA-256 into @hex, as sha256_file_hex(): 0, or a negative
 * errno (@hex untouched); hashed once, beside the replay */
int session_trace_sha256(const struct replay_session *s, char hex[SHA256_HEX_LEN]);

/* figures.c: the rows of the figure table: a key (the JSON's, under "figures",
 * snake_case and independent of the text), a label (text, at most 30
 * characters), and the group the HTML report and the tables put it in */
enum session_figure_group {
	FIG_REQ,  /* requests and how the engine matched them */
	FIG_LOOP, /* the closed loop's decisions */
	FIG_THP,  /* THP faults */
	FIG_FRAG, /* fallbacks */
	FIG_COST, /* what a policy costs: boosts, compaction, migration, evacuation */
	FIG_END,  /* the end state */
};
struct session_figure {
	const char *key, *label;
	uint64_t (*get)(const struct session_run *run);
	enum session_figure_group group;
	bool signed_index; /* an index (x1000) that may be negative */
};
extern const struct session_figure session_figures[];
extern const size_t session_nr_figures;

#endif
