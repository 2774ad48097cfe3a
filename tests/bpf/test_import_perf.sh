#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_import_perf.sh - a real perf capture end to end (root): snapshot
# directories before and after, perf record of the kmem/compaction/migrate
# tracepoints around a 1-s stress-ng --vm run (128 MiB), perf script, import;
# every event's count must equal perf report --stat's, nothing malformed, the
# start snapshot built from kpageflags, and replay must run on the result.
#
# Usage: test_import_perf.sh FRAGREPLAY_BINARY
set -u
FR=$1
. "$(dirname "$0")/lib.sh"
pass=0 fail=0
[ "$(id -u)" = 0 ] || skip "needs root (perf record -a, /proc/kpageflags)"
command -v perf > /dev/null || skip "perf is not installed"
command -v stress-ng > /dev/null || skip "stress-ng is not installed"
W=$(mktemp -d /var/tmp/fragreplay-import.XXXXXX) || exit 2
trap 'rm -rf "$W"' EXIT

"$FR" snapshot "$W/before" > /dev/null
check "snapshot before" $?
perf record -q -o "$W/perf.data" -e kmem:mm_page_alloc -e kmem:mm_page_free \
	-e kmem:mm_page_free_batched -e kmem:mm_page_alloc_zone_locked -e kmem:mm_page_pcpu_drain \
	-e kmem:mm_page_alloc_extfrag -e 'compaction:*' -e 'migrate:*' -a -- \
	stress-ng --vm 1 --vm-bytes 128M -t 1 > /dev/null 2>&1 || skip "perf record cannot attach here"
"$FR" snapshot "$W/after" > /dev/null
check "snapshot after" $?
perf script -i "$W/perf.data" > "$W/perf.txt" 2> /dev/null
perf report -i "$W/perf.data" --stat > "$W/stat.txt" 2> /dev/null
"$FR" import --start-snapshot "$W/before" --end-snapshot "$W/after" -o "$W/t.frt" "$W/perf.txt" \
	> "$W/import.out" 2>&1
check "import exits 0 ($(grep -m1 'imported' "$W/import.out"))" $?
grep -q '^malformed  *0 lines' "$W/import.out"
check "no malformed line in real perf script output" $?
"$FR" info --json "$W/t.frt" > "$W/info.json"
# perf report --stat: "kmem:mm_page_alloc stats:" then "SAMPLE events: N"
awk '/^[a-z_]+:[a-z_]+ stats:$/ { ev = $1 } /SAMPLE events:/ && ev { print ev, $3; ev = "" }' \
	"$W/stat.txt" > "$W/want.txt"
[ -s "$W/want.txt" ]
check "perf report --stat lists per-event counts" $?
while read -r ev n; do
	name=${ev#*:}
	got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['events_by_type'].get(sys.argv[2], 0))" \
		"$W/info.json" "$name")
	[ "$got" = "$n" ]
	check "$ev: $got imported, perf report --stat says $n" $?
done < "$W/want.txt"
"$FR" info "$W/t.frt" | grep -q '^snapshot start  kpageflags, '
check "start snapshot from the directory's kpageflags" $?
"$FR" replay "$W/t.frt" > "$W/replay.out" 2>&1
check "replay runs on the imported trace ($(grep -m1 'requests replayed' "$W/replay.out"))" $?
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
