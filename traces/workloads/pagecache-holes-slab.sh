#!/usr/bin/env bash
# pagecache-holes-slab.sh - record a real trace in which unmovable and
# reclaimable (slab) allocations claim half-free MOVABLE pageblocks: the case
# RFC PATCH 06/40's async evacuation acts on.
# RUN BY HAND, never in CI: it fills memory, with page cache only, which
# reclaim can always take back, so nothing is pinned and no OOM follows.
#
#  0. Create 300,000 empty files first, so that the reclaimable pageblocks
#     are full of dentries and inodes: the slab the run creates must then
#     come from new pageblocks.
#  1. Read two sparse files in alternating 64 KiB chunks until all but
#     ~128 MiB of memory is page cache (kswapd reclaims the oldest of it): the two files' folios interleave
#     through most pageblocks, and few pageblocks are left wholly free (under
#     ALLOC_NOFRAGMENT slab takes those first, whole, which evacuation does
#     not act on).
#     vm.compaction_proactiveness is 0 for the run (restored after): with it
#     on, kcompactd consolidates the holes of step 3 into free pageblocks
#     within seconds, and slab claims whole free blocks again.
#  2. Start recording (the start snapshot sees memory full of page cache).
#  3. Drop file A's cache (POSIX_FADV_DONTNEED): most movable pageblocks are
#     now about half free and few are wholly free.
#  4. For SECONDS: create small files in many directories (dentries and ext4
#     inodes: reclaimable slab; directory blocks and journal: unmovable),
#     with short reads of file B between batches.
#  5. Stop recording, delete everything, drop the caches.
#
# Usage (root): pagecache-holes-slab.sh FRAGREPLAY OUT.frt [SECONDS]
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
out=${2:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
secs=${3:-8}
work=/var/tmp/frt-holes
rec=

proactive=$(cat /proc/sys/vm/compaction_proactiveness)
cleanup() {
	[ -n "$rec" ] && kill -INT "$rec" 2>/dev/null && wait "$rec" 2>/dev/null
	echo "$proactive" > /proc/sys/vm/compaction_proactiveness
	rm -rf "$work"
	sync
	echo 3 > /proc/sys/vm/drop_caches
}
trap cleanup EXIT

mkdir -p "$work/files"
echo 0 > /proc/sys/vm/compaction_proactiveness
total_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
fill_mib=$((total_mib - 128))
truncate -s $((fill_mib / 2 + 1024))M "$work/a" "$work/b"
sync
echo 1 > /proc/sys/vm/drop_caches
for d in $(seq 1 150); do
	mkdir "$work/pre$d"
	(cd "$work/pre$d" && touch $(seq 1 2000))
done
python3 - "$work/a" "$work/b" "$fill_mib" <<'PY'
import os, sys
a, b = (os.open(p, os.O_RDONLY) for p in sys.argv[1:3])
for fd in (a, b):
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)  # no readahead: order-0 pages, A and B interleaved
chunk, total = 64 << 10, int(sys.argv[3]) << 20
off = 0
while 2 * off < total:
    os.pread(a, chunk, off)
    os.pread(b, chunk, off)
    off += chunk
PY
echo "page cache filled: $(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) MiB free"
grep -E '^(pgsteal_kswapd|compact_stall|pgmigrate_success) ' /proc/vmstat > /tmp/frt-holes.before

"$frag" record -o "$out" --force 2> >(tee /tmp/frt-record.log >&2) &
rec=$!
until grep -q 'recording to' /tmp/frt-record.log 2>/dev/null; do sleep 0.2; done

python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$work/a"
echo "file A dropped: $(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) MiB free"
end=$((SECONDS + secs))
skip=0
d=0
while [ $SECONDS -lt $end ]; do
	d=$((d + 1))
	mkdir "$work/files/$d"
	(cd "$work/files/$d" && touch $(seq 1 2000))
	dd if="$work/b" of=/dev/null bs=64k skip=$skip count=64 status=none
	skip=$((skip + 64))
done
kill -INT "$rec"
wait "$rec"
rec=
grep -E '^(pgsteal_kswapd|compact_stall|pgmigrate_success) ' /proc/vmstat > /tmp/frt-holes.after
paste /tmp/frt-holes.before /tmp/frt-holes.after | awk '{ printf "%s +%d\n", $1, $4 - $2 }'
echo "$d directories of 2000 files"
