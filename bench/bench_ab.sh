#!/usr/bin/env bash
# bench_ab.sh - bench_replay.sh's figures for two builds, old and new, on one
# trace in one run: ROUNDS rounds, each one bench_replay.sh run of old then
# one of new (interleaved, so a noisy host weighs on both alike). Prints per
# figure the median of each and new/old. No pass/fail.
#   e.g. a synthetic node: build/bench/gen_synthetic /tmp/syn.frt 64 10000000
#
# Usage: bench_ab.sh OLD/fragreplay NEW/fragreplay [TRACE.frt] [ROUNDS]
#   default trace: the largest in traces/samples; ROUNDS: 5
set -u
old=${1:?usage: $0 OLD NEW [TRACE.frt] [ROUNDS]}
new=${2:?usage: $0 OLD NEW [TRACE.frt] [ROUNDS]}
here=$(cd "$(dirname "$0")/.." && pwd)
trace=${3:-$(ls -S "$here"/traces/samples/*.frt | head -n 1)}
rounds=${4:-5}
work=$(mktemp -d /tmp/frt-bench-ab.XXXXXX)
trap 'rm -rf "$work"' EXIT

# one bench_replay.sh run as "name value" lines
figures() {
	bash "$here/bench/bench_replay.sh" "$1" "$trace" 1 | tee -a "$work/log" | awk '
	/^replay end to end/      { print "replay_s", $5; print "replay_Mev_s", $7 }
	/^setup only/             { print "setup_s", $4 }
	/^event loop/             { print "loop_s", $3; print "loop_Mev_s", $5 }
	/^CPU \(user/              { print "replay_cpu_s", $5; print "setup_cpu_s", $8; print "loop_Mev_cpu_s", $13 }
	/^compare \(2 variants\)/ { print "compare2_s", $4; print "compare2_over_replay", $9 }
	/^compare \(4 variants\)/ { print "compare4_s", $4; print "compare4_over_replay", $9
	                            print "compare4_cpu_over_replay", $14 }
	/^peak RSS replay/        { print "rss_replay_MB", $4 }
	/^peak RSS compare/       { print "rss_compare2_MB", $4; print "rss_compare4_MB", $8 }
	/^peak RSS per pfn/       { print "rss_per_pfn_B", $5; print "rss_per_pfn_compare4_B", $15 }'
}
for ((i = 0; i < rounds; i++)); do
	figures "$old" >>"$work/old" || exit 1
	figures "$new" >>"$work/new" || exit 1
done
echo "trace: $trace ($rounds interleaved rounds, medians; load average $(cut -d' ' -f1 /proc/loadavg))"
printf "%-24s %10s %10s %8s\n" figure old new new/old
for f in $(awk '{ print $1 }' "$work/old" | awk '!seen[$0]++'); do
	o=$(awk -v f="$f" '$1 == f { print $2 }' "$work/old" | sort -g |
		awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	n=$(awk -v f="$f" '$1 == f { print $2 }' "$work/new" | sort -g |
		awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	awk -v f="$f" -v o="$o" -v n="$n" 'BEGIN { printf "%-24s %10s %10s %8.2f\n", f, o, n, o ? n / o : 0 }'
done
