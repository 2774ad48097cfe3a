#!/usr/bin/env bash
# import-perf-thp-anon.sh - a real perf capture imported with `fragreplay import`
# (issue 15: "a perf-script import with its procfs snapshot directories"): the
# workload of kpageflags-thp-anon.sh (THP faults that must compact mapped
# anonymous pages) under `perf record` instead of `fragreplay record`.
# RUN BY HAND as root, never in CI: it fills memory (no swap here).
#
#  1. Preparation and ballast as in kpageflags-thp-anon.sh (ab-lib.sh); the
#     arena: CACHE_MIB (1280) of clean page cache, then anonymous memory in
#     4 KiB pages, all but WHOLE_MIB (256) of the free memory (ANON_MIB=auto,
#     ab_anon_arena), of which the first 4 KiB of every STEP_KIB (64) stays
#     mapped: the 2 x 384 MiB of THP live at a time must compact or reclaim.
#  2. fragreplay snapshot WORK/before        (procfs copies + kpageflags.zst)
#  3. perf record -q -m 16M -o WORK/perf.data -a -e 'kmem:mm_page_*' \
#         -e 'compaction:*' -e 'migrate:*'   (in the background, until SIGINT)
#  4. THP bursts: BURSTS (4) x BURST_MIB (384), HOLD_MS (300), two live at most.
#  5. perf stops (SIGINT); fragreplay snapshot WORK/after
#  6. perf script --show-lost-events -i WORK/perf.data > WORK/perf.txt
#     perf report --stat -i WORK/perf.data > WORK/perf-stat.txt
#  7. fragreplay import --start-snapshot WORK/before --end-snapshot WORK/after \
#         --perf-stat WORK/perf-stat.txt --force -o OUT.frt WORK/perf.txt
#     (--perf-stat: perf's LOST counts become the trace's lost events, and
#     every event count is checked against perf's; the migration pairs are
#     inferred from the migrate:*_migration_pte events)
# WORK (default /var/tmp/frt-import-perf.PID) is removed at the end unless
# KEEP_WORK=1; MIGRATE_TXT=FILE saves perf.txt's migrate:* lines there (the
# fixture tests/data/import/perf-migrate-thp-anon.txt.xz was made that way).
# /proc/vmstat deltas over the run are printed (and written to OUT.vmstat).
#
# Usage: import-perf-thp-anon.sh FRAGREPLAY OUT.frt
# Environment: ARENA_MIB CACHE_MIB ANON_MIB WHOLE_MIB STEP_KIB BURSTS BURST_MIB HOLD_MS,
#              FLOOR_MIB (watchdog, 1024), WORK, KEEP_WORK, MIGRATE_TXT
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt}
out=${2:?usage: $0 FRAGREPLAY OUT.frt}
arena=${ARENA_MIB:-3072}
cache_mib=${CACHE_MIB:-1280}
anon_mib=${ANON_MIB:-auto}
step_kib=${STEP_KIB:-64}
bursts=${BURSTS:-4}
burst_mib=${BURST_MIB:-384}
hold_ms=${HOLD_MS:-300}
work=${WORK:-/var/tmp/frt-import-perf.$$}
command -v perf > /dev/null || { echo "$0: perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
. "$(dirname "$0")/ab-lib.sh"

mkdir "$work"
[ "${KEEP_WORK:-0}" = 1 ] || ab_files+=("$work")
ab_build
ab_prepare "$(cat /proc/sys/vm/defrag_mode)"
ab_ballast "$arena"
ab_watchdog
ab_anon_arena "$cache_mib" "$anon_mib" "$step_kib"

ab_need $((2 * burst_mib + 256)) # two bursts live, and a margin
"$frag" snapshot "$work/before"
ab_vmstat "$out.vmstat.before"
perf record -q -m 16M -o "$work/perf.data" -a -e 'kmem:mm_page_*' -e 'compaction:*' \
	-e 'migrate:*' &
perf_pid=$!
ab_pids+=("$perf_pid")
sleep 2 # perf has no "ready" line: give it time to open its events on every CPU
"$ab_load" thp "$bursts" "$burst_mib" "$hold_ms"
kill -INT "$perf_pid"
wait "$perf_pid" || true
ab_vmstat "$out.vmstat.after"
"$frag" snapshot "$work/after"

perf script --show-lost-events -i "$work/perf.data" > "$work/perf.txt" 2> /dev/null
perf report --stat -i "$work/perf.data" > "$work/perf-stat.txt" 2> /dev/null
[ -z "${MIGRATE_TXT:-}" ] || { grep -E ' migrate:[a-z_]+: ' "$work/perf.txt" || true; } > "$MIGRATE_TXT"
"$frag" import --start-snapshot "$work/before" --end-snapshot "$work/after" \
	--perf-stat "$work/perf-stat.txt" --force -o "$out" "$work/perf.txt"
ab_deltas "$out.vmstat.before" "$out.vmstat.after" | tee "$out.vmstat"
rm -f "$out.vmstat.before" "$out.vmstat.after"
