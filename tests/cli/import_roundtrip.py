#!/usr/bin/env python3
# import_roundtrip.py SOURCE.txt DUMP.txt - every event line of SOURCE (perf
# script or ftrace text) against the same event in 'fragreplay dump' of its
# import: same time (ns), CPU, event, task (comm and pid), and every field
# both print under one name (or a known alias) byte for byte. Source lines are taken in stable
# timestamp order, which is the order the importer writes. Prints the
# mismatches and "N lines, M fields compared"; exit 1 on any mismatch.
import re, sys

KNOWN = re.compile(r'(?:\[(\d+)\].*?)\s(\d+)\.(\d+):\s+(?:\w+:)?(\w+):\s(.*)$')
# the task before [cpu]: perf "comm tid", ftrace and dump "comm-pid", dump then "(tgid)"
TASK = re.compile(r'^\s*(.*?)(?:-| +)(\d+)\s*(?:\([ \d-]+\)\s*)?\[\d+\]')
# printed key in the source -> the key dump prints
ALIAS = {'node': 'nid', 'zone': 'idx', 'classzone_idx': 'highest_zoneidx',
         'consider': 'considered', 'priority': 'prio', 'nr_succeeded': 'succeeded',
         'nr_thp_succeeded': 'thp_succeeded', 'nr_thp_failed': 'thp_failed',
         'nr_thp_split': 'thp_split', 'nr_split': 'large_folio_split'}

def fields(text, event):
    text = re.sub(r'range=\((\S+) ~ (\S+)\)', r'start_pfn=\1 end_pfn=\2', text)
    out = {}
    for tok in text.split():
        if '=' not in tok:
            continue
        k, v = tok.split('=', 1)
        if event == 'mm_migrate_pages' and k == 'nr_failed':
            k = 'failed'
        v = v.rstrip(',')
        if k in ('addr', 'pte'):  # the kernel prints them bare, dump with 0x
            v = v[2:] if v.startswith('0x') else v
        out[ALIAS.get(k, k)] = v
    return out

def events(path, dump):
    evs = []
    for i, line in enumerate(open(path, errors='replace')):
        if line.startswith('#'):
            continue
        m = KNOWN.search(line.rstrip('\n'))
        if not m:
            continue
        cpu, sec, frac, ev, rest = m.groups()
        ns = int(sec) * 10**9 + int(frac.ljust(9, '0'))
        t = TASK.match(line)
        task = (t.group(1)[:16], int(t.group(2))) if t else None
        evs.append((ns, i, int(cpu or 0), ev, fields(rest, ev), task))
    return evs if dump else sorted(evs, key=lambda e: (e[0], e[1]))

src, dmp = events(sys.argv[1], False), events(sys.argv[2], True)
bad, compared = 0, 0
if len(src) != len(dmp):
    print(f'FAIL: {len(src)} source events, {len(dmp)} dumped')
    bad += 1
for s, d in zip(src, dmp):
    if (s[0], s[2], s[3]) != (d[0], d[2], d[3]):
        print(f'FAIL: source line {s[1] + 1}: {s[3]} at {s[0]} cpu {s[2]}, dump has '
              f'{d[3]} at {d[0]} cpu {d[2]}')
        bad += 1
        continue
    if s[5] is None or s[5] != d[5]:
        print(f'FAIL: source line {s[1] + 1}: task {s[5]}, dump has {d[5]}')
        bad += 1
    common = [k for k in d[4] if k in s[4]]
    if not common:
        print(f'FAIL: source line {s[1] + 1}: no field in common with the dump')
        bad += 1
    for k in common:
        compared += 1
        if s[4][k] != d[4][k]:
            print(f'FAIL: source line {s[1] + 1}: {s[3]} {k}={s[4][k]}, dump {k}={d[4][k]}')
            bad += 1
print(f'{len(src)} lines, {compared} fields compared')
sys.exit(1 if bad else 0)
