// SPDX-License-Identifier: MIT
/*
 * fuzz_desc.c - the metadata/zone description (replay/setup.c) on arbitrary
 * JSON, and the model built from what it accepts. The property: metadata
 * replay_desc_from_json() accepts (orders in order) builds a model, or fails
 * for memory only; never "Invalid argument" later. Node spans above 2^22
 * pfns are not built (memory, not correctness).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "setup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *json = malloc(size + 1), err[512];
	struct model_desc d;

	if (!json)
		abort();
	memcpy(json, data, size);
	json[size] = '\0';
	model_desc_init(&d);
	if (!replay_desc_from_json(json, &d, err, sizeof(err)) &&
	    d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] <= d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] &&
	    d.nr_cpus <= 64) {
		uint64_t span = d.zones[d.nr_zones - 1].start_pfn + d.zones[d.nr_zones - 1].spanned -
				d.zones[0].start_pfn;
		if (span <= 1u << 22) {
			struct model *m = model_new(&d);
			if (!m && errno != ENOMEM)
				abort(); /* accepted here, refused by the model */
			model_free_all(m);
		}
	}
	free(json);
	return 0;
}
