#!/usr/bin/env bash
# bench_import.sh - fragreplay import's parse rate: a large perf-script input
# made from the real fixture (tests/data/import/perf-script.txt) repeated with
# timestamps shifted by its span each time, imported 5 times. Prints lines/s
# and MB/s (medians of 5) and the import's peak RSS. No pass/fail.
# Usage: bench/bench_import.sh [FRAGREPLAY] [COPIES]   (default build/fragreplay, 3000)
set -euo pipefail
cd "$(dirname "$0")/.."
FR=${1:-build/fragreplay}
COPIES=${2:-3000}
W=$(mktemp -d /var/tmp/bench-import.XXXXXX)
trap 'rm -rf "$W"' EXIT

awk -v n="$COPIES" '
	{ line[NR] = $0 }
	END {
		for (c = 0; c < n; c++)
			for (i = 1; i <= NR; i++) {
				l = line[i]
				if (match(l, / [0-9]+\.[0-9]+: /)) {
					ts = substr(l, RSTART + 1, RLENGTH - 3) + c * 3
					l = substr(l, 1, RSTART) sprintf("%.6f", ts) substr(l, RSTART + RLENGTH - 2)
				}
				print l
			}
	}' tests/data/import/perf-script.txt > "$W/in.txt"
lines=$(wc -l < "$W/in.txt")
bytes=$(stat -c %s "$W/in.txt")
rates=() mbs=() rss=()
for _ in 1 2 3 4 5; do
	s=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$W/rss" "$FR" import --force -o "$W/out.frt" "$W/in.txt" > /dev/null
	e=$(date +%s.%N)
	rates+=("$(echo "$lines / ($e - $s)" | bc -l)")
	mbs+=("$(echo "$bytes / 1000000 / ($e - $s)" | bc -l)")
	rss+=("$(cat "$W/rss")")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 3p; }
printf 'input      %d lines, %.1f MB (perf script, %d copies of the fixture)\n' "$lines" \
	"$(echo "$bytes / 1000000" | bc -l)" "$COPIES"
printf 'lines/s    %.0f (median of 5)\n' "$(median "${rates[@]}")"
printf 'MB/s       %.1f (median of 5)\n' "$(median "${mbs[@]}")"
printf 'peak RSS   %d KiB (median of 5)\n' "$(median "${rss[@]}")"
