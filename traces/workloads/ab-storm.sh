#!/usr/bin/env bash
# ab-storm.sh - the real A/B of vm.defrag_mode where non-movable requests
# that may reclaim meet no free pageblock (issue 17, workload b): the reclaim
# storm of KERNEL-NOTES "Capture" that the capture-split series fixes.
# RUN BY HAND as root, never in CI: it fills memory (no swap here).
#
# One run, under vm.defrag_mode=MODE (0 or 1), after the same preparation in
# both modes (ab-lib.sh: defrag_mode set, sync, drop_caches, compact_memory;
# the old defrag_mode restored on exit):
#  1. A tmpfs ballast fills memory until ARENA_MIB (default 3072) remain.
#  2. Fill the arena side by side with HOLEY_MIB (1280) of tmpfs (movable, not
#     reclaimable without swap) and CACHE_MIB (1536) of page cache read 4 KiB at a
#     time with readahead off (order-0 folios, which reclaim frees one page
#     at a time, scattered); then punch a 4 KiB hole every 32 KiB of the
#     tmpfs file: free pages all over movable pageblocks, few whole ones.
#  3. `nice -n -10 FRAGREPLAY record -o OUT.frt --force -d 60 --max-size 8`
#     starts.
#  4. PIPE_MIB (512) of pipe buffers: order-0 unmovable requests that may reclaim
#     (GFP_HIGHUSER | __GFP_ACCOUNT), more than the free unmovable pages.
#     Under defrag_mode=0 they steal from movable blocks; under =1
#     (ALLOC_NOFRAGMENT, no free pageblock) they reclaim page cache that
#     frees single pages, again and again: allocstall, pgscan_direct.
#  5. The recorder stops after HOLD_S (0.3) more seconds; load, ballast, files go.
# /proc/vmstat deltas over the recording are printed (and written to OUT.vmstat).
#
# Usage: ab-storm.sh FRAGREPLAY OUT.frt MODE
# Environment: ARENA_MIB HOLEY_MIB CACHE_MIB PIPE_MIB HOLD_S
#              FLOOR_MIB (watchdog), MAX_SECS, MAX_MB (record's limits)
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
ab_build
truncate -s "${cache_mib}M" "$sparse"

ab_prepare "$mode"
ab_ballast "$arena"
ab_watchdog

# 2. tmpfs and small-folio page cache side by side, then holes in the tmpfs
dd if=/dev/zero of="$ab_ballast/holey" bs=1M count="$holey_mib" status=none &
fill=$!
"$ab_load" cache "$sparse" "$cache_mib"
wait "$fill"
"$ab_load" punch "$ab_ballast/holey" 32
echo "filled: $(ab_avail_mib) MiB available" >&2

ab_vmstat "$out.vmstat.before"
ab_record_start "$frag" "$out"

# 4. unmovable requests that may reclaim
ab_bg "$ab_load" pipes "$pipe_mib" > "$out.pipes"
until grep -q 'held' "$out.pipes"; do sleep 0.05; done
sleep "$hold_s"

ab_record_stop
ab_vmstat "$out.vmstat.after"
ab_deltas "$out.vmstat.before" "$out.vmstat.after" | tee "$out.vmstat"
rm -f "$out.vmstat.before" "$out.vmstat.after" "$out.pipes" "$sparse"
