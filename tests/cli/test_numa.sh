#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_numa.sh - replay and validate on a real two-node capture
# (traces/samples/numa2-guest-6.12.frt: a two-node qemu guest, recorded by
# traces/workloads/numa2-guest.sh). The model is node 0; this script derives
# on its own, from `fragreplay dump` and the metadata's zones in
# `fragreplay info --json`, what each node did, and checks that:
#   - the trace exercises both nodes (allocations, fallbacks, pcp refills,
#     compaction on each), else the checks below prove nothing;
#   - replay starts (the start snapshot's node-1 blocks are left out, not
#     refused), with the NUMA note naming the start snapshot's node-1 pages,
#     and the run's note counting exactly the node-1 allocations, frees and
#     kernel decisions (extfrag, zone_locked, pcpu_drain, compaction_begin);
#   - the model's requests are node 0's (served there, or failed: no node),
#     with no model-only failure and unmatched frees under 1% of the freed pages;
#   - validate's kernel side is node 0's: pcp refills, fallback claims and
#     thp_fault_alloc and the compaction scanners' pages equal node 0's counts
#     from dump, the THP lines come from the trace, and /proc/vmstat's other
#     compaction counters (every node's) are listed as not compared rather
#     than set against the node-0 model;
#   - diff (the kernel alone) counts every node's events and names the nodes.
#
# With SNAPSHOT_DIRS (s1 and s2, `fragreplay snapshot` directories the guest
# took while it recorded: NUMA2_SNAPDIRS of numa2-guest.sh), the same checks
# run again on an import: dump's text of the sample imported with them.
#
# Usage: test_numa.sh FRAGREPLAY_BINARY SAMPLE.frt [SNAPSHOT_DIRS]
# Prints "FAIL: ..." for each failed check, then "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY SAMPLE.frt [SNAPSHOT_DIRS]" >&2
	exit 2
fi
FR=$1
S=$2
SNAPS=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/guest_lib.sh"
guest_workdir numa
guest_run "$W/rec" "$S"
dirs=$W/rec
if [ -n "$SNAPS" ]; then
	# the same events as ftrace text (dump's lines), imported with the
	# snapshot directories taken in the guest while it recorded
	"$FR" import --from ftrace --start-snapshot "$SNAPS/s1" --end-snapshot "$SNAPS/s2" \
		-o "$W/imp.frt" "$W/rec/dump.txt" >"$W/imp.out" 2>&1 ||
		{ echo "FAIL: import with $SNAPS: $(tail -3 "$W/imp.out")"; exit 1; }
	guest_run "$W/imp" "$W/imp.frt"
	dirs="$dirs $W/imp"
fi

python3 - "$here" $dirs <<'PY'
import json, re, sys
from collections import Counter
sys.path.insert(0, sys.argv[1])
from guest_checks import Checks

check = Checks()


def check_trace(w, what):
    check.prefix = what + ": "
    info = json.load(open(w + "/info.json"))
    zones = info["metadata"]["zones"]
    spans = {}
    for z in zones:
        if z.get("spanned"):
            lo, hi = spans.get(z["node"], (1 << 62, 0))
            spans[z["node"]] = (min(lo, z["start_pfn"]), max(hi, z["start_pfn"] + z["spanned"]))
    check(sorted(spans) == [0, 1], "the sample has nodes 0 and 1 with memory: %s" % sorted(spans))
    end0 = spans.get(0, (0, 0))[1]
    # record's CPU -> node map (the guest puts CPU n on node n): replay splits
    # node 0's pcp high over node 0's CPUs by it
    check(info["metadata"].get("cpu_node") == [0, 1],
          "metadata cpu_node: %s" % info["metadata"].get("cpu_node"))


    def node(pfn):
        return 0 if pfn < end0 else 1


    # per node, from the dump's text
    c = Counter()
    free_pages = Counter()
    for line in open(w + "/dump.txt"):
        m = re.search(r": (mm_\w+): (.*)$", line)
        if not m:
            continue
        ev, f = m.group(1), dict(kv.split("=", 1) for kv in m.group(2).split() if "=" in kv)
        if ev == "mm_page_alloc":
            if f["pfn"] == "-1":
                c["alloc_failed"] += 1
                continue
            n = node(int(f["pfn"], 16))
            c["alloc", n] += 1
            if int(f["order"]) == 9 and "GFP_TRANSHUGE" in f.get("gfp_flags", ""):
                c["thp", n] += 1
        elif ev == "mm_page_free":
            n = node(int(f["pfn"], 16))
            c["free", n] += 1
            free_pages[n] += 1 << int(f["order"])
        elif ev == "mm_page_alloc_extfrag":
            n = node(int(f["pfn"], 16))
            c["extfrag", n] += 1
            c["claim" if f["change_ownership"] == "1" else "steal", n] += 1
        elif ev == "mm_page_alloc_zone_locked":
            n = node(int(f["pfn"], 16))
            c["zone_locked", n] += 1
            c["refill", n] += f["percpu_refill"] == "1"
        elif ev == "mm_page_pcpu_drain":
            c["drain", node(int(f["pfn"], 16))] += 1
        elif ev == "mm_compaction_begin":
            c["compaction", node(int(f["zone_start"], 16))] += 1
        elif ev in ("mm_compaction_isolate_migratepages", "mm_compaction_isolate_freepages",
                    "mm_compaction_fast_isolate_freepages"):
            n = node(int(f["start_pfn"], 16))
            c["isolate", n] += 1
            c["migrate_scanned" if "migratepages" in ev else "free_scanned", n] += int(f["nr_scanned"])

    for what in ("alloc", "free", "extfrag", "refill", "compaction", "thp", "migrate_scanned",
                 "free_scanned"):
        check(c[what, 0] > 0 and c[what, 1] > 0,
              "the capture has %s on both nodes: node 0 %d, node 1 %d" % (what, c[what, 0], c[what, 1]))

    # replay: starts, notes the nodes and counts node 1 exactly
    check.exits_0(w, "replay")
    try:
        rep = json.load(open(w + "/replay.json"))
    except (OSError, ValueError):
        rep = {"notes": [], "runs": [{}], "recorded": {}}
    notes = rep["notes"]
    numa = [n for n in notes if "NUMA nodes beside node 0" in n]
    check(len(numa) == 1, "one NUMA note: %s" % numa)
    m = re.search(r"the start snapshot's (\d+) pages on the other nodes", numa[0] if numa else "")
    managed1 = sum(z.get("managed", 0) for z in zones if z["node"] == 1)
    check(m and 0.9 * managed1 <= int(m.group(1)) <= managed1 + 1024,
          "the start snapshot's node-1 pages (%s) are about node 1's managed %d"
          % (m and m.group(1), managed1))
    out = [n for n in notes if "outside the model's zones" in n]
    m = re.search(r"vanilla: (\d+) allocations and frees \((\d+) pages.*nor the (\d+) fallbacks", out[0]) \
        if out else None
    check(m is not None, "a note on node 1's traffic: %s" % out)
    if m:
        check(int(m.group(1)) == c["alloc", 1] + c["free", 1],
              "node-1 allocations and frees left out: %s, dump %d + %d"
              % (m.group(1), c["alloc", 1], c["free", 1]))
        want = c["extfrag", 1] + c["zone_locked", 1] + c["drain", 1] + c["compaction", 1] + \
            c["isolate", 1]
        check(int(m.group(3)) == want,
              "node-1 kernel decisions left out: %s, dump %d" % (m.group(3), want))

    run = rep["runs"][0]
    ctr = run.get("counters", {})
    check(ctr.get("model_alloc_requests") == c["alloc", 0] + c["alloc_failed"],
          "model requests %s = node 0's served %d + failed %d"
          % (ctr.get("model_alloc_requests"), c["alloc", 0], c["alloc_failed"]))
    mf = run.get("model_failed_by_order", {})
    mf_total = sum(mf.values()) if isinstance(mf, dict) else sum(mf)
    check(mf_total == 0, "no model-only failure: %s" % mf)
    unm = [n for n in notes if "matched no block" in n]
    m = re.search(r"\(\d+ pages, ([\d.]+)% of the freed pages", unm[0]) if unm else None
    check(not unm or (m and float(m.group(1)) < 1.0), "unmatched frees under 1%%: %s" % unm)
    rec = rep.get("recorded", {})
    check(rec.get("extfrag") == c["extfrag", 0] and rec.get("compaction_runs") == c["compaction", 0],
          "replay's kernel extfrag %s and compaction runs %s are node 0's: %d, %d"
          % (rec.get("extfrag"), rec.get("compaction_runs"), c["extfrag", 0], c["compaction", 0]))

    # validate: the kernel side is node 0's
    check.exits_0(w, "validate")
    fid = check.fidelity(w)
    lines = {l["name"]: l for l in fid["lines"]}
    refill = lines.get("pcp refills (zone_locked, percpu)", {})
    check(refill.get("kernel") == c["refill", 0],
          "kernel pcp refills %s = node 0's %d (node 1's %d left out)"
          % (refill.get("kernel"), c["refill", 0], c["refill", 1]))
    claims = sum(l["kernel"] for n, l in lines.items() if n.startswith("fallback claims"))
    check(claims == c["claim", 0], "kernel fallback claims %d = node 0's %d (node 1's %d left out)"
          % (claims, c["claim", 0], c["claim", 1]))
    thp = lines.get("thp_fault_alloc", {})
    check(fid.get("thp_source") == "trace" and thp.get("kernel") == c["thp", 0],
          "thp_fault_alloc from the trace (%s), node 0's: %s = %d"
          % (fid.get("thp_source"), thp.get("kernel"), c["thp", 0]))
    for name in ("migrate_scanned", "free_scanned"):
        l = lines.get("compact_" + name, {})
        check(l.get("kernel") == c[name, 0],
              "kernel compact_%s %s = node 0's isolate events' %d (node 1's %d left out)"
              % (name, l.get("kernel"), c[name, 0], c[name, 1]))
    whole = fid.get("vmstat_whole_host", [])
    check("compact_stall" in whole and "compact_stall" not in lines,
          "compact_stall listed as whole-host, not compared: %s" % whole)

    # diff is of the kernel: its events are every node's, its end state node 0's,
    # and it says how many nodes the host had
    try:
        fig = json.load(open(w + "/diff.json"))["traces"][0]["figures"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        fig = {}
        check(False, "diff --json: %s" % e)
    check(fig.get("numa_nodes") == 2, "diff's numa_nodes: %s" % fig.get("numa_nodes"))
    check(fig.get("extfrag") == c["extfrag", 0] + c["extfrag", 1],
          "diff's extfrag %s: every node's, %d + %d" % (fig.get("extfrag"), c["extfrag", 0], c["extfrag", 1]))


for w in sys.argv[2:]:
    check_trace(w, "import" if w.endswith("/imp") else "recording")

check.done()
PY
