#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_hostile.sh - crafted inputs from issue 19, one case each: what used to
# corrupt memory, hang, or come out as a "complete" trace that replay refused
# must now fail at once (exit 1, or 2 for a bad option) with a message that
# names the file and what is wrong, and leave no output behind. Every case
# runs under `timeout`, so a hang fails the case instead of the suite. The
# ASan build runs this script too (tests/run.sh). Last, the CLI contract:
# --version, one error style and --force for every command.
#
# Usage: test_hostile.sh FRAGREPLAY_BINARY TEST_DATA_DIR
# Prints "FAIL: ..." per failed check, then "N passed, N failed"; exits 1 if
# any check failed, 2 on a usage error.

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY TEST_DATA_DIR" >&2
	exit 2
fi
FR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # absolute: one case runs elsewhere
DATA=$2
SNAP=$DATA/import/snapdir-nokpf
TEXT=$DATA/import/ftrace.txt
for f in "$FR" "$SNAP/zoneinfo" "$TEXT"; do
	[ -e "$f" ] || { echo "$0: $f does not exist" >&2; exit 2; }
done

W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-hostile.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT

PASSED=0
FAILED=0
RC=0
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
show() { head -c 300 "$1" | tr '\n' '|'; }

# run SECONDS CMD...: stdout to $W/out, stderr to $W/err, status to RC (124: hung)
run() {
	local t=$1
	shift
	timeout "$t" "$@" >"$W/out" 2>"$W/err"
	RC=$?
}

# expect WHAT CODE PATTERN: the last run exited CODE and said PATTERN on stderr
expect() {
	if [ "$RC" -ne "$2" ]; then
		fail "$1: exit $RC, want $2 ($(show "$W/err"))"
	elif ! grep -qE -- "$3" "$W/err"; then
		fail "$1: stderr lacks '$3' (got: $(show "$W/err"))"
	else
		pass
	fi
}

# snapdir NAME: a fresh copy of the test snapshot directory at $W/NAME
snapdir() { rm -rf "${W:?}/$1"; cp -r "$SNAP" "$W/$1"; }

# import_refused WHAT DIR PATTERN: import with DIR as start snapshot fails, no trace left
import_refused() {
	rm -f "$W/t.frt"
	run 120 "$FR" import -o "$W/t.frt" --start-snapshot "$2" "$TEXT"
	expect "$1" 1 "$3"
	[ ! -e "$W/t.frt" ] && pass || fail "$1: left $W/t.frt behind"
	ls -a "$W" | grep -q '^\.t\.frt\.' && fail "$1: left a temporary behind" || pass
}

## memory corruption: more than 4 zones of node 0 (the model's zone array)
snapdir z5
{ sed -n 1,190p "$SNAP/zoneinfo"; sed -n 145,190p "$SNAP/zoneinfo"; sed -n 145,190p "$SNAP/zoneinfo"; } \
	>"$W/z5/zoneinfo"
import_refused "zoneinfo with Normal three times" "$W/z5" "zone Normal of node 0 comes twice"

## memory corruption, then a hang: a free count that wraps the allocation size
snapdir big
sed -i 's/^\(Node    0, zone   Normal, type      Movable\)   7452/\1 99999999999999/' "$W/big/pagetypeinfo"
grep -q 99999999999999 "$W/big/pagetypeinfo" || fail "could not plant the huge free count"
import_refused "pagetypeinfo free count 10^14" "$W/big" \
	"big/pagetypeinfo: node 0 zone Normal: more free pages \(order 0 Movable"
# one below the span of the zone is still a snapshot (the bound is the span, no less)
snapdir fits
sed -i 's/^\(Node    0, zone   Normal, type      Movable\)   7452/\1   500000/' "$W/fits/pagetypeinfo"
run 120 "$FR" import -o "$W/fits.frt" --start-snapshot "$W/fits" "$TEXT"
[ "$RC" -eq 0 ] && pass || fail "a free count within the span refused: $(show "$W/err")"

## memory corruption: a --start-snapshot path longer than the stack buffer
long=$W/$(printf 'd%.0s' $(seq 1 250))
long=$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long
run 30 "$FR" import -o "$W/t.frt" --start-snapshot "$long" "$TEXT"
expect "a 4 KiB --start-snapshot path" 2 "--start-snapshot: a path of [0-9]+ bytes is too long"

## garbage accepted as complete: page block orders, overflowing spans, columns
snapdir pbo30
sed -i 's/^Page block order: 9/Page block order: 30/' "$W/pbo30/pagetypeinfo"
import_refused "page block order 30" "$W/pbo30" "pageblock_order 30 is outside 1..12|page block order 30"
snapdir pbo64
sed -i 's/^Page block order: 9/Page block order: 64/' "$W/pbo64/pagetypeinfo"
import_refused "page block order 64" "$W/pbo64" "pageblock_order 64 is outside 1..12|page block order 64"
snapdir span
sed -i '0,/spanned  5505024/s//spanned  18446744073709551000/' "$W/span/zoneinfo"
import_refused "spanned near 2^64" "$W/span" "zone Normal: start_pfn [0-9]+ \+ spanned [0-9]+ runs past pfn 2\^40"
snapdir start
awk '/zone   Normal/ { n = 1 } n && /start_pfn:/ { sub(/[0-9]+$/, "18446744073709551000"); n = 0 } 1' \
	"$SNAP/zoneinfo" >"$W/start/zoneinfo"
import_refused "start_pfn near 2^64" "$W/start" "zone Normal start_pfn [0-9]+ \+ spanned [0-9]+ runs past pfn 2\^40"
snapdir cols
awk '/^Node/ { for (i = 0; i < 29; i++) $0 = $0 " 0" } 1' "$SNAP/buddyinfo" >"$W/cols/buddyinfo"
import_refused "a 40-column buddyinfo" "$W/cols" "max_order 39 is outside 1..12|40 order columns"
for n in 100 150 152; do
	snapdir cut$n
	head -n $n "$SNAP/zoneinfo" >"$W/cut$n/zoneinfo"
	import_refused "zoneinfo cut after line $n" "$W/cut$n" "truncated copy"
done
snapdir kpf7
printf 'abcdefg' >"$W/kpf7/kpageflags"
import_refused "a 7-byte kpageflags" "$W/kpf7" "kpf7/kpageflags: ends at byte 7 .* a truncated copy"
snapdir kpfrand
head -c $((8 * 6291456)) /dev/urandom >"$W/kpfrand/kpageflags"
import_refused "random kpageflags" "$W/kpfrand" "kpfrand/kpageflags: pfn (0|0x[0-9a-f]+) has flags .* bits no kernel sets"
snapdir kpfzero
ln -s /dev/zero "$W/kpfzero/kpageflags"
import_refused "kpageflags -> /dev/zero" "$W/kpfzero" "kpfzero/kpageflags: not a regular file"
snapdir zizero
rm "$W/zizero/zoneinfo"
ln -s /dev/zero "$W/zizero/zoneinfo"
import_refused "zoneinfo -> /dev/zero" "$W/zizero" "zizero/zoneinfo: File too large"

## timestamps of 12 digits wrap 2^64 ns: malformed, with the line number
sed 's/ 16808.082234:/ 999999999999.082234:/' "$TEXT" >"$W/ts12.txt"
run 60 "$FR" import -o "$W/ts12.frt" "$W/ts12.txt"
[ "$RC" -eq 0 ] && grep -q "^malformed  *1 lines" "$W/err" && grep -q "ts12.txt:15: " "$W/err" &&
	pass || fail "12-digit timestamp: exit $RC, $(show "$W/err")"
grep -q "time span       2.088088 s" "$W/err" && pass || fail "12-digit timestamp moved the span: $(show "$W/err")"
run 60 "$FR" import --strict -o "$W/ts12s.frt" "$W/ts12.txt"
expect "12-digit timestamp, --strict" 1 "ts12.txt:15: "

## one pfn step of exactly 2^63: the line is malformed, the import goes on
sed 's/pfn=0x109188 /pfn=0x800000000010919e /' "$TEXT" >"$W/jump.txt"
run 60 "$FR" import -o "$W/jump.frt" "$W/jump.txt"
[ "$RC" -eq 0 ] && grep -q "jump.txt:15: pfn '0x800000000010919e' is beyond 2^63" "$W/err" &&
	pass || fail "pfn jump of 2^63: exit $RC, $(show "$W/err") $(show "$W/out")"

## an order of 111 in an imported line: validate's kernel side shifted 1 by it
## (found by fuzz_session); the record is skipped, the report made
mkdir -p "$W/tiny"
awk '/^%%$/ { n++; next } { f = n == 0 ? "zoneinfo" : n == 1 ? "pagetypeinfo" : n == 2 ? "buddyinfo" : "vmstat"
	print > (dir "/" f) }' dir="$W/tiny" "$(dirname "$0")/../fuzz/corpus/snapdir/small"
for i in 0 1 2 3; do
	printf '            bash-13908   [000] ..... 100.00%d: mm_page_alloc: page=0000000071092162 pfn=0x%x order=%s migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE\n' \
		$i $((0x201 + 2 * i)) $([ $i = 1 ] && echo 111 || echo 0)
done >"$W/order111.txt"
run 60 "$FR" import -o "$W/order111.frt" --start-snapshot "$W/tiny" --end-snapshot "$W/tiny" "$W/order111.txt"
[ "$RC" -eq 0 ] && pass || fail "import of the order-111 line: $(show "$W/err")"
run 60 "$FR" validate "$W/order111.frt"
[ "$RC" -le 1 ] && ! grep -q "runtime error\|Sanitizer" "$W/err" && pass ||
	fail "validate with an order of 111: exit $RC, $(show "$W/err")"
run 60 "$FR" dump --type kmem "$W/order111.frt"
[ "$RC" -eq 0 ] && pass || fail "dump --type of the order-111 trace: exit $RC $(show "$W/err")"

## hangs: --interval -1 and saturated values are usage errors; tiny intervals
## over a trace-time gap of 290 years sample in bounded time
for bad in -1 18446744073709551615 18446744073709551615s 99999999999h 0 1e9 ' 1s' 1x; do
	run 10 "$FR" replay --interval "$bad" /nonexistent.frt
	expect "replay --interval '$bad'" 2 "--interval '$bad': want a duration"
done
{ grep -v '^ *bash-13908 .* 16810\.' "$TEXT"
  echo '            bash-13908   [000] ..... 9200000000.000000: mm_page_free: page=000000007e5a8f48 pfn=0x109188 order=0'; } \
	>"$W/gap.txt"
run 120 "$FR" import -o "$W/gap.frt" --start-snapshot "$SNAP" "$W/gap.txt"
[ "$RC" -eq 0 ] && pass || fail "gap trace import: $(show "$W/err")"
for iv in 1ns 1 24h; do
	run 120 "$FR" replay --interval "$iv" --force --json "$W/gap.json" "$W/gap.frt"
	[ "$RC" -eq 0 ] && pass || fail "replay --interval $iv over a 290-year gap: exit $RC $(show "$W/err")"
done
run 120 "$FR" validate "$W/gap.frt"
[ "$RC" -ne 124 ] && pass || fail "validate over a 290-year gap hung"

## an interrupted import leaves nothing: SIGINT and SIGTERM once its temporary exists
for sig in INT TERM; do
	rm -f "$W/fifo" && mkfifo "$W/fifo"
	echo older >"$W/sig.frt"
	# a background job starts with SIGINT ignored: give it the default a terminal gives
	python3 -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);
os.execvp(sys.argv[1], sys.argv[1:])' "$FR" import --force -o "$W/sig.frt" "$W/fifo" >/dev/null 2>&1 &
	pid=$!
	exec 7<>"$W/fifo" # read-write: never blocks, even if import is gone
	cat "$TEXT" >&7 # the window holds 100 ms of events: these are written to the temporary
	for _ in $(seq 1 100); do ls -a "$W" | grep -q '^\.sig\.frt\.' && break; sleep 0.1; done
	ls -a "$W" | grep -q '^\.sig\.frt\.' && pass || fail "SIG$sig: import never opened its temporary"
	kill -$sig $pid
	for _ in $(seq 1 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
	kill -KILL $pid 2>/dev/null && fail "SIG$sig: import went on reading"
	wait $pid
	rc=$?
	exec 7>&-
	[ $rc -gt 128 ] && pass || fail "SIG$sig: import exited $rc, not by the signal"
	! ls -a "$W" | grep -q '^\.sig\.frt\.' && [ "$(cat "$W/sig.frt")" = older ] && pass ||
		fail "SIG$sig: the temporary stayed, or the older output changed"
done

## one CLI contract: --version everywhere, one error style (one line and the hint),
## exit 2 for usage; --force before any existing output is replaced
for c in info dump replay compare validate import snapshot record variants; do
	run 10 "$FR" $c --version
	[ "$RC" -eq 0 ] && grep -qx "fragreplay [0-9.]*" "$W/out" && pass ||
		fail "$c --version: exit $RC, $(show "$W/out")"
	[ $c = variants ] && continue
	# a command this build lacks says so (exit 1) whatever its options
	"$FR" $c --help | grep -qi "not in this build" && continue
	run 10 "$FR" $c --bogus x
	expect "$c --bogus" 2 "^fragreplay $c: unknown option '--bogus'\$"
	[ "$(wc -l <"$W/err")" -eq 2 ] && grep -q "^Try 'fragreplay $c --help'.\$" "$W/err" && pass ||
		fail "$c --bogus: not one error line and the hint: $(show "$W/err")"
done
run 10 "$FR" import -o
expect "import -o without its argument" 2 "^fragreplay import: option '-o' needs an argument\$"
run 10 "$FR" validate x.frt --json
expect "validate --json without its argument" 2 "option '--json' needs an argument"
echo older >"$W/old.frt"
run 60 "$FR" import -o "$W/old.frt" "$TEXT"
expect "import over an existing file without --force" 1 "old.frt exists \(--force replaces it\)"
[ "$(cat "$W/old.frt")" = older ] && pass || fail "import without --force changed the file"
run 60 "$FR" import --force -o "$W/old.frt" "$TEXT"
[ "$RC" -eq 0 ] && ! grep -qx older "$W/old.frt" && pass || fail "import --force: exit $RC"
echo '{}' >"$W/old.json"
run 60 "$FR" replay --json "$W/old.json" "$W/old.frt"
expect "replay --json over an existing file without --force" 1 "old.json exists"
if ! "$FR" record --help | grep -qi "not in this build"; then
	run 10 "$FR" record -o "$W/r.frt" -d 5fortnights
	expect "record -d 5fortnights" 2 "-d wants a duration"
	run 10 "$FR" record -o "$W/r.frt" --max-size -1
	expect "record --max-size -1" 2 "--max-size wants a size"
fi

## - for stdin and stdout: traces read from a pipe or a redirect, import to a pipe;
## import's summary on stderr, so that stdout holds only the trace
SAMPLE=$DATA/golden-v1.1.frt
"$FR" info "$SAMPLE" >"$W/info.file" 2>&1
cat "$SAMPLE" | "$FR" info - >"$W/info.pipe" 2>&1
[ $? -eq 0 ] && diff <(grep -v '^file ' "$W/info.file") <(grep -v '^file ' "$W/info.pipe") >/dev/null &&
	pass || fail "info - from a pipe differs from info FILE"
"$FR" dump - <"$SAMPLE" >"$W/dump.redir" 2>&1 && "$FR" dump "$SAMPLE" | cmp -s - "$W/dump.redir" &&
	pass || fail "dump - < FILE differs from dump FILE"
"$FR" import -o - "$TEXT" 2>"$W/imp.err" | "$FR" info - >"$W/imp.info" 2>&1
[ "${PIPESTATUS[0]}" -eq 0 ] && grep -q "^imported 341 events .* into - " "$W/imp.err" &&
	grep -q "^status *complete" "$W/imp.info" && pass ||
	fail "import -o - | info -: $(show "$W/imp.err") $(show "$W/imp.info")"
(cd "$W" && timeout 10 "$FR" replay --json - "$SAMPLE" >/dev/null 2>"$W/err"; echo $? >"$W/rc")
RC=$(cat "$W/rc")
expect "replay --json -" 2 "--json -: the text report is on stdout"
[ ! -e "$W/-" ] && pass || fail "replay --json - made a file named '-'"
run 10 "$FR" info - </dev/null
expect "info - from an empty stdin" 1 "fragreplay info: "

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
