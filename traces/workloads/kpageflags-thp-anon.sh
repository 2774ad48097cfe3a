#!/usr/bin/env bash
# kpageflags-thp-anon.sh - a real trace whose snapshots come from /proc/kpageflags
# (record's fallback path, forced) instead of the BPF walk of struct page, of THP
# faults that must compact mapped anonymous pages (issue 15: "the kpageflags
# snapshot path"). RUN BY HAND as root, never in CI: it fills memory (no swap).
#
# Recorded with (ab-lib.sh, ab_record_start):
#   nice -n -10 FRAGREPLAY record -o OUT.frt --force -d 60 --max-size 8 --snapshot-from kpageflags
#
#  1. Preparation as in the A/B runs (ab-lib.sh: sync, drop_caches=3,
#     compact_memory=1; vm.defrag_mode left as it is), then a tmpfs ballast
#     fills memory until ARENA_MIB (3072) remain available.
#  2. The arena: CACHE_MIB (768) of clean page cache from a sparse file, then
#     ANON_MIB (1792) of anonymous memory in 4 KiB pages (MADV_NOHUGEPAGE) of
#     which the first 4 KiB of every STEP_KIB (64) stays mapped (abload anon):
#     free memory scattered over pageblocks that keep 32 mapped pages each,
#     ~ARENA - CACHE - ANON MiB of it still whole.
#  3. record starts (its start snapshot, read from /proc/kpageflags, sees the
#     filled arena); once events flow:
#  4. THP bursts: BURSTS (4) x BURST_MIB (384) of MADV_HUGEPAGE anonymous
#     memory (THP defrag=madvise: direct compaction), held HOLD_MS (300) each,
#     two bursts live at most: more than the whole free memory left, so the
#     faults compact the scattered blocks (migrating the mapped pages) or
#     reclaim the page cache.
#  5. record stops (end snapshot from kpageflags); the load, ballast and files go.
# MemAvailable stays above 2 GiB throughout with the defaults; the watchdog
# (ab-lib.sh) stops the load and empties the ballast below FLOOR_MIB (1024).
# /proc/vmstat deltas over the run are printed (and written to OUT.vmstat).
#
# Usage: kpageflags-thp-anon.sh FRAGREPLAY OUT.frt
# Environment: ARENA_MIB CACHE_MIB ANON_MIB STEP_KIB BURSTS BURST_MIB HOLD_MS,
#              SNAPSHOT_FROM (kpageflags; bpf: the same run through the BPF walk, to compare),
#              FLOOR_MIB (watchdog, 1024), MAX_SECS, MAX_MB (record's limits, 60 and 8)
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt}
out=${2:?usage: $0 FRAGREPLAY OUT.frt}
arena=${ARENA_MIB:-3072}
cache_mib=${CACHE_MIB:-768}
anon_mib=${ANON_MIB:-1792}
step_kib=${STEP_KIB:-64}
bursts=${BURSTS:-4}
burst_mib=${BURST_MIB:-384}
hold_ms=${HOLD_MS:-300}
. "$(dirname "$0")/ab-lib.sh"

ab_build
ab_prepare "$(cat /proc/sys/vm/defrag_mode)"
ab_ballast "$arena"
ab_watchdog
ab_anon_arena "$cache_mib" "$anon_mib" "$step_kib"

ab_need $((2 * burst_mib + 256)) # two bursts live, and a margin
ab_vmstat "$out.vmstat.before"
ab_record_start "$frag" "$out" --snapshot-from "${SNAPSHOT_FROM:-kpageflags}"
"$ab_load" thp "$bursts" "$burst_mib" "$hold_ms"
ab_record_stop
ab_vmstat "$out.vmstat.after"
ab_deltas "$out.vmstat.before" "$out.vmstat.after" | tee "$out.vmstat"
rm -f "$out.vmstat.before" "$out.vmstat.after"
