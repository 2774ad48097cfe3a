#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# run.sh - run libFuzzer harnesses (built with -DFRAGREPLAY_FUZZ=ON, clang)
# from their seed corpus for as long as asked, at nice 19, and report.
#
# Usage: run.sh [--seconds N] [--jobs J] [--fix 0|1] [--keep DIR] FUZZ_BINARY...
#   --seconds N  per harness (default 60); --jobs J parallel workers each
#   --fix 1      FRT_FUZZ_FIX=1: fuzz_reader fixes CRCs and frame sizes first
#   --keep DIR   grow DIR/NAME as the working corpus (default: a temporary)
# The tree's corpus (tests/fuzz/corpus/NAME) seeds the run and is not written.
# Prints one line per harness: execs, execs/s, corpus size, findings; a
# finding's input is kept (crash-*, leak-*, timeout-*, oom-*) and the exit
# status is 1. Exit 2 on a usage error.
set -u
seconds=60 jobs=1 fix=0 keep=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--fix) fix=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '3,15p' "$0"; exit 0 ;;
	--*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: run.sh [--seconds N] [--jobs J] [--fix 0|1] [--keep DIR] FUZZ_BINARY..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/frt-fuzz.XXXXXX") || exit 2
trap 'rm -rf "$work"' EXIT
status=0
for bin in "$@"; do
	name=$(basename "$bin"); name=${name#fuzz_}
	seed=$here/corpus/$name
	[ -d "$seed" ] || { echo "run.sh: no seed corpus $seed" >&2; exit 2; }
	corpus=${keep:+$keep/$name}
	corpus=${corpus:-$work/$name}
	mkdir -p "$corpus" "$work/art-$name"
	log=$work/$name.log
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
	FRT_FUZZ_FIX=$fix nice -n 19 "$bin" "$corpus" "$seed" -max_total_time="$seconds" \
		-rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
		${jobs:+$( [ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs")} \
		-artifact_prefix="$work/art-$name/" >"$log" 2>&1
	rc=$?
	execs=$(grep -h 'stat::number_of_executed_units' "$log" "$work"/fuzz-*.log 2>/dev/null |
		awk '{s += $2} END {print s + 0}')
	rate=$(grep -h 'stat::average_exec_per_sec' "$log" | awk '{print $2}' | tail -1)
	size=$(ls "$corpus" | wc -l)
	found=$(ls "$work/art-$name" | wc -l)
	printf '%-8s fix=%s %12s execs %8s/s  corpus %5s  findings %s\n' "$name" "$fix" "$execs" \
		"${rate:-?}" "$size" "$found"
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		status=1
		mkdir -p "${FRT_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}"
		cp "$work/art-$name"/* "${FRT_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}/" 2>/dev/null
		grep -m1 -A30 'ERROR\|runtime error\|deadly signal' "$log"
		echo "run.sh: $name exit $rc; inputs kept in ${FRT_FUZZ_ARTIFACTS:-$PWD/fuzz-artifacts}"
	fi
done
exit $status
