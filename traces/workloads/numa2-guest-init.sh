#!/bin/busybox sh
# numa2-guest-init.sh - PID 1 of the two-node guest of numa2-guest.sh (packed
# as /init with busybox, fragreplay and its libraries, and numaload). Records
# numaload on node 0, then on node 1, then a compaction of every node
# (/proc/sys/vm/compact_memory), with `fragreplay record`; then writes the
# trace in base64 between the lines BEGIN-FRT and END-FRT to the second
# serial port, with INFO lines about the guest before and after, and powers
# off. Its sizes come from the kernel command line: numaload=ANON,THP,SHM,FILES
# (see numaload.c), and numarec=OPT,OPT,... adds options to record;
# numasnap=1 also takes `fragreplay snapshot` directories once capture runs
# and before it stops, written as a gzipped tar in base64 between
# BEGIN-SNAPS and END-SNAPS (for `fragreplay import` of a NUMA host).
. /frt/guest-init-lib.sh # busybox, the mounts, arg, info, record_start/_stop, send_trace
load=$(arg numaload)
recopts=$(arg numarec)
snaps=$(arg numasnap)
[ -n "$load" ] || load="32 32 32 60000"
node_free() { for n in /sys/devices/system/node/node*; do echo "${n##*/} $(awk '/MemFree/ { print $4 " kB free" }' "$n/meminfo")"; done | tr '\n' ';'; }
{
	info "kernel $(uname -r)"
	info "nodes $(ls -d /sys/devices/system/node/node* | wc -l): $(for n in /sys/devices/system/node/node*; do echo "${n##*/} cpus $(cat "$n/cpulist")"; done | tr '\n' ' ')"
	info "zones $(awk '/^Node/ { z = $2 " " $4 } /spanned/ { s = $2 } /start_pfn/ { printf "%s: start_pfn %s spanned %s; ", z, $2, s }' /proc/zoneinfo)"
	echo madvise >/sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null
	info "thp $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)"
	info "free before $(node_free)"
	record_start /tmp/numa2.frt $recopts
	[ -n "$snaps" ] && /frt/fragreplay snapshot /tmp/s1 >/dev/null 2>/tmp/s1.err
	/frt/numaload 0 $load
	/frt/numaload 1 $load
	echo 1 >/proc/sys/vm/compact_memory
	sleep 1
	info "free after $(node_free)"
	[ -n "$snaps" ] && /frt/fragreplay snapshot /tmp/s2 >/dev/null 2>/tmp/s2.err
	record_stop
	for n in /sys/devices/system/node/node*; do
		info "${n##*/} numastat $(tr "\n" " " <"$n/numastat")"
	done
	send_trace /tmp/numa2.frt
	if [ -n "$snaps" ]; then
		info "snapshots: $(cat /tmp/s1.err /tmp/s2.err | tr '\n' ' ')"
		echo BEGIN-SNAPS
		tar -C /tmp -cf - s1 s2 | gzip | base64
		echo END-SNAPS
	fi
	echo END
} >/dev/ttyS1 2>&1
poweroff -f
