#!/usr/bin/env bash
# test_record.sh - a real capture with the BPF collector on this kernel
# (ctest label "root"; exit 77 = skipped where BPF is not permitted).
# Light: a few seconds, ~64 MiB of page cache.
#
# Usage: test_record.sh FRAGREPLAY
set -u
frag=${1:?usage: $0 FRAGREPLAY}
pass=0 fail=0
work=$(mktemp -d /var/tmp/frt-rec.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"

require_recorder "$frag" "$work"

# 64 MiB of anonymous memory in 4 KiB faults: 16384 order-0 allocations and
# frees. (Page-cache writes would not do: ext4 on 6.18 uses large folios, so
# 64 MiB of writes can be a few dozen allocations.)
anon_work() {
	python3 -c 'b = bytearray(64 << 20); b[::4096] = b"x" * (len(b) // 4096)'
}

# 1. a capture: events arrive, nothing is lost, snapshots bracket it, file is 0600
"$frag" record -o "$work/a.frt" -d 4 2>"$work/a.err" &
rec=$!
wait_for "$work/a.err" "capture switched on" $rec
anon_work
wait $rec
check "record exits 0 ($(cat "$work/a.err"))" $?
"$frag" info --json "$work/a.frt" > "$work/a.json"
check "info reads the capture" $?
python3 - "$work/a.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["status"] == "complete", j["status"]
assert j["events_by_type"].get("mm_page_alloc", 0) > 16384, j["events_by_type"]
assert j["events_by_type"].get("mm_page_free", 0) + j["events_by_type"].get("mm_page_free_batched", 0) > 0
assert j["lost"]["lost_total"] == 0, j["lost"]
m = j["metadata"]
assert m["page_size"] == 4096 and m["pageblock_order"] >= 1 and len(m["zones"]) >= 1, m
assert j["snapshots"] == {"start": True, "end": True}, j["snapshots"]
PY
check "capture has allocations, frees and both snapshots, no losses, sane metadata" $?
check "trace file is mode 0600" "$([ "$(stat -c %a "$work/a.frt")" = 600 ]; echo $?)"
# (a snapshot may still WARN of a fit off by > 1% when the host moves a lot meanwhile)
check "the BPF walk made both snapshots, and stderr said when capture flowed" \
	"$(grep -q 'start snapshot: struct page by BPF' "$work/a.err" &&
	   grep -q 'end snapshot: struct page by BPF' "$work/a.err" &&
	   grep -q 'capturing into' "$work/a.err" && ! grep -q 'read /proc/kpageflags' "$work/a.err"
	   echo $?)"

# 1b. a degraded recording says so at once and in the trace: replay prints it
"$frag" record --snapshot-from kpageflags -o "$work/kpf.frt" -d 0.5 2>"$work/kpf.err"
check "record --snapshot-from kpageflags exits 0 ($(cat "$work/kpf.err"))" $?
check "each snapshot's fallback is a one-line WARNING on stderr" \
	"$([ "$(grep -c 'WARNING: start snapshot read /proc/kpageflags' "$work/kpf.err")" = 1 ] &&
	   [ "$(grep -c 'WARNING: end snapshot read /proc/kpageflags' "$work/kpf.err")" = 1 ]; echo $?)"
"$frag" replay "$work/kpf.frt" > "$work/kpf.txt" 2>&1
check "replay notes the start snapshot's source, from its header" \
	"$(grep -q '^\*\*\* NOTE: the start snapshot was read from /proc/kpageflags' "$work/kpf.txt"; echo $?)"
"$frag" replay "$work/kpf.frt" --json "$work/kpf.json" > /dev/null 2>&1
check "the JSON report carries it too" \
	"$(python3 -c 'import json,sys; n=json.load(open(sys.argv[1]))["notes"]; sys.exit(not any(s.startswith("the start snapshot was read from /proc/kpageflags") for s in n))' "$work/kpf.json"; echo $?)"
"$frag" replay "$work/kpf.frt" --strict > /dev/null 2>"$work/kpf.strict"
check "replay --strict fails after the report when it carries notes" \
	"$([ $? = 1 ] && grep -q -- '--strict: the report carries' "$work/kpf.strict"; echo $?)"

# 2. an existing file is not overwritten without --force
"$frag" record -o "$work/a.frt" -d 0.2 2>"$work/b.err"
check "refuses to overwrite (exit 1)" "$([ $? = 1 ] && grep -q -- --force "$work/b.err"; echo $?)"

# 3. kill -9 mid-capture leaves a file whose frames up to the last flush read back
"$frag" record -o "$work/k.frt" -d 30 2>"$work/k.rec" &
rec=$!
wait_for "$work/k.rec" "capture switched on" $rec
anon_work
sleep 1.5 # past the next one-second flush
kill -9 $rec
wait $rec 2>/dev/null
"$frag" info "$work/k.frt" > "$work/k.txt" 2>"$work/k.err"
rc=$?
check "info on a killed capture exits 1 and says truncated" \
	"$([ $rc = 1 ] && grep -q 'status          truncated' "$work/k.txt"; echo $?)"
check "the killed capture's flushed events are readable" \
	"$(awk '/^  mm_page_alloc /{ok = $2 > 0} END{exit !ok}' "$work/k.txt"; echo $?)"

# 4. disk full: capture stops with a message naming the file; what was written stays readable
mkdir "$work/full"
mount -t tmpfs -o size=128k frt-full "$work/full"
"$frag" record -o "$work/full/f.frt" -d 20 2>"$work/f.err" &
rec=$!
wait_for "$work/f.err" "capture switched on" $rec
for _ in 1 2 3 4; do kill -0 $rec 2>/dev/null && anon_work; done
wait $rec
rc=$?
check "a full disk stops capture with exit 1 and names the file" \
	"$([ $rc = 1 ] && grep -q "writing $work/full/f.frt failed: No space left on device" "$work/f.err"; echo $?)"
"$frag" info "$work/full/f.frt" > "$work/f.txt" 2>/dev/null
check "the file of a full disk is readable up to the failure" \
	"$(grep -qE '^status +(damaged|truncated)' "$work/f.txt"; echo $?)"
umount "$work/full"

# 5. without privileges: a clear message saying what is needed, exit 1, no file left
chmod 1777 "$work"
runuser -u nobody -- "$frag" record -o "$work/nobody.frt" -d 1 2>"$work/n.err"
rc=$?
check "unprivileged: exit 1, says root or CAP_BPF+CAP_PERFMON+CAP_DAC_READ_SEARCH, leaves no file ($(cat "$work/n.err"))" \
	"$([ $rc = 1 ] && grep -q 'needs root, or CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH' "$work/n.err" &&
	   [ ! -e "$work/nobody.frt" ]; echo $?)"

# 6. the capabilities the README lists are the ones needed: another user with CAP_BPF and
# CAP_PERFMON alone cannot read tracefs (and is told which file); with CAP_DAC_READ_SEARCH
# too it records
if command -v setpriv >/dev/null; then
	caps() { # caps LIST OUT: record as nobody with the capabilities LIST
		setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="$1" \
			--ambient-caps="$1" "$frag" record -o "$2" -d 0.5 2>"$2.err"
	}
	caps +bpf,+perfmon "$work/caps2.frt"
	rc=$?
	check "nobody with CAP_BPF+CAP_PERFMON: exit 1 naming a tracefs file ($(cat "$work/caps2.frt.err"))" \
		"$([ $rc = 1 ] && grep -q '/sys/kernel/.*tracing/events/.*: Permission denied' \
		   "$work/caps2.frt.err"; echo $?)"
	caps +bpf,+perfmon,+dac_read_search "$work/caps3.frt"
	check "nobody with CAP_BPF+CAP_PERFMON+CAP_DAC_READ_SEARCH records ($(tail -1 "$work/caps3.frt.err"))" $?
	check "... and the trace reads" "$("$frag" info "$work/caps3.frt" >/dev/null 2>&1; echo $?)"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
