#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_report.sh - the tables for a terminal and a mail: compare --variants
# (N variants from one decode, the first the baseline), --a/--b as its
# shorthand, --set for every variant, --format text|md|csv and --all on
# compare and validate. The CSV's every value and difference against the
# JSON's figures, the markdown's against the CSV, changed rows only unless
# --all, at most 80 columns of text and markdown, indices as the kernel prints
# them, thousands separated.
#
# Usage: test_report.sh FRAGREPLAY_BINARY SAMPLE.frt [SUMMARY_SAMPLE.frt]
#   SUMMARY_SAMPLE: info --summary's (default SAMPLE), one with failed requests

set -u

if [ $# -lt 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY SAMPLE.frt [SUMMARY_SAMPLE.frt]" >&2
	exit 2
fi
FR=$1
SAMPLE=$2
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-report.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}
expect_eq() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then pass; else fail "$1: got '$2', want '$3'"; fi
}
run() {
	"$@" >"$W/out" 2>"$W/err"
	RC=$?
}
# the longest line of a file
widest() { awk '{ if (length($0) > n) n = length($0) } END { print n + 0 }' "$1"; }

V3=vanilla,defrag_mode,evacuate
run "$FR" compare "$SAMPLE" --variants $V3 --json "$W/n.json"
expect_eq "compare --variants: exit status" "$RC" 0
cp "$W/out" "$W/n.txt"
expect_eq "compare --variants text: at most 80 columns" "$(($(widest "$W/n.txt") <= 80))" 1
expect_eq "compare --variants text: baseline, then differences" \
	"$(grep -cE '^figure +A +B-A +C-A$' "$W/n.txt")" 1
expect_eq "compare --variants text: thousands separated" \
	"$(grep -cE '^replayed  [0-9]{1,3}(,[0-9]{3})+ events over' "$W/n.txt")" 1
expect_eq "compare --variants JSON: three runs in order, schema 1.5, knobs" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print([r["variant"] for r in d["runs"]], d["schema_version"], [r["knobs"]["defrag_mode"] for r in d["runs"]])' "$W/n.json")" \
	"['vanilla', 'defrag_mode', 'evacuate'] 1.5 [0, 1, 0]"

# CSV: every value and every difference is the JSON's; changed rows only
run "$FR" compare "$SAMPLE" --variants $V3 --format csv
cp "$W/out" "$W/n.csv"
run "$FR" compare "$SAMPLE" --variants $V3 --format csv --all
cp "$W/out" "$W/all.csv"
got=$(python3 - "$W/n.json" "$W/n.csv" "$W/all.csv" <<'PY'
import csv, json, sys
rep = json.load(open(sys.argv[1]))
runs = rep["runs"]
def rows(path):
    r = list(csv.reader(open(path)))
    return r[0], [x for x in r[1:] if x[0] == "figure"]
head, changed = rows(sys.argv[2])
_, every = rows(sys.argv[3])
keys = list(runs[0]["figures"])
index = {"end_unusable_index_9", "end_fragmentation_index_9"}
def val(k, v):  # the JSON's x1000 integers as the kernel prints an index
    return "%s%d.%03d" % ("-" if v < 0 else "", abs(v) // 1000, abs(v) % 1000) if k in index else str(v)
ok_vals = all(r[3:6] == [val(r[1], run["figures"][r[1]]) for run in runs] and
              r[6:8] == [val(r[1], run["figures"][r[1]] - runs[0]["figures"][r[1]]) for run in runs[1:]]
              for r in every)
want_changed = [k for k in keys if any(run["figures"][k] != runs[0]["figures"][k] for run in runs)]
print(head[:6] == ["section", "key", "label", "vanilla", "defrag_mode", "evacuate"],
      sorted(r[1] for r in every) == sorted(keys), ok_vals,
      [r[1] for r in changed] == [r[1] for r in every if r[1] in want_changed],
      0 < len(changed) < len(every))
PY
)
expect_eq "compare --format csv: header, every figure with --all, values and differences = JSON, changed rows only" \
	"$got" "True True True True True"

# markdown: at most 80 columns; each figure row's numbers are the CSV's
run "$FR" compare "$SAMPLE" --variants $V3 --format md
expect_eq "compare --format md: exit status" "$RC" 0
cp "$W/out" "$W/n.md"
expect_eq "compare --format md: at most 80 columns" "$(($(widest "$W/n.md") <= 80))" 1
got=$(python3 - "$W/n.md" "$W/n.csv" <<'PY'
import csv, sys
md = open(sys.argv[1]).read().splitlines()
rows = {r[2]: r for r in csv.reader(open(sys.argv[2])) if r[0] == "figure"}
i = md.index("| figure | vanilla | defrag_mode | evacuate |")
ok, n = md[i + 1] == "|---|--:|--:|--:|", 0
for line in md[i + 2:]:
    if not line.startswith("|"):
        break
    cells = [c.strip() for c in line.strip("|").split("|")]
    r = rows[cells[0]]
    # baseline as is, the others as signed differences, '=' for none
    want = [r[3]] + [("=" if d in ("0", "0.000") else ("+" + d if not d.startswith("-") else d))
                     for d in r[6:8]]
    ok &= [c.replace(",", "") for c in cells[1:]] == want
    n += 1
print(ok, n == len(rows))
PY
)
expect_eq "compare --format md: the figure table, the CSV's numbers, the same rows" "$got" "True True"

# --a/--b is --variants of two; --set gives every variant the knob
run "$FR" compare "$SAMPLE" --a vanilla --b defrag_mode
cp "$W/out" "$W/ab.txt"
run "$FR" compare "$SAMPLE" --variants vanilla,defrag_mode
expect_eq "compare --a/--b = --variants of two" "$(cmp -s "$W/ab.txt" "$W/out" && echo same)" same
expect_eq "compare of two: B-A and change" "$(grep -cE '^figure +A +B +B-A +change$' "$W/out")" 1
run "$FR" compare "$SAMPLE" --variants $V3 --set feedback=0 --json "$W/fb.json"
expect_eq "compare --variants --set feedback=0: every run open loop" \
	"$(python3 -c 'import json,sys; print([r["knobs"]["feedback"] for r in json.load(open(sys.argv[1]))["runs"]])' "$W/fb.json")" \
	"[0, 0, 0]"

# the variants share one build of the start snapshot (model_clone()): each run of an
# N-way compare equals the variant replayed alone, also where a --set changes a knob the
# build reads (min_free_kbytes: built apart) or one it does not (evacuate_pool: cloned)
V4=vanilla,defrag_mode,evacuate,capture-split
"$FR" compare "$SAMPLE" --variants $V4 --json "$W/n4.json" >/dev/null 2>&1
"$FR" compare "$SAMPLE" --a vanilla --b evacuate --set-a min_free_kbytes=100000 \
	--set-b evacuate_pool=2 --json "$W/ab2.json" >/dev/null 2>&1
for v in ${V4//,/ }; do
	"$FR" replay "$SAMPLE" --variant $v --json "$W/alone-$v.json" >/dev/null 2>&1
done
"$FR" replay "$SAMPLE" --set min_free_kbytes=100000 --json "$W/alone-mfk.json" >/dev/null 2>&1
"$FR" replay "$SAMPLE" --variant evacuate --set evacuate_pool=2 --json "$W/alone-pool.json" \
	>/dev/null 2>&1
got=$(python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
load = lambda n: json.load(open("%s/%s.json" % (w, n)))["runs"]
n4, ab2 = load("n4"), load("ab2")
pairs = [(n4[i], load("alone-" + v)[0]) for i, v in enumerate(["vanilla", "defrag_mode", "evacuate", "capture-split"])]
pairs += [(ab2[0], load("alone-mfk")[0]), (ab2[1], load("alone-pool")[0])]
print(all(a == b for a, b in pairs), ab2[0]["knobs"]["min_free_kbytes"], ab2[1]["knobs"]["evacuate_pool"])
PY
)
expect_eq "compare's runs = each variant replayed alone (shared build, and built apart)" "$got" "True 100000 2"

# usage errors (exit 2)
for args in "--variants vanilla" "--variants vanilla,nosuch" "--variants vanilla,defrag_mode --a vanilla" \
	"--variants a,b,c,d,e,f,g,h,i" "--variants vanilla,defrag_mode --format html" \
	"--variants vanilla,defrag_mode --set nosuch=1"; do
	run "$FR" compare "$SAMPLE" $args
	expect_eq "compare $args: usage error" "$RC" 2
done
cp "$SAMPLE" "$W/copy.frt"
ln -s copy.frt "$W/link.frt"
run "$FR" compare "$W/copy.frt" --variants vanilla,defrag_mode --html "$W/link.frt"
expect_eq "compare --html naming the trace (through a link): usage error" "$RC" 2
expect_eq "compare --html naming the trace: the trace untouched" "$(cmp -s "$SAMPLE" "$W/copy.frt" && echo same)" same
run "$FR" validate "$W/copy.frt" --json "$W/copy.frt"
expect_eq "validate --json naming the trace: usage error" "$RC" 2
# the page is written beside its path and renamed: a link at the path is replaced, not followed
echo keep >"$W/target"
ln -s target "$W/page.html"
run "$FR" replay "$SAMPLE" --html "$W/page.html" --force
expect_eq "replay --html over a link: the link replaced, its target kept" \
	"$([ -f "$W/page.html" ] && [ ! -L "$W/page.html" ] && [ "$(cat "$W/target")" = keep ] && echo kept)" kept
run "$FR" replay "$SAMPLE" --html "$W/nosuchdir/page.html"
expect_eq "replay --html into a missing directory: exit 1, nothing left" "$RC:$(ls "$W" | grep -c 'page.html.')" "1:0"
run "$FR" compare "$SAMPLE" --variants vanilla,vanilla,vanilla,vanilla,vanilla,vanilla,vanilla,vanilla,vanilla
expect_eq "compare of nine variants: usage error" "$RC" 2
expect_eq "compare of nine variants: says the limit" "$(grep -c 'at most 8 variants' "$W/err")" 1

# validate: both-0 lines only with --all; markdown at most 80 columns
run "$FR" validate "$SAMPLE" --json "$W/v.json"
cp "$W/out" "$W/v.txt"
# notes stay one line each, for grep (README, "Reports for people")
grep -v '^\*\*\* NOTE: ' "$W/v.txt" >"$W/v-table.txt"
expect_eq "validate text: at most 80 columns but the notes" "$(($(widest "$W/v-table.txt") <= 80))" 1
run "$FR" validate "$SAMPLE" --format md --all
cp "$W/out" "$W/vall.md"
run "$FR" validate "$SAMPLE" --format md
cp "$W/out" "$W/v.md"
expect_eq "validate --format md: at most 80 columns" "$(($(widest "$W/v.md") <= 80))" 1
got=$(python3 - "$W/v.json" "$W/v.md" "$W/vall.md" <<'PY'
import json, sys
lines = json.load(open(sys.argv[1]))["runs"][0]["fidelity"]["lines"]
def table(path):
    md = open(path).read().splitlines()
    i = md.index("| line | kernel | model | agreement | pages |")
    out = []
    for l in md[i + 2:]:
        if not l.startswith("|"):
            break
        out.append([c.strip() for c in l.strip("|").split("|")])
    return out
some, every = table(sys.argv[2]), table(sys.argv[3])
keys = [l["key"] for l in lines]
import re
print(len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", k) for k in keys)
      and "fallback_claims_movable_from_unmovable" in keys and "compact_stall" in keys,
      [r[0] for r in every] == [l["name"] for l in lines],
      [r[0] for r in some] == [l["name"] for l in lines if l["weight"]],
      all(r[1].replace(",", "") == str(l["kernel"]) and r[2].replace(",", "") == str(l["model"])
          for r, l in zip(every, lines)))
PY
)
expect_eq "validate --format md: unique snake_case keys, every line with --all, not-both-0 without, the JSON's numbers" \
	"$got" "True True True True"
run "$FR" validate "$SAMPLE" --format csv
expect_eq "validate --format csv: a row per line not both 0" "$(($(wc -l <"$W/out") - 1))" \
	"$(python3 -c 'import json,sys; print(sum(1 for l in json.load(open(sys.argv[1]))["runs"][0]["fidelity"]["lines"] if l["weight"]))' "$W/v.json")"

# info --summary: its counts are the trace's events, summed another way (on a sample
# with failed requests when one is given)
SUMSAMPLE=${3:-$SAMPLE}
run "$FR" info --summary --json "$SUMSAMPLE"
expect_eq "info --summary --json: exit status" "$RC" 0
cp "$W/out" "$W/sum.json"
"$FR" info --json "$SUMSAMPLE" >"$W/info.json"
"$FR" dump --type kmem:mm_page_alloc "$SUMSAMPLE" >"$W/allocs.txt"
got=$(python3 - "$W/sum.json" "$W/info.json" "$W/allocs.txt" <<'PY'
import collections, json, re, sys
s, info = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
by = info["events_by_type"]
# every allocation by (order, migratetype), counted again from dump's text
want, failed = collections.Counter(), collections.Counter()
for line in open(sys.argv[3]):
    m = re.search(r"pfn=(\S+) order=(\d+) migratetype=(\d+)", line)
    if m and m[1] == "-1":
        failed[int(m[2])] += 1
    elif m:
        want[(int(m[2]), int(m[3]))] += 1
mts = ["unmovable", "movable", "reclaimable"]
got = collections.Counter({(o, t): row[mts[t]] for o, row in enumerate(s["allocs_by_order_mt"])
                           for t in range(3) if row[mts[t]]})
print(s["allocs"] == by.get("mm_page_alloc", 0) and s["failed"] == sum(failed.values()) and
      {o: n for o, n in enumerate(s["failed_by_order"]) if n} == dict(failed), got == want,
      sum(s["extfrag"].values()) == by.get("mm_page_alloc_extfrag", 0),
      s["frees"] == by.get("mm_page_free", 0), s["compaction"]["runs"] == by.get("mm_compaction_begin", 0))
PY
)
expect_eq "info --summary: requests = mm_page_alloc events, failures and served by order x type as dump has them, extfrag, frees, runs" \
	"$got" "True True True True True"
run "$FR" info --summary "$SUMSAMPLE"
expect_eq "info --summary text: the perf kmem headings" \
	"$(grep -cE '^(Total allocation requests|Total free requests|Total allocation failures) +: +[0-9,]+ +\[ [0-9,]+ KB \]$' "$W/out")" 3

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
