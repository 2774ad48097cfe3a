/* SPDX-License-Identifier: MIT */
/*
 * variant.h - allocator variants: a named preset plus key=value knob
 * overrides, applied to a model description before the model is built.
 */
#ifndef FRAGREPLAY_REPLAY_VARIANT_H
#define FRAGREPLAY_REPLAY_VARIANT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

#define REPLAY_MAX_SETS 32

struct replay_variant {
	const char *preset;                /* a name from replay_presets[] */
	bool as_recorded;                  /* no preset: the trace's own settings, then the sets */
	unsigned int nr_sets;
	struct { int knob; long value; } sets[REPLAY_MAX_SETS]; /* the user's overrides */
};

struct replay_preset {
	const char *name, *summary;
	const char *leaves_out; /* what the model of it does not do, or NULL */
	unsigned int nr_sets;
	struct { int knob; long value; } sets[6];
};
extern const struct replay_preset replay_presets[];
extern const size_t replay_nr_presets;

/**
 * replay_variant_set - add the override "knob=value" @kv to @v
 *
 * Returns 0, or -EINVAL with a message in @err: the valid knobs when there is
 * no such knob; the knob and its range (model_knob_spec()) when the value is
 * not an integer in it.
 */
int replay_variant_set(struct replay_variant *v, const char *kv, char *err, size_t errlen);
/* @name checked against the presets; -EINVAL with the valid names */
int replay_variant_preset(struct replay_variant *v, const char *name, char *err, size_t errlen);

/*
 * replay_variant_apply - the preset's knobs, then the overrides, onto @d.
 * Changing min_free_kbytes or watermark_scale_factor drops the recorded
 * watermarks, so that the model recomputes them as the kernel would.
 */
void replay_variant_apply(const struct replay_variant *v, struct model_desc *d);

/* "defrag_mode=1 seed=7" style: every knob the variant sets, preset first */
void replay_variant_describe(const struct replay_variant *v, char *buf, size_t len);

/**
 * replay_variants_print - what `fragreplay variants` lists: the presets, then
 * every knob of model_knob_spec() with its default, range, sysctl, help and
 * the presets that set it
 */
void replay_variants_print(FILE *f);

#endif
