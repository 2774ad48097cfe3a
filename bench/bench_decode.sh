#!/usr/bin/env bash
# bench_decode.sh - the reader's decode rate on every sample, one core, in M events/s
# (medians of RUNS runs each, from bench_format --decode-only): the frames alone (read,
# CRC, zstd: the floor under any event decoder), events one call at a time
# (frt_reader_next) and in batches (frt_reader_next_batch, replay's way). With a second
# build, its bench_format's figure beside them (an older tree prints one decode figure),
# run right before on the same trace: a before/after table from one sitting.
#
#   git worktree add /tmp/old OLDCOMMIT && cmake -S /tmp/old -B /tmp/old/build \
#       -DCMAKE_BUILD_TYPE=Release && cmake --build /tmp/old/build --target bench_format
#   bash bench/bench_decode.sh build-rel /tmp/old/build 7
#
# Usage: bench_decode.sh BUILD [OLD_BUILD|-] [RUNS] [TRACE.frt ...]
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

printf '%-28s %9s %8s | %8s %8s %8s %6s\n' trace events before "frames" "per-ev" batch "b/bef"
for t in "$@"; do
	before=-
	if [ "$old" != - ]; then
		before=$("$old/bench/bench_format" "$t" "$runs" --decode-only | rate "reader decode")
	fi
	out=$("$new/bench/bench_format" "$t" "$runs" --decode-only) || exit 1
	events=$(printf '%s\n' "$out" | awk '/per event/ { sub(/\(/, "", $(NF - 4)); print $(NF - 4) }')
	frames=$(printf '%s\n' "$out" | rate "reader frames only")
	per=$(printf '%s\n' "$out" | rate "reader decode, per event")
	batch=$(printf '%s\n' "$out" | rate "reader decode, batch")
	ratio=$(awk -v a="$batch" -v b="$before" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }')
	printf '%-28s %9s %8s | %8s %8s %8s %6s\n' "$(basename "$t" .frt)" "$events" "$before" \
		"$frames" "$per" "$batch" "$ratio"
done
