#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_knobs.sh - the knob table (core/model.c, model_knob_spec()) seen from
# the command line. For every knob `fragreplay variants` lists: its default
# and the presets' values lie in its range; --set KNOB=MIN-1 and KNOB=MAX+1
# are usage errors (exit 2) naming the knob, the range and the value; MIN and
# MAX themselves get past option parsing (exit 1 on a missing trace, not 2).
# And `variants` lists exactly the knobs the unknown-knob error names.
#
# Usage: test_knobs.sh FRAGREPLAY_BINARY
# Prints "FAIL: ..." for each failed check, then "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.

set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY" >&2
	exit 2
fi
FR=$1

W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-knobs.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
NONE=$W/no-such-trace.frt

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}

# the knob lines of `variants` as NAME DEFAULT MIN MAX SYSCTL PRESETS, "-" for none
"$FR" variants >"$W/variants" || fail "variants: exit status $?"
python3 - "$W/variants" >"$W/knobs" <<'PY'
import re, sys
knobs = []
for line in open(sys.argv[1]):
    m = re.match(r"  ([a-z_]+) +(-?\d+)  (-?\d+)\.\.(-?\d+)(?: +vm\.([a-z_]+))?$", line)
    if m:
        knobs.append(list(m.groups()) + [None])
    m = re.match(r"      set by: (.+)$", line)
    if m and knobs:
        knobs[-1][5] = m.group(1).replace(" ", ",")
for k in knobs:
    print(" ".join(x or "-" for x in k))
PY

# set KNOB=VALUE WANT_RC WHAT: `replay` on a missing trace, its exit status and,
# for a usage error, the message naming the knob, its range and the value
set_knob() {
	local name=$1 value=$2 want=$3 range=$4 err
	err=$("$FR" replay "$NONE" --set "$name=$value" 2>&1 >/dev/null)
	local rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "--set $name=$value: exit status $rc, want $want ($err)"
	elif [ "$want" -eq 2 ] &&
		! grep -qF "knob '$name' takes an integer in $range, not '$value'" <<<"$err"; then
		fail "--set $name=$value: the error does not name the knob and $range: $err"
	else
		pass
	fi
}

n=0
while read -r name def min max sysctl presets; do
	n=$((n + 1))
	range=$min..$max
	if [ "$min" -le "$def" ] && [ "$def" -le "$max" ]; then pass; else
		fail "$name: default $def outside $range"
	fi
	if [ "$presets" != - ]; then
		for pv in ${presets//,/ }; do
			v=${pv#*=}
			if [ "$min" -le "$v" ] && [ "$v" -le "$max" ]; then pass; else
				fail "$name: preset ${pv%%=*} sets $v, outside $range"
			fi
		done
	fi
	set_knob "$name" $((min - 1)) 2 "$range"
	set_knob "$name" $((max + 1)) 2 "$range"
	set_knob "$name" "$min" 1 "$range"
	set_knob "$name" "$max" 1 "$range"
done <"$W/knobs"

# the knobs listed are the knobs there are
names=$(cut -d' ' -f1 "$W/knobs" | tr '\n' ' ')
err=$("$FR" replay "$NONE" --set nosuchknob=1 2>&1)
if [ "$n" -gt 0 ] && grep -qF "unknown knob 'nosuchknob'; the knobs are: ${names% }" <<<"$err"; then
	pass
else
	fail "variants lists $n knobs ($names), the unknown-knob error: $err"
fi
# compare's --set-a/--set-b go through the same check
err=$("$FR" compare "$NONE" --a vanilla --b evacuate --set-b evacuate_pool=-1 2>&1)
if [ $? -eq 2 ] && grep -qF "knob 'evacuate_pool' takes an integer in" <<<"$err"; then pass; else
	fail "compare --set-b evacuate_pool=-1: $err"
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
