#!/usr/bin/env bash
# tests/cli/test_sweep.sh FRAGREPLAY SAMPLES - fragreplay sweep on this host:
# the task table's expansion, manifests refused before anything runs, a sweep
# killed midway and rerun doing only the missing tasks, a damaged result
# rerun, merge's missing-index and hash checks, -j 2 against -j 1.
set -euo pipefail
bin=$(realpath "$1")
samples=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sweep_lib.sh"
tmp=$(mktemp -d /tmp/frt-sweep.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_refused NAME JSON PATTERN...: plan exits 1, names the manifest and each pattern, writes nothing
expect_refused() {
	local name=$1 json=$2 rc=0
	shift 2
	printf '%s\n' "$json" >"$tmp/$name.json"
	"$bin" sweep plan "$tmp/$name.json" >/dev/null 2>"$tmp/err" || rc=$?
	((rc == 1)) || fail "$name: exit $rc, not 1: $(cat "$tmp/err")"
	grep -qF "$tmp/$name.json: " "$tmp/err" || fail "$name: no manifest path in: $(cat "$tmp/err")"
	for p in "$@"; do
		grep -qF -- "$p" "$tmp/err" || fail "$name: no '$p' in: $(cat "$tmp/err")"
	done
	[[ ! -e $tmp/sweep-out ]] || fail "$name: plan created the output directory"
}

# --- the expansion: trace, then variant, its grid (knob table order, last fastest), replicas
cat >"$tmp/grid.json" <<JSON
{ "traces": ["$samples/slab-pagecache-interleave.frt", "$samples/pagecache-slab-mix.frt"],
  "variants": ["vanilla", {"preset": "evacuate", "knobs": {"evacuate_pool": {"from": 16, "to": 48, "step": 16}}}],
  "knobs": {"defrag_mode": [0, 1]}, "replicas": 2 }
JSON
"$bin" sweep plan "$tmp/grid.json" >"$tmp/plan"
grep -q '^2 traces x 16 settings = 32 tasks; chunks of 8: 4 (array 0-3)$' "$tmp/plan" ||
	fail "plan's counts: $(head -3 "$tmp/plan")"
want_row() { grep -qx "$(printf '%5d  %5d  %s' "$1" "$2" "$3")" "$tmp/plan" || fail "no row '$1 $2 $3'"; }
want_row 0 0 "vanilla defrag_mode=0 seed=1"
want_row 1 0 "vanilla defrag_mode=0 seed=2"
want_row 2 0 "vanilla defrag_mode=1 seed=1"
want_row 4 0 "evacuate defrag_mode=0 evacuate_pool=16 seed=1"
want_row 6 0 "evacuate defrag_mode=0 evacuate_pool=32 seed=1"
want_row 10 0 "evacuate defrag_mode=1 evacuate_pool=16 seed=1"
want_row 15 0 "evacuate defrag_mode=1 evacuate_pool=48 seed=2"
want_row 16 1 "vanilla defrag_mode=0 seed=1"
want_row 31 1 "evacuate defrag_mode=1 evacuate_pool=48 seed=2"
[[ $(grep -cE '^ *[0-9]+ +[01]  [a-z]' "$tmp/plan") == 32 ]] || fail "not 32 rows"
# a glob expands sorted, relative to the manifest's directory
mkdir "$tmp/g" && ln -s "$samples"/{zone-growth,pagecache-slab-mix}.frt "$tmp/g/"
echo '{"traces": ["g/*.frt"]}' >"$tmp/glob.json"
"$bin" sweep plan "$tmp/glob.json" | grep -A2 '^TRACE$' | tail -2 >"$tmp/traces"
printf '    0  %s\n    1  %s\n' "$tmp/g/pagecache-slab-mix.frt" "$tmp/g/zone-growth.frt" |
	cmp - "$tmp/traces" || fail "glob: $(cat "$tmp/traces")"

# the manifest's sha256 (replay/sha256.c) at lengths about SHA-256's padding boundaries
base="{\"traces\": [\"$samples/zone-growth.frt\"]}"
for n in 119 120 127 128 183 184 191 192 247 248 255 256; do
	((n >= ${#base} + 1)) || continue
	printf '%s%*s\n' "$base" $((n - ${#base} - 1)) '' >"$tmp/pad.json"
	[[ $(stat -c %s "$tmp/pad.json") == "$n" ]] || fail "pad.json is not $n bytes"
	want=$(sha256sum <"$tmp/pad.json" | cut -c1-12)
	"$bin" sweep plan "$tmp/pad.json" | grep -q "(sha256 $want)" || fail "sha256 of $n bytes"
done

# --- refused at plan time, naming the knob, its range (model_knob_spec) and the manifest
t="\"traces\": [\"$samples/slab-pagecache-interleave.frt\"]"
expect_refused unknown "{$t, \"knobs\": {\"watermark_bost_factor\": [1]}}" \
	"knobs: unknown knob 'watermark_bost_factor'; the knobs are: watermark_boost_factor"
expect_refused range "{$t, \"knobs\": {\"watermark_scale_factor\": [10, 0]}}" \
	"knobs.watermark_scale_factor[1]: knob 'watermark_scale_factor' takes an integer in 1..3000, not '0'"
expect_refused feedback "{$t, \"variants\": [{\"preset\": \"vanilla\", \"knobs\": {\"feedback\": 2}}]}" \
	"variants[0].knobs.feedback: knob 'feedback' takes an integer in 0..1, not '2'"
expect_refused range_to "{$t, \"knobs\": {\"evacuate_pool\": {\"from\": 0, \"to\": 2000000}}}" \
	"knob 'evacuate_pool' takes an integer in 0..1048576, not '2000000'"
expect_refused float "{$t, \"knobs\": {\"compaction_proactiveness\": [20.5]}}" \
	"knobs.compaction_proactiveness[0]: knob 'compaction_proactiveness' takes integers in 0..100"
expect_refused preset "{$t, \"variants\": [\"vanila\"]}" \
	"variants[0]: unknown variant 'vanila'; the presets are: vanilla defrag_mode"
expect_refused key "{$t, \"knob\": {}}" "unknown key 'knob'"
expect_refused syntax "{$t, \"knobs\": {\"seed\": [1,]}}" ": 1:"
expect_refused noglob '{"traces": ["nothing-*.frt"]}' "traces[0]: 'nothing-*.frt' matches no file"
expect_refused seed "{$t, \"replicas\": 3, \"knobs\": {\"seed\": [5]}}" "\"replicas\" is 3"
expect_refused huge "{$t, \"knobs\": {\"seed\": {\"from\": 0, \"to\": 99999}}}" "more than 10000 values"

# --- a sweep killed midway, then rerun: only the missing tasks run
small_manifest "$tmp/m.json" "$samples"
"$bin" sweep run "$tmp/m.json" --out "$tmp/a" -j 1 2>/dev/null &
pid=$!
while ! ls "$tmp/a/results/"task-*.json >/dev/null 2>&1; do
	kill -0 $pid 2>/dev/null || fail "the sweep ended before its first result"
	sleep 0.02
done
kill -9 $pid
wait $pid 2>/dev/null || true
k=$(ls "$tmp/a/results/" | grep -c '^task-.*\.json$')
((k > 0 && k < 12)) || fail "killed with $k of 12 results"
"$bin" sweep merge "$tmp/a" 2>"$tmp/err" && fail "merge with $k of 12 results succeeded"
grep -q "$((12 - k)) of 12 tasks have no result" "$tmp/err" || fail "merge: $(cat "$tmp/err")"
"$bin" sweep run "$tmp/m.json" --out "$tmp/a" -j 1 2>"$tmp/err"
grep -q "12 tasks: $((12 - k)) run, $k skipped" "$tmp/err" || fail "rerun: $(cat "$tmp/err")"
# a damaged result is no result: that task alone runs again
head -c 100 "$tmp/a/results/task-000004.json" >"$tmp/cut" && cp "$tmp/cut" "$tmp/a/results/task-000004.json"
"$bin" sweep run "$tmp/m.json" --out "$tmp/a" 2>"$tmp/err"
grep -q "12 tasks: 1 run, 11 skipped" "$tmp/err" || fail "damaged result: $(cat "$tmp/err")"
# --index/--count: a slice, clipped at the end; past the end is a usage error
rm "$tmp/a/results/task-000011.json"
"$bin" sweep run "$tmp/m.json" --out "$tmp/a" --index 10 --count 6 2>"$tmp/err"
grep -q "2 tasks: 1 run, 1 skipped" "$tmp/err" || fail "--index: $(cat "$tmp/err")"
rc=0; "$bin" sweep run "$tmp/m.json" --out "$tmp/a" --index 12 2>/dev/null || rc=$?
((rc == 2)) || fail "--index 12 of 12 tasks: exit $rc"
check_results "$tmp/a" "$samples"
python3 - "$tmp/a/results/task-000000.json" "$(sha256sum <"$tmp/m.json" | cut -c1-64)" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["manifest_hash"] == sys.argv[2], r["manifest_hash"]
assert r["fragreplay"] and r["knobs"]["feedback"] == 1 and len(r["knobs"]) >= 20
PY
# another manifest is not mixed into these results
cp "$tmp/m.json" "$tmp/m2.json" && echo >>"$tmp/m2.json"
rc=0; "$bin" sweep run "$tmp/m2.json" --out "$tmp/a" 2>"$tmp/err" || rc=$?
((rc == 1)) && grep -q "plan.json is the plan of another manifest" "$tmp/err" ||
	fail "another manifest's out: exit $rc: $(cat "$tmp/err")"

# a trace that is not one: its tasks fail, naming it; the others' results are written
head -c 4096 /dev/urandom >"$tmp/junk.frt"
echo "{\"traces\": [\"junk.frt\", \"$samples/slab-pagecache-interleave.frt\"]}" >"$tmp/junk.json"
rc=0; "$bin" sweep run "$tmp/junk.json" --out "$tmp/j" -j 1 2>"$tmp/err" || rc=$?
((rc == 1)) && grep -q "^fragreplay sweep: $tmp/junk.frt: " "$tmp/err" &&
	grep -q "2 tasks: 1 run, 0 skipped (valid result there), 1 failed" "$tmp/err" ||
	fail "a junk trace: exit $rc: $(cat "$tmp/err")"
[[ -f $tmp/j/results/task-000001.json && ! -e $tmp/j/results/task-000000.json ]] ||
	fail "a junk trace: $(ls "$tmp/j/results")"

# --- -j 2 from scratch merges to the same summary as the killed and resumed -j 1
"$bin" sweep run "$tmp/m.json" --out "$tmp/b" -j 2 2>/dev/null
"$bin" sweep merge "$tmp/a" >/dev/null
"$bin" sweep merge "$tmp/b" >/dev/null
same_summary "$tmp/a" "$tmp/b"
# a session's settings (6 per trace here) share one model until one of them
# decides otherwise (README "Compare's shared prefix"): each alone, the same
FRAGREPLAY_SHARE=0 "$bin" sweep run "$tmp/m.json" --out "$tmp/c" -j 2 2>/dev/null
"$bin" sweep merge "$tmp/c" >/dev/null
same_summary "$tmp/b" "$tmp/c"
# summary.md: a table per trace, best (fewest mixed pageblocks) first
python3 - "$tmp/b/summary.md" "$tmp/b/summary.json" <<'PY'
import json, sys
md, js = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
tables = md.split("\n## ")[1:]
assert len(tables) == 2, len(tables)
for tab in tables:
    rows = [l.split("|") for l in tab.splitlines() if l.startswith("| ") and l[2].isdigit()]
    assert len(rows) == 6, len(rows)
    mixed = [int(r[4]) for r in rows]
    assert mixed == sorted(mixed), mixed
    for r in rows:
        fig = js["results"][int(r[2])]["figures"]
        assert int(r[4]) == fig["end_mixed_pageblocks"] and int(r[6]) == fig["end_free_pageblocks"]
PY

# --- merge: the missing listed as ranges; a trace whose hash changed midway refused
rm "$tmp/b/results/task-00000"{3,7,8}.json
rc=0; "$bin" sweep merge "$tmp/b" 2>"$tmp/err" || rc=$?
((rc == 1)) && grep -q "3 of 12 tasks have no result: 3,7-8$" "$tmp/err" ||
	fail "merge missing: exit $rc: $(cat "$tmp/err")"
"$bin" sweep run "$tmp/m.json" --out "$tmp/b" -j 1 2>/dev/null
sed -i 's/"trace_hash": "\(.\)/"trace_hash": "0\1/' "$tmp/b/results/task-000005.json"
rc=0; "$bin" sweep merge "$tmp/b" 2>"$tmp/err" || rc=$?
((rc == 1)) && grep -q "task-000005.json: trace .* it changed during the sweep" "$tmp/err" ||
	fail "merge hash: exit $rc: $(cat "$tmp/err")"
echo "ok: sweep plan, refusals, resume, merge"
