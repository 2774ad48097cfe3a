#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_diff.sh - fragreplay diff on the shipped A/B samples (ab-*-m0-r*.frt,
# ab-*-m1-r*.frt, grouped by mode): usage errors; each trace's extfrag words, event counts and
# end state against numbers this script derives on its own from `fragreplay
# dump` and `fragreplay info` (and the end state's rows against each other);
# and the groups' mean and min..max, in the JSON
# and in the text, recomputed here from those per-trace numbers.
#
# Usage: test_diff.sh FRAGREPLAY_BINARY SAMPLES_DIR
# Prints "FAIL: ..." for each failed check, then one line "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY SAMPLES_DIR" >&2
	exit 2
fi
FR=$1
S=$2
command -v python3 >/dev/null 2>&1 || { echo "$0: python3 is needed" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-diff.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT

PASSED=0
FAILED=0
RC=0
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
run() { "$@" >"$W/out" 2>"$W/err"; RC=$?; }
expect_rc() { # WANT WHAT
	if [ "$RC" -eq "$1" ]; then pass; else fail "$2: exit $RC, expected $1 ($(head -c 200 "$W/err"))"; fi
}

# the groups: every shipped run with defrag_mode=0, and every one with =1
m0=$(ls "$S"/ab-*-m0-r[0-9].frt 2>/dev/null | paste -sd,)
m1=$(ls "$S"/ab-*-m1-r[0-9].frt 2>/dev/null | paste -sd,)
N0=$(echo "$m0" | tr , '\n' | grep -c .)
N1=$(echo "$m1" | tr , '\n' | grep -c .)
if [ "$N0" -lt 2 ] || [ "$N1" -lt 1 ] || [ ! -e "$S/ab-storm-m0-r1.frt" ] || [ ! -e "$S/ab-storm-m1-r1.frt" ]; then
	echo "$0: $S lacks the A/B samples (ab-storm-m0-r1, ab-storm-m1-r1, two runs with mode 0)" >&2
	exit 2
fi
ONE=${m0%%,*}

# ---- usage and failures ----
run "$FR" diff
expect_rc 2 "diff without a trace"
run "$FR" diff --group m0
expect_rc 2 "--group without NAME="
grep -q "NAME=TRACE" "$W/err" && pass || fail "--group without '=' does not say the form"
run "$FR" diff --group "m0=$m0" "$ONE"
expect_rc 2 "--group with traces as arguments too"
run "$FR" diff --frobnicate "$ONE"
expect_rc 2 "an unknown option"
run "$FR" diff "$ONE" "$W/none.frt"
expect_rc 1 "a trace that does not exist"
grep -q "$W/none.frt" "$W/err" && pass || fail "the error does not name the missing file"
run "$FR" diff --help
expect_rc 0 "--help"
grep -q "claimer" "$W/out" && grep -q -- "--group NAME=LIST" "$W/out" && pass ||
	fail "--help does not describe the words and --group"
run "$FR" --help
grep -q "^  diff " "$W/out" && pass || fail "diff is not in the command list"

# ---- per trace: the kernel's own figures, derived here independently ----
# extfrag words from the dump (README "Real A/B"): claimer = change_ownership;
# pollute = no change, fallback_order > alloc_order; steal = no change, equal.
# Events and mm_page_alloc from info.
for t in "$S"/ab-*-m[01]-r[0-9].frt; do
	b=$(basename "$t" .frt)
	"$FR" dump --type mm_page_alloc_extfrag "$t" | awk '
		{ for (i = 1; i <= NF; i++) if (split($i, kv, "=") == 2) f[kv[1]] = kv[2]
		  n++
		  if (f["change_ownership"] == 1) c++
		  else if (f["fallback_order"] > f["alloc_order"]) p++
		  else s++
		  if (f["alloc_migratetype"] == 1 && f["fallback_migratetype"] == 2 &&
		      f["change_ownership"] == 0 && f["fallback_order"] > f["alloc_order"]) pmr++ }
		END { printf "{\"extfrag\": %d, \"claimer\": %d, \"pollute\": %d, \"steal\": %d, \"pollute+steal\": %d, \"pollute:movable<-reclaimable\": %d", n, c, p, s, p + s, pmr }' > "$W/$b.json"
	"$FR" info "$t" | awk '
		/^events / { ev = $2 }
		$1 == "mm_page_alloc" { al = $2 }
		END { printf ", \"events\": %d, \"alloc_events\": %d}\n", ev, al }' >> "$W/$b.json"
done

run "$FR" diff --json "$W/diff.json" --group "m0=$m0" --group "m1=$m1"
expect_rc 0 "diff --json --group on the samples"
run "$FR" diff --json - "$S"/ab-*-m[01]-r[0-9].frt
expect_rc 0 "diff --json - on every A/B sample"
cp "$W/out" "$W/all.json"

python3 - "$W" <<'PY' >"$W/py.out" 2>&1
import glob, json, os, sys
w = sys.argv[1]
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
    print("pass" if ok else "FAIL: " + what)

traces = json.load(open(f"{w}/all.json"))["traces"]
mine = {os.path.basename(p)[:-5]: json.load(open(p)) for p in glob.glob(f"{w}/ab-*.json")}
check(len(traces) == len(mine) >= 3, f"the traces in the JSON ({len(traces)}) and derived ({len(mine)})")
for t in traces:
    b = os.path.basename(t["path"])[:-4]
    f, m = t["figures"], mine[b]
    for k in ("extfrag", "claimer", "pollute", "steal", "pollute+steal", "pollute:movable<-reclaimable", "events"):
        check(f[k] == m[k], f"{b}: {k} {f[k]} against the dump's {m[k]}")
    # mm_page_alloc events are the served ones plus the failed ones
    check(f["allocs"] + f["alloc_failed"] == m["alloc_events"],
          f"{b}: allocs + alloc_failed {f['allocs']} + {f['alloc_failed']} against info's {m['alloc_events']}")
    check(t["defrag_mode"] == int(b.split("-m")[1][0]), f"{b}: defrag_mode {t['defrag_mode']} against its name")
    # the end state's rows agree with each other: free pages and free pageblocks
    # are the free blocks per order summed (pageblock order 9, MAX_PAGE_ORDER 10)
    blocks = [f[f"free_blocks_order_{o}"] for o in range(11)]
    check(f["free_pages"] == sum(n << o for o, n in enumerate(blocks)),
          f"{b}: free pages {f['free_pages']} against the blocks per order {blocks}")
    check(f["free_pageblocks"] == blocks[9] + 2 * blocks[10],
          f"{b}: free pageblocks {f['free_pageblocks']} against orders 9 and 10 {blocks[9:]}")
    check(f["mixed_pageblocks_min"] <= f["mixed_pageblocks"], f"{b}: the lower bound of mixed above the upper")
    check(f["thp_fault_alloc"] is not None and f["mixed_pageblocks"] is not None,
          f"{b}: vmstat and end-state rows known")
    check(f["mixed_pageblocks"] <= f["pageblocks_unmovable"] + f["pageblocks_movable"] + f["pageblocks_reclaimable"] + 512,
          f"{b}: mixed pageblocks {f['mixed_pageblocks']} within the pageblocks")

# the groups: mean and min..max over the per-trace figures, recomputed here
d = json.load(open(f"{w}/diff.json"))
by = {os.path.basename(t["path"])[:-4]: t["figures"] for t in d["traces"]}
for g in d["groups"]:
    names = [os.path.basename(p)[:-4] for p in g["traces"]]
    check(names == sorted(n for n in mine if f"-{g['name']}-" in n), f"group {g['name']} holds {names}")
    for k in ("pollute+steal", "claimer", "events", "thp_fault_alloc", "compact_stall", "mixed_pageblocks"):
        # derived independently where this script derived it, else the per-trace rows
        vals = [mine[n][k] if k in mine[n] else by[n][k] for n in names]
        st = g["figures"][k]
        mean = sum(vals) / len(vals)
        check(st["n"] == len(vals) and st["min"] == min(vals) and st["max"] == max(vals) and abs(st["mean"] - mean) < 1e-6,
              f"group {g['name']} {k}: {st} against {vals}")
    json.dump({k: [mine[n][k] for n in names] for k in ("pollute+steal", "claimer")},
              open(f"{w}/group-{g['name']}.json", "w"))
sys.exit(1 if fails else 0)
PY
if [ $? -eq 0 ]; then pass; else fail "per-trace and group figures:"; grep FAIL "$W/py.out" | head -20; fi

# the text shows the same group cells: "mean [min..max]" and the change of the means
run "$FR" diff --group "m0=$m0" --group "m1=$m1"
expect_rc 0 "diff --group text"
python3 - "$W" <<'PY'
import json, re, sys
w = sys.argv[1]
text = open(f"{w}/out").read()
g0, g1 = (json.load(open(f"{w}/group-{n}.json")) for n in ("m0", "m1"))
def cell(v):
    mean = sum(v) / len(v)
    return (f"{mean:.0f}" if mean == int(mean) else f"{mean:.1f}") + f" [{min(v)}..{max(v)}]"
bad = 0
for label, key in (("pollute + steal", "pollute+steal"), ("claimer (retyped the block)", "claimer")):
    line = next((l for l in text.splitlines() if l.strip().startswith(label)), None)
    want = [cell(g0[key]), cell(g1[key])]
    if line is None or not all(c in line for c in want):
        print(f"FAIL: text line for {label}: {line!r}, expected cells {want}")
        bad = 1
sys.exit(bad)
PY
if [ $? -eq 0 ]; then pass; else fail "group cells in the text"; fi

# two traces: the baseline and the change column
run "$FR" diff "$S/ab-storm-m0-r1.frt" "$S/ab-storm-m1-r1.frt"
expect_rc 0 "diff of a pair"
grep -q "ab-storm-m0-r1.frt (defrag_mode=0): baseline" "$W/out" && pass || fail "the pair's baseline line"
grep -q "^  allocstall (all zones)" "$W/out" && pass || fail "no allocstall row for the storm pair"

# a truncated trace: the figures of its valid prefix, with a warning
head -c 600000 "$S/ab-storm-m0-r1.frt" > "$W/cut.frt"
run "$FR" diff --json - "$W/cut.frt"
expect_rc 0 "diff of a truncated trace"
grep -q "WARNING: .*cut.frt" "$W/err" && pass || fail "no warning naming the truncated trace"
python3 -c "import json,sys; t=json.load(open('$W/out'))['traces'][0]; sys.exit(0 if t['damage'] and t['figures']['free_pages'] is None and t['figures']['events'] > 0 else 1)" &&
	pass || fail "a truncated trace: damage said, end state unknown, events of the prefix counted"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
