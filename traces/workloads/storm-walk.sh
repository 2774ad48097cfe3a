#!/usr/bin/env bash
# storm-walk.sh - ab-storm.sh's reclaim storm, begun while the recorder's
# start snapshot walks memory (issue 15: snapshots taken under load): the
# host moves most while the walk reads it, which a snapshot of a busy
# production host meets and the recorder's read times (FORMAT.md §8.2
# read_times) are for. RUN BY HAND as root, never in CI: it fills memory
# (no swap here); ab-lib.sh's watchdog keeps FLOOR_MIB (1024) available.
#
# The same preparation and arena as ab-storm.sh (ab-lib.sh: defrag_mode=MODE,
# sync, drop_caches, compact_memory; a tmpfs ballast leaving ARENA_MIB; tmpfs
# and 4 KiB page cache side by side, the tmpfs punched every 32 KiB), then:
#  1. `nice -n -10 FRAGREPLAY record -o OUT.frt --force -d 60 --max-size 8`
#     starts; once it says it takes the start snapshot (it loads its BPF walk
#     first, ~0.1 s),
#  2. PIPE_MIB (512) of pipe buffers: order-0 unmovable requests that may
#     reclaim, more than the free unmovable pages (ab-storm.sh step 4), so
#     they steal and reclaim while the walk runs;
#  3. the recorder stops HOLD_S (0.3) s after the pipes are held.
# /proc/vmstat deltas are printed (and written to OUT.vmstat).
#
# Usage: storm-walk.sh FRAGREPLAY OUT.frt MODE
# Environment: ARENA_MIB HOLEY_MIB CACHE_MIB PIPE_MIB HOLD_S FLOOR_MIB MAX_SECS MAX_MB
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt MODE}
out=${2:?usage: $0 FRAGREPLAY OUT.frt MODE}
mode=${3:?usage: $0 FRAGREPLAY OUT.frt MODE}
case $mode in 0|1) ;; *) echo "$0: MODE is 0 or 1" >&2; exit 2 ;; esac
arena=${ARENA_MIB:-3072}
holey_mib=${HOLEY_MIB:-1280}
cache_mib=${CACHE_MIB:-1536}
pipe_mib=${PIPE_MIB:-512}
hold_s=${HOLD_S:-0.3}
. "$(dirname "$0")/ab-lib.sh"

sparse=/var/tmp/ab-sparse
log=/tmp/storm-walk.$$.log
ab_files+=("$sparse" "$log" "$out.pipes")
ab_build
truncate -s "${cache_mib}M" "$sparse"

ab_prepare "$mode"
ab_ballast "$arena"
ab_watchdog

dd if=/dev/zero of="$ab_ballast/holey" bs=1M count="$holey_mib" status=none &
fill=$!
"$ab_load" cache "$sparse" "$cache_mib"
wait "$fill"
"$ab_load" punch "$ab_ballast/holey" 32
echo "filled: $(ab_avail_mib) MiB available" >&2
ab_need "$pipe_mib"

ab_vmstat "$out.vmstat.before"
: > "$log"
nice -n -10 "$frag" record -o "$out" --force -d "${MAX_SECS:-60}" --max-size "${MAX_MB:-8}" \
	2> >(tee "$log" >&2) &
ab_rec=$!
until grep -q 'taking the start snapshot' "$log"; do
	kill -0 "$ab_rec" 2>/dev/null || { echo "record failed" >&2; exit 1; }
	sleep 0.01
done
ab_bg "$ab_load" pipes "$pipe_mib" > "$out.pipes"
until grep -q 'held' "$out.pipes"; do sleep 0.05; done
until grep -q 'capturing into' "$log"; do
	kill -0 "$ab_rec" 2>/dev/null || { echo "record failed" >&2; exit 1; }
	sleep 0.05
done
sleep "$hold_s"

ab_record_stop
ab_vmstat "$out.vmstat.after"
ab_deltas "$out.vmstat.before" "$out.vmstat.after" | tee "$out.vmstat"
rm -f "$out.vmstat.before" "$out.vmstat.after"
