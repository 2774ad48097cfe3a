#!/usr/bin/env bash
# tests/data/import/make_fixtures.sh - record the importer's real fixtures on
# this host (root): perf-script.txt, ftrace.txt and trace-cmd.txt. Each is a
# few hundred lines cut from a capture of a 2-s stress-ng --vm run (256 MiB)
# followed by a manual compaction (echo 1 > /proc/sys/vm/compact_memory).
# See README in this directory. Usage: make_fixtures.sh OUTDIR
set -euo pipefail
out=$(realpath "${1:-.}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

workload='stress-ng --vm 1 --vm-bytes 256M -t 2 >/dev/null 2>&1; echo 1 > /proc/sys/vm/compact_memory'
events=(kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_free_batched
	kmem:mm_page_alloc_zone_locked kmem:mm_page_pcpu_drain kmem:mm_page_alloc_extfrag
	'compaction:*' 'migrate:*')

# slice FILE: the first 150 lines, then a window around the first line of
# each rarer event, in file order, no line twice
slice() {
	local f=$1 anchors=()
	for p in mm_page_pcpu_drain mm_page_alloc_zone_locked mm_compaction_kcompactd_sleep \
		 mm_compaction_begin mm_compaction_end mm_migrate_pages_start \
		 set_migration_pte mm_page_alloc_extfrag; do
		n=$(grep -n -m1 "$p" "$f" | cut -d: -f1 || true)
		[ -n "$n" ] && anchors+=("$n")
	done
	awk -v a="${anchors[*]}" 'BEGIN { n = split(a, s, " ") }
		NR <= 150 { print; next }
		{ for (i = 1; i <= n; i++) if (NR >= s[i] - 5 && NR < s[i] + 30) { print; next } }' "$f"
}

# perf script, default output
perf record -q -o perf.data $(printf -- "-e %s " "${events[@]}") -a -- sh -c "$workload"
perf script -i perf.data 2>/dev/null > perf-all.txt
slice perf-all.txt > "$out/perf-script.txt"

# ftrace: the same events enabled in tracefs around the same workload; the
# trace file as text, and the same ring buffers through trace-cmd extract/report
# (trace-cmd record needs /proc/sys/kernel/ftrace_enabled writable)
T=/sys/kernel/tracing
echo 0 > $T/tracing_on
echo > $T/trace
for e in "${events[@]}"; do echo "$e" >> $T/set_event; done
echo 1 > $T/tracing_on
sh -c "$workload"
echo 0 > $T/tracing_on
cat $T/trace > ftrace-all.txt
trace-cmd extract -o trace.dat >/dev/null 2>&1
trace-cmd report -i trace.dat 2>/dev/null > tc-all.txt
echo > $T/set_event
echo > $T/trace
echo 1 > $T/tracing_on
# the header lines stay, then the slice of event lines
grep '^#' ftrace-all.txt > "$out/ftrace.txt"
grep -v '^#' ftrace-all.txt > ftrace-events.txt
slice ftrace-events.txt >> "$out/ftrace.txt"
grep -v ': mm_\|: set_migration\|: remove_migration' tc-all.txt > "$out/trace-cmd.txt" || true
grep ': mm_\|: set_migration\|: remove_migration' tc-all.txt > tc-events.txt
slice tc-events.txt >> "$out/trace-cmd.txt"
wc -l "$out"/*.txt
