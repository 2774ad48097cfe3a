/* SPDX-License-Identifier: MIT */
/*
 * session.h - one replay session: a trace decoded once and fed to one model
 * per variant, each on a thread of its own (pipe.h), then the figures, the
 * fidelity against what the kernel recorded, and the reports. replay,
 * compare and validate are this session with different outputs:
 *
 *	s = replay_session__open(path, &opts, err, sizeof(err));
 *	replay_session__add_variant(s, &v);     (once per variant)
 *	replay_session__run(s, progress, ctx);
 *	replay_session__damage(s);              (a prefix only? the caller decides)
 *	replay_session__render_text(s, stdout); (or _fidelity_text, _json)
 *	replay_session__free(s);
 *
 * Functions return 0 or a negative errno and never print; the message for a
 * failed run is replay_session__error().
 */
#ifndef FRAGREPLAY_REPLAY_SESSION_H
#define FRAGREPLAY_REPLAY_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "variant.h"

struct frt_reader;
struct replay_session;

struct replay_session_opts {
	uint64_t interval_ns; /* the figures sampled every this much trace time; 0: 1 s */
	/* also gather what the kernel recorded beside each model (end snapshot,
	 * /proc/vmstat, pcp refills and drains, free pages over time): validate */
	bool fidelity;
	/* keep every pageblock's state at the start and at the end of each run
	 * (replay/pbmap.h): the HTML report's maps, which it needs */
	bool maps;
};

/* as pipe_progress_fn: on the decoding thread after each batch */
typedef void (*replay_progress_fn)(void *ctx, const struct frt_reader *rd, size_t events);

/**
 * replay_session__open - a session on the trace at @path (@opts NULL: defaults)
 *
 * Opens the trace and checks its header and metadata. Returns NULL and sets
 * errno, with a one-line message naming the file in @err, on failure.
 */
struct replay_session *replay_session__open(const char *path,
					    const struct replay_session_opts *opts, char *err,
					    size_t errlen);

/**
 * replay_session__add_variant - one more model, under @v (copied); NULL: the
 * trace's own settings as recorded, which is what fidelity compares with the
 * kernel. Runs are reported in the order added. -E2BIG past
 * REPLAY_SESSION_MAX_VARIANTS, -EALREADY after the run, -ENOMEM.
 */
#define REPLAY_SESSION_MAX_VARIANTS 8
int replay_session__add_variant(struct replay_session *s, const struct replay_variant *v);

/**
 * replay_session__run - decode the trace once and replay it through every
 * variant's model, from the start snapshot (or an empty model)
 *
 * Once per session. A damaged or truncated trace is replayed up to the end
 * of its valid prefix and is not a failure: replay_session__damage() says so.
 * Returns 0, -ECANCELED when a variant's model could not be built, or another
 * negative errno; replay_session__error() then says why, one line per reason.
 */
int replay_session__run(struct replay_session *s, replay_progress_fn progress, void *ctx);

/* why the last call failed, in lines ('\n' between them); "" if nothing failed */
const char *replay_session__error(const struct replay_session *s);

/* after a run: NULL for a whole trace, else why only a valid prefix of it was replayed */
const char *replay_session__damage(const struct replay_session *s);
/* after a run: how many notes (caveats) the reports carry: a damaged trace, no
 * start snapshot, the recording's warnings, an approximate start state or
 * import, a run that parted from the kernel (replay/notes.h) */
unsigned int replay_session__nr_notes(const struct replay_session *s);
/* after a run: the bytes of the trace that were read, the whole file when undamaged */
uint64_t replay_session__valid_bytes(const struct replay_session *s);
/*
 * after a run of three variants or more: the events before the first in
 * which some variant decided otherwise than the first one (all of them,
 * when none did), which one model fed for all (session.c share_prefix());
 * -1 when the variants were not run that way (they differ in a knob the
 * model does not gate, validate, FRAGREPLAY_SHARE=0); *@of (if not NULL):
 * the events fed in all
 */
int64_t replay_session__shared_events(const struct replay_session *s, uint64_t *of);

/*
 * The reports, after a successful run (render_text.c, render_json.c). Text:
 * the trace, the figures a column per variant (with B - A for two), the
 * breakdowns; or, for a session opened with fidelity, validate's table of
 * each figure beside the kernel's with the score. JSON: every figure, model
 * counter and sample of every variant (replay/report-schema.json), with
 * "fidelity" for a fidelity session. 0, -EINVAL before a successful run (or
 * fidelity text of a session without), or another negative errno (a write
 * failed).
 */
int replay_session__render_text(const struct replay_session *s, FILE *f);
int replay_session__render_fidelity_text(const struct replay_session *s, FILE *f);
int replay_session__render_json(const struct replay_session *s, const char *path);

/*
 * The reports as tables for a terminal or a mail (render_text.c): text
 * (at most 80 columns for up to 4 variants, thousands separated), markdown
 * or CSV; the first variant is the baseline, the others its differences.
 * Rows that no variant changes (one variant: rows that are 0) are left out
 * unless @all. NULL @o: text, changed rows.
 */
enum replay_format { REPLAY_FORMAT_TEXT, REPLAY_FORMAT_MD, REPLAY_FORMAT_CSV };
struct replay_render_opts {
	enum replay_format format;
	bool all;
};
int replay_session__render_table(const struct replay_session *s, FILE *f,
				 const struct replay_render_opts *o);
int replay_session__render_fidelity_table(const struct replay_session *s, FILE *f,
					  const struct replay_render_opts *o);
/* one self-contained HTML file (render_html.c): provenance, plots over
 * trace time, pageblock maps, the tables; no script, no network. -EINVAL
 * too for a session opened without opts.maps */
int replay_session__render_html(const struct replay_session *s, const char *path);

void replay_session__free(struct replay_session *s);

#endif
