#!/usr/bin/env bash
# test_walktimes.sh - snapshots taken under load, made exact (format 1.2
# read_times): record a few seconds while a light load allocates and frees
# anonymous memory and page cache, then check that capture ran through both
# walks, that each snapshot says when it read which pfns, and that replay
# takes the walk's events as the snapshot shows them.
# ctest label "root"; exit 77 where BPF is not permitted. Light: ~6 s, a
# 32 MiB anonymous buffer and a 16 MiB file, over and over.
#
# Usage: test_walktimes.sh FRAGREPLAY
set -u
frag=${1:?usage: $0 FRAGREPLAY}
pass=0 fail=0
work=$(mktemp -d /var/tmp/frt-walk.XXXXXX)
load=
trap '[ -n "$load" ] && kill "$load" 2>/dev/null; rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"

require_recorder "$frag" "$work"

# the load runs before, during and after both walks: 4 KiB anonymous faults
# given back, and page cache written and dropped (unlinked), for 8 s at most
python3 - "$work/cache" <<'PY' &
import os, sys, time
end = time.monotonic() + 8
while time.monotonic() < end:
    b = bytearray(32 << 20)
    b[::4096] = b"x" * (len(b) // 4096)
    del b
    with open(sys.argv[1], "wb") as f:
        f.write(b"y" * (16 << 20))
    os.unlink(sys.argv[1])
PY
load=$!
sleep 0.3
"$frag" record -o "$work/w.frt" -d 2 2>"$work/w.err"
check "record exits 0 ($(tail -3 "$work/w.err"))" $?
kill "$load" 2>/dev/null
wait "$load" 2>/dev/null
load=

"$frag" info --json "$work/w.frt" > "$work/info.json"
check "info reads the capture" $?
"$frag" dump "$work/w.frt" > "$work/dump.txt"
check "dump reads the capture" $?
"$frag" replay "$work/w.frt" --interval 1ms --json "$work/replay.json" --force > "$work/replay.txt" 2>&1
check "replay exits 0 ($(tail -2 "$work/replay.txt"))" $?

python3 - "$work/info.json" "$work/dump.txt" "$work/replay.json" <<'PY'
import json, re, sys
info = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[3]))
fails = 0
def check(what, ok, detail=""):
    global fails
    if not ok:
        fails += 1
        print(f"FAIL: {what} {detail}")

check("format 1.2", info["format_version"] == "1.2", info["format_version"])
rt = info.get("read_times", {})
st = info["lost"] or {}
on, off = st.get("capture_on_ts", 0), st.get("capture_off_ts", 0)
for kind in ("start", "end"):
    t = rt.get(kind)
    check(f"the {kind} snapshot has read times", t is not None, str(rt))
    if t is None:
        continue
    check(f"{kind} read times ascend (pfns and times)", t["ordered"], str(t))
    check(f"{kind} read in many runs (per 64 struct pages)", t["runs"] > 100, str(t))
    check(f"{kind} read times lie inside the capture [{on}, {off}]",
          on <= t["first_ts"] <= t["last_ts"] <= off, str(t))
s, e = rt.get("start"), rt.get("end")
if s and e:
    check("the start walk ends before the end walk begins", s["last_ts"] < e["first_ts"])

# events while each walk read memory: the trace has them now
ts = []
for line in open(sys.argv[2]):
    m = re.search(r"\] +(\d+)\.(\d{9}):", line)
    if m:
        ts.append(int(m.group(1)) * 10**9 + int(m.group(2)))
for kind, t in (("start", s), ("end", e)):
    if t:
        n = sum(t["first_ts"] <= x <= t["last_ts"] for x in ts)
        print(f"  {n} events while the {kind} walk read memory "
              f"({(t['last_ts'] - t['first_ts']) / 1e6:.1f} ms)")
        check(f"events inside the {kind} walk's window", n > 0)

# replay reconciled them: a note with the counts
note = [n for n in rep["notes"] if "while the start snapshot's walk ran" in n]
check("replay notes the start walk's events", len(note) == 1, str(rep["notes"]))
if note:
    m = re.search(r": (\d+) allocations, frees and migrations came while.*?; (\d+) more.*?"
                  r"Of the walk's frees replayed, (\d+) matched no block", note[0])
    check("the note parses", m is not None, note[0])
    if m:
        shown, straddling, unmatched = map(int, m.groups())
        print(f"  reconciled {shown}, straddling {straddling}, unmatched {unmatched}")
        check("the walk's events the snapshot shows were reconciled", shown > 0)
        check("no free of the walk replayed matched no block", unmatched == 0, note[0])

sys.exit(1 if fails else 0)
PY
check "read times, walk events and their replay (above)" $?

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
