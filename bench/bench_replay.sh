#!/usr/bin/env bash
# bench_replay.sh - what replay and compare cost on a trace. Prints figures,
# medians of RUNS runs; no pass/fail. Runs are interleaved (replay, compare,
# setup-only, replay, ...) so a noisy host weighs on all three alike.
#   - replay end to end: events/s over the wall time of `fragreplay replay`
#     (model build from the start snapshot included), default --interval 1s;
#   - setup only: the same trace cut after its start snapshot (header,
#     metadata and SNAPSHOT frames only), so the event loop's own rate is
#     events / (replay - setup);
#   - the CPU time (user + sys) of replay and of setup alone, steadier than
#     wall time on a shared host (replay runs a decoder thread beside the
#     model's, so CPU can exceed wall);
#   - compare vanilla vs defrag_mode wall time over replay wall time;
#   - compare --variants of all four presets (one decode, a thread per
#     variant) over replay wall time: the issue's target is <= 1.6x; the
#     median of the per-run ratios, then their range (this host's noise);
#   - peak RSS of replay and compare against the trace's size and the
#     modelled memory (the pfns the zones span, in GiB), and per modelled
#     pfn: replay's, and compare's per variant (the issue's budget is 8 B).
#   bench_synthetic.sh runs this on a SYNTHETIC large node made at run time.
#
# Usage: bench_replay.sh FRAGREPLAY [TRACE.frt] [RUNS]
#   default trace: the largest in traces/samples; RUNS: 5
set -u
frag=${1:?usage: $0 FRAGREPLAY [TRACE.frt] [RUNS]}
here=$(cd "$(dirname "$0")/.." && pwd)
trace=${2:-$(ls -S "$here"/traces/samples/*.frt | head -n 1)}
RUNS=${3:-5}
work=$(mktemp -d /tmp/frt-bench-replay.XXXXXX)
trap 'rm -rf "$work"' EXIT

# header + metadata + SNAPSHOT frames (FORMAT.md sections 3 and 5.1)
python3 - "$trace" "$work/setup.frt" <<'PY' || exit 1
import struct, sys
b = open(sys.argv[1], 'rb').read()
m = struct.unpack_from('<I', b, 20)[0]
out, off = bytearray(b[:32 + m]), 32 + m
while off + 24 <= len(b):
    typ, stored = b[off + 4], struct.unpack_from('<I', b, off + 8)[0]
    if typ == 2:
        out += b[off:off + 24 + stored]
    off += 24 + stored
open(sys.argv[2], 'wb').write(out)
PY

# wall seconds, peak RSS (KB) and CPU seconds (user + sys) of one command,
# "SECS KB CPU". The wall time is bash's clock in microseconds around it:
# time's own %e has 10 ms steps, 2.5% of a 0.4 s replay, which is as much as
# the differences this bench is asked about.
measure() {
	local t0=${EPOCHREALTIME/./} t1
	/usr/bin/time -f '%M %U %S' -o "$work/t" "$@" >"$work/out" 2>/dev/null || {
		echo "bench_replay.sh: failed: $*" >&2
		exit 1
	}
	t1=${EPOCHREALTIME/./}
	awk -v us=$((t1 - t0)) '{ printf "%.6f %s %s\n", us / 1e6, $1, $2 + $3 }' "$work/t"
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$work/replay"; : >"$work/compare"; : >"$work/setup"; : >"$work/ratio"
: >"$work/nway"; : >"$work/nratio"
for ((i = 0; i < RUNS; i++)); do
	r=$(measure "$frag" replay "$trace")
	events=$(sed -n 's/^replayed  \([0-9,]*\) events.*/\1/p' "$work/out" | tr -d ,)
	c=$(measure "$frag" compare "$trace" --a vanilla --b defrag_mode)
	n=$(measure "$frag" compare "$trace" --variants vanilla,defrag_mode,evacuate,capture-split)
	echo "$n" >>"$work/nway"
	awk -v r="$r" -v n="$n" 'BEGIN { split(r, a, " "); split(n, b, " "); print b[1] / a[1], b[3] / a[3] }' >>"$work/nratio"
	s=$(measure "$frag" replay "$work/setup.frt")
	echo "$r" >>"$work/replay"
	echo "$c" >>"$work/compare"
	echo "$s" >>"$work/setup"
	awk -v r="$r" -v c="$c" 'BEGIN { split(r, a, " "); split(c, b, " "); print b[1] / a[1] }' >>"$work/ratio"
done

rt=$(cut -d' ' -f1 "$work/replay" | median)
rc=$(cut -d' ' -f3 "$work/replay" | median)
sc=$(cut -d' ' -f3 "$work/setup" | median)
ct=$(cut -d' ' -f1 "$work/compare" | median)
st=$(cut -d' ' -f1 "$work/setup" | median)
rr=$(cut -d' ' -f2 "$work/replay" | median)
cr=$(cut -d' ' -f2 "$work/compare" | median)
ratio=$(median <"$work/ratio")
nt=$(cut -d' ' -f1 "$work/nway" | median)
nr=$(cut -d' ' -f2 "$work/nway" | median)
nratio=$(cut -d' ' -f1 "$work/nratio" | median)
ncpu=$(cut -d' ' -f2 "$work/nratio" | median)
nlo=$(cut -d' ' -f1 "$work/nratio" | sort -g | head -n 1)
nhi=$(cut -d' ' -f1 "$work/nratio" | sort -g | tail -n 1)
load=$(cut -d' ' -f1 /proc/loadavg)
size=$(stat -c %s "$trace")
pfns=$("$frag" info --json "$trace" | python3 -c '
import json, sys
z = json.load(sys.stdin)["metadata"]["zones"]
print(sum(x["spanned"] for x in z))' 2>/dev/null || echo 0)
gib=$(awk -v p="$pfns" 'BEGIN { printf "%.1f", p * 4096 / 2^30 }')

export NCPU=$(nproc)
echo "trace: $trace ($events events, $((size / 1000)) kB, models ${gib} GiB of pfns; $RUNS runs, medians)"
awk -v e="$events" -v rt="$rt" -v st="$st" -v rc="$rc" -v sc="$sc" -v ct="$ct" -v ratio="$ratio" -v rr="$rr" -v cr="$cr" \
	-v size="$size" -v pfns="$pfns" -v nt="$nt" -v nratio="$nratio" -v nr="$nr" -v ncpu="$ncpu" -v load="$load" -v nlo="$nlo" -v nhi="$nhi" 'BEGIN {
	printf "replay end to end      %6.3f s  %6.2f M events/s\n", rt, e / rt / 1e6
	printf "setup only (snapshot)  %6.3f s\n", st
	if (rt > st)
		printf "event loop             %6.3f s  %6.2f M events/s\n", rt - st, e / (rt - st) / 1e6
	printf "CPU (user + sys)       %6.3f s replay, %.3f s setup; event loop %.2f M events/CPU-s\n",
		rc, sc, (rc > sc ? e / (rc - sc) / 1e6 : 0)
	printf "compare (2 variants)   %6.3f s  compare / replay %.2f (median of per-pair ratios)\n", ct, ratio
	printf "compare (4 variants)   %6.3f s  compare / replay %.2f wall (target <= 1.6), %.2f CPU; runs %.2f-%.2f\n", nt, nratio, ncpu, nlo, nhi
	printf "                       (load average %s at the end, on %d CPUs)\n", load, ENVIRON["NCPU"]
	printf "peak RSS replay        %6.0f MB  (%.0f x the trace file)\n", rr / 1024, rr * 1024 / size
	printf "peak RSS compare       %6.0f MB (2 variants), %.0f MB (4)\n", cr / 1024, nr / 1024
	if (pfns > 0)
		printf "peak RSS per pfn       %6.1f B replay, %.1f B per variant of compare (2), %.1f (4)\n",
			rr * 1024 / pfns, cr * 1024 / pfns / 2, nr * 1024 / pfns / 4
}'
