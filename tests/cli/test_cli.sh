#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_cli.sh - end-to-end tests of the fragreplay command line: help and
# usage errors, info and dump on the golden trace, and damaged traces
# (truncated, flipped bytes, foreign files, a future format version).
#
# Usage: test_cli.sh FRAGREPLAY_BINARY TEST_DATA_DIR
#   TEST_DATA_DIR holds golden-v1.frt.
# Prints "FAIL: ..." for each failed check, then one line "N passed, N failed";
# exits 1 if any check failed, 2 on a usage error.
# The fuzz seed can be overridden with FRT_FUZZ_SEED (the default is fixed).

set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 FRAGREPLAY_BINARY TEST_DATA_DIR" >&2
	exit 2
fi
FR=$1
DATA=$2
GOLDEN=$DATA/golden-v1.frt
GOLDEN11=$DATA/golden-v1.1.frt
FUZZ_SEED=${FRT_FUZZ_SEED:-20261122}
FUZZ_N=200

for f in "$FR" "$GOLDEN"; do
	if [ ! -e "$f" ]; then
		echo "$0: $f does not exist" >&2
		exit 2
	fi
done
if ! command -v python3 >/dev/null 2>&1; then
	echo "$0: python3 is needed" >&2
	exit 2
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-cli.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT

PASSED=0
FAILED=0
RC=0

pass() { PASSED=$((PASSED + 1)); }
fail() {
	FAILED=$((FAILED + 1))
	echo "FAIL: $*"
}

# run CMD... : stdout to $W/out, stderr to $W/err, exit status to RC
run() {
	"$@" >"$W/out" 2>"$W/err"
	RC=$?
}

# one line of a file, shortened, for messages
show() {
	local s
	s=$(head -c 300 "$1" | tr '\n' '|')
	printf '%s' "${s:-<empty>}"
}

expect_rc() { # WHAT WANT
	if [ "$RC" -eq "$2" ]; then pass; else
		fail "$1: exit status (got $RC, want $2; stderr: $(show "$W/err"))"
	fi
}

expect_eq() { # WHAT GOT WANT
	if [ "$2" = "$3" ]; then pass; else fail "$1 (got '$2', want '$3')"; fi
}

# expect_in out|err WHAT STRING : the stream contains STRING (fixed string)
expect_in() {
	if grep -qF -- "$3" "$W/$1"; then pass; else
		fail "$2: std$1 lacks '$3' (got: $(show "$W/$1"))"
	fi
}

# expect_re out|err WHAT REGEX : some line of the stream matches REGEX (ERE)
expect_re() {
	if grep -qE -- "$3" "$W/$1"; then pass; else
		fail "$2: no line of std$1 matches /$3/ (got: $(show "$W/$1"))"
	fi
}

expect_not_re() {
	if ! grep -qE -- "$3" "$W/$1"; then pass; else
		fail "$2: std$1 has a line matching /$3/ (got: $(grep -E -- "$3" "$W/$1" | head -n 1))"
	fi
}

expect_empty() { # out|err WHAT
	if [ ! -s "$W/$1" ]; then pass; else
		fail "$2: std$1 should be empty (got: $(show "$W/$1"))"
	fi
}

expect_lines() { # out|err WHAT N
	local n
	n=$(wc -l <"$W/$1")
	n=$((n + 0))
	if [ "$n" -eq "$3" ]; then pass; else
		fail "$2: std$1 line count (got $n, want $3)"
	fi
}

# is_prefix_of_clean FILE : FILE is the first k lines of the clean dump, for some k
is_prefix_of_clean() {
	local k
	k=$(wc -l <"$1")
	head -n "$k" "$W/clean.dump" | cmp -s - "$1"
}

# expect_dump_head WHAT N : stdout is exactly the first N lines of the clean dump
expect_dump_head() {
	if head -n "$2" "$W/clean.dump" | cmp -s - "$W/out"; then pass; else
		fail "$1: stdout is not the first $2 lines of the clean dump (got $(wc -l <"$W/out") lines: $(show "$W/out"))"
	fi
}

# Python helpers: frame table, byte patches, CRC32C, fuzz corpus.
cat >"$W/frt.py" <<'EOF'
import random, struct, sys

def crc32c(data, crc=0):
    table = crc32c.table
    if table is None:
        table = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
            table.append(c)
        crc32c.table = table
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF
crc32c.table = None

def frames(d):
    """(offset, type, stored_size, records, end) of each frame, found via the magic."""
    out, off = [], d.find(b"FRFM")
    while off >= 0:
        typ = d[off + 4]
        stored, raw, records = struct.unpack_from("<III", d, off + 8)
        out.append((off, typ, stored, records, off + 24 + stored))
        off = d.find(b"FRFM", off + 1)
    return out

cmd, src = sys.argv[1], sys.argv[2]
d = bytearray(open(src, "rb").read())
if cmd == "frames":
    for f in frames(d):
        print(*f)
elif cmd == "flip":          # flip OUT OFFSET
    d[int(sys.argv[4])] ^= 0xFF
    open(sys.argv[3], "wb").write(d)
elif cmd == "major":         # major OUT MAJOR : set the major version, fix the header CRC
    struct.pack_into("<H", d, 8, int(sys.argv[4]))
    struct.pack_into("<I", d, 28, crc32c(bytes(d[0:28])))
    open(sys.argv[3], "wb").write(d)
elif cmd == "crcok":         # does the header CRC as stored match the computed one?
    print("yes" if struct.unpack_from("<I", d, 28)[0] == crc32c(bytes(d[0:28])) else "no")
elif cmd == "fuzz":          # fuzz DIR SEED N : N files with one byte changed each
    outdir, seed, n = sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    rng = random.Random(seed)
    for i in range(n):
        e = bytearray(d)
        off = rng.randrange(len(e))
        x = rng.randrange(1, 256)
        e[off] ^= x
        name = "%s/fuzz-%03d-off%d-xor%02x.frt" % (outdir, i, off, x)
        open(name, "wb").write(e)
        print(name)
EOF
py() { python3 "$W/frt.py" "$@"; }

# ---------------------------------------------------------------- 1. top level
ALL_CMDS="record info dump replay compare validate diff variants import snapshot"
NA_CMDS=""

run "$FR" --help
expect_rc "fragreplay --help" 0
expect_re out "fragreplay --help" '^Usage: fragreplay <command>'
for c in $ALL_CMDS; do
	expect_re out "fragreplay --help lists $c" "^  $c +[a-zA-Z]"
done
cp "$W/out" "$W/mainhelp"

run "$FR"
expect_rc "fragreplay without arguments" 2
expect_empty out "fragreplay without arguments"
expect_in err "fragreplay without arguments" "Usage: fragreplay"

run "$FR" frobnicate
expect_rc "fragreplay frobnicate" 2
expect_in err "fragreplay frobnicate" "unknown command 'frobnicate'"
expect_empty out "fragreplay frobnicate"

# ---------------------------------------------------------------- 2. per-command help
# record is available only in builds with the BPF collector; the top-level
# help says so, and its --help must agree with it.
if grep -qE '^  record .*\(not in this build\)$' "$W/mainhelp"; then
	NA_CMDS="record $NA_CMDS"
fi
for c in $ALL_CMDS; do
	run "$FR" "$c" --help
	expect_rc "$c --help" 0
	case " $NA_CMDS " in
	*" $c "*)
		expect_in out "$c --help" "Not in this build"
		expect_not_re out "$c --help" '^Usage:'
		run "$FR" "$c"
		expect_rc "$c (not available)" 1
		expect_in err "$c (not available)" "fragreplay $c: not in this build"
		expect_empty out "$c (not available)"
		run "$FR" "$c" "$GOLDEN"
		expect_rc "$c FILE (not available)" 1
		expect_empty out "$c FILE (not available)"
		;;
	*)
		expect_re out "$c --help" "^Usage: fragreplay $c "
		expect_not_re out "$c --help" 'Not in this build'
		;;
	esac
done

# ---------------------------------------------------------------- 3. info
run "$FR" info "$GOLDEN"
expect_rc "info golden" 0
expect_empty err "info golden"
expect_re out "info golden" '^status          complete$'
expect_re out "info golden" '^events          6 in 4 frames; events frames 158 bytes, 26.33 bytes/event; snapshots 0 bytes$'
expect_re out "info golden" '^  mm_page_alloc +2$'
expect_re out "info golden" '^  mm_page_free +1$'
expect_re out "info golden" '^  mm_page_alloc_extfrag +1$'
expect_re out "info golden" '^  mm_compaction_end +1$'
expect_re out "info golden" '^  migrate_pair +1$'
expect_re out "info golden" '^lost events     0( |$)'
expect_not_re out "info golden" '^missing'

run "$FR" info --json "$GOLDEN"
expect_rc "info --json golden" 0
if python3 -c 'import json,sys; json.load(sys.stdin)' <"$W/out" 2>/dev/null; then
	pass
	J=$(python3 -c '
import json, sys
o = json.load(sys.stdin)
print(o.get("events"), o.get("status"), o.get("events_by_type", {}).get("mm_page_alloc"),
      "null" if "error" in o and o["error"] is None else repr(o.get("error", "<absent>")))
' <"$W/out")
	read -r j_events j_status j_alloc j_error <<<"$J"
	expect_eq "info --json .events" "$j_events" 6
	expect_eq "info --json .status" "$j_status" complete
	expect_eq "info --json .events_by_type.mm_page_alloc" "$j_alloc" 2
	expect_eq "info --json .error" "$j_error" null
else
	fail "info --json golden: stdout is not valid JSON (got: $(show "$W/out"))"
fi

run "$FR" info
expect_rc "info without a file" 2
run "$FR" info "$GOLDEN11"
expect_rc "info golden 1.1" 0
expect_re out "info golden 1.1" '^file .*format 1\.1\)$'
expect_re out "info golden 1.1" '^tasks           7 of 8 events carry their task; 4 tasks; most mm_page_alloc: kswapd0-97 50\.0%, stress-ng-vm-2113 50\.0%$'
expect_re out "info golden 1.1" '^  mm_page_pcpu_refill_zone_locked +1$'
run "$FR" info "$GOLDEN"
expect_re out "info golden 1.0: no tasks" '^tasks           not recorded'

run "$FR" info "$GOLDEN" "$GOLDEN"
expect_rc "info with two files" 2
run "$FR" info --bogus "$GOLDEN"
expect_rc "info --bogus" 2

# ---------------------------------------------------------------- 4. dump
FIRST='[000]     1.000000000: mm_page_alloc: pfn=0x122bf0 order=2 migratetype=2 gfp_flags=GFP_USER|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP'
run "$FR" dump "$GOLDEN"
expect_rc "dump golden" 0
expect_empty err "dump golden"
expect_lines out "dump golden" 6
expect_eq "dump golden: first line" "$(head -n 1 "$W/out")" "$FIRST"
expect_re out "dump golden: failed allocation" '^\[[0-9]{3}\] +[0-9]+\.[0-9]{9}: mm_page_alloc: pfn=-1 .* gfp_flags=GFP_TRANSHUGE$'
cp "$W/out" "$W/clean.dump"

run "$FR" dump --type kmem "$GOLDEN"
expect_rc "dump --type kmem" 0
expect_lines out "dump --type kmem" 4
expect_not_re out "dump --type kmem" ': (mm_compaction|migrate)'
run "$FR" dump --type kmem:mm_page_free "$GOLDEN"
expect_rc "dump --type kmem:mm_page_free" 0
expect_lines out "dump --type kmem:mm_page_free" 1
expect_re out "dump --type kmem:mm_page_free" '^\[000\] +1\.000001000: mm_page_free: pfn=0x122bf0 order=2$'
run "$FR" dump --limit 2 "$GOLDEN"
expect_rc "dump --limit 2" 0
expect_dump_head "dump --limit 2" 2
run "$FR" dump --from-ns 1000001000 "$GOLDEN"
expect_rc "dump --from-ns 1000001000" 0
expect_lines out "dump --from-ns 1000001000" 3
if tail -n 3 "$W/clean.dump" | cmp -s - "$W/out"; then pass; else
	fail "dump --from-ns 1000001000: not the last 3 events (got: $(show "$W/out"))"
fi

# format 1.1: the task leads the line, as ftrace prints it; none for the migrate_pair
run "$FR" dump "$GOLDEN11"
expect_rc "dump golden 1.1" 0
expect_lines out "dump golden 1.1" 8
expect_eq "dump golden 1.1: first line" "$(head -n 1 "$W/out")" "    stress-ng-vm-2113    (   2111) $FIRST"
expect_re out "dump golden 1.1: task_switch back to entry 1" '^    stress-ng-vm-2113    \(   2111\) \[000\] +1\.000002000: mm_compaction_end:'
expect_re out "dump golden 1.1: task_switch to none" '^\[001\] +1\.000003000: migrate_pair:'
expect_re out "dump golden 1.1: 16-byte name, tgid unknown" '^0123456789abcdef-13913   \(-------\) \[001\] +1\.000004000: mm_page_pcpu_refill:'

run "$FR" dump --type foo "$GOLDEN"
expect_rc "dump --type foo" 2
expect_in err "dump --type foo" "'foo'"
expect_empty out "dump --type foo"
run "$FR" dump --limit abc "$GOLDEN"
expect_rc "dump --limit abc" 2
expect_empty out "dump --limit abc"
run "$FR" dump
expect_rc "dump without a file" 2
run "$FR" dump "$GOLDEN" "$GOLDEN"
expect_rc "dump with two files" 2
expect_empty out "dump with two files"

# ---------------------------------------------------------------- 5. damage
SIZE=$(wc -c <"$GOLDEN")
SIZE=$((SIZE + 0))
py frames "$GOLDEN" >"$W/frames"
NFRAMES=$(wc -l <"$W/frames")
NFRAMES=$((NFRAMES + 0))
if [ "$NFRAMES" -ge 3 ]; then pass; else
	fail "golden file layout: frames found by magic (got $NFRAMES, want >= 3)"
fi
FIRST_FRAME=$(awk 'NR == 1 { print $1 }' "$W/frames")
FIRST_FRAME=${FIRST_FRAME:-0}

# type counts "name count" per line, sorted, from dump lines on stdin
dump_type_counts() {
	awk '{ t = $3; sub(/:$/, "", t); c[t]++ } END { for (k in c) print k, c[k] }' | sort
}

# (a) truncation: the readable prefix is the frames that end at or before the cut
for cut in 40 "$FIRST_FRAME" 100 200 300 $((SIZE - 1)); do
	f=$W/cut-$cut.frt
	head -c "$cut" "$GOLDEN" >"$f"
	# V: end of the valid prefix; F: whole frames; N: their events
	read -r V F N <<<"$(awk -v cut="$cut" -v first="$FIRST_FRAME" '
		BEGIN { v = first; f = 0; n = 0 }
		$5 <= cut { v = $5; f++; if ($2 == 1) n += $4 }
		END { print v, f, n }' "$W/frames")"
	what="truncated to $cut bytes"

	run "$FR" info "$f"
	expect_rc "info, $what" 1
	expect_lines err "info, $what" 1
	expect_in err "info, $what" "$f"
	expect_in err "info, $what" "byte offset"
	if [ "$cut" -lt "$FIRST_FRAME" ]; then
		expect_empty out "info, $what (header or metadata cut)"
	else
		if [ "$cut" -eq "$V" ]; then st=truncated; else st=damaged; fi
		expect_re out "info, $what" "^status          $st\$"
		expect_re out "info, $what" "^events          $N in $F frames"
		expect_re out "info, $what" "^missing         everything after byte $V of $cut "
		awk '/^  [a-z_]+ +[0-9]+$/ { print $1, $2 }' "$W/out" | sort >"$W/info.counts"
		head -n "$N" "$W/clean.dump" | dump_type_counts >"$W/want.counts"
		if cmp -s "$W/info.counts" "$W/want.counts"; then pass; else
			fail "info, $what: counts per type (got $(tr '\n' ',' <"$W/info.counts"), want $(tr '\n' ',' <"$W/want.counts"))"
		fi
	fi

	run "$FR" dump "$f"
	expect_rc "dump, $what" 1
	expect_dump_head "dump, $what" "$N"
	expect_lines err "dump, $what" 1
	expect_in err "dump, $what" "$f"
	expect_in err "dump, $what" "byte offset"
done

# (b) one byte flipped inside the second frame's payload
read -r F1_OFF _ F1_STORED _ <<<"$(sed -n 2p "$W/frames")"
F0_REC=$(awk 'NR == 1 { print $4 }' "$W/frames")
f=$W/flip-frame1.frt
py flip "$GOLDEN" "$f" $((F1_OFF + 24 + F1_STORED / 2))
run "$FR" info "$f"
expect_rc "info, frame 1 payload flipped" 1
expect_in err "info, frame 1 payload flipped" "frame 1 at byte offset $F1_OFF"
expect_in err "info, frame 1 payload flipped" "checksum mismatch"
expect_re out "info, frame 1 payload flipped" '^status          damaged$'
expect_re out "info, frame 1 payload flipped" "^events          $F0_REC in 1 frames"
run "$FR" dump "$f"
expect_rc "dump, frame 1 payload flipped" 1
expect_dump_head "dump, frame 1 payload flipped" "$F0_REC"
expect_in err "dump, frame 1 payload flipped" "frame 1 at byte offset $F1_OFF"
expect_in err "dump, frame 1 payload flipped" "checksum mismatch"

# (c) not a trace at all, and no file
printf 'hello, this is not a trace\nat all\n' >"$W/text.frt"
: >"$W/empty.frt"
for f in "$W/text.frt" "$W/empty.frt"; do
	for c in info dump; do
		run "$FR" "$c" "$f"
		expect_rc "$c ${f##*/}" 1
		expect_in err "$c ${f##*/}" "$f: not a fragreplay trace"
		expect_empty out "$c ${f##*/}"
	done
done
for c in info dump; do
	run "$FR" "$c" "$W/no-such.frt"
	expect_rc "$c missing file" 1
	expect_in err "$c missing file" "$W/no-such.frt: No such file"
	expect_empty out "$c missing file"
done

# (d) a future major version with a valid header checksum
f=$W/v2.frt
py major "$GOLDEN" "$f" 2
expect_eq "v2 file: header CRC32C recomputed" "$(py crcok "$f")" yes
expect_eq "golden: header CRC32C as computed here" "$(py crcok "$GOLDEN")" yes
for c in info dump; do
	run "$FR" "$c" "$f"
	expect_rc "$c major version 2" 1
	expect_in err "$c major version 2" "$f: format version 2.0 is not supported"
	expect_empty out "$c major version 2"
done

# ---------------------------------------------------------------- 6. fuzz
# Every byte of a trace is covered by a CRC32C (file header, metadata, each
# frame's header and payload), so each single-byte change must be detected.
echo "fuzz: $FUZZ_N single-byte corruptions, seed $FUZZ_SEED (FRT_FUZZ_SEED)"
mkdir "$W/fuzz"
py fuzz "$GOLDEN" "$W/fuzz" "$FUZZ_SEED" "$FUZZ_N" >"$W/fuzz.list"
n=0
while read -r f; do
	n=$((n + 1))
	bad=""
	run "$FR" info "$f"
	irc=$RC
	[ "$irc" -eq 1 ] || bad="$bad info exit $irc (want 1);"
	run "$FR" dump "$f"
	drc=$RC
	[ "$drc" -eq 1 ] || bad="$bad dump exit $drc (want 1);"
	is_prefix_of_clean "$W/out" || bad="$bad dump output is not a prefix of the clean dump;"
	[ -s "$W/err" ] || bad="$bad dump printed no error;"
	if [ -z "$bad" ]; then pass; else
		fail "fuzz ${f##*/} (seed $FUZZ_SEED):$bad"
	fi
done <"$W/fuzz.list"
expect_eq "fuzz: corrupted files made" "$n" "$FUZZ_N"

# ---------------------------------------------------------------- 9. replay, compare, variants
SAMPLE=$DATA/../../traces/samples/slab-pagecache-interleave.frt
run "$FR" variants
expect_rc "variants" 0
expect_re out "variants" '^  vanilla '
expect_re out "variants" '^  defrag_mode '
expect_re out "variants" '^  watermark_boost_factor +15000  0\.\.2147483647  vm\.watermark_boost_factor$'
expect_re out "variants" '^      set by: vanilla=0 defrag_mode=1 evacuate=0 capture-split=1 spb-steer=0$'
expect_re out "variants" '^  evacuate_pool +64  '
expect_re out "variants" '^  evacuate +vanilla \+ RFC PATCH 06/40 '
expect_re out "variants" '^  capture-split +defrag_mode \+ '
expect_re out "variants" '^ +Not modelled: reclaim_clean_pages_from_list'

run "$FR" compare "$SAMPLE" --a vanilla --b defrag_mode --all --json "$W/cmp1.json"
expect_rc "compare" 0
expect_empty err "compare (stderr not a terminal: no progress line)"
expect_re out "compare" '^A +vanilla$'
expect_re out "compare" '^B +defrag_mode$'
expect_re out "compare" '^model-only failures +[0-9,]+ +[0-9,]+ +[-+0-9,]+ +(-|new|[-+][0-9.]+%)$'
expect_re out "compare" '^the kernel recorded: 23 extfrag events'
cp "$W/out" "$W/cmp1.txt"
run "$FR" compare "$SAMPLE" --a vanilla --b defrag_mode --all --json "$W/cmp2.json"
expect_eq "compare twice: same text" "$(cmp -s "$W/cmp1.txt" "$W/out" && echo same)" same
expect_eq "compare twice: same JSON" "$(cmp -s "$W/cmp1.json" "$W/cmp2.json" && echo same)" same
expect_eq "compare JSON: two runs, vanilla first" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["runs"]), d["runs"][0]["variant"], d["runs"][1]["settings"], d["recorded"]["extfrag"])' "$W/cmp1.json")" \
	"2 vanilla defrag_mode 23"

run "$FR" validate "$SAMPLE" --all
expect_rc "validate" 0
# the kernel's claims by (alloc, fallback) type, counted here from dump
EXT=$("$FR" dump --type kmem:mm_page_alloc_extfrag "$SAMPLE")
CLAIM_MU=$(grep -c 'alloc_migratetype=1 fallback_migratetype=0 change_ownership=1' <<<"$EXT")
CLAIM_MR=$(grep -c 'alloc_migratetype=1 fallback_migratetype=2 change_ownership=1' <<<"$EXT")
expect_eq "sample has movable claims of unmovable and reclaimable blocks" \
	"$([ "$CLAIM_MU" -gt 0 ] && [ "$CLAIM_MR" -gt 0 ] && echo both)" both
expect_re out "validate" "^fallback claims movable <- unmovable +$CLAIM_MU +[0-9,]+ +[0-9.]+% +[0-9,]+\$"
expect_re out "validate" "^fallback claims movable <- reclaimable +$CLAIM_MR +[0-9,]+ +[0-9.]+% +[0-9,]+\$"
expect_re out "validate" '^free pages over trace time '
expect_re out "validate" '^ +0\.0 +([0-9,]+) +\1 +\+0$'
expect_re out "validate" '^end pageblocks movable +[0-9,]+ +[0-9,]+ +[0-9.]+% +[0-9,]+$'
expect_re out "validate" '^compact_stall +[0-9,]+ +[0-9,]+ +[0-9.]+% +[0-9,]+$'
expect_re out "validate" '^thp_fault_alloc +0 +0 +- +0$'
expect_re out "validate" '^fidelity score [0-9.]+ / 100 \(page-weighted'
expect_re out "validate" '^per-line mean +[0-9.]+ / 100 '
expect_re out "validate" "^kernel's end free lists and pageblocks: the end snapshot's\$"
expect_re out "validate" "^  /proc/pagetypeinfo; where it shows a count as >100000"
cp "$W/out" "$W/validate.txt"
run "$FR" validate
expect_rc "validate without a trace" 2
run "$FR" validate "$SAMPLE" "$SAMPLE"
expect_rc "validate with two traces" 2
run "$FR" validate --bogus "$SAMPLE"
expect_rc "validate --bogus" 2

run "$FR" replay "$SAMPLE" --interval 1s --json "$W/series.json"
expect_rc "replay --interval 1s" 0
expect_eq "replay --interval 1s: samples over the 7.2 s trace, increasing, ending at its end" \
	"$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["runs"][0]["series"]; t=s["t_ns"]; print(len(t), all(a<b for a,b in zip(t,t[1:])), round(t[-1]/1e9,1), len(s["tainted_pageblocks"])==len(t))' "$W/series.json")" \
	"9 True 7.2 True"
# both reports against replay/report-schema.json (draft 2020-12): every key, its type, and
# nothing else; and every series column as long as t_ns, which a schema cannot say
SCHEMA=$DATA/../../replay/report-schema.json
cat >"$W/validate.py" <<'PY'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))
v = jsonschema.Draft202012Validator(schema)
errs = ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(top)", e.message)
        for e in v.iter_errors(report)]
if not errs:
    for i, run in enumerate(report["runs"]):
        s = run["series"]
        errs += ["runs/%d/series/%s: %d samples, t_ns has %d" % (i, k, len(a), len(s["t_ns"]))
                 for k, a in s.items() if isinstance(a, list) and len(a) != len(s["t_ns"])]
print("; ".join(errs[:5]) or "valid")
sys.exit(1 if errs else 0)
PY
expect_report_valid() { # WHAT FILE
	local msg
	if msg=$(python3 "$W/validate.py" "$SCHEMA" "$2" 2>&1); then pass; else
		fail "$1: $2 does not match replay/report-schema.json: $msg"
	fi
}
expect_report_invalid() { # WHAT FILE
	if python3 "$W/validate.py" "$SCHEMA" "$2" >/dev/null 2>&1; then
		fail "$1: the schema check accepted a damaged report"
	else pass; fi
}
python3 -c 'import jsonschema' 2>/dev/null ||
	fail "python3-jsonschema is missing (tests/setup.sh installs it)"
expect_report_valid "compare --json" "$W/cmp1.json"
expect_report_valid "replay --json" "$W/series.json"
# the check can fail: a required key gone, a key nobody documented, a short column
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["runs"][1]["counters"]["pgfree"]; json.dump(d, open(sys.argv[2], "w"))' "$W/cmp1.json" "$W/bad1.json"
expect_report_invalid "report without counters.pgfree" "$W/bad1.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["runs"][0]["figures"]["surprise"] = 1; json.dump(d, open(sys.argv[2], "w"))' "$W/series.json" "$W/bad2.json"
expect_report_invalid "report with an unknown figure" "$W/bad2.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["runs"][0]["series"]["free_pages"].pop(); json.dump(d, open(sys.argv[2], "w"))' "$W/series.json" "$W/bad3.json"
expect_report_invalid "report with a short series column" "$W/bad3.json"

# validate --json: the replay report of its one run, plus "fidelity": the text's lines, in
# its order and with its numbers, and its score; the free-pages track starts level
run "$FR" validate "$SAMPLE" --all --json "$W/validate.json"
expect_rc "validate --json" 0
expect_eq "validate --json: the same text as without --json" \
	"$(cmp -s "$W/validate.txt" "$W/out" && echo same)" same
expect_report_valid "validate --json" "$W/validate.json"
python3 - "$W/validate.json" >"$W/validate-from-json.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["runs"][0]["fidelity"]
for l in f["lines"]:
    agree = "%.1f%%" % (100 * l["agreement"]) if l["agreement"] is not None else "-"
    print("%-38s %10s %10s %7s %11s" % (l["name"], format(l["kernel"], ","), format(l["model"], ","), agree, format(l["weight"], ",")))
print("fidelity score %.1f / 100 (page-weighted" % f["score"])
scored = [l for l in f["lines"] if l["weight"]]
print("per-line mean  %.1f / 100 (mean agreement of the %d lines not both 0" % (f["line_mean"], len(scored)))
# the scores as README "Fidelity" defines them, from the lines; both-0 lines weigh nothing
w = sum(l["weight"] for l in scored)
print(round(100 * sum(l["agreement"] * l["weight"] for l in scored) / w, 6) == round(f["score"], 6),
      round(100 * sum(l["agreement"] for l in scored) / len(scored), 6) == round(f["line_mean"], 6),
      all((l["weight"] == 0) == (l["kernel"] == 0 and l["model"] == 0) for l in f["lines"]))
t = f["free_pages"]
print(len(d["runs"]), d["runs"][0]["variant"], f["end_snapshot"],
      t["kernel"][0] == t["model"][0], len(t["t_ns"]) == len(t["kernel"]) == len(t["model"]),
      all(a < b for a, b in zip(t["t_ns"], t["t_ns"][1:])))
PY
sed -n '/^ *kernel *model *agree *pages$/,/^per-line mean/{/^ *kernel/d;/^$/d;/^  /d;s/: the pages .*//;s/;.*//;p}' \
	"$W/validate.txt" >"$W/validate-lines.txt"
expect_eq "validate --json: every line, its weight and both scores as the text prints them" \
	"$(head -n -2 "$W/validate-from-json.txt" | cmp -s - "$W/validate-lines.txt" && echo same)" same
expect_eq "validate --json: the page-weighted score and the per-line mean from the lines; weight 0 only where both are 0" \
	"$(tail -n 2 "$W/validate-from-json.txt" | head -n 1)" "True True True"
expect_eq "validate --json: one vanilla run, end snapshot compared, free-pages track level at 0 and aligned" \
	"$(tail -n 1 "$W/validate-from-json.txt")" "1 vanilla True True True True"
expect_eq "replay --json has no fidelity" \
	"$(python3 -c 'import json,sys; print("fidelity" in json.load(open(sys.argv[1]))["runs"][0])' "$W/series.json")" False
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["runs"][0]["fidelity"]["lines"][0]["agreement"] = 1.5; json.dump(d, open(sys.argv[2], "w"))' "$W/validate.json" "$W/bad4.json"
expect_report_invalid "validate report with an agreement above 1" "$W/bad4.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["runs"][0]["fidelity"]["score"]; json.dump(d, open(sys.argv[2], "w"))' "$W/validate.json" "$W/bad5.json"
expect_report_invalid "validate report without a score" "$W/bad5.json"

# validate's kernel side on every sample is the kernel's own procfs, as the
# snapshots carry it (FORMAT.md §8.2 "procfs", read here by the spec reader):
# free blocks per (order, type) and pageblocks per type are the end
# snapshot's /proc/pagetypeinfo (node 0; a ">100000" count at least that),
# thp_fault_* the /proc/vmstat deltas; and the model counts as many
# pageblocks as the kernel, holes and uninitialised memmap out of both
cat >"$W/truth.py" <<'PY'
import json, re, struct, sys
sys.path.insert(0, sys.argv[1])
import spec_reader as sr
data = open(sys.argv[2], "rb").read()
procfs, snap_ts, timed, off = {}, {}, {}, sr.open_trace(data)
while off < len(data): # frame headers only (FORMAT.md §5): the format tests check the rest
    ftype, flags = data[off + 4], data[off + 5]
    stored_size, = struct.unpack_from("<I", data, off + 8)
    if ftype == sr.SNAPSHOT:
        pl = data[off + 24:off + 24 + stored_size]
        pl = sr.zstd_decompress(pl) if flags & 1 else pl
        h = json.loads(pl.split(b"\0", 1)[0])
        if h["part"] == 0:
            procfs[h["kind"]] = h["procfs"]
            snap_ts[h["kind"]] = h["ts"]
            timed[h["kind"]] = any(x["name"] == "read_times" for x in h.get("sections", []))
    off += 24 + stored_size
free, capped, blocks, types = {}, set(), {}, None
for line in procfs["end"]["pagetypeinfo"].splitlines():
    m = re.match(r"Node\s+0, zone\s+\S+, type\s+(\S+)\s+(.*)", line)
    if m:
        for o, v in enumerate(m.group(2).split()):
            key = (m.group(1).lower(), o)
            free[key] = free.get(key, 0) + int(v.lstrip(">"))
            if v.startswith(">"):
                capped.add(key)
    elif line.startswith("Number of blocks type"):
        types = [t.lower() for t in line.split()[4:]]
    elif types and re.match(r"Node 0, zone", line):
        for t, v in zip(types, line.split()[4:]):
            blocks[t] = blocks.get(t, 0) + int(v)
vm = [dict(l.split() for l in procfs[k]["vmstat"].splitlines()) for k in ("start", "end")]
f = json.load(open(sys.argv[3]))["runs"][0]["fidelity"]
# a NUMA host: vmstat counts every node, the model node 0 (test_numa.sh checks
# the THP lines against node 0's faults in the trace)
numa = re.search(r"^Node [1-9]\d*, zone", procfs["end"]["zoneinfo"], re.M) is not None
bad = []
pb = {"kernel": 0, "model": 0}
# vmstat's counts are compared only over a window the trace covers: every
# sample but the format 1.2 recording and the import started capture after
# the start snapshot's read and ended it before the end one's
win = f["vmstat_window"]
covered = win["covered"]
tol = max(0.01, win["vmstat_s"] / 100)
if covered != (win["start_gap_s"] <= tol and win["end_gap_s"] <= tol) or \
        abs(win["vmstat_s"] - (snap_ts["end"] - snap_ts["start"]) / 1e9) > 1e-6:
    bad.append("vmstat window %s, snapshots at %s" % (win, snap_ts))
out = set(win["not_compared"])
if out & {l["name"] for l in f["lines"]} or (covered and out) or \
        not out <= {"compact_success", "compact_fail", "compact_stall", "compact_daemon_wake",
                    "pgmigrate_success", "compact_migrate_scanned", "compact_free_scanned"}:
    bad.append("not compared %s, covered %s" % (sorted(out), covered))
for l in f["lines"]:
    m = re.match(r"end free (\S+) order (\d+)$", l["name"])
    if m:
        key = (m.group(1), int(m.group(2)))
        want = free.get(key, 0)
        if l["kernel"] != want and not (key in capped and l["kernel"] > want):
            bad.append("%s: %d, pagetypeinfo %d" % (l["name"], l["kernel"], want))
    m = re.match(r"end pageblocks (\S+)$", l["name"])
    if m:
        pb["kernel"] += l["kernel"]
        pb["model"] += l["model"]
        if l["kernel"] != blocks.get(m.group(1), 0):
            bad.append("%s: %d, pagetypeinfo %d" % (l["name"], l["kernel"], blocks.get(m.group(1), 0)))
    if l["name"].startswith("thp_fault_") and not numa and covered and not win["thp_reflected"]:
        want = int(vm[1][l["name"]]) - int(vm[0][l["name"]])
        if l["kernel"] != want:
            bad.append("%s: %d, vmstat %d" % (l["name"], l["kernel"], want))
# the model manages what the start snapshot held plus the zone growth the
# trace's frees showed; memory that joined a zone with no mm_page_free (the
# snapshots' zoneinfo 'managed' grew by more) is the kernel's alone
managed = [sum(int(x) for x in re.findall(r"\n\s+managed\s+(\d+)", procfs[k]["zoneinfo"]))
           for k in ("start", "end")]
rep = json.load(open(sys.argv[3]))
run = rep["runs"][0]
# a start snapshot without read times whose walk began over 10 ms before the
# first event (capture switched on after it): said in a note, with the gap,
# where it explains the unmatched frees' note
gap = [n for n in rep.get("notes", []) if n.startswith("the trace's first event came")]
unmatched = any("matched no block the model holds" in n for n in rep.get("notes", []))
want_gap = not timed["start"] and win["start_gap_s"] > 0.01 and unmatched
if bool(gap) != want_gap or (gap and "came %.2f s after" % win["start_gap_s"] not in gap[0]):
    bad.append("start gap %.3f s, timed %s: notes %s" % (win["start_gap_s"], timed["start"], gap))
unseen = managed[1] - managed[0] - run["figures"]["zone_growth_pages"]
# memory taken offline (hot-removal, no event in the trace; replay says so in
# a note) leaves the kernel's side, and the model's by what model_offline()
# took out at the kernel's offlining migrations (model_offline_pages)
removed = any(n.startswith("memory hot-removal") for n in rep.get("notes", []))
offlined = run["counters"].get("model_offline_pages", 0)
if pb["kernel"] - pb["model"] != ((unseen + offlined) if removed else max(unseen, 0)) // 512:
    bad.append("pageblocks: the model has %d, the kernel %d, growth unseen by the trace %d pages"
               % (pb["model"], pb["kernel"], unseen))
if f["end_source"] != "pagetypeinfo" or \
        f["thp_source"] != ("vmstat" if covered and not numa and not win["thp_reflected"]
                            else "trace"):
    bad.append("sources %s, %s" % (f["end_source"], f["thp_source"]))
if ("compact_stall" in f["vmstat_whole_host"]) != numa:
    bad.append("vmstat counters not compared: %s on a %s host"
               % (f["vmstat_whole_host"], "NUMA" if numa else "one-node"))
# the end snapshot's free pages (pagetypeinfo, node 0) against the trace's end
# (free_pages.kernel's last sample, hot-removed pfns off): a note iff > 5% apart
snap = 0
for l in f["lines"]:
    m = re.match(r"end free (\S+) order (\d+)$", l["name"])
    if m:
        snap += l["kernel"] << int(m.group(2))
m = re.search(r"memory hot-removal: the end snapshot shows node 0 with (\d+) pfns fewer",
              " ".join(rep.get("notes", [])))
end = f["free_pages"]["kernel"][-1] - (int(m.group(1)) if m else 0)
# pcp pages on both sides where both snapshots say them: the end walk's, and
# the start's the trace did not allocate, which may still be free
pcp = f["pcp_pages"]
high = end
if pcp["start"] is not None and pcp["end"] is not None:
    snap += pcp["end"]
    high = end + max(0, pcp["start"] - pcp["start_used"])
near = min(max(snap, end), high)
apart = snap and abs(snap - near) > 0.05 * snap
said = [n for n in rep.get("notes", []) if n.startswith("the end snapshot holds")]
if bool(said) != bool(apart) or (said and ("holds %d free pages" % snap) not in said[0]):
    bad.append("end snapshot %d free pages, the trace ends in [%d, %d]: note %s"
               % (snap, end, high, said))
# placement: of the kernel's allocations (requests_replayed), those at its pfn
pl = f["placement"]
if pl["allocations"] != run["figures"]["requests_replayed"] or \
        not 0 <= pl["at_kernel_pfn"] <= pl["allocations"]:
    bad.append("placement %s of %d requests" % (pl, run["figures"]["requests_replayed"]))
# totals that far apart cannot agree per order: that check is n/a, not a miss
byorder = [c for c in f["checks"] if c["key"] == "free_pages_by_order"][0]
if snap and (byorder["state"] == "na") != bool(apart):
    bad.append("free_pages_by_order %s with the end %s apart" % (byorder["state"], apart))
print("; ".join(bad[:4]) or "procfs")
PY
for s in "$DATA"/../../traces/samples/*.frt; do
	name=$(basename "$s" .frt)
	run "$FR" validate "$s" --json "$W/truth-$name.json"
	expect_rc "validate $name" 0
	expect_eq "validate $name: the kernel's side is the snapshots' procfs; as many pageblocks on both sides" \
		"$(python3 "$W/truth.py" "$DATA/../cli" "$s" "$W/truth-$name.json" 2>&1)" procfs
done

run "$FR" replay "$SAMPLE" --interval 5fortnights
expect_rc "replay --interval nonsense" 2
expect_in err "replay --interval nonsense" "want a duration such as 100ms"

run "$FR" replay "$SAMPLE" --set defrag_mode=1
expect_rc "replay --set" 0
expect_re out "replay --set" '^variant +vanilla defrag_mode=1$'

run "$FR" replay "$SAMPLE" --variant frobnicated
expect_rc "replay unknown variant" 2
expect_in err "replay unknown variant" "unknown variant 'frobnicated'; the presets are: vanilla defrag_mode"
run "$FR" replay "$SAMPLE" --set nosuchknob=1
expect_rc "replay unknown knob" 2
expect_in err "replay unknown knob" "unknown knob 'nosuchknob'; the knobs are: watermark_boost_factor"
run "$FR" compare "$SAMPLE" --a vanilla
expect_rc "compare without --b" 2
run "$FR" replay "$GOLDEN"
expect_rc "replay of a trace without zones" 1
expect_in err "replay of a trace without zones" 'golden-v1.frt: metadata has no "zones" array'

# ---- damaged and snapshot-less traces (issue 6: "a damaged trace replays the
# valid prefix with a warning, or fails cleanly with --strict; a trace without
# a start snapshot is replayed from an empty model, with a loud note") ----
SIZE=$(stat -c %s "$SAMPLE")
head -c $((SIZE - 50000)) "$SAMPLE" >"$W/cut.frt"
run "$FR" replay "$W/cut.frt" --json "$W/cut.json"
expect_rc "replay of a truncated trace" 0
expect_in err "replay of a truncated trace" "cut.frt: frame "
expect_in err "replay of a truncated trace" "replayed the valid prefix"
expect_re out "replay of a truncated trace" '^\*\*\* NOTE: the trace is damaged .*only its valid prefix was replayed \*\*\*$'
expect_eq "replay of a truncated trace: JSON note" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["notes"]), "valid prefix" in d["notes"][0], d["start"])' "$W/cut.json")" \
	"1 True snapshot"
CUT_EVENTS=$(sed -n 's/^replayed  \([0-9,]*\) events.*/\1/p' "$W/out" | tr -d ,)
run "$FR" replay "$SAMPLE"
FULL_EVENTS=$(sed -n 's/^replayed  \([0-9,]*\) events.*/\1/p' "$W/out" | tr -d ,)
expect_eq "truncated trace: fewer events replayed than the whole" \
	"$([ -n "$CUT_EVENTS" ] && [ "$CUT_EVENTS" -gt 0 ] && [ "$CUT_EVENTS" -lt "$FULL_EVENTS" ] && echo fewer)" fewer
run "$FR" compare "$W/cut.frt" --a vanilla --b defrag_mode --strict
expect_rc "compare --strict of a truncated trace" 1
expect_in err "compare --strict of a truncated trace" "--strict: no report"
expect_empty out "compare --strict of a truncated trace"

# validate handles damage as replay does (issue 13): the same warning, the same note in
# text and JSON, and --strict fails; for a trace cut inside a frame and for one whose
# trailer alone is gone (a clean end, which validate used to pass over in silence)
python3 - "$SAMPLE" "$W/notrailer.frt" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
off = 32 + struct.unpack_from('<I', b, 20)[0]
while off + 24 <= len(b) and b[off + 4] != 4:
    off += 24 + struct.unpack_from('<I', b, off + 8)[0]
assert off < len(b), "no trailer found"
open(sys.argv[2], 'wb').write(b[:off])
PY
# the whole sample's own notes (its end snapshot against the trace's end, say): a cut adds one
run "$FR" validate "$SAMPLE" --json "$W/whole-validate.json"
whole_notes=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["notes"]))' "$W/whole-validate.json")
for cut in cut notrailer; do
	what="validate of a trace cut ($cut)"
	run "$FR" replay "$W/$cut.frt"
	sed 's/^fragreplay replay: /fragreplay validate: /' "$W/err" >"$W/$cut-replay.err"
	run "$FR" validate "$W/$cut.frt" --json "$W/$cut-validate.json"
	expect_rc "$what" 0
	expect_in err "$what" "warning: "
	expect_in err "$what" "$cut.frt"
	expect_eq "$what: stderr as replay's" "$(cmp -s "$W/$cut-replay.err" "$W/err" && echo same)" same
	expect_re out "$what" '^\*\*\* NOTE: the trace is damaged .*only its valid prefix was replayed \*\*\*$'
	expect_re out "$what" '^fidelity score [0-9.]+ / 100 '
	expect_report_valid "$what: --json" "$W/$cut-validate.json"
	expect_eq "$what: JSON note" \
		"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["notes"]) - int(sys.argv[2]) <= 1, "valid prefix" in d["notes"][0])' "$W/$cut-validate.json" "$whole_notes")" \
		"True True"
	run "$FR" validate "$W/$cut.frt" --strict --json "$W/$cut-strict.json"
	expect_rc "$what --strict" 1
	expect_in err "$what --strict" "--strict: no report"
	expect_empty out "$what --strict"
	expect_eq "$what --strict: no JSON" "$([ -e "$W/$cut-strict.json" ] && echo written || echo none)" none
done
expect_in err "validate of a trace cut (notrailer) --strict" "notrailer.frt: no trailer: the trace is truncated"

# the sample's metadata and EVENTS frames, without its SNAPSHOT frames
python3 - "$SAMPLE" "$W/nosnap.frt" <<'PY'
import struct, sys
b = open(sys.argv[1], 'rb').read()
m = struct.unpack_from('<I', b, 20)[0]
out, off = bytearray(b[:32 + m]), 32 + m
while off + 24 <= len(b):
    typ, stored = b[off + 4], struct.unpack_from('<I', b, off + 8)[0]
    if typ != 2:
        out += b[off:off + 24 + stored]
    off += 24 + stored
open(sys.argv[2], 'wb').write(out)
PY
run "$FR" replay "$W/nosnap.frt" --json "$W/nosnap.json"
expect_rc "replay of a trace without a start snapshot" 0
expect_re out "replay of a trace without a start snapshot" '^replayed  [0-9,]+ events over .* from an EMPTY model$'
expect_re out "replay of a trace without a start snapshot" '^\*\*\* NOTE: the trace has no start snapshot: .*early results are not meaningful \*\*\*$'
expect_re out "replay of a trace without a start snapshot" '^unmatched frees +[1-9][0-9,]*$'
expect_report_valid "replay --json of a truncated trace" "$W/cut.json"
expect_report_valid "replay --json of a trace without a start snapshot" "$W/nosnap.json"
expect_eq "replay of a trace without a start snapshot: JSON" \
	"$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["start"], any("no start snapshot" in n for n in d["notes"]))' "$W/nosnap.json")" \
	"empty True"

# ------------------------------------------------- notes: no silent collapse
# ab-storm-m0-r3 frees 9,320 pages (3.29% of the freed pages, above the 0.5%
# the replay allows itself) that no block of the model covers (its kernel
# lacks three pcp tracepoints: three more notes). pagecache-slab-mix, used
# before, stays under 0.5% since the engine frees the smaller blocks a
# larger free covers
MIX=$DATA/../../traces/samples/ab-storm-m0-r3.frt
run "$FR" replay "$MIX" --json "$W/mix.json"
expect_rc "replay of a sample whose unmatched frees pass 0.5% of freed pages" 0
expect_re out "replay notes unmatched frees by pages" \
	'^\*\*\* NOTE: vanilla: [0-9]+ frees \([0-9]+ pages, [0-9]+\.[0-9]+% of the freed pages, above 0\.5%\) matched no block'
expect_eq "the JSON report carries the same note" \
	"$(python3 -c 'import json,sys; print(sum("matched no block" in n for n in json.load(open(sys.argv[1]))["notes"]))' "$W/mix.json")" 1
# its recorder (format 1.1) switched capture on 0.43 s after the start walk
expect_re out "replay says when the trace began after the start snapshot" \
	"^\*\*\* NOTE: the trace's first event came 0\.43 s after the start snapshot's walk began"
run "$FR" compare "$MIX" --a vanilla --b defrag_mode --strict
expect_rc "compare --strict of a report with notes: exit 1, after the report" 1
expect_re out "compare --strict still prints the report" '^\*\*\* NOTE: B \(defrag_mode\): '
expect_in err "compare --strict says why it fails" "--strict: the report carries 6 notes"
run "$FR" replay "$SAMPLE" --strict
expect_rc "replay --strict of a report without notes: exit 0" 0
# an import says what it could not measure
"$FR" import --start-snapshot "$DATA/import/snapdir-nokpf" -o "$W/imp.frt" \
	"$DATA/import/perf-script.txt" >/dev/null 2>&1
run "$FR" replay "$W/imp.frt"
expect_re out "replay of an import notes what it approximates" \
	'^\*\*\* NOTE: imported from perf: not measured, approximated: \[.*"migrate_pairs".*\]'

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
