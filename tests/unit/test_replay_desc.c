// SPDX-License-Identifier: MIT
/*
 * test_replay_desc.c - replay_desc_from_json() on crafted metadata (issue 19):
 * a trace's metadata or a start snapshot's header that lists more zones of
 * node 0 than the model has (it used to write past model_desc.zones[4] into
 * the knobs), out-of-range orders (undefined shifts), and spans past 2^64,
 * each refused with a message naming the field, and the description left
 * unused. The good case is the one a real host writes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "setup.h"

#define ZONE(name, start, spanned) \
	"{\"node\":0,\"name\":\"" name "\",\"start_pfn\":" #start ",\"spanned\":" #spanned \
	",\"present\":" #spanned ",\"managed\":" #spanned "}"
#define GOOD_ZONES ZONE("DMA", 1, 4095) "," ZONE("DMA32", 4096, 1044480) "," \
	ZONE("Normal", 1048576, 5505024)

static char err[512];

/* @json refused with -EBADMSG, and @want in the message; the knobs untouched */
static void refused(const char *json, const char *want)
{
	struct model_desc d, before;

	model_desc_init(&d);
	before = d;
	err[0] = '\0';
	CHECK(replay_desc_from_json(json, &d, err, sizeof(err)) == -EBADMSG, "accepted: %s", json);
	CHECK(strstr(err, want), "message '%s' lacks '%s'", err, want);
	CHECK(!memcmp(d.knobs, before.knobs, sizeof(d.knobs)), "knobs overwritten by %s", json);
}

static void real_host_layout_is_taken(void)
{
	struct model_desc d;

	model_desc_init(&d);
	CHECK(!replay_desc_from_json("{\"pageblock_order\":9,\"max_order\":10,\"nr_cpus\":8,"
				     "\"zones\":[" GOOD_ZONES "]}", &d, err, sizeof(err)), "%s", err);
	CHECK(d.nr_zones == 3 && d.zones[2].start_pfn == 1048576 && d.nr_cpus == 8);
	CHECK(d.knobs[MODEL_KNOB_PAGEBLOCK_ORDER] == 9 && d.knobs[MODEL_KNOB_MAX_PAGE_ORDER] == 10);
}

static void more_zones_than_the_model_has(void)
{
	/* six zones of node 0, Normal three times: the fifth used to land in knobs[] */
	refused("{\"zones\":[" GOOD_ZONES "," ZONE("Normal", 7000000, 4096) ","
		ZONE("Normal", 8000000, 4096) "," ZONE("Normal", 9000000, 4096) "]}",
		"zones[3]: zone Normal of node 0 comes twice");
	refused("{\"zones\":[" ZONE("Normal", 1048576, 4096) "," ZONE("DMA32", 4096, 4096) "]}",
		"zone DMA32 of node 0 comes out of order");
	/* another node's zones are not the model's, and not an overrun either */
	struct model_desc d;
	model_desc_init(&d);
	CHECK(!replay_desc_from_json("{\"zones\":[" GOOD_ZONES ","
				     "{\"node\":1,\"name\":\"Normal\",\"start_pfn\":9000000,"
				     "\"spanned\":4096}]}", &d, err, sizeof(err)), "%s", err);
	CHECK(d.nr_zones == 3);
}

static void orders_outside_the_model(void)
{
	refused("{\"pageblock_order\":30,\"zones\":[" GOOD_ZONES "]}",
		"pageblock_order 30 is outside 1..12");
	refused("{\"pageblock_order\":64,\"zones\":[" GOOD_ZONES "]}",
		"pageblock_order 64 is outside 1..12");
	refused("{\"max_order\":39,\"zones\":[" GOOD_ZONES "]}", "max_order 39 is outside 1..12");
	refused("{\"nr_cpus\":100000,\"zones\":[" GOOD_ZONES "]}", "nr_cpus 100000 is above 4096");
}

static void spans_past_the_address_space(void)
{
	refused("{\"zones\":[" ZONE("Normal", 1048576, 9223372036854775000) "]}",
		"zone Normal start_pfn 1048576 + spanned 9223372036854775000 runs past pfn 2^40");
	/* zoneinfo's u64 beyond 2^63 reaches the metadata as a negative integer */
	refused("{\"zones\":[" ZONE("Normal", -616, 4096) "]}", "runs past pfn 2^40");
	refused("{\"zones\":[" ZONE("Normal", 1099511627000, 4096) "]}", "runs past pfn 2^40");
	refused("{\"zones\":[" ZONE("DMA", 1, 4095) "," ZONE("Normal", 4000, 4096) "]}",
		"zone Normal starts at pfn 4000, inside the zone before it");
	refused("{\"zones\":[{\"node\":0,\"name\":\"Normal\",\"spanned\":4096}]}",
		"zone Normal has no start_pfn");
}

int main(void)
{
	RUN(real_host_layout_is_taken);
	RUN(more_zones_than_the_model_has);
	RUN(orders_outside_the_model);
	RUN(spans_past_the_address_space);
	return CHECK_DONE();
}
