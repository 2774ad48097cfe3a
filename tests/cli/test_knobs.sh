#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_knobs.sh - the knob table (core/model.c, model_knob_spec()) seen from
# the command line. For every knob `fragreplay variants` lists: its default
# and the presets' values lie in its range; --set KNOB=MIN-1 and KNOB=MAX+1
# are usage errors (exit 2) naming the knob, the range and the value; MIN and
# MAX themselves get past option parsing (exit 1 on a missing trace, not 2).
# `variants` lists exactly the knobs the unknown-knob error names, and a
# pageblock_order above the trace's max_page_order is named. Then what
# must agree with the table: README's knob table (one row per knob, exactly
# as `variants` describes it), the report schema's preset enum and settings
# pattern, and the sysctls a real trace records (traces/hostinfo.c's list)
# against the table's.
#
# Usage: test_knobs.sh FRAGREPLAY_BINARY README SCHEMA SAMPLE_TRACE
# Prints "FAIL: ..." for each failed check, then "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.

set -u

if [ $# -ne 4 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY README SCHEMA SAMPLE_TRACE" >&2
	exit 2
fi
FR=$1
README=$2
SCHEMA=$3
SAMPLE=$4

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
setby = False  # a long "set by:" wraps onto lines of the same indent
for line in open(sys.argv[1]):
    m = re.match(r"  ([a-z_]+) +(-?\d+)  (-?\d+)\.\.(-?\d+)(?: +vm\.([a-z_]+))?$", line)
    if m:
        knobs.append(list(m.groups()) + [None])
        setby = False
        continue
    m = re.match(r"      set by: (.+)$", line)
    if m and knobs:
        knobs[-1][5] = m.group(1).replace(" ", ",")
        setby = True
        continue
    m = re.match(r"      (\S.*)$", line)
    if m and setby and knobs:
        knobs[-1][5] += "," + m.group(1).replace(" ", ",")
    else:
        setby = False
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

# pageblock_order above max_page_order is known only with the trace: exit 1, naming both
err=$("$FR" replay "$SAMPLE" --set max_page_order=5 2>&1 >/dev/null)
if [ $? -eq 1 ] && grep -qF "pageblock_order 9 is above max_page_order 5" <<<"$err"; then pass; else
	fail "replay --set max_page_order=5 (the sample's pageblock_order is 9): $err"
fi

# README, the schema and a recorded trace against the table; "FAIL ..." per mismatch
"$FR" info --json "$SAMPLE" >"$W/info.json" || fail "info --json $SAMPLE: exit status $?"
python3 - "$W/variants" "$README" "$SCHEMA" "$W/info.json" >"$W/docs" <<'PY'
import json, re, sys
variants, readme, schema, info = sys.argv[1:]
presets, knobs, section = [], [], None
for line in open(variants):
    line = line.rstrip("\n")
    if line in ("Presets:",) or line.startswith("Knobs:"):
        section = line[:5]
    elif section == "Prese" and re.match(r"  [a-z_-]+ ", line):
        presets.append(line.split()[0])
    elif section == "Knobs":
        m = re.match(r"  ([a-z_]+) +(-?\d+)  (-?\d+\.\.-?\d+)(?: +vm\.([a-z_]+))?$", line)
        if m:
            knobs.append(dict(name=m[1], default=m[2], range=m[3], sysctl=m[4], help=[], presets="–"))
            setby = False
        elif line.startswith("      set by: "):
            knobs[-1]["presets"] = line[len("      set by: "):]
            setby = True
        elif line.startswith("      ") and knobs and setby:
            knobs[-1]["presets"] += " " + line.strip()
        elif line.startswith("      ") and knobs:
            knobs[-1]["help"].append(line.strip())

def check(ok, what):
    print(("ok " if ok else "FAIL ") + what)

# README: the row of each knob, as variants describes it, and no other knob rows
rows = [l.rstrip("\n") for l in open(readme) if re.match(r"\| `[a-z_]+` \| -?[0-9]", l)]
for k in knobs:
    want = "| `%s` | %s | %s | %s | %s | %s |" % (
        k["name"], k["default"], k["range"], "`vm.%s`" % k["sysctl"] if k["sysctl"] else "–",
        k["presets"], " ".join(k["help"]))
    check(want in rows, "README has the row of knob %s: %s" % (k["name"], want))
check(len(rows) == len(knobs), "README has %d knob rows, the table %d knobs" % (len(rows), len(knobs)))

# the schema: the preset enum and the knob names in the settings pattern
run = json.load(open(schema))["$defs"]["run"]["properties"]
check(run["variant"]["enum"] == presets,
      "schema variant enum %s, the presets %s" % (run["variant"]["enum"], presets))
m = re.match(r"\^\(([^)]*)\)\( \(([^)]*)\)=", run["settings"]["pattern"])
check(m and m[1].split("|") == presets and m[2].split("|") == [k["name"] for k in knobs],
      "schema settings pattern names the presets and the knobs, in order: %s"
      % run["settings"]["pattern"])

# a real trace records exactly the sysctls the table names
rec = sorted(json.load(open(info))["metadata"]["sysctls"])
tab = sorted(k["sysctl"] for k in knobs if k["sysctl"])
check(rec == tab, "the trace records the sysctls %s, the table names %s" % (rec, tab))
check(len(presets) > 0 and len(knobs) > 0, "variants lists presets and knobs")
PY
while read -r verdict what; do
	if [ "$verdict" = ok ]; then pass; else fail "$what"; fi
done <"$W/docs"
[ -s "$W/docs" ] || fail "the README/schema check printed nothing"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
