// SPDX-License-Identifier: MIT
/*
 * notes.c - what a recording said of itself, as report notes: every
 * WARNING record wrote into the STATS frame's "notes", and lost events.
 */
#include <jansson.h>

#include "notes.h"

json_t *replay_recording_notes(const char *stats_json)
{
	json_t *notes = json_array(), *stats, *n;
	json_int_t lost;
	size_t i;

	if (!notes || !stats_json)
		return notes;
	stats = json_loads(stats_json, 0, NULL);
	if (!stats) {
		json_array_append_new(notes, json_string("recording: the STATS frame is not JSON"));
		return notes;
	}
	json_array_foreach(json_object_get(stats, "notes"), i, n)
		if (json_is_string(n))
			json_array_append_new(notes, json_sprintf("recording: %s",
								  json_string_value(n)));
	lost = json_integer_value(json_object_get(stats, "lost_total"));
	if (lost > 0)
		json_array_append_new(notes, json_sprintf(
			"recording: %lld events were lost (ring buffer full): the model misses "
			"their requests and frees", (long long)lost));
	json_decref(stats);
	return notes;
}
