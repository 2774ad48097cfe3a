#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_storm_walk.sh - the read-times rule on a real capture whose start walk
# ran during a reclaim storm (traces/samples/storm-walk-m0.frt, format 1.2,
# traces/workloads/storm-walk.sh). From the reference reader's raw events and
# read times (frt_rawdump: "TYPE CPU TS F0..F7 TASK" and "RT KIND PART PFN
# TS"), this script works out which allocations, frees and migrations the
# start snapshot already shows (ts before the read time of the block's first
# pfn; a migration's new pfn) and which the end snapshot lacks (ts at or after
# it), and checks that:
#   - the sample is what it claims: format 1.2, both snapshots timed, pfns
#     and times moving forward, both walks inside the capture, thousands of
#     events inside the start walk;
#   - replay leaves out exactly those events (its notes' counts), frees none
#     that no block holds, and starts from the trace (start_from_trace 1);
#   - validate's unmatched-frees check passes.
#
# Usage: test_storm_walk.sh FRAGREPLAY FRT_RAWDUMP SAMPLE.frt
# Prints "FAIL: ..." for each failed check, then "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.
set -u

if [ $# -ne 3 ]; then
	echo "usage: $0 FRAGREPLAY FRT_RAWDUMP SAMPLE.frt" >&2
	exit 2
fi
FR=$1 RAW=$2 S=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

"$FR" info --json "$S" > "$W/info.json" || { echo "FAIL: info"; exit 1; }
"$RAW" "$S" > "$W/raw.txt" || { echo "FAIL: frt_rawdump"; exit 1; }
"$FR" replay "$S" --json "$W/replay.json" --force > /dev/null 2>&1 || { echo "FAIL: replay"; exit 1; }
"$FR" validate "$S" --json "$W/validate.json" --force > /dev/null 2>&1 || { echo "FAIL: validate"; exit 1; }

python3 - "$W" <<'PY'
import bisect, json, re, sys
w = sys.argv[1]
info = json.load(open(w + "/info.json"))
rep = json.load(open(w + "/replay.json"))
val = json.load(open(w + "/validate.json"))
passed = failed = 0
def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what} {detail}")

ALLOC, FREE, PAIR = 1, 2, 26
events, runs = [], {"start": ([], []), "end": ([], [])}
for line in open(w + "/raw.txt"):
    f = line.split()
    if f[0] == "RT":
        pfns, tss = runs[f[1]]
        pfns.append(int(f[3]))
        tss.append(int(f[4]))
    else:
        events.append((int(f[0]), int(f[2]), [int(x) for x in f[3:11]]))

rt = info.get("read_times", {})
check("format 1.2", info["format_version"] == "1.2", info["format_version"])
for kind in ("start", "end"):
    t = rt.get(kind, {})
    pfns, tss = runs[kind]
    check(f"{kind}: read times, in order", t.get("ordered") and len(pfns) == t.get("runs"),
          f"{t} / {len(pfns)} RT lines")
    check(f"{kind}: runs ascend", all(a < b for a, b in zip(pfns, pfns[1:])) and
          all(a <= b for a, b in zip(tss, tss[1:])))
on, off = info["lost"]["capture_on_ts"], info["lost"]["capture_off_ts"]
check("both walks inside the capture",
      on <= rt["start"]["walk_ts"] <= rt["start"]["first_ts"] and rt["end"]["last_ts"] <= off)

def read_time(kind, pfn):
    pfns, tss = runs[kind]
    i = bisect.bisect_right(pfns, pfn)
    return tss[i - 1] if i else 0

start_ts = rt["start"]["walk_ts"]
in_walk = sum(rt["start"]["first_ts"] <= ts <= rt["start"]["last_ts"] for _, ts, _ in events)
check("thousands of events while the start walk read memory", in_walk > 1000, str(in_walk))

# the rule, from FORMAT.md §8.2, on the events replay feeds (from the start snapshot's ts on)
NONE = (1 << 64) - 1
shown = lacking = 0
for typ, ts, f in events:
    if ts < start_ts or typ not in (ALLOC, FREE, PAIR):
        continue
    pfn, order = (f[1], f[2]) if typ == PAIR else (f[0], f[1])
    if pfn == NONE or order > 10:
        continue
    t_end = read_time("end", pfn)
    if t_end and ts >= t_end:
        lacking += 1
    elif ts < read_time("start", pfn):
        shown += 1
print(f"  {in_walk} events in the start walk; by the rule {shown} shown by the start "
      f"snapshot, {lacking} lacking from the end snapshot")
notes = " ".join(rep["notes"])
m = re.search(r"vanilla: (\d+) allocations, frees and migrations came while the start "
              r"snapshot's walk ran.*?Of the walk's frees replayed, (\d+) matched no block", notes)
check("replay's note on the start walk", m is not None, notes[:300])
if m:
    check("replay leaves out what the start snapshot shows", int(m.group(1)) == shown,
          f"replay {m.group(1)}, rule {shown}")
    check("no free of the start walk replayed matched no block", m.group(2) == "0", m.group(2))
m = re.search(r"vanilla: (\d+) allocations, frees and migrations came on pages the end "
              r"snapshot's walk had read already", notes)
check("replay leaves out what the end snapshot lacks", m is not None and int(m.group(1)) == lacking,
      f"{m.group(1) if m else None}, rule {lacking}")
check("start_from_trace on by default for a timed trace",
      rep["runs"][0]["knobs"]["start_from_trace"] == 1, str(rep["runs"][0]["knobs"]["start_from_trace"]))
fid = val.get("fidelity") or val["runs"][0]["fidelity"]
uf = [c for c in fid["checks"] if c["key"] == "unmatched_frees"]
check("validate: unmatched frees pass", uf and uf[0]["state"] == "pass", str(uf))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
