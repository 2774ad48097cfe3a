#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_unplug.sh - replay on a real capture of memory hot-removal
# (traces/samples/unplug-guest-6.12.frt: a 1 GiB qemu guest whose 256 MiB
# pc-dimm went online_movable at boot and offline during the recording;
# recorded by HPMODE=offline traces/workloads/shape-guest.sh hotplug).
# offline_pages() migrates the pages out (events the trace shows) and takes
# the free pages off the free lists with none; the engine takes the same
# pfns out of the model at the kernel's first migration for memory hotplug
# (model_offline()). From `fragreplay dump` and the metadata alone, this
# script checks that:
#   - the sample is what it claims: a Movable zone at the start, migrations
#     out of it, and no allocation there after its last migration;
#   - replay says so: a note naming the Movable zone, its start pfns and how
#     many pfns left;
#   - the model took every one of those pfns out (model_offline_pages), its
#     Movable zone ends with no free page, and no note says it kept any;
#   - no other replay note is of hot-add: nothing grew.
# Before the note, the replay said nothing of it: validate's movable
# pageblocks read 532 against the kernel's 406, with no reason given; with
# the note and no model_offline() they still did (398 now).
#
# Usage: test_unplug.sh FRAGREPLAY_BINARY SAMPLE.frt
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
guest_workdir unplug
guest_run "$W" "$S"

python3 - "$here" "$W" <<'PY'
import json, re, sys

sys.path.insert(0, sys.argv[1])
from guest_checks import Checks

w = sys.argv[2]
check = Checks()


info = json.load(open(w + "/info.json"))
mov = [z for z in info["metadata"]["zones"] if z.get("node") == 0 and z["name"] == "Movable"]
check(mov and mov[0].get("spanned"), "a Movable zone at the start: %s" % mov)
if not mov or not mov[0].get("spanned"):
    check.done()
lo, hi = mov[0]["start_pfn"], mov[0]["start_pfn"] + mov[0]["spanned"]

out = 0
last_out = last_in = None
for line in open(w + "/dump.txt"):
    m = re.search(r"\s([\d.]+): (migrate_pair|mm_page_alloc): (.*)$", line)
    if not m:
        continue
    t = float(m.group(1))
    f = dict(kv.split("=", 1) for kv in m.group(3).split() if "=" in kv)
    if m.group(2) == "migrate_pair":
        if lo <= int(f["old_pfn"], 16) < hi and not lo <= int(f["new_pfn"], 16) < hi:
            out += 1
            last_out = t
    elif f["pfn"] not in ("-1", "0xffffffffffffffff") and lo <= int(f["pfn"], 16) < hi:
        last_in = t
check(out > 0, "the kernel migrated pages out of Movable: %d" % out)
check(last_out is not None and (last_in is None or last_in < last_out),
      "no allocation in Movable after its last migration out (%s, %s)" % (last_in, last_out))

check.exits_0(w, "replay")
rep = check.report(w, "replay")
notes = rep.get("notes", [])
rm = [n for n in notes if n.startswith("memory hot-removal")]
check(len(rm) == 1 and "Movable (gone, pfns %#x-%#x at the start)" % (lo, hi) in rm[0] and
      " %d pfns fewer" % (hi - lo) in rm[0],
      "the hot-removal note names Movable %#x-%#x and %d pfns: %s" % (lo, hi, hi - lo, rm))
run = rep["runs"][0]
movz = [z for z in run["zones"] if z["zone"] == "Movable"]
check(run["counters"].get("model_offline_pages") == hi - lo and
      movz and movz[0].get("free_pages") == 0,
      "the model took the %d pfns out: %s, Movable %s" %
      (hi - lo, run["counters"].get("model_offline_pages"), movz))
check(not [n for n in notes if "of memory the kernel hot-removed" in n],
      "no note that the model kept removed memory: %s" % notes)
check(not [n for n in notes if n.startswith("memory hotplug")] and
      not rep["runs"][0]["figures"].get("zone_growth_pages"), "no hot-add, no growth")

check.done()
PY
