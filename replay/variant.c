/* SPDX-License-Identifier: MIT */
/*
 * variant.c - the variant presets, knob overrides and the `variants` listing
 * (variant.h). Adding a preset is one entry in replay_presets[].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "variant.h"

const struct replay_preset replay_presets[] = {
	{ "vanilla", "Linux 6.18 (vm.defrag_mode=0), the trace's other sysctls as recorded",
	  "reclaim, OOM, NUMA, CMA, page isolation and fast_find_migrateblock(); "
	  "the workload's timing under a variant (the closed loop, feedback=1, models "
	  "only the callers' immediate fallbacks)", 1, { { MODEL_KNOB_DEFRAG_MODE, 0 } } },
	{ "defrag_mode", "vm.defrag_mode=1: no fragmenting fallback until reclaim and "
	  "compaction are exhausted", "as vanilla; kswapd's reclaim is not modelled, so the "
	  "model's own kcompactd and direct compaction alone produce free pageblocks",
	  1, { { MODEL_KNOB_DEFRAG_MODE, 1 } } },
	{ "evacuate", "vanilla + RFC PATCH 06/40 (Rik van Riel, May 2026): a movable pageblock "
	  "claimed for an unmovable or reclaimable request has its movable pages migrated out "
	  "by a per-node worker (pool of evacuate_pool items, after evacuate_latency_us)",
	  "reclaim_clean_pages_from_list() (clean page cache is migrated, not dropped); a "
	  "work item takes no trace time; the worker does not isolate the block, as in the "
	  "patch, so the claim path's isolate check only matters to isolated blocks",
	  2, { { MODEL_KNOB_DEFRAG_MODE, 0 }, { MODEL_KNOB_EVACUATE, 1 } } },
	{ "capture-split", "defrag_mode + \"fix reclaim storms in defrag_mode\" (Johannes Weiner, "
	  "2026): under ALLOC_NOFRAGMENT a non-movable request of any order compacts at "
	  "pageblock order, scanning movable source blocks, and captures at its own order "
	  "(capture_order=1: at the compaction order)",
	  "4/4's direct reclaim at the promoted order (the model has no reclaim); "
	  "fast_find_migrateblock()'s change in 2/4; read from the series' v2 in the linux-mm "
	  "tree, as the v1 4/4 text was not available",
	  2, { { MODEL_KNOB_DEFRAG_MODE, 1 }, { MODEL_KNOB_CAPTURE_SPLIT, 1 } } },
	{ "spb-steer", "vanilla + the superpageblock steering of the same RFC (Rik van Riel, "
	  "May 2026): 11/40 a non-movable claim prefers a pageblock in a tainted SPB, "
	  "12/40 a movable request prefers the fullest clean SPB (each a bounded scan of "
	  "8 SPBs, fullest first), 19/40 on nodes of more than 8 SPBs a non-movable request "
	  "takes a movable fragment in a tainted SPB before tainting a clean one",
	  "14/40's per-SPB free lists (modelled by their effect: the head of an SPB's list is "
	  "the first block of that SPB on the zone's list); 12/40's whole-pageblock pcp "
	  "refills; 14/40's tainted-first search of the request's own type; 17/40 (in "
	  "spb-defrag, or --set spb_contig=1); the patch text itself (read from the "
	  "review's quotes and KERNEL-NOTES.md)",
	  4, { { MODEL_KNOB_DEFRAG_MODE, 0 }, { MODEL_KNOB_SPB_CLAIM, 1 },
	       { MODEL_KNOB_SPB_PACK, 1 }, { MODEL_KNOB_SPB_FRAGMENTS, 1 } } },
	{ "spb-defrag", "spb-steer + RFC 15/40: a per-SPB worker evacuates the movable "
	  "pageblocks of a tainted SPB with at most 1 free pageblock (or under 2 pageblocks "
	  "of free pages) until 2 are free (or 3 pageblocks of free pages, or no movable "
	  "pageblock is left), spb_defrag_latency_us after it was queued; clean SPBs never; "
	  "+ RFC 17/40 before direct compaction: a movable request of pageblock order or "
	  "more takes a range of free and movable pages in a clean SPB (emptiest first, "
	  "fewest migrations, as alloc_contig_range()), a non-movable one above order 0 "
	  "has the movable pages of a pageblock of its type in a tainted SPB evacuated",
	  "as spb-steer; the worker's cooldown is a knob (spb_defrag_cooldown_ms) as the "
	  "patch's value was not available; a run takes no trace time; "
	  "reclaim_clean_pages_from_list() as in evacuate; 17/40's text past its "
	  "description (its choices are in spb_contig.c), its contig_allocated SPBs, and "
	  "alloc_contig_range()'s pcp drain (ranges with pcp pages are passed over)",
	  6, { { MODEL_KNOB_DEFRAG_MODE, 0 }, { MODEL_KNOB_SPB_CLAIM, 1 },
	       { MODEL_KNOB_SPB_PACK, 1 }, { MODEL_KNOB_SPB_FRAGMENTS, 1 },
	       { MODEL_KNOB_SPB_DEFRAG, 1 }, { MODEL_KNOB_SPB_CONTIG, 1 } } },
};
const size_t replay_nr_presets = sizeof(replay_presets) / sizeof(replay_presets[0]);

static const struct replay_preset *find_preset(const char *name)
{
	for (size_t i = 0; i < replay_nr_presets; i++)
		if (!strcmp(replay_presets[i].name, name))
			return &replay_presets[i];
	return NULL;
}

int replay_variant_preset(struct replay_variant *v, const char *name, char *err, size_t errlen)
{
	if (!find_preset(name)) {
		int n = snprintf(err, errlen, "unknown variant '%s'; the presets are:", name);
		for (size_t i = 0; i < replay_nr_presets && n > 0 && (size_t)n < errlen; i++)
			n += snprintf(err + n, errlen - (size_t)n, " %s", replay_presets[i].name);
		return -EINVAL;
	}
	v->preset = name;
	return 0;
}

/* enum model_knob of @name, or -1 */
static int knob_by_name(const char *name)
{
	const struct model_knob_spec *s;

	for (int k = 0; (s = model_knob_spec((enum model_knob)k)); k++)
		if (!strcmp(s->name, name))
			return k;
	return -1;
}

int replay_variant_set(struct replay_variant *v, const char *kv, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	char key[64], *end;

	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof(key)) {
		snprintf(err, errlen, "'%s' is not key=value", kv);
		return -EINVAL;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = 0;
	const struct model_knob_spec *s;
	int k = knob_by_name(key);
	if (k < 0) {
		int n = snprintf(err, errlen, "unknown knob '%s'; the knobs are:", key);
		for (int i = 0; (s = model_knob_spec((enum model_knob)i)) && n > 0 &&
				(size_t)n < errlen; i++)
			n += snprintf(err + n, errlen - (size_t)n, " %s", s->name);
		return -EINVAL;
	}
	s = model_knob_spec((enum model_knob)k);
	errno = 0;
	long val = strtol(eq + 1, &end, 0);
	if (!eq[1] || *end || errno || val < s->min || val > s->max) {
		snprintf(err, errlen, "knob '%s' takes an integer in %ld..%ld, not '%s'", key, s->min,
			 s->max, eq + 1);
		return -EINVAL;
	}
	if (v->nr_sets >= REPLAY_MAX_SETS) {
		snprintf(err, errlen, "more than %d knob settings", REPLAY_MAX_SETS);
		return -EINVAL;
	}
	v->sets[v->nr_sets].knob = k;
	v->sets[v->nr_sets++].value = val;
	return 0;
}

static void set_knob(struct model_desc *d, int knob, long value)
{
	if ((knob == MODEL_KNOB_MIN_FREE_KBYTES || knob == MODEL_KNOB_WATERMARK_SCALE_FACTOR) &&
	    d->knobs[knob] != value)
		for (unsigned int i = 0; i < d->nr_zones; i++)
			d->zones[i].wmark_min = d->zones[i].wmark_low = d->zones[i].wmark_high = 0;
	d->knobs[knob] = value;
}

void replay_variant_apply(const struct replay_variant *v, struct model_desc *d)
{
	const struct replay_preset *p = v->as_recorded ? NULL
				       : find_preset(v->preset ? v->preset : "vanilla");

	for (unsigned int i = 0; p && i < p->nr_sets; i++)
		set_knob(d, p->sets[i].knob, p->sets[i].value);
	for (unsigned int i = 0; i < v->nr_sets; i++)
		set_knob(d, v->sets[i].knob, v->sets[i].value);
}

void replay_variant_describe(const struct replay_variant *v, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s", v->preset ? v->preset : "vanilla");

	for (unsigned int i = 0; i < v->nr_sets && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - (size_t)n, " %s=%ld",
			      model_knob_spec((enum model_knob)v->sets[i].knob)->name,
			      v->sets[i].value);
}

/* @text in lines of at most 79 columns, the first starting at column @col, the others at @indent */
static void print_wrapped(FILE *f, int col, int indent, const char *text)
{
	while (*text) {
		int room = 79 - col, n = (int)strlen(text);
		if (n > room) {
			n = room;
			while (n > 0 && text[n] != ' ')
				n--;
			if (!n)
				n = room;
		}
		fprintf(f, " %.*s\n", n, text);
		text += n;
		while (*text == ' ')
			text++;
		if (*text)
			fprintf(f, "%*s", indent - 1, "");
		col = indent;
	}
}

/* "set by: vanilla=0 defrag_mode=1" for the presets that set @knob, or "" */
static void presets_setting(int knob, char *buf, size_t len)
{
	int n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < replay_nr_presets; i++)
		for (unsigned int j = 0; j < replay_presets[i].nr_sets; j++)
			if (replay_presets[i].sets[j].knob == knob && n >= 0 && (size_t)n < len)
				n += snprintf(buf + n, len - (size_t)n, "%s%s=%ld",
					      n ? " " : "set by: ", replay_presets[i].name,
					      replay_presets[i].sets[j].value);
}

void replay_variants_print(FILE *f)
{
	const struct model_knob_spec *s;
	char buf[1024];

	fprintf(f, "Presets:\n");
	for (size_t i = 0; i < replay_nr_presets; i++) {
		fprintf(f, "  %-14s", replay_presets[i].name);
		print_wrapped(f, 17, 17, replay_presets[i].summary);
		if (replay_presets[i].leaves_out) {
			snprintf(buf, sizeof(buf), "Not modelled: %s", replay_presets[i].leaves_out);
			fprintf(f, "%16s", "");
			print_wrapped(f, 17, 17, buf);
		}
	}
	fprintf(f, "\nKnobs: --set KNOB=VALUE takes an integer in the knob's range. A sysctl's\n"
		"default is the kernel's; a replay starts from the value the trace recorded.\n"
		"  %-24s %7s  %-13s  %s\n", "KNOB", "DEFAULT", "RANGE", "SYSCTL");
	for (int k = 0; (s = model_knob_spec((enum model_knob)k)); k++) {
		int n = snprintf(buf, sizeof(buf), "%ld..%ld", s->min, s->max);

		fprintf(f, "  %-24s %7ld  %s", s->name, s->def, buf);
		if (s->sysctl)
			fprintf(f, "%*s  vm.%s", n < 13 ? 13 - n : 0, "", s->sysctl);
		fprintf(f, "\n%5s", "");
		print_wrapped(f, 6, 6, s->help);
		presets_setting(k, buf, sizeof(buf));
		if (buf[0]) {
			fprintf(f, "%5s", "");
			print_wrapped(f, 6, 6, buf);
		}
	}
}
