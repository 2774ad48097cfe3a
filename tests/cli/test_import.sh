#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_import.sh - fragreplay import on the real fixtures of tests/data/import
# (perf script, tracefs trace, trace-cmd report of this host): event counts per
# type against grep counts of the text, every field through dump against the
# source line, the provenance in info, a snapshot directory without
# kpageflags giving an approximate start state that replay accepts, and clean
# errors for malformed, truncated and wrong-format input.
#
# Usage: test_import.sh FRAGREPLAY_BINARY TEST_DATA_DIR
set -u
FR=$1
DATA=$2/import
HERE=$(dirname "$0")
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-import.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

types="mm_page_alloc mm_page_free mm_page_free_batched mm_page_alloc_zone_locked
 mm_page_pcpu_drain mm_page_alloc_extfrag mm_compaction_begin mm_compaction_end
 mm_compaction_finished mm_compaction_suitable mm_compaction_isolate_migratepages
 mm_compaction_isolate_freepages mm_compaction_migratepages mm_compaction_kcompactd_sleep
 mm_migrate_pages mm_migrate_pages_start set_migration_pte remove_migration_pte"

for f in perf-script ftrace trace-cmd; do
	src=$DATA/$f.txt
	"$FR" import -o "$W/$f.frt" "$src" > "$W/$f.out" 2>&1
	check "$f: import exits 0" $?
	"$FR" info --json "$W/$f.frt" > "$W/$f.json"
	for t in $types; do
		# an independent count: the event name followed by ':' after the timestamp
		want=$(grep -v '^#' "$src" | grep -cE "[0-9]\.[0-9]+: +([a-z]+:)?$t: ")
		got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events_by_type'].get(sys.argv[2], 0))" "$W/$f.json" "$t")
		[ "$want" = "$got" ]
		check "$f: $t: $got imported, $want in the text" $?
	done
	# migrate_pair events are import's own, inferred (test_import_pairs.sh): not in the text
	"$FR" dump "$W/$f.frt" | grep -v ' migrate_pair: ' > "$W/$f.dump"
	python3 "$HERE/import_roundtrip.py" "$src" "$W/$f.dump" > "$W/$f.rt"
	rc=$?
	check "$f: fields survive byte for byte ($(tail -1 "$W/$f.rt"))" $rc
	grep FAIL "$W/$f.rt" | head -5
	grep -q '"from": "'"$([ $f = perf-script ] && echo perf || echo ftrace)"'"' "$W/$f.json"
	check "$f: metadata says it was imported, and from what" $?
	grep -q '"migrate_pairs"' "$W/$f.json" && grep -q '"no_start_snapshot"' "$W/$f.json"
	check "$f: metadata lists what is approximate" $?
done
grep -q '^lost  *1 markers' "$W/trace-cmd.out"
check "trace-cmd's [EVENTS DROPPED] line is reported" $?

# format detection against --from
"$FR" import --from ftrace -o "$W/x.frt" "$DATA/perf-script.txt" > /dev/null 2> "$W/err"
[ $? = 1 ] && grep -q 'perf-script.txt:1: looks like perf script output' "$W/err" &&
	[ ! -e "$W/x.frt" ]
check "--from ftrace on perf text: exit 1 naming line 1, no output left" $?
"$FR" import --from perf -o "$W/x.frt" "$DATA/ftrace.txt" > /dev/null 2>&1
[ $? = 1 ]
check "--from perf on ftrace text: exit 1" $?
"$FR" import --from perf -o "$W/x.frt" - < "$DATA/perf-script.txt" > "$W/out" 2>&1
check "stdin with --from perf" $?

# malformed lines: counted, the first reported with its number; --strict fails
{ head -n 20 "$DATA/perf-script.txt"; echo "garbage line"
  grep -m1 'kmem:mm_page_alloc:' "$DATA/perf-script.txt" | sed 's/migratetype=[0-9]*/migratetype=zz/'
  echo "  foo 1 [000] 1.000001: sched:sched_switch: prev_comm=a"
  tail -n +22 "$DATA/perf-script.txt"; } > "$W/bad.txt"
"$FR" import -o "$W/bad.frt" "$W/bad.txt" > "$W/bad.out" 2>&1
check "malformed lines do not fail a lax import" $?
grep -q '^malformed  *2 lines' "$W/bad.out" && grep -q 'bad.txt:21: no .seconds' "$W/bad.out" &&
	grep -q "bad.txt:22: bad value of migratetype: 'zz'" "$W/bad.out" &&
	grep -q '^skipped  *1 lines of other events: sched:sched_switch 1' "$W/bad.out"
check "malformed counted and reported with line numbers, other events skipped" $?
rm -f "$W/bad.frt"
"$FR" import --strict -o "$W/bad.frt" "$W/bad.txt" > /dev/null 2> "$W/err"
[ $? = 1 ] && grep -q 'bad.txt:21:' "$W/err" && [ ! -e "$W/bad.frt" ]
check "--strict fails at the first bad line, exit 1" $?

# truncated input: the last line cut in the middle of a field
head -c 3000 "$DATA/perf-script.txt" > "$W/cut.txt"
"$FR" import -o "$W/cut.frt" "$W/cut.txt" > "$W/cut.out" 2>&1
check "truncated input imports what is whole" $?
grep -q '^malformed  *1 lines' "$W/cut.out"
check "the cut line is counted as malformed" $?

# not text at all
printf 'PERFILE2\0\0\0\0' > "$W/perf.data"
"$FR" import --force -o "$W/x.frt" "$W/perf.data" > /dev/null 2> "$W/err"
[ $? = 1 ] && grep -q 'perf script -i' "$W/err"
check "perf.data: exit 1 with the command that converts it" $?
echo "hello" > "$W/none.txt"
"$FR" import --force -o "$W/x.frt" "$W/none.txt" > /dev/null 2> "$W/err"
[ $? = 1 ] && grep -q 'no kmem, compaction or migrate event line' "$W/err"
check "no event lines: exit 1" $?

# usage
"$FR" import "$DATA/perf-script.txt" > /dev/null 2>&1
[ $? = 2 ]
check "import without -o: exit 2" $?
"$FR" import --from lttng -o "$W/x.frt" "$DATA/perf-script.txt" > /dev/null 2>&1
[ $? = 2 ]
check "bad --from: exit 2" $?
"$FR" import --help | grep -q -- '--start-snapshot DIR' && "$FR" import --help | grep -q -- '--strict'
check "import --help lists the options" $?

# a snapshot directory without kpageflags (copied from this host): approximate
# (every build has snapshot directories: they need no BPF)
"$FR" import --start-snapshot "$DATA/snapdir-nokpf" -o "$W/s.frt" "$DATA/perf-script.txt" \
	> /dev/null 2>&1
check "import with a start snapshot directory" $?
"$FR" info "$W/s.frt" > "$W/s.info"
grep -q '^snapshot start  pagetypeinfo (approximate), 1 part' "$W/s.info" &&
	grep -q '^approximate .*start_snapshot' "$W/s.info"
check "info shows the approximate start snapshot" $?
# the layout places the free blocks pagetypeinfo counts (within 1%: a block
# the run of its type has no aligned room for, e.g. in DMA at pfn 1, is left out)
want=$(awk '/^Node .* type / && !/Number/ { for (i = 7; i <= NF; i++) s += $i * 2 ^ (i - 7) }
	END { print s }' "$DATA/snapdir-nokpf/pagetypeinfo")
got=$(sed -n 's/^snapshot start .* 1 part, \([0-9]*\) free pages.*/\1/p' "$W/s.info")
[ -n "$got" ] && [ $(( (want - got) * 100 )) -le "$want" ] && [ "$got" -le "$want" ]
check "approximate start snapshot holds pagetypeinfo's free pages ($got of $want)" $?
"$FR" replay "$W/s.frt" > "$W/s.replay" 2>&1
check "replay accepts the imported trace" $?
"$FR" snapshot "$W/snap" --no-kpageflags > /dev/null && [ -s "$W/snap/pagetypeinfo" ] &&
	[ -s "$W/snap/vmstat" ] && [ ! -e "$W/snap/kpageflags.zst" ]
check "snapshot --no-kpageflags writes the four files" $?

# a snapshot directory whose kpageflags and pagetypeinfo disagree: import
# warns that the fit failed, and the replay's report notes it (root: kpageflags)
if [ -r /proc/kpageflags ] && "$FR" snapshot "$W/kdir" >/dev/null 2>&1; then
	# pagetypeinfo claiming 10x the order-0 free blocks of every list
	awk '/^Node .* type / && !/Number/ { $7 = $7 * 10 + 1000 } { print }' \
		"$W/kdir/pagetypeinfo" > "$W/kdir/pt" && mv "$W/kdir/pt" "$W/kdir/pagetypeinfo"
	"$FR" import --start-snapshot "$W/kdir" -o "$W/k.frt" "$DATA/perf-script.txt" \
		>/dev/null 2>"$W/k.err"
	check "import of a snapshot that fails its fit exits 0" $?
	grep -q '^fragreplay import: WARNING: the start snapshot from .* off its pagetypeinfo' "$W/k.err"
	check "import warns that the start snapshot's fit failed ($(cat "$W/k.err"))" $?
	"$FR" replay "$W/k.frt" 2>/dev/null | grep -q '^\*\*\* NOTE: the start snapshot is .* off /proc/pagetypeinfo'
	check "the replay's report notes the failed fit" $?
else
	echo "the failed-fit import check needs root (kpageflags): not run"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
