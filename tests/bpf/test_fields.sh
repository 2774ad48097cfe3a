#!/usr/bin/env bash
# test_fields.sh - the fields of an event the tp_btf programs compute from
# the tracepoint's arguments, against perf record's copy of the kernel's own
# event: mm_compaction_migratepages, whose arguments since 6.9 are
# (nr_migratepages, nr_succeeded) while its fields are nr_migrated =
# nr_succeeded and nr_failed = the difference. Before tp_btf_revision 2 the
# trace held the arguments as the fields (FORMAT.md, "tp_btf_revision").
# The kernel compacts on demand (vm.compact_memory) while both record: every
# (nr_migrated, nr_failed) pair of the trace must be one of perf's, as a
# multiset (perf's window holds the trace's). Exit 77 when this host cannot
# record, has no perf, or its compaction migrated nothing (no event to check).
#
# Usage: test_fields.sh FRAGREPLAY
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
FR=${1:?usage: $0 FRAGREPLAY}
W=$(mktemp -d /tmp/frt-fields.XXXXXX)
trap 'kill $perf_pid $rec_pid 2>/dev/null; rm -rf "$W"' EXIT
perf_pid= rec_pid=
pass=0 fail=0

require_recorder "$FR" "$W"
command -v perf >/dev/null || skip "needs perf (Debian linux-perf)"
[ -w /proc/sys/vm/compact_memory ] || skip "needs /proc/sys/vm/compact_memory"

perf record -q -e compaction:mm_compaction_migratepages -a -o "$W/perf.data" >/dev/null 2>&1 &
perf_pid=$!
sleep 1
"$FR" record -o "$W/t.frt" -d 30 2>"$W/rec.err" &
rec_pid=$!
wait_for "$W/rec.err" 'capture switched on' "$rec_pid" || { cat "$W/rec.err"; exit 1; }
echo 1 >/proc/sys/vm/compact_memory
sleep 0.5
kill -INT "$rec_pid"
wait "$rec_pid"
check "record exits 0" $?
sleep 0.5
kill -INT "$perf_pid"
wait "$perf_pid" 2>/dev/null
perf_pid=

pairs() { grep -o 'nr_migrated=[0-9]* nr_failed=[0-9]*' | sort; }
perf script -i "$W/perf.data" 2>/dev/null | pairs >"$W/perf.txt"
"$FR" dump -t mm_compaction_migratepages "$W/t.frt" | pairs >"$W/frt.txt"
n=$(wc -l <"$W/frt.txt")
[ "$n" -gt 0 ] || skip "compaction migrated nothing here (perf saw $(wc -l <"$W/perf.txt") events)"
# the trace's pairs less perf's, as multisets: nothing may remain
extra=$(comm -23 "$W/frt.txt" "$W/perf.txt" | wc -l)
check "$n events: every (nr_migrated, nr_failed) of the trace is one perf saw ($extra are not:
$(comm -23 "$W/frt.txt" "$W/perf.txt" | head -5))" "$([ "$extra" = 0 ] && echo 0 || echo 1)"
echo "$n trace events, $(wc -l <"$W/perf.txt") perf events"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
