// SPDX-License-Identifier: MIT
/*
 * fuzz_units.c - what users type: durations and sizes (cmd/units.c) and
 * knob settings (replay/variant.c, --set KNOB=V), on arbitrary strings.
 * Properties: an accepted value lies within the bounds asked for, and a
 * knob setting accepted is one the knob's range allows.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "variant.h"

/* main.h declares it; the harness has no main.c */
int usage_error(const char *cmd, const char *fmt, ...)
{
	return EXIT_USAGE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[512];
	struct replay_variant v;
	uint64_t x;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (!parse_duration(s, 1, 1, 86400000000000ull, &x) && (x < 1 || x > 86400000000000ull))
		abort();
	if (!parse_duration(s, 1e9, 0, UINT64_MAX, &x) && !x && strspn(s, "0.") == 0)
		abort();
	if (!parse_size(s, 1e6, 1000, 1ull << 50, &x) && (x < 1000 || x > 1ull << 50))
		abort();
	memset(&v, 0, sizeof(v));
	if (!replay_variant_preset(&v, "vanilla", err, sizeof(err)) &&
	    !replay_variant_set(&v, s, err, sizeof(err))) {
		/* a knob the table names, in its range */
		const char *eq = strchr(s, '=');
		const struct model_knob_spec *k;
		int i;

		if (!eq)
			abort();
		for (i = 0; (k = model_knob_spec((enum model_knob)i)); i++)
			if (strlen(k->name) == (size_t)(eq - s) && !memcmp(k->name, s, (size_t)(eq - s)))
				break;
		if (!k)
			abort();
		long val = strtol(eq + 1, NULL, 0);
		if (val < k->min || val > k->max)
			abort();
	}
	free(s);
	return 0;
}
