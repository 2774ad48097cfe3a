#!/usr/bin/env bash
# bench_share.sh - what compare's shared prefix saves (replay/session.c
# share_prefix()): bench_ab.sh's figures for one build run as it is (new)
# and with the prefix not shared (FRAGREPLAY_SHARE=0: each variant alone,
# old), interleaved round by round. The compare (4 variants) lines are the
# ones it changes; replay and compare (2 variants) never share and are the
# control. Prints medians and new/old. No pass/fail.
#
# Usage: bench_share.sh FRAGREPLAY [TRACE.frt] [ROUNDS]
#   default trace: the largest in traces/samples; ROUNDS: 5
set -u
frag=${1:?usage: $0 FRAGREPLAY [TRACE.frt] [ROUNDS]}
here=$(cd "$(dirname "$0")/.." && pwd)
frag=$(cd "$(dirname "$frag")" && pwd)/$(basename "$frag")
work=$(mktemp -d /tmp/frt-bench-share.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf '#!/bin/sh\nFRAGREPLAY_SHARE=0 exec "%s" "$@"\n' "$frag" >"$work/unshared"
chmod +x "$work/unshared"
shift
bash "$here/bench/bench_ab.sh" "$work/unshared" "$frag" "$@"
