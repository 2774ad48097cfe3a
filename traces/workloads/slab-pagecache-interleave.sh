#!/usr/bin/env bash
# slab-pagecache-interleave.sh - record a real trace of slab (reclaimable)
# and page-cache (movable) allocations fighting over pageblocks when memory
# is full of page cache: reclaim frees scattered cache pages, and slab
# allocations fall back into movable blocks (mm_page_alloc_extfrag).
# RUN BY HAND, never in CI: it fills memory, with page cache only, which
# reclaim can always take back, so nothing is pinned and no OOM follows.
#
#  1. Read a sparse file of MemTotal - 1 GiB: page cache fills memory.
#  2. Start recording (the start snapshot sees memory full of page cache).
#  3. For SECONDS: create small files in many directories (dentries, ext4
#     inodes: reclaimable slab) interleaved with reading more of the file.
#  4. Stop recording, delete the files, drop the caches.
#
# Usage (root): slab-pagecache-interleave.sh FRAGREPLAY OUT.frt [SECONDS]
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
out=${2:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
secs=${3:-8}
work=/var/tmp/frt-interleave
rec=

cleanup() {
	[ -n "$rec" ] && kill -INT "$rec" 2>/dev/null && wait "$rec" 2>/dev/null
	rm -rf "$work"
	sync
	echo 3 > /proc/sys/vm/drop_caches
}
trap cleanup EXIT

mkdir -p "$work/files"
total_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
truncate -s $(( (total_mib + 4096) ))M "$work/sparse"
# fill the page cache with all but ~1 GiB
dd if="$work/sparse" of=/dev/null bs=1M count=$((total_mib - 1024)) status=none
echo "page cache filled: $(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) MiB free"
grep -E '^(pgsteal_kswapd|pgsteal_direct|compact_stall) ' /proc/vmstat > /tmp/frt-il.before

"$frag" record -o "$out" --force 2> >(tee /tmp/frt-record.log >&2) &
rec=$!
until grep -q 'recording to' /tmp/frt-record.log 2>/dev/null; do sleep 0.2; done

end=$((SECONDS + secs))
skip=$((total_mib - 1024))
d=0
while [ $SECONDS -lt $end ]; do
	d=$((d + 1))
	mkdir "$work/files/$d"
	for f in $(seq 1 500); do : > "$work/files/$d/$f"; done
	dd if="$work/sparse" of=/dev/null bs=1M skip=$skip count=64 status=none
	skip=$((skip + 64))
done
kill -INT "$rec"
wait "$rec"
rec=
grep -E '^(pgsteal_kswapd|pgsteal_direct|compact_stall) ' /proc/vmstat > /tmp/frt-il.after
paste /tmp/frt-il.before /tmp/frt-il.after | awk '{ printf "%s +%d\n", $1, $4 - $2 }'
echo "$d directories of 500 files"
