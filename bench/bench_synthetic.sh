#!/usr/bin/env bash
# bench_synthetic.sh - bench_replay.sh's figures on a SYNTHETIC large node:
# the trace is made at run time by bench/gen_synthetic (a made-up host, see
# the comment at the top of bench/gen_synthetic.c; never kept in
# traces/samples) and removed afterwards. Prints what bench_replay.sh prints,
# per modelled pfn included, and how long the trace took to make.
#
# Memory: replay takes about 14 bytes per pfn of the node, compare that per
# variant: 4 TiB (the default, 2^30 pfns) needs ~15 GB for replay and ~60 GB
# for the four-variant compare, so on a smaller machine give GIB.
#
# Usage: bench_synthetic.sh FRAGREPLAY [GIB] [EVENTS] [RUNS]
#   GIB default 4096 (4 TiB); EVENTS default 10000000; RUNS default 5.
#   The generator is GEN, or bench/gen_synthetic next to FRAGREPLAY.
set -u
frag=${1:?usage: $0 FRAGREPLAY [GIB] [EVENTS] [RUNS]}
gib=${2:-4096}
events=${3:-10000000}
runs=${4:-5}
here=$(cd "$(dirname "$0")" && pwd)
gen=${GEN:-$(dirname "$frag")/bench/gen_synthetic}
[ -x "$gen" ] || { echo "bench_synthetic.sh: no generator at $gen (build target gen_synthetic, or set GEN)" >&2; exit 2; }
work=$(mktemp -d /tmp/frt-bench-synthetic.XXXXXX)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$gen" "$work/synthetic-${gib}g.frt" "$gib" "$events" || exit 1
awk -v a="$start" -v b="$(date +%s.%N)" -v g="$gib" \
	'BEGIN { printf "synthetic %s GiB node: trace made in %.1f s\n", g, b - a }'
bash "$here/bench_replay.sh" "$frag" "$work/synthetic-${gib}g.frt" "$runs"
