#!/bin/busybox sh
# shape-guest-init.sh - PID 1 of shape-guest.sh's guest (packed as /init with
# busybox, fragreplay and its libraries, and numaload). Starts `fragreplay
# record`; for shape=hotplug onlines the offline memory blocks (hpmode=online
# or online_movable), or offlines the ones online in ZONE_MOVABLE (hpmode=
# offline); runs numaload on node 0 (shape=smp8: one on each CPU
# at once); then compact_memory; then writes the trace in base64 between the
# lines BEGIN-FRT and END-FRT to the second serial port, with INFO lines
# about the guest before and after, and powers off. From the kernel command
# line: shape=, numaload=ANON,THP,SHM,FILES, numarec=OPT,... (options to
# record), hpmode=.
. /frt/guest-init-lib.sh # busybox, the mounts, arg, info, record_start/_stop, send_trace
shape=$(arg shape)
load=$(arg numaload)
recopts=$(arg numarec)
hpmode=$(arg hpmode)
[ -n "$load" ] || load="32 32 32 30000"
zones() { awk '/^Node/ { z = $2 " " $4 } /spanned/ { s = $2 } /present/ { p = $2 } /managed/ { m = $2 } /start_pfn/ { printf "%s: start_pfn %s spanned %s present %s managed %s; ", z, $2, s, p, m }' /proc/zoneinfo; }
blocks() { for b in /sys/devices/system/memory/memory*; do echo "$(cat "$b/state")"; done | sort | uniq -c | tr '\n' ' '; }
{
	info "kernel $(uname -r) shape $shape"
	info "cpus $(grep -c ^processor /proc/cpuinfo) nodes $(ls -d /sys/devices/system/node/node* | wc -l)"
	info "zones before $(zones)"
	info "memory blocks $(blocks)(block size 0x$(cat /sys/devices/system/memory/block_size_bytes))"
	echo madvise >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
	info "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
	info "free before $(awk '/MemFree/ { print $2 " kB" }' /proc/meminfo)"
	record_start /tmp/shape.frt $recopts
	case $shape in
	hotplug)
		for b in /sys/devices/system/memory/memory*; do
			if [ "$hpmode" = offline ]; then
				# the DIMM's blocks: onlined movable at boot
				[ "$(cat "$b/valid_zones" 2>/dev/null)" = Movable ] || continue
			else
				[ "$(cat "$b/state")" = offline ] || continue
			fi
			echo "$hpmode" >"$b/state" || info "${b##*/}: $hpmode refused"
			info "${b##*/} $(cat "$b/state") at $(cut -d' ' -f1 /proc/uptime) s (phys_index 0x$(cat "$b/phys_index"))"
		done
		/frt/numaload 0 $load ;;
	smp8)
		n=$(grep -c ^processor /proc/cpuinfo)
		c=0
		pids=
		while [ $c -lt "$n" ]; do
			/frt/numaload 0 $load $c &
			pids="$pids $!"
			c=$((c + 1))
		done
		wait $pids ;; # not a bare wait: record runs in the background too
	*)
		/frt/numaload 0 $load ;;
	esac
	info "workload done at $(cut -d' ' -f1 /proc/uptime) s"
	echo 1 >/proc/sys/vm/compact_memory
	info "compact_memory done at $(cut -d' ' -f1 /proc/uptime) s"
	sleep 1
	info "free after $(awk '/MemFree/ { print $2 " kB" }' /proc/meminfo)"
	info "zones after $(zones)"
	record_stop
	send_trace /tmp/shape.frt
	echo END
} >/dev/ttyS1 2>&1
poweroff -f
