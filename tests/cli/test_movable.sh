#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_movable.sh - replay on a real capture of a host with ZONE_MOVABLE
# (traces/samples/movable-guest-6.12.frt: a 1.25 GiB qemu guest booted with
# movablecore=256M, recorded by traces/workloads/shape-guest.sh movable).
# From `fragreplay dump` and the metadata alone, this script derives where
# the kernel put each allocation and which frees gave back free pages a
# compaction run had isolated (free-scanner ranges with nr_taken, frees
# during the run of pfns no allocation event or migration holds), and
# checks that:
#   - the sample is what it claims: a Movable zone above DMA32, every
#     movable allocation (GFP_HIGHUSER_MOVABLE, THP) served there and no
#     other, compact_memory's runs isolating free pages there;
#   - replay has the Movable zone with the metadata's managed pages, every
#     allocation is a request and none failed in the model;
#   - compaction's unused free pages are counted as such, equal to what the
#     dump says, and no free is unmatched (before: all 228 such pages were
#     unmatched frees, 0.93% of the freed pages, and noted).
#
# Usage: test_movable.sh FRAGREPLAY_BINARY SAMPLE.frt
# Prints "FAIL: ..." for each failed check, then "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY SAMPLE.frt" >&2
	exit 2
fi
FR=$1
S=$2
here=$(cd "$(dirname "$0")" && pwd)
. "$here/guest_lib.sh"
guest_workdir movable
guest_run "$W" "$S"

python3 - "$here" "$W" <<'PY'
import json, re, sys
from collections import Counter

sys.path.insert(0, sys.argv[1])
from guest_checks import Checks

w = sys.argv[2]
check = Checks()


info = json.load(open(w + "/info.json"))
zones = {z["name"]: z for z in info["metadata"]["zones"] if z.get("node") == 0 and z.get("spanned")}
mov = zones.get("Movable")
check(mov is not None and zones.get("DMA32") and
      mov["start_pfn"] >= zones["DMA32"]["start_pfn"] + zones["DMA32"]["spanned"],
      "a Movable zone above DMA32: %s" % sorted(zones))
if mov is None:
    check.done()
lo, hi = mov["start_pfn"], mov["start_pfn"] + mov["spanned"]

where = Counter()
allocs = 0
held = set()       # pfns an allocation event or a migration handed out, not yet freed
runs = 0           # compaction runs under way
isolated = []      # their free-scanner ranges with pages taken
released = 0
iso_taken_movable = 0
for line in open(w + "/dump.txt"):
    m = re.search(r": (\w+): (.*)$", line)
    if not m:
        continue
    ev, f = m.group(1), dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
    if ev == "mm_page_alloc":
        allocs += 1
        if f["pfn"] in ("-1", "0xffffffffffffffff"):
            continue
        pfn, n = int(f["pfn"], 16), 1 << int(f["order"])
        held.update(range(pfn, pfn + n))
        g = f.get("gfp_flags", "")
        kind = "movable" if "MOVABLE" in g or "TRANSHUGE" in g else "other"
        where[kind, lo <= pfn < hi] += 1
    elif ev == "migrate_pair":
        pfn, n = int(f["new_pfn"], 16), 1 << int(f["order"])
        held.update(range(pfn, pfn + n))
    elif ev == "mm_compaction_begin":
        runs += 1
    elif ev == "mm_compaction_end":
        runs = max(runs - 1, 0)
        if not runs:
            isolated = []
    elif ev in ("mm_compaction_isolate_freepages", "mm_compaction_fast_isolate_freepages"):
        if int(f["nr_taken"]) and f["start_pfn"] not in ("-1", "0xffffffffffffffff"):
            isolated.append((int(f["start_pfn"], 16), int(f["end_pfn"], 16)))
            if lo <= int(f["start_pfn"], 16) < hi:
                iso_taken_movable += int(f["nr_taken"])
    elif ev == "mm_page_free":
        pfn, n = int(f["pfn"], 16), 1 << int(f["order"])
        if (runs and any(a <= pfn and pfn + n <= b for a, b in isolated) and
                not any(p in held for p in range(pfn, pfn + n))):
            released += n
        held.difference_update(range(pfn, pfn + n))
check(where["movable", True] > 1000 and where["movable", False] == 0,
      "the kernel served every movable allocation in Movable: %d there, %d below"
      % (where["movable", True], where["movable", False]))
check(where["other", True] == 0, "and no other allocation there: %d" % where["other", True])
check(iso_taken_movable > 0, "compaction isolated free pages in Movable: %d" % iso_taken_movable)
check(released > 0, "the dump has frees of isolated, unused free pages: %d" % released)

check.exits_0(w, "replay")
rep = check.report(w, "replay")
run = rep["runs"][0]
fig = run["figures"]
mz = [z for z in run["zones"] if z["zone"] == "Movable"]
check(mz and mz[0]["managed_pages"] == mov["managed"],
      "replay's Movable zone manages the metadata's %d pages: %s" % (mov["managed"], mz))
check(fig.get("requests_replayed") == allocs and fig.get("model_failed") == 0,
      "every allocation a request (%s of %d), no model-only failure (%s)"
      % (fig.get("requests_replayed"), allocs, fig.get("model_failed")))
check(fig.get("compaction_released_pages") == released,
      "compaction's unused free pages %s = the dump's %d" % (fig.get("compaction_released_pages"), released))
check(fig.get("unmatched_free_pages") == 0, "no unmatched free: %s pages" % fig.get("unmatched_free_pages"))
check(not [n for n in rep.get("notes", []) if "matched no block" in n], "no unmatched-frees note")

check.done()
PY
