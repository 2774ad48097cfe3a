#!/usr/bin/env bash
# zone-growth.sh - record a trace during which ZONE_NORMAL grows: on hosts
# whose kernel defers struct page init (CONFIG_DEFERRED_STRUCT_PAGE_INIT; the
# development machines boot with most of Normal uninitialised), memory joins
# the zone in order-10 frees the first time the allocator needs it
# (_deferred_grow_zone(), then the deferred init kthread), into pfns the
# start snapshot shows as uninitialised. The workload asks for that memory:
# anonymous MADV_HUGEPAGE memory in 256 MiB steps (THP keeps the event count,
# and the file, small), page cache beside it, then gives it all back.
#
# It fills memory: run by hand, never in CI. It keeps 2 GiB free
# (MemAvailable) and never touches more than GROW_MIB. Growth happens once per
# boot: on a host whose zones already grew (look at "managed" for Normal in
# /proc/zoneinfo), the trace will show no growth, and the script says so.
#
# Usage (root): traces/workloads/zone-growth.sh FRAGREPLAY OUT.frt [GROW_MIB]
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt [GROW_MIB]}
out=${2:?usage: $0 FRAGREPLAY OUT.frt [GROW_MIB]}
grow_mib=${3:-6144}
work=$(mktemp -d /var/tmp/frt-grow.XXXXXX)
managed() { awk '/^Node .*zone +Normal/ { z = 1 } z && /managed/ { print $2; exit }' /proc/zoneinfo; }
avail_mib() { awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo; }

before=$(managed)
"$frag" record -o "$out" --force 2>"$work/rec.err" &
rec=$!
trap 'kill -INT $rec 2>/dev/null; wait $rec 2>/dev/null; rm -rf "$work"' EXIT
until grep -q "capturing into" "$work/rec.err"; do
	kill -0 $rec || { cat "$work/rec.err"; exit 1; }
	sleep 0.2
done

# 256 MiB steps of THP-backed anonymous memory, each held by a sleeping child,
# with 64 MiB of page cache read between steps; stop 2 GiB short of MemAvailable
python3 - "$grow_mib" "$work" <<'PY' &
import mmap, os, sys, time
grow, work = int(sys.argv[1]), sys.argv[2]
held = []
step = 256 << 20
with open(os.path.join(work, "cache"), "wb") as f:
    f.truncate(1 << 30)
for i in range(grow // 256):
    avail = int([l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemAvailable")][0]) // 1024
    if avail < 2048 + 256:
        print(f"stopped at {i * 256} MiB: {avail} MiB available", file=sys.stderr)
        break
    m = mmap.mmap(-1, step, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.madvise(mmap.MADV_HUGEPAGE)
    for off in range(0, step, 4096):
        m[off] = 1
    held.append(m)
    with open(os.path.join(work, "cache"), "rb") as f:
        f.seek((i * (64 << 20)) % (1 << 30))
        f.read(64 << 20)
    time.sleep(0.2)
time.sleep(1)
for m in held:
    m.close()
PY
wait $!
sleep 1
kill -INT $rec
wait $rec
trap 'rm -rf "$work"' EXIT
cat "$work/rec.err" >&2
after=$(managed)
echo "ZONE_NORMAL managed pages: $before before, $after after ($(( (after - before) / 256 )) MiB grown)" >&2
[ "$after" -gt "$before" ] || echo "no growth: this boot's zones had grown already" >&2
