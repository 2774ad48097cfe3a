# ab-lib.sh - what ab-thp.sh and ab-storm.sh share (and kpageflags-thp-anon.sh
# and import-perf-thp-anon.sh borrow): the same preparation
# before each run, a tmpfs ballast that leaves the workload a small arena,
# a memory watchdog, the recorder, the vmstat deltas, and the cleanup that
# puts everything back (trap on exit). Sourced, not run.
#
# Preparation, identical for both modes: vm.defrag_mode=MODE, sync,
# drop_caches=3, compact_memory=1; the previous vm.defrag_mode is restored
# on exit, whatever happens.
#
# Safety (no swap here): the ballast is sized from MemAvailable so that
# ARENA_MIB remain; the watchdog kills the workload and empties the ballast
# if MemAvailable falls below FLOOR_MIB (default 1024).

ab_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ab_ballast=/var/tmp/ab-ballast
ab_pids=()
ab_files=() # files and directories removed at cleanup
ab_rec=
ab_watch=
ab_old_mode=$(cat /proc/sys/vm/defrag_mode)
ab_floor=${FLOOR_MIB:-1024}

ab_avail_mib() { awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo; }

ab_cleanup() {
	set +e # a load killed here makes wait fail: clean up all the same
	local p
	[ -n "$ab_watch" ] && kill "$ab_watch" 2>/dev/null
	for p in "${ab_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait "${ab_pids[@]}" 2>/dev/null
	if [ -n "$ab_rec" ]; then kill -INT "$ab_rec" 2>/dev/null; wait "$ab_rec" 2>/dev/null; fi
	for _ in 1 2 3 4 5 6 7 8 9 10; do # a killed load may hold it a moment longer
		mountpoint -q "$ab_ballast" || break
		umount "$ab_ballast" 2>/dev/null || sleep 0.5
	done
	mountpoint -q "$ab_ballast" && echo "WARNING: $ab_ballast is still mounted: umount it" >&2
	rmdir "$ab_ballast" 2>/dev/null
	[ "${#ab_files[@]}" = 0 ] || rm -rf "${ab_files[@]}"
	sysctl -qw vm.defrag_mode="$ab_old_mode"
}
trap ab_cleanup EXIT
trap 'exit 130' INT TERM

# abload, built from its source beside this file when missing or older
ab_build() {
	ab_load=/tmp/ab-abload
	if [ ! -x "$ab_load" ] || [ "$ab_dir/abload.c" -nt "$ab_load" ]; then
		cc -O2 -Wall -o "$ab_load" "$ab_dir/abload.c"
	fi
}

ab_prepare() {
	sysctl -qw vm.defrag_mode="$1"
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
}

# ab_ballast ARENA_MIB: a tmpfs ($ab_ballast, room for more files) filled
# until only ARENA_MIB are available
ab_ballast() {
	local mib=$(( $(ab_avail_mib) - $1 ))
	[ "$mib" -gt 0 ] || return 0
	if mountpoint -q "$ab_ballast"; then
		echo "$ab_ballast is mounted already: umount it first" >&2
		exit 1
	fi
	mkdir -p "$ab_ballast"
	mount -t tmpfs -o size=100% ab-ballast "$ab_ballast"
	dd if=/dev/zero of="$ab_ballast/fill" bs=1M count="$mib" status=none
	echo "ballast ${mib} MiB; available now $(ab_avail_mib) MiB" >&2
}

# ab_anon_arena CACHE_MIB ANON_MIB STEP_KIB: fill the arena with CACHE_MIB of
# clean page cache (a sparse file read: reclaimable, unmapped) and ANON_MIB of
# 4 KiB anonymous pages of which the first of every STEP_KIB KiB stays mapped
# (abload anon, held until cleanup): the arena's free memory is then mostly
# scattered over pageblocks that each keep a few mapped pages, so THP faults
# must compact, and compaction migrates those pages through migration PTEs.
# ANON_MIB "auto": all but WHOLE_MIB (256) of the free memory, but no more
# than leaves FLOOR_MIB + 512 available (page cache counts as available).
ab_anon_arena() {
	local sparse=/var/tmp/ab-sparse-anon log=/tmp/ab-anon.$$.log anon=$2 cap
	ab_files+=("$sparse" "$log")
	truncate -s "$1"M "$sparse"
	dd if="$sparse" of=/dev/null bs=1M count="$1" status=none
	if [ "$anon" = auto ]; then
		anon=$(( $(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) - ${WHOLE_MIB:-256} ))
		cap=$(( $(ab_avail_mib) - ab_floor - 512 ))
		[ "$anon" -le "$cap" ] || anon=$cap
		[ "$anon" -gt 0 ] || { echo "no room for the anonymous memory: raise ARENA_MIB" >&2; exit 1; }
	fi
	: > "$log"
	ab_bg "$ab_load" anon "$anon" "$3" > "$log"
	until grep -q '^anon:' "$log"; do
		kill -0 "${ab_pids[-1]}" 2>/dev/null || { echo "abload anon failed" >&2; exit 1; }
		sleep 0.1
	done
	echo "arena: $1 MiB page cache, $(cat "$log"); available now $(ab_avail_mib) MiB," \
		"free $(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo) MiB" >&2
}

# ab_need MIB: stop (before any recording) unless MIB more than FLOOR_MIB are
# available: other work on the host may have taken part of the arena since the
# ballast was sized, and the load to come must not push it under the floor
ab_need() {
	local avail
	avail=$(ab_avail_mib)
	if [ "$avail" -lt $((ab_floor + $1)) ]; then
		echo "only $avail MiB available, the load needs $1 above the floor of $ab_floor:" \
			"stopping (other work took memory; run again)" >&2
		exit 1
	fi
}

ab_watchdog() {
	( while sleep 0.1; do
		if [ "$(ab_avail_mib)" -lt "$ab_floor" ]; then
			echo "watchdog: MemAvailable below $ab_floor MiB: stopping the load" >&2
			for p in "${ab_pids[@]}"; do kill "$p" 2>/dev/null; done
			rm -f "$ab_ballast"/*
			exit 0
		fi
	done ) &
	ab_watch=$!
}

# ab_bg CMD...: a load in the background, stopped at cleanup
ab_bg() { "$@" & ab_pids+=($!); }

ab_vmstat() { cat /proc/vmstat > "$1"; }

# ab_record_start FRAGREPLAY OUT.frt [RECORD_OPTION...]: returns once events flow
ab_record_start() {
	local log=/tmp/ab-record.$$.log
	: > "$log"
	# above the other work on the host, so that its rings are drained in time
	nice -n -10 "$1" record -o "$2" --force -d "${MAX_SECS:-60}" --max-size "${MAX_MB:-8}" \
		"${@:3}" 2> >(tee "$log" >&2) &
	ab_rec=$!
	until grep -q 'capturing into' "$log"; do
		kill -0 "$ab_rec" 2>/dev/null || { echo "record failed" >&2; exit 1; }
		sleep 0.1
	done
}

ab_record_stop() {
	local rec=$ab_rec
	ab_rec=
	kill -INT "$rec" 2>/dev/null || true # it may have stopped at its limits
	wait "$rec"
}

# ab_deltas BEFORE AFTER: the counters the A/B is about, as NAME +DELTA
ab_deltas() {
	awk 'NR == FNR { v[$1] = $2; next }
	     $1 ~ /^(thp_fault_alloc|thp_fault_fallback|compact_stall|compact_success|compact_fail|compact_migrate_scanned|compact_free_scanned|compact_daemon_wake|allocstall_(dma32|normal|movable)|pgscan_direct|pgscan_kswapd|pgsteal_direct|pgsteal_kswapd|oom_kill|pgmigrate_success|kswapd_low_wmark_hit_quickly|kswapd_high_wmark_hit_quickly|pageoutrun|compact_isolated)$/ {
		printf "%s +%d\n", $1, $2 - v[$1] }' "$1" "$2"
}
