#!/usr/bin/env bash
# bench_decode.sh - the reader's decode rate on every sample, one core, in M events/s
# (medians of RUNS runs each, from bench_format --decode-only): the frames alone (read,
# CRC, zstd: the floor under any event decoder), events one call at a time
# (frt_reader_next) and in batches (frt_reader_next_batch, replay's way). With a second
# build, its bench_format's batch figure beside them (an older tree without the batch
# decoder prints one decode figure, per event: that one), run right before on the same
# trace: a before/after table from one sitting.
#
#   git worktree add /tmp/old OLDCOMMIT && cmake -S /tmp/old -B /tmp/old/build \
#       -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/old/build --target bench_format
#   bash bench/bench_decode.sh build-rel /tmp/old/build 7
#
# Usage: [ROUNDS=3] bench_decode.sh BUILD [OLD_BUILD|-] [RUNS] [TRACE.frt ...]
#   default traces: every traces/samples/*.frt
set -u
new=${1:?usage: $0 BUILD [OLD_BUILD|-] [RUNS] [TRACE.frt ...]}
old=${2:--}
runs=${3:-7}
shift $(($# < 3 ? $# : 3))
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$here"/traces/samples/*.frt
[ -x "$new/bench/bench_format" ] || { echo "bench_decode.sh: no $new/bench/bench_format" >&2; exit 2; }
[ "$old" = - ] || [ -x "$old/bench/bench_format" ] ||
	{ echo "bench_decode.sh: no $old/bench/bench_format" >&2; exit 2; }

# the M events/s figure of the output line that starts with $1
rate() { awk -v k="$1" 'index($0, k) == 1 { for (i = 1; i < NF; i++) if ($(i + 1) == "M") { print $i; exit } }'; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ v[NR] = $1 } END {
	if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ROUNDS rounds over all traces (default 3), each cell the median of its rounds: other
# tenants' load comes and goes, and a round-robin spreads it over every trace and build
rounds=${ROUNDS:-3}
declare -A B F P T E
for ((r = 0; r < rounds; r++)); do
	for t in "$@"; do
		if [ "$old" != - ]; then
			o=$("$old/bench/bench_format" "$t" "$runs" --decode-only) || exit 1
			b=$(printf '%s\n' "$o" | rate "reader decode, batch")
			B[$t]+=" ${b:-$(printf '%s\n' "$o" | rate "reader decode")}"
		fi
		out=$("$new/bench/bench_format" "$t" "$runs" --decode-only) || exit 1
		E[$t]=$(printf '%s\n' "$out" | awk '/per event/ { sub(/\(/, "", $(NF - 4)); print $(NF - 4) }')
		F[$t]+=" $(printf '%s\n' "$out" | rate "reader frames only")"
		P[$t]+=" $(printf '%s\n' "$out" | rate "reader decode, per event")"
		T[$t]+=" $(printf '%s\n' "$out" | rate "reader decode, batch")"
	done
done
echo "M events/s, medians of $rounds rounds of $runs runs; before: $old"
printf '%-28s %9s %8s | %8s %8s %8s %6s\n' trace events before "frames" "per-ev" batch "b/bef"
for t in "$@"; do
	before=$(median <<<"${B[$t]:-}")
	batch=$(median <<<"${T[$t]}")
	ratio=$(awk -v a="$batch" -v b="$before" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }')
	printf '%-28s %9s %8s | %8s %8s %8s %6s\n' "$(basename "$t" .frt)" "${E[$t]}" "$before" \
		"$(median <<<"${F[$t]}")" "$(median <<<"${P[$t]}")" "$batch" "$ratio"
done
