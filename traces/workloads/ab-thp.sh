#!/usr/bin/env bash
# ab-thp.sh - the real A/B of vm.defrag_mode with THP bursts (issue 17, workload a).
# RUN BY HAND as root, never in CI: it fills memory (no swap here).
#
# One run, under vm.defrag_mode=MODE (0 or 1), after the same preparation in
# both modes (ab-lib.sh: defrag_mode set, sync, drop_caches, compact_memory;
# the old defrag_mode restored on exit):
#  1. A tmpfs ballast fills memory until ARENA_MIB (default 3072) remain,
#     so the run is short and the trace small.
#  2. Fill the arena: CACHE_MIB (1024) of page cache (reading a sparse file on
#     ext4: clean, reclaimable folios) and DENTRIES (4 M) negative dentries
#     (reclaimable slab), side by side so they share pageblocks.
#  3. `nice -n -10 FRAGREPLAY record -o OUT.frt --force -d 60 --max-size 8`
#     starts (its start snapshot sees the filled memory); the load goes on
#     once events flow.
#  4. THP bursts: BURSTS (4) x BURST_MIB (256) of MADV_HUGEPAGE anonymous
#     memory (defrag=madvise: direct reclaim and compaction), held HOLD_MS
#     (200) each, two bursts live at most, while PIPE_MIB (256) of pipe
#     buffers (unmovable, held), CHURN_MIB (256) more page cache and
#     CHURN_DENTRIES (500,000) more dentries come. The kernel must reclaim
#     and compact; under defrag_mode=0 it falls back below pageblock order,
#     under =1 it may not.
#  5. The recorder stops; the load, the ballast and the files go.
# /proc/vmstat deltas over the run are printed (and written to OUT.vmstat).
#
# Usage: ab-thp.sh FRAGREPLAY OUT.frt MODE
# Environment: ARENA_MIB PIPE_MIB BURSTS BURST_MIB HOLD_MS CACHE_MIB DENTRIES
#              CHURN_MIB CHURN_DENTRIES, FLOOR_MIB (watchdog, 1024),
#              MAX_SECS, MAX_MB (record's limits, 60 and 8)
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt MODE}
out=${2:?usage: $0 FRAGREPLAY OUT.frt MODE}
mode=${3:?usage: $0 FRAGREPLAY OUT.frt MODE}
case $mode in 0|1) ;; *) echo "$0: MODE is 0 or 1" >&2; exit 2 ;; esac
arena=${ARENA_MIB:-3072}
pipe_mib=${PIPE_MIB:-256}
bursts=${BURSTS:-4}
burst_mib=${BURST_MIB:-256}
hold_ms=${HOLD_MS:-200}
cache_mib=${CACHE_MIB:-1024}
nr_dentries=${DENTRIES:-4000000}
churn_mib=${CHURN_MIB:-256}
churn_dentries=${CHURN_DENTRIES:-500000}
. "$(dirname "$0")/ab-lib.sh"

sparse=/var/tmp/ab-sparse
negdir=/var/tmp/ab-neg
ab_build
mkdir -p "$negdir"
truncate -s $((cache_mib + churn_mib))M "$sparse"

ab_prepare "$mode"
ab_ballast "$arena"
ab_watchdog

# 3. fill: page cache and reclaimable slab side by side
dd if="$sparse" of=/dev/null bs=1M count="$cache_mib" status=none &
fill=$!
"$ab_load" dentries "$negdir" "$nr_dentries"
wait "$fill"
echo "filled: $(ab_avail_mib) MiB available" >&2

ab_vmstat "$out.vmstat.before"
ab_record_start "$frag" "$out"

# 4. THP bursts while page cache and dentries keep churning
dd if="$sparse" of=/dev/null bs=1M skip="$cache_mib" count="$churn_mib" status=none &
churn=$!
"$ab_load" dentries "$negdir/x" "$churn_dentries" &
churn2=$!
ab_bg "$ab_load" pipes "$pipe_mib"
"$ab_load" thp "$bursts" "$burst_mib" "$hold_ms"
wait "$churn" "$churn2"

ab_record_stop
ab_vmstat "$out.vmstat.after"
ab_deltas "$out.vmstat.before" "$out.vmstat.after" | tee "$out.vmstat"
rm -f "$out.vmstat.before" "$out.vmstat.after" "$sparse"
