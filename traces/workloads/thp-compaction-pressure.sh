#!/usr/bin/env bash
# thp-compaction-pressure.sh - record a real trace of direct compaction and
# THP demand under memory pressure, with slab and page cache fighting over
# pageblocks. RUN BY HAND, never in CI: it fills most of memory.
#
#  1. Fill memory to within FREE_MIB of full, in rounds that interleave
#     tmpfs ballast (shmem: movable) with slab-heavy small-file creation
#     (dentries and inodes: reclaimable) and their page cache.
#  2. Start recording (the start snapshot sees the filled memory).
#  3. Punch a 4 KiB hole every 32 KiB of the ballast: ~1/8 of it comes back
#     free, scattered, so no order-9 block forms from it.
#  4. Fault in MADV_HUGEPAGE anonymous memory until the free order-9 blocks
#     are gone: further THP faults must compact (compact_stall > 0) or fall
#     back, while more small files are created.
#  5. Stop recording, remove the ballast.
# Leaves at least FREE_MIB (default 1024) MiB free at every step: there is
# no swap, and the OOM killer may pick the recorder.
#
# Usage (root): thp-compaction-pressure.sh FRAGREPLAY OUT.frt [THP_MIB]
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt [THP_MIB]}
out=${2:?usage: $0 FRAGREPLAY OUT.frt [THP_MIB]}
thp_mib=${3:-2048}
free_mib=${FREE_MIB:-1024}
ballast=/var/tmp/frt-ballast
files=/var/tmp/frt-smallfiles
rec=

cleanup() {
	[ -n "$rec" ] && kill -INT "$rec" 2>/dev/null && wait "$rec" 2>/dev/null
	umount "$ballast" 2>/dev/null || true
	rm -rf "$ballast" "$files"
}
trap cleanup EXIT

avail_mib() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }
free_now() { awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo; }

mkdir -p "$ballast" "$files"
mount -t tmpfs -o size=100% frt-ballast "$ballast"
echo "before: $(free_now) MiB free; filling to $free_mib MiB free"
round=0
while [ "$(free_now)" -gt $((free_mib + 512)) ]; do
	round=$((round + 1))
	dd if=/dev/zero of="$ballast/b$round" bs=1M count=256 status=none
	mkdir "$files/$round"
	for f in $(seq 1 400); do echo "$round $f" > "$files/$round/$f"; done
done
echo "filled: $(free_now) MiB free after $round rounds"
grep -E '^(compact_stall|thp_fault_alloc|thp_fault_fallback) ' /proc/vmstat > /tmp/frt-vmstat.before

"$frag" record -o "$out" --force 2> >(tee /tmp/frt-record.log >&2) &
rec=$!
until grep -q 'recording to' /tmp/frt-record.log 2>/dev/null; do sleep 0.2; done

# 3. scattered free memory: a 4 KiB hole every 32 KiB of each ballast file
python3 - "$ballast" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PUNCH = 0x02 | 0x01  # FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
for name in sorted(os.listdir(sys.argv[1])):
    fd = os.open(os.path.join(sys.argv[1], name), os.O_RDWR)
    size = os.fstat(fd).st_size
    for off in range(0, size, 32768):
        libc.fallocate(fd, PUNCH, ctypes.c_long(off), ctypes.c_long(4096))
    os.close(fd)
PY
echo "holes punched: $(free_now) MiB free"

# 4. THP demand, with slab growth alongside
mkdir "$files/late"
(for f in $(seq 1 20000); do echo "$f" > "$files/late/$f"; done) &
slab=$!
python3 - "$thp_mib" "$free_mib" <<'PY'
import mmap, sys, time
mib, floor = int(sys.argv[1]), int(sys.argv[2])
def free_mib():
    for l in open('/proc/meminfo'):
        if l.startswith('MemFree:'):
            return int(l.split()[1]) // 1024
step = 64 << 20
maps = []
for _ in range(mib // 64):
    if free_mib() < floor:
        print(f"stopping THP faults at {free_mib()} MiB free", flush=True)
        break
    m = mmap.mmap(-1, step, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.madvise(mmap.MADV_HUGEPAGE)
    for off in range(0, step, 4096):
        m[off] = 1
    maps.append(m)
time.sleep(1)
PY
wait "$slab"
kill -INT "$rec"
wait "$rec"
rec=
grep -E '^(compact_stall|thp_fault_alloc|thp_fault_fallback) ' /proc/vmstat > /tmp/frt-vmstat.after
paste /tmp/frt-vmstat.before /tmp/frt-vmstat.after | awk '{ printf "%s +%d\n", $1, $4 - $2 }'
