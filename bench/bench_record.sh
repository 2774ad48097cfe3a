#!/usr/bin/env bash
# bench_record.sh - what `fragreplay record` costs on this host, next to perf
# record of the same tracepoints. Prints figures, medians of 3 runs; no
# pass/fail. About 2-3 minutes; at most ~1 GiB of memory at a time.
#   (a) the event rate record sustains, and what it loses (to full rings, and to
#       the kernel's BPF recursion guard where no catcher recorded), under the stress-ng
#       stressors that drive the page allocator hardest here (mmapfixed:
#       ~1.2M mm_page_alloc/s and ~2.4M kmem events/s untraced on 2 CPUs),
#       in total and on the busiest CPU (each CPU has its own ring buffer);
#   (b) host overhead: a workload's throughput (stress-ng bogo ops/s) with no
#       tracer, under fragreplay record and under perf record, and the CPU
#       time each recorder process spends itself while the workload runs
#       (sampled from /proc around the workload: start-up and snapshots are
#       not capture cost);
#       and the same as CPU time per bogo op (the workload's user+sys, where
#       the BPF programs and perf's handlers run, plus the recorder's), which
#       other tenants of a shared host disturb far less than wall-clock time;
#   (c) bytes on disk per event, .frt against perf.data (and perf.data after
#       zstd -19), both recorders attached to the same run.
# Traces and perf.data go to a temporary directory under /var/tmp, removed
# at the end. perf record runs with -B (no build-id pass over perf.data after
# the run, which takes minutes on a few GB and costs nothing during it).
#
# Usage: bench_record.sh FRAGREPLAY     (as root; needs perf, stress-ng, zstd)
#        RUNS=5 PARTS=b bench_record.sh FRAGREPLAY: more runs, only part (b)
set -u
frag=${1:?usage: $0 FRAGREPLAY}
RUNS=${RUNS:-3}
SECS=3
# what fragreplay records by default, as perf tracepoints
PERF_EVENTS=(-e kmem:mm_page_alloc,kmem:mm_page_free,kmem:mm_page_free_batched,kmem:mm_page_alloc_zone_locked,kmem:mm_page_pcpu_drain,kmem:mm_page_alloc_extfrag
	     -e 'compaction:*' -e 'migrate:*')
# the workload of (b): anonymous faults and unmaps, fine-grained bogo ops
VM_LOAD=(--vm 2 --vm-bytes 256M --vm-method write64)

die() { echo "bench_record.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root"
for tool in perf stress-ng zstd python3; do
	command -v $tool >/dev/null || die "needs $tool"
done
work=$(mktemp -d /var/tmp/frt-bench.XXXXXX)
declare -A sub # recorder name -> its subshell
cleanup() {
	local f
	for f in "$work"/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	wait
	rm -rf "$work"
}
trap cleanup EXIT
mkfifo "$work/ctl" "$work/ack"
exec 3<>"$work/ctl" 4<>"$work/ack" # perf's control fifos; read-write never blocks

# median: of the lines on stdin, by their first number; the whole line
median() { sort -g | awk '{ v[NR] = $0 } END { print NR ? v[int((NR + 1) / 2)] : "nan" }'; }
now() { echo "${EPOCHREALTIME/./}"; } # microseconds
. "$(dirname "$0")/../tests/bpf/lib.sh" # wait_for

# A recorder runs in a subshell that notes its pid and, once it has exited,
# its CPU time (bash's `times`, children's line: the recorder alone).
# tracer_start KIND NAME: KIND frag or perf; returns when fragreplay is
# recording, or perf is ready with its events disabled (perf_ctl enables them).
tracer_start() {
	local kind=$1 out=$work/$2
	: >"$out.err"
	(
		if [ "$kind" = frag ]; then
			"$frag" record -o "$out.frt" -d 120 2>"$out.err" &
		else
			perf record -B -a -o "$out.data" -D -1 --control "fifo:$work/ctl,$work/ack" \
				"${PERF_EVENTS[@]}" 2>"$out.err" &
		fi
		echo $! >"$out.pid"
		wait $!
		times >"$out.cpu" # 2nd line: this subshell's children
	) &
	sub[$2]=$!
	for _ in $(seq 100); do [ -s "$out.pid" ] && break; sleep 0.01; done
	if [ "$kind" = frag ]; then
		wait_for "$out.err" "capture switched on" "$(cat "$out.pid")" ||
			die "fragreplay record did not start: $(cat "$out.err")"
	else
		wait_for "$out.err" "Events disabled" "$(cat "$out.pid")" ||
			die "perf record did not start: $(cat "$out.err")"
	fi
}
perf_ctl() { # perf_ctl enable|disable: returns once perf has done it
	echo "$1" >&3
	read -r -t 10 -u 4 _ || die "perf record did not acknowledge '$1'"
}
# tracer_stop NAME: SIGINT, wait; sets $cpu_s to the recorder's user + sys seconds.
# Not in $(...): only this shell can wait for the subshell.
tracer_stop() {
	local out=$work/$1
	kill -INT "$(cat "$out.pid")"
	wait "${sub[$1]}"
	rm -f "$out.pid"
	cpu_s=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } }
		     END { print t + 0 }' "$out.cpu")
}
# stress ARGS...: run stress-ng for SECS; prints "bogo-ops/s seconds bogo-ops cpu-seconds"
# (cpu: the stressors' user+sys)
stress() {
	local t0 t1 ops
	t0=$(now)
	ops=$(stress-ng "$@" -t $SECS --metrics-brief 2>&1 |
	      awk '/metrc:/ && $5 ~ /^[0-9]+$/ { s += $9; o += $5; c += $7 + $8 }
		   END { print s + 0, o + 0, c + 0 }')
	t1=$(now)
	read -r ops o c <<<"$ops"
	echo "$ops $(awk -v us=$((t1 - t0)) 'BEGIN { print us / 1e6 }') $o $c"
}
# pcpu NAME: user+sys seconds the recorder NAME has used so far
pcpu() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$(cat "$work/$1.pid")/stat"; }
# frt_stats NAME: prints "events lost bytes capture_cpu_s busiest_cpu_offered_events
# recursion_missed recursion_caught"; capture_cpu_s (the STATS frame's) is "-" for traces of
# fragreplay before format 1.1, the recursion figures "-" where the STATS frame lacks them
# (caught: calls the kernel's recursion guard refused a program that its catcher recorded)
frt_stats() {
	"$frag" info --json "$work/$1.frt" | python3 -c '
import json, sys
j = json.load(sys.stdin)
st = j["lost"]
cpu = st.get("capture_cpu_ns")
by_cpu = j.get("events_by_cpu") or [j["events"]]
lost = st.get("lost_per_cpu", [])
busiest = max(n + (lost[i] if i < len(lost) else 0) for i, n in enumerate(by_cpu))
print(j["events"], st["lost_total"], j["file_size"], "-" if cpu is None else cpu / 1e9, busiest,
      st.get("recursion_misses", "-"), st.get("recursion_caught", "-"))'
}
# perf_stats NAME: prints "samples lost bytes" (lost: samples the kernel
# dropped, summed over the per-event LOST_SAMPLES lines of perf report --stat)
perf_stats() {
	perf report --stat -i "$work/$1.data" 2>/dev/null | awk -v size="$(stat -c %s "$work/$1.data")" '
		/^[^ ]+:[^ ]+ stats:$/ { per_event = 1 }
		!per_event && /^ *SAMPLE events:/ { samples = $3 }
		per_event && /^ *LOST_SAMPLES events:/ { lost += $3 }
		END { print samples + 0, lost + 0, size }'
}

echo "host: $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
idle=$(perf stat -x, -e kmem:mm_page_alloc -a -- sleep 1 2>&1 | awk -F, '/mm_page_alloc/ { print $1 }')
echo "background before the runs: ${idle:-?} mm_page_alloc/s"

if [[ ${PARTS:-abc} == *a* ]]; then
echo
echo "(a) sustained rate under fragreplay record (default ring buffer), $SECS s runs, medians of $RUNS"
printf '    %-50s %10s %10s %10s %13s %9s %9s %8s %13s\n' workload recorded/s offered/s "1 CPU/s" \
	"lost (runs)" "rec. CPU" "CPU/event" bytes/ev "missed/caught"
ok_max=0 lost_min= ok_cpu=0 # offered rates (recorded + lost events/s) of runs without, with losses
rate_row() { # rate_row LABEL STRESS-ARGS...
	local label=$1 i rec=() off=() one=() losts=() cpus=() nspe=() bpe=() rms=() rcs=() secs ev lost bytes o c b rm rc
	shift
	for i in $(seq $RUNS); do
		tracer_start frag a
		c=$(pcpu a)
		read -r _ secs < <(stress "$@")
		c=$(awk -v a="$c" -v b="$(pcpu a)" 'BEGIN { print b - a }')
		tracer_stop a
		read -r ev lost bytes _ b rm rc < <(frt_stats a)
		rms+=("$rm") rcs+=("$rc")
		rm -f "$work"/a.*
		o=$(awk -v e=$((ev + lost)) -v s="$secs" 'BEGIN { printf "%.0f", e / s }')
		b=$(awk -v e="$b" -v s="$secs" 'BEGIN { printf "%.0f", e / s }')
		rec+=("$(awk -v e="$ev" -v s="$secs" 'BEGIN { printf "%.0f", e / s }')") off+=("$o") one+=("$b")
		losts+=("$lost") bpe+=("$(awk -v b="$bytes" -v e="$ev" 'BEGIN { printf "%.2f", b / e }')")
		cpus+=("$(awk -v c="$c" -v s="$secs" 'BEGIN { printf "%.0f%%", 100 * c / s }')")
		nspe+=("$(awk -v c="$c" -v e="$ev" 'BEGIN { printf "%.0f ns", 1e9 * c / e }')")
		if [ "$lost" = 0 ]; then
			((o > ok_max)) && ok_max=$o
			((b > ok_cpu)) && ok_cpu=$b
		elif [ -z "$lost_min" ] || ((o < lost_min)); then
			lost_min=$o
		fi
	done
	printf '    %-50s %10s %10s %10s %13s %9s %9s %8s %13s\n' "$label" \
		"$(printf '%s\n' "${rec[@]}" | median)" "$(printf '%s\n' "${off[@]}" | median)" \
		"$(printf '%s\n' "${one[@]}" | median)" \
		"$(printf '%s\n' "${losts[@]}" | sort -g | tail -1) $(printf '%s\n' "${losts[@]}" | grep -vcx 0)/$RUNS" \
		"$(printf '%s\n' "${cpus[@]}" | median)" \
		"$(printf '%s\n' "${nspe[@]}" | median)" "$(printf '%s\n' "${bpe[@]}" | median)" \
		"$(printf '%s\n' "${rms[@]}" | median)/$(printf '%s\n' "${rcs[@]}" | median)"
}
for n in 1 2 4; do
	rate_row "stress-ng --mmapfixed $n" --mmapfixed $n
done
rate_row "stress-ng ${VM_LOAD[*]}" "${VM_LOAD[@]}"
echo "    (events/s over the stressor's run: recorded, and offered = recorded + lost, in total and"
echo "     on the busiest CPU; lost: the worst run, and how many runs lost any; rec. CPU: user+sys"
echo "     of the fragreplay process while the stressor ran, in % of one CPU and per recorded"
echo "     event: it keeps up while its CPU share exceeds rate x CPU/event; missed/caught: medians of"
echo "     the events the kernel's BPF recursion guard refused that no catcher recorded, and that"
echo "     the catchers recorded)"
echo "    busiest CPU without a loss: $ok_cpu events/s"
if [ -z "$lost_min" ]; then
	echo "    nothing lost, up to $ok_max events/s offered"
elif ((lost_min > ok_max)); then
	echo "    losses begin between $ok_max (none lost) and $lost_min events/s offered"
else
	echo "    losses are not a matter of rate alone: none lost at $ok_max events/s offered, losses"
	echo "    at $lost_min: the recorder lacked CPU there (more stressors than CPUs)"
fi

fi

if [[ ${PARTS:-abc} == *b* ]]; then
echo
echo "(b) host overhead, stress-ng ${VM_LOAD[*]}, $SECS s runs interleaved, medians of $RUNS"
declare -A ops cpu per_ev drops size bogo wl rec rmiss rcaught
# traced NAME KIND: one run of the workload under recorder KIND; its figures into the arrays
traced() {
	local k=$1 c0 c1 o bo c ev l bytes rm=- rc=-
	tracer_start "$k" b
	[ "$k" = perf ] && perf_ctl enable
	c0=$(pcpu b)
	read -r o _ bo c < <(stress "${VM_LOAD[@]}")
	c1=$(pcpu b)
	tracer_stop b
	if [ "$k" = perf ]; then read -r ev l bytes < <(perf_stats b); else read -r ev l bytes _ _ rm rc < <(frt_stats b); fi
	c1=$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')
	cpu[$k]+="$c1 " rec[$k]+="$c1 " bogo[$k]+="$bo " wl[$k]+="$c "
	ops[$k]+="$o " per_ev[$k]+="$ev " drops[$k]+="$l " size[$k]+="$bytes " rmiss[$k]+="$rm " rcaught[$k]+="$rc "
	rm -f "$work"/b.*
}
for i in $(seq $RUNS); do
	read -r o _ bo c < <(stress "${VM_LOAD[@]}")
	ops[none]+="$o " bogo[none]+="$bo " wl[none]+="$c " rec[none]+="0 "
	traced frag
	traced perf
done
m() { tr ' ' '\n' <<<"$1" | grep . | median; }
none=$(m "${ops[none]}")
printf '    %-18s %10s bogo ops/s\n' "no tracer" "$none"
for k in frag perf; do
	label="fragreplay record" unit=event
	[ $k = perf ] && label="perf record" unit=sample
	o=$(m "${ops[$k]}") c=$(m "${cpu[$k]}") ev=$(m "${per_ev[$k]}")
	awk -v label="$label" -v o="$o" -v n="$none" -v c="$c" -v s=$SECS -v ev="$ev" -v u=$unit \
	    -v l="$(m "${drops[$k]}")" -v b="$(m "${size[$k]}")" 'BEGIN {
		printf "    %-18s %10s bogo ops/s   ratio to none %.3f\n", label, o, o / n
		printf "    %18s recorder CPU %.2f s (%.0f%% of a CPU, %.0f ns/%s); %d %ss, lost %d, %.1f MB\n",
		       "", c, 100 * c / s, 1e9 * c / ev, u, ev, u, l, b / 1e6 }'
	[ $k = frag ] && printf '    %18s BPF recursion: missed %s, caught %s (per run)\n' "" \
		"$(tr -s ' ' <<<"${rmiss[$k]}")" "$(tr -s ' ' <<<"${rcaught[$k]}")"
done
awk -v n="$none" -v f="$(m "${ops[frag]}")" -v p="$(m "${ops[perf]}")" 'BEGIN {
	cf = 1 - f / n; cp = 1 - p / n
	printf "    throughput lost (wall clock): fragreplay %.1f%%, perf %.1f%%", 100 * cf, 100 * cp
	if (cp > 0) printf "; fragreplay costs %.2fx what perf costs", cf / cp
	printf "\n" }'
# CPU per bogo op over all runs: (workload user+sys + recorder) / ops
sum() { tr ' ' '\n' <<<"$1" | awk '{ s += $1 } END { print s + 0 }'; }
per_op() { awk -v w="$(sum "${wl[$1]}")" -v r="$(sum "${rec[$1]}")" -v o="$(sum "${bogo[$1]}")" \
	'BEGIN { printf "%.1f %.1f %.1f", 1e6 * (w + r) / o, 1e6 * w / o, 1e6 * r / o }'; }
read -r n_all _ <<<"$(per_op none)"
read -r f_all f_wl f_rec <<<"$(per_op frag)"
read -r p_all p_wl p_rec <<<"$(per_op perf)"
awk -v n="$n_all" -v f="$f_all" -v fw="$f_wl" -v fr="$f_rec" -v p="$p_all" -v pw="$p_wl" -v pr="$p_rec" 'BEGIN {
	printf "    CPU per bogo op, all runs: no tracer %.1f us; fragreplay %.1f us (workload %.1f, recorder %.1f);\n", n, f, fw, fr
	printf "    perf %.1f us (workload %.1f, recorder %.1f)\n", p, pw, pr
	printf "    CPU cost: fragreplay +%.1f%%, perf +%.1f%%", 100 * (f / n - 1), 100 * (p / n - 1)
	if (p > n) printf "; fragreplay costs %.2fx what perf costs", (f - n) / (p - n)
	printf "\n" }'

fi

if [[ ${PARTS:-abc} == *c* ]]; then
echo
echo "(c) bytes on disk per event, both recorders on the same run (page cache + anonymous"
echo "    memory: 128 MiB written and read back, then stress-ng --vm 1 --vm-bytes 128M, 1 s), medians of $RUNS"
frt_bpe=() perf_bpe=() zst=
for i in $(seq $RUNS); do
	# nested, so that neither records the other's start-up or teardown
	tracer_start perf d
	tracer_start frag c
	perf_ctl enable
	dd if=/dev/zero of="$work/f" bs=1M count=128 conv=fdatasync oflag=nocache status=none
	cat "$work/f" >/dev/null
	stress-ng --vm 1 --vm-bytes 128M -t 1 -q
	rm -f "$work/f"
	perf_ctl disable
	tracer_stop c
	tracer_stop d
	read -r ev l bytes _ < <(frt_stats c)
	frt_bpe+=("$(awk -v b="$bytes" -v e="$ev" 'BEGIN { printf "%.2f", b / e }') $ev $l")
	read -r ev l bytes < <(perf_stats d)
	perf_bpe+=("$(awk -v b="$bytes" -v e="$ev" 'BEGIN { printf "%.2f", b / e }') $ev $l")
	if [ $i = 1 ]; then # zstd -19 runs at ~2 MB/s here: once
		zstd -19 -T0 -q "$work/d.data" -o "$work/d.zst"
		zst=$(awk -v b="$(stat -c %s "$work/d.zst")" -v e="$ev" 'BEGIN { printf "%.2f", b / e }')
	fi
	rm -f "$work"/c.* "$work"/d.*
done
read -r bpe ev l < <(printf '%s\n' "${frt_bpe[@]}" | median)
printf '    .frt                  %6s bytes/event   (%s events, lost %s)\n' "$bpe" "$ev" "$l"
read -r bpe ev l < <(printf '%s\n' "${perf_bpe[@]}" | median)
printf '    perf.data             %6s bytes/sample  (%s samples, lost %s)\n' "$bpe" "$ev" "$l"
printf '    perf.data, zstd -19   %6s bytes/sample  (first run only)\n' "$zst"
fi
