#!/usr/bin/env bash
# tests/cli/test_sweep_parallel.sh FRAGREPLAY SAMPLES - the script `sweep
# emit --backend parallel` writes, run by GNU parallel on this host: its
# merged summary equals `sweep run` done locally, byte for byte but
# elapsed_s; a rerun redoes nothing. Exit 77 only where parallel cannot be
# installed.
set -euo pipefail
bin=$(realpath "$1")
samples=$(realpath "$2")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/sweep_lib.sh"
if ! command -v parallel >/dev/null; then
	if ((EUID != 0)) || ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends parallel >/dev/null 2>&1; then
		echo "SKIP: GNU parallel is not installed and cannot be installed here"
		exit 77
	fi
fi
tmp=$(mktemp -d /tmp/frt-sweep-parallel.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp # parallel's citation notice and ~/.parallel stay in here

small_manifest "$tmp/m.json" "$samples" 3
script=$("$bin" sweep emit --backend parallel --max-parallel 2 "$tmp/m.json" --out "$tmp/par")
[[ $script == "$tmp/par/run-parallel.sh" ]]
grep -q -- '--joblog .*--resume-failed -j 2' "$script"
sh "$script" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
grep -q 'summary.md$' "$tmp/out"
# the job log: four chunks of three tasks, each run once and successful
awk -F'\t' 'NR > 1 { n++; if ($7 != 0) bad++ } END { exit !(n == 4 && !bad) }' \
	"$tmp/par/parallel.joblog" || { cat "$tmp/par/parallel.joblog"; exit 1; }
check_results "$tmp/par" "$samples"

"$bin" sweep run "$tmp/m.json" --out "$tmp/local" -j 1 2>/dev/null
"$bin" sweep merge "$tmp/local" >/dev/null
same_summary "$tmp/par" "$tmp/local"
# run again: --resume-failed has nothing to redo, and the merge stands
before=$(stat -c %i "$tmp/par/results/task-000000.json") # a rewrite is a rename: a new inode
sh "$script" >/dev/null 2>&1
[[ $(stat -c %i "$tmp/par/results/task-000000.json") == "$before" ]]
[[ $(awk 'NR > 1' "$tmp/par/parallel.joblog" | wc -l) == 4 ]]
same_summary "$tmp/par" "$tmp/local"
echo "ok: GNU parallel's sweep equals the local one"
