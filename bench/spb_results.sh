#!/usr/bin/env bash
# spb_results.sh - the README's "Results: superpageblocks" tables: for each
# trace, vanilla, evacuate (06/40), spb-steer (11, 12, 19/40) and spb-defrag
# (+ 15/40 and 17/40) side by side, and spb-defrag without 17/40
# (--set spb_contig=0) beside it, from `fragreplay replay --json` reports.
# Prints markdown; figures only, no pass/fail.
#
# Usage: spb_results.sh FRAGREPLAY [TRACE.frt ...]
#   default traces: the five non-A/B samples in traces/samples
set -u
frag=${1:?usage: $0 FRAGREPLAY [TRACE.frt ...]}
shift
here=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	for s in pagecache-holes-slab thp-compaction-pressure zone-growth pagecache-slab-mix \
		slab-pagecache-interleave; do
		set -- "$@" "$here/traces/samples/$s.frt"
	done
fi
work=$(mktemp -d /tmp/frt-spb.XXXXXX)
trap 'rm -rf "$work"' EXIT
for t in "$@"; do
	s=$(basename "$t" .frt)
	for v in vanilla evacuate spb-steer spb-defrag; do
		"$frag" replay "$t" --variant "$v" --json "$work/$s.$v.json" >/dev/null || exit 1
	done
	"$frag" replay "$t" --variant spb-defrag --set spb_contig=0 \
		--json "$work/$s.no17.json" >/dev/null || exit 1
	python3 - "$work" "$s" <<'PY' || exit 1
import json, sys
work, s = sys.argv[1], sys.argv[2]
cols = ["vanilla", "evacuate", "spb-steer", "no17", "spb-defrag"]
runs = {c: json.load(open("%s/%s.%s.json" % (work, s, c)))["runs"][0]["figures"] for c in cols}
req = runs["vanilla"]["requests_replayed"]
def per(k):
    return ["%.2f" % (runs[c][k] / req if req else 0) for c in cols]
def val(k):
    return [str(runs[c][k]) for c in cols]
rows = [
    ("claims", val("extfrag_claim")), ("steals", val("extfrag_steal")),
    ("model-only failures", val("model_failed")),
    ("compaction stalls", val("compact_stall")),
    ("THP faults served", val("thp_fault_alloc")),
    ("tainted SPBs (of %d)" % runs["vanilla"]["end_spbs"], val("end_tainted_spbs")),
    ("1 GiB pages now", val("end_free_spbs")),
    ("1 GiB pages after migrating movable", val("end_movable_ranges_1g")),
    ("pages migrated (all)", val("pgmigrate_success")),
    ("06/40 pages migrated", val("evacuate_migrated")),
    ("15/40 pages migrated", val("spb_defrag_migrated")),
    ("17/40 ranges taken / tried", ["%d / %d" % (runs[c]["spb_contig_taken"],
                                               runs[c]["spb_contig_tries"]) for c in cols]),
    ("17/40 pages migrated", ["%d" % (runs[c]["spb_contig_migrated"] +
                                      runs[c]["spb_evac_migrated"]) for c in cols]),
    ("17/40 non-movable served / tried", ["%d / %d" % (runs[c]["spb_evac_served"],
                                                     runs[c]["spb_evac_tries"]) for c in cols]),
    ("free-list heads/request: smallest", per("scan_lists_smallest")),
    ("... claim", per("scan_lists_claim")), ("... steal", per("scan_lists_steal")),
    ("SPBs/request: 11/40", per("scan_spbs_claim")), ("... 12/40", per("scan_spbs_pack")),
    ("... 19/40", per("scan_spbs_fragment")), ("... 17/40", per("scan_spbs_contig")),
    ("17/40 ranges/request", per("scan_ranges_contig")),
]
print("`%s` (%d requests)\n" % (s, req))
print("| | vanilla | evacuate | spb-steer | spb-defrag without 17/40 | spb-defrag |")
print("|---|---:|---:|---:|---:|---:|")
for name, v in rows:
    print("| %s | %s |" % (name, " | ".join(v)))
print()
PY
done
