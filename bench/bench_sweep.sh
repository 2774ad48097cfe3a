#!/usr/bin/env bash
# bench_sweep.sh - what a local sweep costs: the issue's 4 samples x 4 presets
# (16 tasks, each trace decoded once for its 4 presets) run by `fragreplay
# sweep run -j J` into a fresh directory, for J = 1 .. the CPUs; tasks per
# minute, wall time against -j 1, peak RSS; and, beside them, the same 16
# tasks as 16 separate `fragreplay replay` runs (a decode each). Medians of
# RUNS runs, interleaved so a noisy host weighs on all alike. No pass/fail.
#
# Usage: bench_sweep.sh FRAGREPLAY [RUNS]   (RUNS: 3)
set -u
frag=$(realpath "${1:?usage: $0 FRAGREPLAY [RUNS]}")
here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${2:-3}
work=$(mktemp -d /tmp/frt-bench-sweep.XXXXXX)
trap 'rm -rf "$work"' EXIT
samples=(pagecache-holes-slab pagecache-slab-mix slab-pagecache-interleave thp-compaction-pressure)
presets=(vanilla defrag_mode evacuate capture-split)
ncpu=$(nproc)

{
	printf '{ "traces": ['
	sep=
	for s in "${samples[@]}"; do printf '%s"%s/traces/samples/%s.frt"' "$sep" "$here" "$s"; sep=', '; done
	printf '],\n  "variants": ['
	sep=
	for p in "${presets[@]}"; do printf '%s"%s"' "$sep" "$p"; sep=', '; done
	printf '] }\n'
} >"$work/m.json"
tasks=$((${#samples[@]} * ${#presets[@]}))

# wall seconds and peak RSS (KB) of one command, "SECS KB"
measure() {
	/usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>&1 || {
		echo "bench_sweep.sh: failed: $*" >&2
		exit 1
	}
	cat "$work/t"
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

separate() {
	for s in "${samples[@]}"; do
		for p in "${presets[@]}"; do
			"$frag" replay "$here/traces/samples/$s.frt" --variant "$p" >/dev/null 2>&1 || return 1
		done
	done
}

for ((i = 0; i < RUNS; i++)); do
	for ((j = 1; j <= ncpu; j++)); do
		rm -rf "$work/out"
		measure "$frag" sweep run "$work/m.json" --out "$work/out" -j "$j" >>"$work/j$j"
	done
	/usr/bin/time -f '%e %M' -o "$work/t" bash -c "$(declare -f separate); frag='$frag' here='$here' \
		samples=(${samples[*]}) presets=(${presets[*]}); separate" || exit 1
	cat "$work/t" >>"$work/sep"
done

echo "fragreplay sweep: ${#samples[@]} samples x ${#presets[@]} presets = $tasks tasks, $ncpu CPUs, medians of $RUNS"
w1=$(cut -d' ' -f1 "$work/j1" | median)
for ((j = 1; j <= ncpu; j++)); do
	w=$(cut -d' ' -f1 "$work/j$j" | median)
	rss=$(cut -d' ' -f2 "$work/j$j" | median)
	awk -v j="$j" -v w="$w" -v w1="$w1" -v n="$tasks" -v rss="$rss" 'BEGIN {
		printf "  sweep run -j %d: %6.2f s  %6.1f tasks/min  %.2fx the wall time of -j 1  peak RSS %d MiB\n",
			j, w, n * 60 / w, w / w1, rss / 1024 }'
done
w=$(cut -d' ' -f1 "$work/sep" | median)
awk -v w="$w" -v w1="$w1" -v n="$tasks" 'BEGIN {
	printf "  %d separate replays: %6.2f s  %6.1f tasks/min  (sweep -j 1 takes %.2fx their time)\n",
		n, w, n * 60 / w, w1 / w }'
