// SPDX-License-Identifier: MIT
/*
 * units.c - the durations and sizes users type (main.h): "10s", "5m",
 * "250ms", "1.5h"; "512M", "4G", "100MB". Every value is checked for
 * overflow and range here, once, so that no command loops or wraps on
 * "-1" or on 20 digits.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"

struct unit {
	const char *name;
	double mult;
};

/* a number (decimals allowed, no sign, no exponent) and a unit from @units */
static int parse_scaled(const char *s, const struct unit *units, size_t nr, double *out)
{
	char *end;
	double v;

	if (!s || !((*s >= '0' && *s <= '9') || *s == '.'))
		return -EINVAL; /* no sign, no spaces, no "inf" */
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || !isfinite(v))
		return -ERANGE;
	for (const char *p = s; p < end; p++)
		if (*p == 'e' || *p == 'E' || *p == 'x' || *p == 'X')
			return -EINVAL;
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(end, units[i].name)) {
			*out = v * units[i].mult;
			return 0;
		}
	return -EINVAL;
}

/*
 * @v (already rounded) as a uint64_t within [@min, @max]. The bounds are
 * compared as integers after the cast, and the cast is made only below
 * 2^64: (double)UINT64_MAX is 2^64 itself, so "v > (double)max" let
 * 18446744073.709551615s through to an undefined conversion (fuzz_units).
 */
static int in_range(double v, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t x;

	if (!(v >= 0) || v >= 0x1p64)
		return -ERANGE;
	x = (uint64_t)v;
	if (x < min || x > max)
		return -ERANGE;
	*out = x;
	return 0;
}

int parse_duration(const char *s, double bare_ns, uint64_t min_ns, uint64_t max_ns,
		   uint64_t *ns)
{
	const struct unit units[] = {
		{ "", bare_ns }, { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
		{ "m", 60e9 }, { "min", 60e9 }, { "h", 3600e9 },
	};
	double v;

	if (parse_scaled(s, units, sizeof(units) / sizeof(units[0]), &v))
		return -EINVAL;
	return in_range(round(v), min_ns, max_ns, ns);
}

int parse_size(const char *s, double bare_bytes, uint64_t min, uint64_t max, uint64_t *bytes)
{
	const struct unit units[] = {
		{ "", bare_bytes }, { "B", 1 },
		{ "K", 1024.0 }, { "KiB", 1024.0 }, { "kB", 1e3 }, { "KB", 1e3 },
		{ "M", 1048576.0 }, { "MiB", 1048576.0 }, { "MB", 1e6 },
		{ "G", 1073741824.0 }, { "GiB", 1073741824.0 }, { "GB", 1e9 },
		{ "T", 1099511627776.0 }, { "TiB", 1099511627776.0 }, { "TB", 1e12 },
	};
	double v;

	if (parse_scaled(s, units, sizeof(units) / sizeof(units[0]), &v))
		return -EINVAL;
	return in_range(floor(v), min, max, bytes);
}
