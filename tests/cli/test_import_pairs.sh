#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# test_import_pairs.sh - what import infers and checks beyond the events
# (issue 15), on the real perf capture of traces/samples/import-perf-thp-anon.frt:
#  - migration pairs from the migrate:set/remove_migration_pte lines, against
#    pairs computed here from the perf text with the x86-64 encodings
#    (arch/x86/include/asm/pgtable_64.h), not traces/migrate_pair.c: every pair
#    import writes is one of them, and the shortfall is what the trace's STATS
#    says it could not match;
#  - the shipped sample carries the same pairs, its notes say so, and an input
#    without the PTE events says it has none;
#  - --perf-stat: perf's LOST counts become the trace's lost events, a count
#    that differs from the text is a WARNING naming the event, other text is
#    refused;
#  - a fast_isolate_freepages start of free_pfn + 2^63 (the kernel's, once the
#    scanners crossed) is kept as no pfn, as record does, not a malformed line;
#  - snapshot directories carry host.json (host, kernel, page size, sysctls,
#    THP) into the import's metadata;
#  - a failed snapshot fit is a WARNING for the end snapshot too (root).
#
# Usage: test_import_pairs.sh FRAGREPLAY_BINARY TEST_DATA_DIR SAMPLES_DIR
set -u
FR=$1
DATA=$2/import
SAMPLES=$3
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-pairs.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}
# jq-free JSON reads: json FILE PYTHON-EXPRESSION-ON-d
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }

# the migrate:* lines of the sample's perf script output (import-perf-thp-anon.sh MIGRATE_TXT)
python3 -c "import lzma,sys; sys.stdout.buffer.write(lzma.open(sys.argv[1]).read())" \
	"$DATA/perf-migrate-thp-anon.txt.xz" > "$W/m.txt"
check "fixture decompresses" $?

# pairs computed from the text: a remove at an address takes the latest set at
# that address not yet taken; old pfn from the migration entry (swap offset =
# ~pte << 5 >> 14, pfn = its low 34 bits), new pfn from the present PTE
cat > "$W/pairs.py" <<'PY'
import re, sys
pat = re.compile(r'\s(\d+)\.(\d+):\s+(?:migrate:)?(set|remove)_migration_pte: '
                 r'addr=([0-9a-f]+), pte=([0-9a-f]+) order=(-?\d+)')
M = 2**64 - 1
rows = []
for i, line in enumerate(open(sys.argv[1])):
    m = pat.search(line)
    if m:
        rows.append((int(m.group(1)), int(m.group(2)), i, m.group(3), int(m.group(4), 16),
                     int(m.group(5), 16), int(m.group(6))))
rows.sort()
open_sets, pairs, sets, removes = {}, [], 0, 0
for _, _, _, kind, addr, pte, order in rows:
    if kind == 'set':
        sets += 1
        open_sets.setdefault(addr, []).append((((~pte & M) << 5 & M) >> 14) & ((1 << 34) - 1))
    else:
        removes += 1
        if open_sets.get(addr):
            if (pte & 0x101) == 0x100:  # PROT_NONE: the pfn is inverted
                pte = ~pte & M
            pairs.append((open_sets[addr].pop(), (pte & 0x000ffffffffff000) >> 12, max(order, 0)))
print(sets, removes, len(pairs))
for p in pairs:
    print(*p)
PY
python3 "$W/pairs.py" "$W/m.txt" > "$W/want.txt"
read -r sets removes npairs < "$W/want.txt"
[ "$sets" -gt 1000 ] && [ "$removes" -gt 1000 ] && [ "$npairs" -gt 1000 ]
check "the text has migration PTE events: $sets sets, $removes removes, $npairs pairs" $?

"$FR" import -o "$W/m.frt" "$W/m.txt" > /dev/null 2> "$W/m.err"
check "import of the migrate lines exits 0" $?
grep -q "^migrate pairs   [0-9]* inferred from $sets set_migration_pte and $removes remove_migration_pte events" "$W/m.err"
check "import's summary counts the PTE events ($(grep '^migrate pairs' "$W/m.err"))" $?
"$FR" info --json "$W/m.frt" > "$W/m.json"
got=$(json "$W/m.json" "d['events_by_type'].get('migrate_pair', 0)")
st=$(json "$W/m.json" "' '.join(str(d['lost']['migrate_pairs'][k]) for k in ('pairs', 'dup_mappings', 'unmatched_set', 'unmatched_remove'))")
read -r st_pairs st_dup st_uset st_urem <<< "$st"
[ "$got" = "$st_pairs" ]
check "STATS migrate_pairs.pairs ($st_pairs) = migrate_pair events in the trace ($got)" $?
# at most 1% of the text's pairs missed, and each one missed is counted as a remove without its set
[ $(( (npairs - got) * 100 )) -le "$npairs" ] && [ "$got" -le "$npairs" ] &&
	[ $((got + st_urem)) = "$npairs" ]
check "$got pairs inferred of the $npairs in the text; $st_urem removes unmatched" $?
[ $((got + st_dup + st_uset)) = "$sets" ]
check "every set is paired, a further mapping or unmatched ($got + $st_dup + $st_uset = $sets)" $?
# each pair the trace holds is one of the text's (as a multiset)
"$FR" dump --type migrate_pair "$W/m.frt" |
	sed -n 's/.*old_pfn=\(0x[0-9a-f]*\) new_pfn=\(0x[0-9a-f]*\) order=\([0-9]*\).*/\1 \2 \3/p' > "$W/got.txt"
python3 - "$W/want.txt" "$W/got.txt" <<'PY'
import sys
from collections import Counter
want = Counter(tuple(map(int, l.split())) for l in list(open(sys.argv[1]))[1:])
got = Counter(tuple(int(x, 0) for x in l.split()) for l in open(sys.argv[2]))
extra = got - want
sys.exit(1 if extra or not got else 0)
PY
check "every migrate_pair (old pfn, new pfn, order) the trace holds is a pair of the text" $?
# the pair follows its remove_migration_pte (same timestamp and CPU)
"$FR" dump --type remove_migration_pte,migrate_pair "$W/m.frt" | python3 -c '
import re, sys
prev, n, bad = None, 0, 0
for line in sys.stdin:
    at = re.search(r"(\[\d+\] +\d+\.\d+): (\w+):", line)
    if at and at.group(2) == "migrate_pair":
        n += 1
        bad += prev is None or prev != at.group(1)
    elif at:
        prev = at.group(1)
sys.exit(1 if bad or not n else 0)'
check "each migrate_pair has its remove_migration_pte's timestamp" $?

# ftrace and trace-cmd text (tests/data/import: the same ring buffers) pair the same way
for f in ftrace trace-cmd; do
	python3 "$W/pairs.py" "$DATA/$f.txt" > "$W/$f.want"
	"$FR" import -o "$W/$f.frt" "$DATA/$f.txt" > /dev/null 2>&1
	"$FR" dump --type migrate_pair "$W/$f.frt" |
		sed -n 's/.*old_pfn=\(0x[0-9a-f]*\) new_pfn=\(0x[0-9a-f]*\) order=\([0-9]*\).*/\1 \2 \3/p' |
		while read -r o n k; do echo "$((o)) $((n)) $k"; done > "$W/$f.got"
	[ "$(sed -n 's/^[0-9]* [0-9]* \([0-9]*\)$/\1/p' "$W/$f.want" | head -1)" -ge 1 ] &&
		[ "$(tail -n +2 "$W/$f.want")" = "$(cat "$W/$f.got")" ]
	check "$f text: the pairs the text gives ($(tail -n +2 "$W/$f.want" | tr '\n' ';'))" $?
done

# the shipped sample: the same capture, so the same pairs, and notes that say so
S=$SAMPLES/import-perf-thp-anon.frt
"$FR" info --json "$S" > "$W/s.json"
[ "$(json "$W/s.json" "d['events_by_type'].get('migrate_pair', 0)")" = "$got" ] &&
	[ "$(json "$W/s.json" "d['events_by_type'].get('set_migration_pte', 0)")" = "$sets" ] &&
	[ "$(json "$W/s.json" "d['events_by_type'].get('remove_migration_pte', 0)")" = "$removes" ]
check "the sample holds the fixture's $sets sets, $removes removes and $got pairs" $?
# perf report --stat of the sample's capture: every event count the same
python3 - "$DATA/perf-stat-thp-anon.txt" "$W/s.json" <<'PY'
import json, re, sys
want, ev = {}, None
for line in open(sys.argv[1]):
    m = re.match(r'^([a-z]+):([a-z_]+) stats:$', line)
    if m:
        ev = m.group(2)
    m = re.match(r'^ +SAMPLE events: +(\d+)', line)
    if m and ev:
        want[ev], ev = int(m.group(1)), None
got = json.load(open(sys.argv[2]))['events_by_type']
bad = {k: (n, got.get(k, 0)) for k, n in want.items() if got.get(k, 0) != n}
print(bad or '', end='')
sys.exit(1 if bad or len(want) < 10 else 0)
PY
check "the sample's event counts are perf report --stat's" $?
"$FR" validate "$S" > "$W/s.val" 2>&1
check "validate runs on the sample" $?
grep -q "^\*\*\* NOTE: .*the import inferred $got migration pairs .* from $sets set_migration_pte" "$W/s.val"
check "the report notes the inferred pairs" $?
"$FR" info "$S" > "$W/s.info"
grep -q '^lost events     0$' "$W/s.info"
check "the sample's lost events are perf's: 0" $?
# a note the import could write only at the end (STATS), in info's text too
grep -q "^note  *the import inferred $got migration pairs .* from $sets set_migration_pte" "$W/s.info"
check "info shows the end-of-trace note of the inferred pairs" $?

# no PTE events in the input: no pairs, and the note says why
grep -v '_migration_pte: ' "$W/m.txt" > "$W/nopte.txt"
"$FR" import -o "$W/nopte.frt" "$W/nopte.txt" > /dev/null 2>&1 &&
	"$FR" info --json "$W/nopte.frt" | python3 -c "import json,sys; print(*json.load(sys.stdin)['lost']['notes'])" |
	grep -q 'the import inferred no migration pairs: the input has no migrate:set_migration_pte/remove_migration_pte events, though it has mm_migrate_pages events'
check "an input without the PTE events: no pairs, and the note says so" $?

# --perf-stat: counts from the text itself agree; LOST rows become lost events
python3 - "$W/m.txt" > "$W/stat.txt" <<'PY'
import re, sys
from collections import Counter
c = Counter(m.group(1) for m in map(re.compile(r'\d\.\d+: +([a-z]+:[a-z_]+): ').search, open(sys.argv[1])) if m)
print("\nAggregated stats:\n           TOTAL events: %10d\n          SAMPLE events: %10d" % (sum(c.values()), sum(c.values())))
for k, n in c.items():
    print("%s stats:\n          SAMPLE events: %10d" % (k, n))
PY
"$FR" import --perf-stat "$W/stat.txt" -o "$W/ps.frt" "$W/m.txt" > /dev/null 2> "$W/ps.err"
[ $? = 0 ] && ! grep -q WARNING "$W/ps.err" && "$FR" info "$W/ps.frt" | grep -q '^lost events     0$' &&
	! "$FR" info "$W/ps.frt" | grep -q '^approximate .*lost_events'
check "--perf-stat with matching counts: no WARNING, lost events 0, lost_events not approximate" $?
sed 's/^\(Aggregated stats:\)$/\1\n            LOST events:          7/' "$W/stat.txt" > "$W/stat-lost.txt"
sed -i '/^migrate:set_migration_pte stats:$/{n;s/[0-9][0-9]*$/1/}' "$W/stat-lost.txt"
"$FR" import --perf-stat "$W/stat-lost.txt" -o "$W/pl.frt" "$W/m.txt" > /dev/null 2> "$W/pl.err"
[ $? = 0 ] && "$FR" info "$W/pl.frt" | grep -q '^lost events     7$' &&
	grep -q "^fragreplay import: WARNING: set_migration_pte: $sets events imported, $W/stat-lost.txt counts 1:" "$W/pl.err"
check "--perf-stat: LOST 7 is the trace's lost events; a count that differs is a WARNING naming it" $?
"$FR" import --perf-stat "$W/m.txt" -o "$W/bad.frt" "$W/m.txt" > /dev/null 2> "$W/bad.err"
[ $? = 1 ] && grep -q "^fragreplay import: --perf-stat $W/m.txt: no 'Aggregated stats:' section" "$W/bad.err" &&
	[ ! -e "$W/bad.frt" ]
check "--perf-stat of other text: exit 1 naming it, no trace" $?

# the kernel's free_pfn + 2^63 start (scanners crossed): no pfn, counted; other 2^63 values stay malformed
printf '%s\n' \
	'      kcompactd0    38 [001] 19354.868589: compaction:mm_compaction_fast_isolate_freepages: range=(0x8000000000102400 ~ 0x102400) nr_scanned=0 nr_taken=0' \
	'      kcompactd0    38 [001] 19354.868590: compaction:mm_compaction_fast_isolate_freepages: range=(0x8000000000102401 ~ 0x102400) nr_scanned=0 nr_taken=0' \
	> "$W/crossed.txt"
"$FR" import -o "$W/c.frt" "$W/crossed.txt" > /dev/null 2> "$W/c.err"
[ $? = 0 ] && grep -q '^malformed       1 lines' "$W/c.err" && grep -q "crossed.txt:2: range" "$W/c.err" &&
	grep -q '^no pfn          1 ' "$W/c.err" &&
	[ "$(json <("$FR" info --json "$W/c.frt") "d['lost'].get('bogus_pfns')")" = 1 ] &&
	"$FR" dump "$W/c.frt" | grep -q 'fast_isolate_freepages: start_pfn=-1 end_pfn=0x102400 '
check "free_pfn + 2^63 kept as no pfn and counted; 2^63 + another pfn still malformed ($(tail -c 300 "$W/c.err"))" $?

# host.json: snapshot writes it, import takes host, kernel, page size, sysctls and each
# CPU's NUMA node from it,
# leaves out values of the wrong type, and refuses a file that is not JSON, naming it
"$FR" snapshot --no-kpageflags "$W/hd" > /dev/null
check "snapshot --no-kpageflags exits 0" $?
"$FR" snapshot --help | grep -q 'and host.json: the' && "$FR" import --help | grep -q -- '--perf-stat FILE'
check "snapshot --help names host.json, import --help --perf-stat" $?
python3 - "$W/hd/host.json" <<'PY'
import json, os, sys
h = json.load(open(sys.argv[1]))
want = {"hostname": os.uname().nodename, "kernel_release": os.uname().release,
        "page_size": os.sysconf("SC_PAGE_SIZE"),
        "defrag_mode": int(open("/proc/sys/vm/defrag_mode").read()),
        "min_free_kbytes": int(open("/proc/sys/vm/min_free_kbytes").read())}
# each CPU's node from /sys/devices/system/node/node*/cpulist ("0-3,8")
nodes = {}
for d in os.listdir("/sys/devices/system/node") if os.path.isdir("/sys/devices/system/node") else []:
    if d.startswith("node") and d[4:].isdigit():
        for part in open("/sys/devices/system/node/%s/cpulist" % d).read().split(","):
            if part.strip():
                a, _, b = part.strip().partition("-")
                for c in range(int(a), int(b or a) + 1):
                    nodes[c] = int(d[4:])
if nodes:
    want["cpu_node"] = [nodes.get(c, -1) for c in range(max(nodes) + 1)]
got = dict(h, **h["sysctls"])
sys.exit(0 if all(got.get(k) == v for k, v in want.items()) and
         ("cpu_node" in h) == bool(nodes) else 1)
PY
check "host.json holds this host's name, kernel, page size, sysctls and CPU nodes" $?
"$FR" import --start-snapshot "$W/hd" -o "$W/hd.frt" "$DATA/perf-script.txt" > /dev/null 2>&1 &&
	"$FR" info "$W/hd.frt" > "$W/hd.info" &&
	grep -q "^host            $(uname -n), kernel $(uname -r)$" "$W/hd.info" &&
	grep -q "^memory          page size $(getconf PAGESIZE)," "$W/hd.info" &&
	grep -q "^sysctls .*defrag_mode=$(cat /proc/sys/vm/defrag_mode) " "$W/hd.info" &&
	"$FR" info --json "$W/hd.frt" | python3 -c "import json,sys
m = json.load(sys.stdin)['metadata']; h = json.load(open(sys.argv[1]))
sys.exit(0 if m.get('cpu_node') == h.get('cpu_node') else 1)" "$W/hd/host.json"
check "the import's metadata has the snapshot's host, kernel, page size, sysctls and CPU nodes" $?
python3 -c "import json,sys; h=json.load(open(sys.argv[1])); h['page_size']=3; h['hostname']=7;
h['sysctls']['defrag_mode']='x'; h['cpu_node']=[0, 'x']; json.dump(h, open(sys.argv[1], 'w'))" "$W/hd/host.json"
"$FR" import --start-snapshot "$W/hd" -o "$W/hd2.frt" "$DATA/perf-script.txt" > /dev/null 2>&1 &&
	"$FR" info --json "$W/hd2.frt" | python3 -c "import json,sys; m=json.load(sys.stdin)['metadata'];
sys.exit(0 if 'page_size' not in m and 'hostname' not in m and 'defrag_mode' not in m['sysctls'] and 'min_free_kbytes' in m['sysctls'] and 'cpu_node' not in m else 1)"
check "host.json values of the wrong type are left out, the others kept" $?
echo '{"hostname": ' > "$W/hd/host.json"
"$FR" import --start-snapshot "$W/hd" -o "$W/hd3.frt" "$DATA/perf-script.txt" > /dev/null 2> "$W/hd3.err"
[ $? = 1 ] && grep -q "^fragreplay import: $W/hd/host.json:2: .*(fix: remove the file, or take the snapshot again)" "$W/hd3.err" &&
	[ ! -e "$W/hd3.frt" ]
check "a host.json that is not JSON: exit 1 naming it ($(cat "$W/hd3.err"))" $?
ln -sf /dev/zero "$W/hd/host.json"
timeout 20 "$FR" import --start-snapshot "$W/hd" -o "$W/hd5.frt" "$DATA/perf-script.txt" > /dev/null 2> "$W/hd5.err"
[ $? = 1 ] && grep -q "$W/hd/host.json: not a regular file" "$W/hd5.err"
check "a host.json linked to /dev/zero: refused, exit 1 ($(cat "$W/hd5.err"))" $?
rm "$W/hd/host.json"
"$FR" import --start-snapshot "$W/hd" -o "$W/hd4.frt" "$DATA/perf-script.txt" > /dev/null 2>&1
check "a directory without host.json still imports" $?

# a failed fit of the end snapshot is a WARNING too (root: kpageflags)
if [ -r /proc/kpageflags ] && "$FR" snapshot "$W/kdir" > /dev/null 2>&1; then
	awk '/^Node .* type / && !/Number/ { $7 = $7 * 10 + 1000 } { print }' \
		"$W/kdir/pagetypeinfo" > "$W/kdir/pt" && mv "$W/kdir/pt" "$W/kdir/pagetypeinfo"
	"$FR" import --end-snapshot "$W/kdir" -o "$W/k.frt" "$W/m.txt" > /dev/null 2> "$W/k.err"
	[ $? = 0 ] && grep -q '^fragreplay import: WARNING: the end snapshot from .* off its pagetypeinfo' "$W/k.err"
	check "import warns that the end snapshot's fit failed" $?
else
	echo "the end-snapshot fit check needs root (kpageflags): not run"
fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
