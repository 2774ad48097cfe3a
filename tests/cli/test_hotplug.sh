#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_hotplug.sh - replay and validate on a real capture of memory hotplug
# (traces/samples/hotplug-guest-6.12.frt: a 1 GiB qemu guest whose 256 MiB
# pc-dimm was onlined during the recording, into a ZONE_NORMAL that did not
# exist at the start; recorded by traces/workloads/shape-guest.sh hotplug).
# From `fragreplay dump` and the metadata's zones alone, this script derives
# which pfns lie past the start's zones, which frees there onlined memory
# (online_pages(): frees of pfns never allocated before) and what else the
# kernel did there, and checks that:
#   - the sample is what it claims (no Normal zone at the start, onlined
#     frees past it, most of the workload's allocations there after);
#   - replay follows the onlined memory: zone growth equals the onlined
#     pages, every allocation is a request of the model, none failed in the
#     model, no traffic is outside the model, the end state has a Normal
#     zone; unmatched frees are said when above 0.5% of the frees of memory
#     the model held (the onlining's frees apart);
#   - the notes name the hotplug (zone, pfns) and the growth;
#   - the frees of pages the trace last saw free (alloc_pages_bulk() took
#     them with no mm_page_alloc) are counted as such, as the dump says;
#   - validate's pageblock counts (the kernel's include the DIMM's) agree
#     within 1%.
# Without the hotplug zones the model had no Normal zone: 95% of the
# allocations and frees fell outside it, 146 frees were unmatched (9.7%),
# and validate's movable pageblocks read 414 against the kernel's 524; with
# it, before the 0.5% counted the frees the model held, the onlining's
# 65,536 pages hid 445 unmatched ones (1.9%) as 0.50%; those 445 are the
# frees after untraced allocations.
#
# Usage: test_hotplug.sh FRAGREPLAY_BINARY SAMPLE.frt
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
guest_workdir hotplug
guest_run "$W" "$S"

python3 - "$here" "$W" <<'PY'
import json, re, sys

sys.path.insert(0, sys.argv[1])
from guest_checks import Checks

w = sys.argv[2]
check = Checks()


info = json.load(open(w + "/info.json"))
zones = info["metadata"]["zones"]
spanned = {z["name"]: z.get("spanned", 0) for z in zones if z.get("node") == 0}
check(spanned.get("Normal") == 0 and spanned.get("DMA32", 0) > 0,
      "at the start, node 0 has DMA32 and no Normal zone: %s" % spanned)
start_end = max(z["start_pfn"] + z["spanned"] for z in zones if z.get("spanned"))
max_order = info["metadata"]["max_order"]

# from the dump: past the start's zones, the frees that online memory
# (online_pages() frees MAX_PAGE_ORDER blocks of pfns never allocated before)
# and the rest of the traffic there
allocated = set()   # pfns past start_end the kernel has handed out
onlined = allocs = allocs_past = frees = 0
first_online = None
# the frees of pages the trace last saw free (freed, or refilled onto a
# per-CPU list): alloc_pages_bulk() took them with no mm_page_alloc
last_free = set()
untraced = 0
for line in open(w + "/dump.txt"):
    r = re.search(r": (mm_page_alloc_zone_locked|migrate_pair): (.*)$", line)
    if r:
        f = dict(kv.split("=", 1) for kv in r.group(2).split() if "=" in kv)
        if r.group(1) == "migrate_pair":
            p0 = int(f["new_pfn"], 16)
            last_free.difference_update(range(p0, p0 + (1 << int(f["order"]))))
        elif f.get("percpu_refill") == "1":
            p0 = int(f["pfn"], 16)
            last_free.update(range(p0, p0 + (1 << int(f["order"]))))
        continue
    m = re.search(r": (mm_page_alloc|mm_page_free): pfn=(\S+) order=(\d+)", line)
    if not m:
        continue
    if m.group(2) in ("-1", "0xffffffffffffffff"):
        allocs += 1
        continue
    pfn, n = int(m.group(2), 16), 1 << int(m.group(3))
    if m.group(1) == "mm_page_alloc":
        allocs += 1
        last_free.difference_update(range(pfn, pfn + n))
        if pfn >= start_end:
            allocs_past += 1
            allocated.update(range(pfn, pfn + n))
    else:
        frees += n
        if all(p in last_free for p in range(pfn, pfn + n)):
            untraced += n
        last_free.update(range(pfn, pfn + n))
        if (pfn >= start_end and int(m.group(3)) == max_order and
                not any(p in allocated for p in range(pfn, pfn + n))):
            onlined += n
            first_online = pfn if first_online is None else min(first_online, pfn)
check(onlined >= 32768, "the dump onlines memory past pfn %#x: %d pages" % (start_end, onlined))
check(allocs_past * 2 > allocs, "most allocations are past the start's zones: %d of %d"
      % (allocs_past, allocs))

check.exits_0(w, "replay")
rep = check.report(w, "replay")
run = rep["runs"][0]
fig = run["figures"]
check(fig.get("zone_growth_pages") == onlined,
      "replay's zone growth %s = the onlined pages %d" % (fig.get("zone_growth_pages"), onlined))
check(fig.get("requests_replayed") == allocs,
      "every allocation is a request of the model: %s of %d" % (fig.get("requests_replayed"), allocs))
check(fig.get("model_failed") == 0, "no model-only failure: %s" % fig.get("model_failed"))
# frees after untraced allocations (pages alloc_pages_bulk() handed out:
# vmalloc'd stacks) are counted as such, and no free is left unmatched;
# unmatched frees would be said when above 0.5% of the frees of memory the
# model held, the onlining's apart
check(untraced > 0 and fig.get("untraced_alloc_free_pages") == untraced,
      "frees after untraced allocations %s = the dump's %d"
      % (fig.get("untraced_alloc_free_pages"), untraced))
held = frees - onlined
unm = fig.get("unmatched_free_pages", 0)
said = [n for n in rep.get("notes", []) if "matched no block" in n]
check(bool(said) == (unm * 200 > held),
      "unmatched frees (%d pages of the %d the model held) said iff above 0.5%%: %s"
      % (unm, held, said))
check("Normal" in [z["zone"] for z in run["zones"]],
      "the end state has a Normal zone: %s" % [z["zone"] for z in run["zones"]])
notes = rep.get("notes", [])
check(not [n for n in notes if "outside the model" in n],
      "no traffic outside the model: %s" % [n for n in notes if "outside the model" in n])
hp = [n for n in notes if n.startswith("memory hotplug")]
check(len(hp) == 1 and "Normal (new, pfns %#x-" % (first_online or 0) in hp[0] and
      " %d pfns" % onlined in hp[0],
      "the hotplug note names Normal from pfn %#x and %d pfns: %s" % (first_online or 0, onlined, hp))
check([n for n in notes if "the zones grew by %d pages" % onlined in n],
      "the growth note counts %d pages" % onlined)

check.exits_0(w, "validate")
fid = check.fidelity(w)
lines = {l["name"]: l for l in fid["lines"]}
for t in ("unmovable", "movable", "reclaimable"):
    l = lines.get("end pageblocks " + t, {})
    k, m = l.get("kernel", 0), l.get("model", 0)
    check(k and abs(k - m) * 100 <= k, "end pageblocks %s: model %s within 1%% of the kernel's %s"
          % (t, m, k))

check.done()
PY
