/* SPDX-License-Identifier: MIT */
/*
 * notes.h - the trace's own caveats, for every report's notes.
 */
#ifndef FRT_REPLAY_NOTES_H
#define FRT_REPLAY_NOTES_H

#include <jansson.h>

/**
 * replay_recording_notes - the recording's notes as report notes
 * @stats_json: the trace's last STATS frame (frt_reader_stats()), or NULL
 *
 * Returns a new JSON array of strings, each starting "recording: ": the
 * WARNINGs record kept in the trace, and lost events. NULL only when out
 * of memory.
 */
json_t *replay_recording_notes(const char *stats_json);

#endif
