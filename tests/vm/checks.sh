#!/bin/sh
# tests/vm/checks.sh - the kernel matrix's checks on the kernel this runs on:
# inside a qemu guest (guest-init.sh runs it under busybox sh) or on the host
# itself (run_matrix.sh). POSIX sh and awk only: the guest has busybox.
#
# Usage: checks.sh FRAGREPLAY PROGCHECK OBJDIR WORKDIR
# Prints, for run_matrix.sh to tabulate:
#   INFO key value...               the kernel, timings
#   PROG <progcheck's line>         one per BPF program
#   RESULT check PASS|FAIL detail   one per check below
#
# Checks:
#   load:collector  every program of collector.bpf.o loads and attaches, one by one
#   load:snapshot   every program of snapshot.bpf.o loads (the vm_* pair attaches)
#   record          `fragreplay record` (all groups) starts, exits 0, complete, nothing
#                   lost in its ring buffers, events the kernel's recursion check
#                   skipped (a program of ours already running on the CPU) that no
#                   catcher program recorded counted in the trace and warned about,
#                   never silent; both
#                   snapshots, and the workload (>= 64 MiB) in it
#   walk            both snapshots read struct page through BPF (not the
#                   /proc/kpageflags fallback)
#   fit             both snapshots' pageblock fit passes its 1% check
#   count:tracefs   per event type, the trace's count over a marked window lies in
#                   the bracket that a tracefs instance (same tracepoints, same clock)
#                   counted over the window narrowed and widened by 2 ms
#   count:vmstat    pages allocated in the window (2^order per mm_page_alloc) within
#                   1% of /proc/vmstat's pgalloc_* delta (tests/bpf/test_crosscheck.sh
#                   says why not exactly)
#   snapshot        `fragreplay snapshot` directories before and after the window,
#                   and `fragreplay import` of the instance's ftrace text with them:
#                   exit 0, every event line imported, start snapshot from kpageflags
#
# The window: the instance is switched on, then M1 and M2 are written to its
# trace_marker around the workload; its clock is "mono", the clock of
# bpf_ktime_get_ns(), so the markers' times bound both counts. If `record`
# refuses to start with all groups, the later checks still run, on a capture
# of the groups whose programs all loaded and attached, and say so.
set -u
frag=$1 progcheck=$2 objdir=$3 w=$4
DELTA_S=0.002
MIN_PAGES=16384 # the workload allocates 64 MiB of page cache: 16384 pages
T=/sys/kernel/tracing
inst=$T/instances/frt-matrix-$$
rec=

result() { echo "RESULT $1 $2 $3"; }
now() { cut -d' ' -f1 /proc/uptime; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
cleanup() {
	[ -n "$rec" ] && kill "$rec" 2>/dev/null
	[ -d "$inst" ] && echo 0 >"$inst/tracing_on" && rmdir "$inst" 2>/dev/null
	rm -f /dev/shm/frt-matrix-wl
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "INFO kernel $(uname -r)"
echo "INFO memory $(awk '/MemTotal/ { print int($2 / 1024) " MiB" }' /proc/meminfo), $(grep -c ^processor /proc/cpuinfo) CPUs"
[ -r /sys/kernel/btf/vmlinux ] || echo "INFO no /sys/kernel/btf/vmlinux"

# ---- load:collector, load:snapshot
t0=$(now)
"$progcheck" "$objdir/collector.bpf.o" "$objdir/snapshot.bpf.o" >"$w/progs" 2>&1
sed 's/^/PROG /' "$w/progs"
echo "INFO time progcheck $(took "$t0")"
for obj in collector snapshot; do
	awk -F'\t' -v obj="$obj.bpf.o" '
	$1 == "prog" && $2 == obj {
		n++
		if ($4 == "load=ok") { ok++; split($5, a, "="); if (a[2] > max) max = a[2] }
		split($6, m, "="); ms += m[2]
		if ($7 == "attach=ok") att++
		if ($7 != "attach=n/a") natt++
		if ($4 == "load=absent") absent++
		else if ($4 != "load=ok" || $7 == "attach=FAIL") why[$3] = $8
	}
	$1 == "twin" && $2 == obj { twin[$3] = 1; twins++ }
	END {
		for (p in why) if (!(p in twin)) bad = bad sprintf("; %s: %s", p, why[p])
		printf "RESULT load:%s %s %d/%d loaded (%d for tracepoints this kernel lacks, %d tp_btf refused with their tp/ twin used), %d/%d attached, at most %d insns verified, loads took %.1f s%s\n",
		    substr(obj, 1, index(obj, ".") - 1), n && !bad ? "PASS" : "FAIL",
		    ok, n, absent, twins, att, natt, max, ms / 1000, n ? bad : "; progcheck printed nothing"
	}' "$w/progs"
done

# our tracepoints (collector.bpf.o's programs are named after them):
# NAME GROUP OK, OK = 1 when its program loaded and attached
awk -F'\t' '$1 == "prog" && $2 == "collector.bpf.o" {
	print $3, $3 ~ /^mm_compaction/ ? "compaction" : $3 ~ /^mm_page/ ? "kmem" : "migrate",
	    $4 == "load=ok" && $7 == "attach=ok"
}' "$w/progs" >"$w/tps"
# the groups whose every program loaded and attached
groups=$(awk '{ seen[$2] = 1; if (!$3) bad[$2] = 1 }
	END { for (g in seen) if (!bad[g]) printf "%s%s", n++ ? "," : "", g }' "$w/tps")

# ---- the window: a tracefs instance of the same tracepoints, record beside it
mkdir "$inst" || { result record FAIL "cannot create a tracefs instance at $inst"; exit 1; }
echo mono >"$inst/trace_clock"
echo 16384 >"$inst/buffer_size_kb"
echo 0 >"$inst/tracing_on"
while read -r tp g ok; do
	for e in "$inst"/events/"$g"/"$tp"/enable; do [ -e "$e" ] && echo 1 >"$e"; done
done <"$w/tps"

# start_record ARGS...: start a capture; 0 once it captures, 1 if it exits first
start_record() {
	rm -f "$w/a.frt"
	"$frag" record -o "$w/a.frt" "$@" 2>"$w/rec.err" &
	rec=$!
	while ! grep -qE 'recording to|capturing' "$w/rec.err" 2>/dev/null; do
		kill -0 "$rec" 2>/dev/null || { wait "$rec"; rec=; return 1; }
		sleep 0.2
	done
}
t0=$(now)
rec_groups=kmem,compaction,migrate rec_note=
if ! start_record; then
	result record FAIL "record (all groups) did not start: $(tail -1 "$w/rec.err")"
	rec_groups=$groups rec_note=" (capture with --events $groups)"
	if [ -z "$groups" ] || ! start_record --events "$groups"; then
		echo "INFO record with --events '$groups' did not start either: $(tail -1 "$w/rec.err")"
		rec_groups= rec_note=
	fi
fi
[ -n "$rec" ] && echo "INFO time record-start $(took "$t0") (BPF load and start snapshot)"

"$frag" snapshot "$w/s1" >/dev/null 2>"$w/s1.err"
s1=$?
echo 1 >"$inst/tracing_on"
sleep 0.2
# %.0f: mawk prints a sum past 2^31 as 2.38503e+09, which $((...)) refuses
pgalloc() { awk '/^pgalloc_/ { s += $2 } END { printf "%.0f\n", s }' /proc/vmstat; }
v1=$(pgalloc)
echo frt-M1 >"$inst/trace_marker"
sleep 0.2
t0=$(now)
dd if=/dev/zero of=/dev/shm/frt-matrix-wl bs=64k count=1024 2>/dev/null # page cache
rm -f /dev/shm/frt-matrix-wl
dd if=/dev/zero of=/dev/null bs=16M count=2 2>/dev/null # a 16 MiB anonymous buffer
echo 1 >/proc/sys/vm/compact_memory
echo "INFO time workload $(took "$t0")"
sleep 0.2
echo frt-M2 >"$inst/trace_marker"
v2=$(pgalloc)
sleep 0.2
echo 0 >"$inst/tracing_on"
"$frag" snapshot "$w/s2" >/dev/null 2>"$w/s2.err"
s2=$?
if [ -n "$rec" ]; then
	# calls the kernel skipped because the program ran on the CPU already (an
	# interrupt's event during ours), per program: the trace's recursion_misses
	# are those of them no catcher program recorded (collector.bpf.c, HOT())
	misses=$(cat /proc/"$rec"/fdinfo/* 2>/dev/null | awk '/^recursion_misses:/ { s += $2 } END { print s + 0 }')
	t0=$(now)
	kill -INT "$rec"
	wait "$rec"
	rc=$?
	rec=
	echo "INFO time record-stop $(took "$t0") (end snapshot)"
fi
cat "$inst/trace" >"$w/ftrace.txt"
overrun=$(cat "$inst"/per_cpu/cpu*/stats | awk '/^(overrun|dropped events):/ { s += $NF } END { print s + 0 }')

# ---- the counts. Under TCG, busybox awk takes seconds per 100k lines, so
# each file is read once and fields are found by position, not by regex.
# marker_ts M: the time (seconds, microseconds as the text has them) of marker M
marker_ts() {
	grep -m1 "tracing_mark_write: $1\$" "$w/ftrace.txt" |
		sed 's/.* \([0-9]*\.[0-9]*\): tracing_mark_write:.*/\1/'
}
m1=$(marker_ts frt-M1) m2=$(marker_ts frt-M2)
# the instance's lines per tracepoint of ours: all, and over [M1, M2]
# narrowed (lo) and widened (hi) by DELTA: "ftrace EVENT ALL LO HI"
awk -v a="${m1:-0}" -v b="${m2:-0}" -v d="$DELTA_S" '
FILENAME ~ /tps$/ { want[$1] = 1; next }
/^#/ { next }
{
	# "COMM-PID [CPU] FLAGS SECONDS: EVENT: ..."; COMM may hold spaces
	i = 2
	if (substr($2, 1, 1) != "[")
		for (i = 1; i < NF && substr($i, 1, 1) != "["; i++) ;
	i++
	if (substr($i, length($i)) != ":")
		i++ # the flags column
	ev = substr($(i + 1), 1, length($(i + 1)) - 1)
	if (!(ev in want)) next
	t = $i + 0
	all[ev]++
	if (t >= a - d && t <= b + d) hi[ev]++
	if (t >= a + d && t <= b - d) lo[ev]++
}
END { for (e in all) print "ftrace", e, all[e], lo[e] + 0, hi[e] + 0 }' "$w/tps" "$w/ftrace.txt" >"$w/ftrace.counts"

# ---- the snapshot directories and import: no capture needed
if [ $s1 != 0 ] || [ $s2 != 0 ]; then
	result snapshot FAIL "fragreplay snapshot failed: $(cat "$w/s1.err" "$w/s2.err" | head -1)"
else
	"$frag" import --from ftrace --start-snapshot "$w/s1" --end-snapshot "$w/s2" \
		-o "$w/imp.frt" "$w/ftrace.txt" >"$w/imp.out" 2>&1
	irc=$?
	"$frag" info "$w/imp.frt" >"$w/imp.info" 2>&1
	# what import made of the instance's lines of our tracepoints
	awk 'FILENAME ~ /ftrace.counts$/ { want[$2] = 1; lines += $3; next }
		/^  [a-z_]+ +[0-9]+$/ && $1 in want { got += $2 }
		END { print got + 0, lines + 0 }' "$w/ftrace.counts" "$w/imp.info" >"$w/imp.n"
	read -r got lines <"$w/imp.n"
	src=$(sed -n 's/^snapshot start *//p' "$w/imp.info" | cut -d, -f1)
	[ $irc = 0 ] && [ "$got" = "$lines" ] && [ "$lines" -gt 0 ] && [ "$src" = kpageflags ] && ok=PASS || ok=FAIL
	result snapshot $ok "import exit $irc: $got of $lines event lines imported, start snapshot ${src:-none}$( [ $irc = 0 ] || echo "; $(tail -1 "$w/imp.out")")"
fi

if [ -z "$rec_groups" ]; then
	for c in walk fit count:tracefs count:vmstat; do result $c FAIL "no capture: record did not start"; done
	exit 1
fi

# the trace's events per type over [M1, M2], and the pages its allocations took
"$frag" dump "$w/a.frt" 2>"$w/dump.err" | awk -v a="${m1:-0}" -v b="${m2:-0}" '
{
	# "[TASK-PID (TGID)] [CPU] SECONDS: EVENT: pfn=P order=O ..." (the task
	# from format 1.1 on): fields are counted from the [CPU] one
	for (i = 1; i < NF && $i !~ /^\[[0-9]+\]$/; i++)
		;
	t = $(i + 1) + 0
	if (t < a || t > b) next
	ev = substr($(i + 2), 1, length($(i + 2)) - 1)
	n[ev]++
	if (ev == "mm_page_alloc" && $(i + 3) != "pfn=-1") {
		x = 1 # no ^: busybox awk may lack math
		for (k = substr($(i + 4), 7) + 0; k > 0; k--) x *= 2
		pages += x
	}
}
END { for (e in n) print "count", e, n[e]; print "pages", pages + 0 }' >"$w/trace.counts"
pages=$(awk '$1 == "pages" { print $2 }' "$w/trace.counts")

# ---- record, walk, fit
"$frag" info "$w/a.frt" >"$w/info" 2>&1
info() { sed -n "s/^$1 *//p" "$w/info" | head -1; }
lost=$(info 'lost events' | cut -d' ' -f1)
# BPF recursion misses (an interrupt's tracepoint during our program on that
# CPU) that no catcher recorded must never be silent: record counts them in
# the trace's STATS and says so in a WARNING
said=$("$frag" info --json "$w/a.frt" 2>/dev/null | grep -o '"recursion_misses": *[0-9]*' | grep -o '[0-9]*$')
caught=$("$frag" info --json "$w/a.frt" 2>/dev/null | grep -o '"recursion_caught": *[0-9]*' | grep -o '[0-9]*$')
warned=$(grep -c 'WARNING: .* BPF recursion misses' "$w/rec.err")
detail="exit $rc; status $(info status); lost $lost; $misses BPF recursion misses in fdinfo (the trace says ${said:-nothing} missed, ${caught:-nothing} caught, $warned WARNING); $(info snapshots); $pages pages allocated in the window"
if [ -z "$rec_note" ]; then
	ok=PASS
	[ $rc = 0 ] && [ "$(info status)" = complete ] && [ "$lost" = 0 ] &&
		{ [ "${said:-0}" = 0 ] || [ "$warned" = 1 ]; } && { [ "${said:-0}" -gt 0 ] || [ "$warned" = 0 ]; } &&
		[ "$(info snapshots)" = "start present, end present" ] && [ "${pages:-0}" -ge $MIN_PAGES ] || ok=FAIL
	result record $ok "$detail"
else
	echo "INFO record$rec_note: $detail"
fi
ws=$(info 'snapshot start' | cut -d, -f1) we=$(info 'snapshot end' | cut -d, -f1)
[ "$ws $we" = "bpf-struct-page bpf-struct-page" ] && ok=PASS || ok=FAIL
result walk $ok "start ${ws:-none}, end ${we:-none}$rec_note"
fs=$(info 'snapshot start' | sed -n 's/.*fit //p') fe=$(info 'snapshot end' | sed -n 's/.*fit //p')
case "$fs/$fe" in ok*/ok*) ok=PASS ;; *) ok=FAIL ;; esac
result fit $ok "start: ${fs:-none}; end: ${fe:-none}$rec_note"

# ---- count:tracefs
if [ -z "$m1" ] || [ -z "$m2" ]; then
	result count:tracefs FAIL "no markers in the instance's trace"
elif [ "$overrun" != 0 ]; then
	result count:tracefs FAIL "the tracefs instance overran ($overrun events): no reference"
else
	# events short of the bracket are allowed only as far as the trace admits
	# recursion misses (counted, warned): none may be missing unsaid
	awk -v groups=",$rec_groups," -v misses="$misses" -v said="${said:-0}" -v note="$rec_note" '
	FILENAME ~ /tps$/ { if (index(groups, "," $2 ",")) want[$1] = 1; next }
	$1 == "count" { tr[$2] = $3; next }
	$1 == "ftrace" { lo[$2] = $4; hi[$2] = $5; next }
	END {
		for (e in want) {
			if (!(e in tr) && !(e in hi)) continue
			bad = tr[e] + 0 > hi[e] + 0
			if (tr[e] + 0 < lo[e] + 0) short += lo[e] - tr[e]
			out = out sprintf("%s%s %d in %d..%d", out ? "; " : "", e, tr[e], lo[e], hi[e])
			nbad += bad; n++
		}
		nbad += short > said
		printf "RESULT count:tracefs %s %d of %d event types over the bracket, %d events short of it, the trace admits %d recursion misses (%d seen in fdinfo): %s%s\n",
		    n && !nbad ? "PASS" : "FAIL", nbad - (short > said), n, short, said, misses,
		    n ? out : "no events", note
	}' "$w/tps" "$w/trace.counts" "$w/ftrace.counts"
fi

# ---- count:vmstat
vm=$((v2 - v1))
awk -v v="$vm" -v p="${pages:-0}" -v note="$rec_note" 'BEGIN {
	d = v > p ? v - p : p - v
	ok = v > 0 && d * 100 <= v
	printf "RESULT count:vmstat %s pgalloc_* %d, trace %d pages (%+.2f%%)%s\n",
	    ok ? "PASS" : "FAIL", v, p, v ? (v - p) * 100 / v : 0, note
}'
