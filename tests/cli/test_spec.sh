#!/usr/bin/env bash
# test_spec.sh - FORMAT.md is complete enough to write a second reader from:
# tests/cli/spec_reader.py was written from the spec alone, without the C
# code. Both readers must print the same events and agree on whole/damaged,
# on the golden files, the shipped samples (format 1.0), a random trace with
# tasks (1.1, from test_format --write-random), snapshots with read times
# (1.2, their entries as RT lines) and damaged copies of them.
#
# Usage: test_spec.sh RAWDUMP SPEC_READER DATA_DIR SAMPLES_DIR TEST_FORMAT
set -u
raw=$1 spec=$2 data=$3 samples=$4 test_format=$5
pass=0 fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

same() { # same NAME FILE: both readers print the same lines and exit codes
	"$raw" "$2" > "$work/c.out" 2>/dev/null
	local rc_c=$?
	python3 "$spec" "$2" > "$work/py.out" 2>/dev/null
	local rc_py=$?
	if [ $rc_c = $rc_py ] && cmp -s "$work/c.out" "$work/py.out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: exit C=$rc_c py=$rc_py, $(wc -l < "$work/c.out") vs $(wc -l < "$work/py.out") lines"
		diff "$work/c.out" "$work/py.out" | head -5
	fi
}

same "golden 1.0" "$data/golden-v1.frt"
same "golden 1.1" "$data/golden-v1.1.frt"
same "golden 1.2" "$data/golden-v1.2.frt"
# format 1.2 snapshots with read_times (test_replay_walktimes --write): RT lines
same "read times 1.2" "$data/walktimes-v1.2.frt"
"$test_format" --write-random "$work/random.frt"
same "random 1.1 trace with tasks" "$work/random.frt"
# every sample up to 6 MB: the Python reader decodes ~100 K events/s, and the
# larger samples (8.6 M events) add minutes of CI without a new frame kind
for f in "$samples"/*.frt; do
	[ "$(stat -c %s "$f")" -le 6000000 ] && same "$(basename "$f")" "$f"
done

# damaged copies of the smallest sample and of the random 1.1 trace: cuts
# and a flipped byte in each third
for first in "$(ls -Sr "$samples"/*.frt | head -1)" "$work/random.frt"; do
	size=$(stat -c %s "$first")
	for cut in 100 $((size / 3)) $((size / 2)) $((size - 1)); do
		head -c $cut "$first" > "$work/cut.frt"
		same "$(basename "$first") cut at $cut" "$work/cut.frt"
	done
	for at in $((size / 4)) $((size / 2)) $((size * 3 / 4)); do
		cp "$first" "$work/flip.frt"
		printf '\x5a' | dd of="$work/flip.frt" bs=1 seek=$at conv=notrunc status=none
		same "$(basename "$first") byte $at changed" "$work/flip.frt"
	done
done

echo "$pass passed, $fail failed"
[ $fail = 0 ]
