#!/usr/bin/env bash
# pagecache-slab-mix.sh - record a small, real page-allocator trace of a mixed
# workload: page-cache writes and reads (movable), many small files (slab:
# dentries and inodes, reclaimable), anonymous memory with fork/exec (movable
# pages, unmovable page tables), then deletion (frees). Light: ~1 GiB of page
# cache at most, a few seconds; no memory pressure, so no compaction.
#
# Usage (root): traces/workloads/pagecache-slab-mix.sh FRAGREPLAY OUT.frt [SECONDS]
set -euo pipefail
frag=${1:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
out=${2:?usage: $0 FRAGREPLAY OUT.frt [SECONDS]}
secs=${3:-6}
work=$(mktemp -d /var/tmp/frt-mix.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$frag" record -o "$out" -d "$secs" --force &
rec=$!
sleep 1 # let the collector attach

# page cache: write a file, drop it from the cache, read it back
dd if=/dev/zero of="$work/big" bs=1M count=384 status=none
sync
echo 1 > /proc/sys/vm/drop_caches
cat "$work/big" > /dev/null
# slab: many small files interleaved with more page cache
mkdir "$work/small"
for d in $(seq 1 40); do
	mkdir "$work/small/$d"
	for f in $(seq 1 100); do echo "$d $f" > "$work/small/$d/$f"; done
	dd if=/dev/urandom of="$work/chunk$d" bs=64K count=16 status=none
done
# anonymous memory and page tables through fork/exec
for i in 1 2 3 4; do
	python3 -c 'b = bytearray(64 << 20); b[::4096] = b"x" * (len(b) // 4096)' &
done
wait $(jobs -p | grep -v "^$rec\$") 2>/dev/null || true
rm -rf "$work/small" "$work/big" "$work"/chunk*
wait "$rec"
