/* SPDX-License-Identifier: MIT */
/*
 * notes.h - the caveats every report carries (notes.c). Each function
 * appends sentences (JSON strings) to @notes.
 */
#ifndef FRT_REPLAY_NOTES_H
#define FRT_REPLAY_NOTES_H

#include <jansson.h>

#include "engine.h"
#include "setup.h"

/* The WARNINGs record kept in the trace's STATS frame (frt_reader_stats(),
 * may be NULL), and lost events; each starts "recorded: ". */
void replay_recording_notes(json_t *notes, const char *stats_json);

/* What the metadata says of the recording (its "notes": tracepoints left
 * out, slower attachments; NUMA nodes beside node 0, which the model leaves
 * out, with the start snapshot's pages there from @seed), how good the start state is (@seed: the start snapshot's provenance
 * and fit) and what an import could not measure. */
void replay_trace_notes(json_t *notes, const struct replay_seed_stats *seed,
			const char *meta_json);

/*
 * The time between the start snapshot's walk and the trace's first event
 * (@st: a run's engine), above 10 ms where the snapshot has no read times:
 * a recorder before format 1.2 switched capture on only after the snapshot
 * was written, and what the host did meanwhile is in neither. Said where
 * the run's unmatched frees are above 0.5% of its freed pages (their note).
 */
void replay_start_gap_note(json_t *notes, const struct replay_seed_stats *seed,
			   const struct replay_stats *st);

/* Where run @label parted from the kernel more than a replay should:
 * model-only failures above 0.1% of requests, unmatched frees above 0.5%
 * of the freed pages, allocations and frees outside the model's zones above
 * 0.1% of them. */
void replay_run_notes(json_t *notes, const char *label, const struct replay_stats *st);

#endif
