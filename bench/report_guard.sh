#!/usr/bin/env bash
# report_guard.sh - every report of every sample, written to a directory, so
# that a change meant to make replay faster or smaller (not different) can be
# checked byte for byte against the tree before it:
#
#   bench/report_guard.sh OLD/build/fragreplay /tmp/before
#   bench/report_guard.sh build/fragreplay /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
#
# Per sample: replay under each preset (text with --all, and --json), the
# four-way compare (text and --json), and validate (--json). Lines that hold
# timing or the host are dropped (none do today: the reports carry no wall
# times). Prints one line per sample; exit 1 if a command failed.
#
# Usage: report_guard.sh FRAGREPLAY OUTDIR [TRACE.frt ...]
#   default traces: every traces/samples/*.frt
set -u
frag=${1:?usage: $0 FRAGREPLAY OUTDIR [TRACE.frt ...]}
out=${2:?usage: $0 FRAGREPLAY OUTDIR [TRACE.frt ...]}
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -gt 0 ] || set -- "$here"/traces/samples/*.frt
mkdir -p "$out" || exit 1
presets="vanilla defrag_mode evacuate capture-split"
rc=0
run() { # NAME CMD...: stdout to OUTDIR/NAME
	local name=$1
	shift
	if ! "$@" >"$out/$name" 2>"$out/$name.err"; then
		echo "report_guard.sh: failed: $*" >&2
		rc=1
	fi
}
for t in "$@"; do
	s=$(basename "$t" .frt)
	start=$(date +%s.%N)
	for v in $presets; do
		run "$s.$v.txt" "$frag" replay "$t" --variant "$v" --all --json "$out/$s.$v.json" --force
	done
	run "$s.compare.txt" "$frag" compare "$t" --variants "${presets// /,}" --all \
		--json "$out/$s.compare.json" --force
	run "$s.validate.txt" "$frag" validate "$t" --json "$out/$s.validate.json" --force
	awk -v s="$s" -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%-32s %6.1f s\n", s, b - a }'
done
exit $rc
