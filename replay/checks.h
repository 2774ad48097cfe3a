/* SPDX-License-Identifier: MIT */
/*
 * checks.h - validate's verdicts (checks.c): the bars a replay must clear
 * before its A/B can be taken at its word (issue 15's acceptance, README
 * "Fidelity"), each measured from validate's lines and the engine's stats,
 * with its target and whether it was met.
 */
#ifndef FRAGREPLAY_REPLAY_CHECKS_H
#define FRAGREPLAY_REPLAY_CHECKS_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "fidelity.h"

enum check_state {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_NA, /* the trace cannot say: no end snapshot, no vmstat, no line */
};

struct fidelity_check {
	const char *key;    /* snake_case, stable: the JSON key */
	const char *what;   /* the text label */
	const char *target; /* the bar, as text */
	char measured[48];  /* what this run did, as text */
	enum check_state state;
};

#define FIDELITY_MAX_CHECKS 8

/* @f (fidelity_compute()) and @st's checks into @out; returns how many */
size_t fidelity_checks(const struct fidelity *f, const struct replay_stats *st,
		       struct fidelity_check out[FIDELITY_MAX_CHECKS]);

const char *check_state_name(enum check_state s);

#endif
