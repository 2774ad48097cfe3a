# tests/vm/guest-init-lib.sh - what the guests' /init scripts share (packed
# as /frt/guest-init-lib.sh; tests/vm/guest-init.sh, and the workload guests
# of traces/workloads/numa2-guest-init.sh and shape-guest-init.sh): busybox
# and the mounts recording needs, the kernel command line's options, and
# starting record and sending its trace. Source it first; busybox sh.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing

# arg NAME: NAME=V,V,... of the kernel command line, as "V V ..."
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tr , ' '; }
info() { echo "INFO $*"; }

# record_start FILE OPT...: `fragreplay record -o FILE` in the background
# (its pid in rec, its stderr in /tmp/rec.err) once capture runs, 120 s at most
record_start() {
	local f=$1 i=0
	shift
	/frt/fragreplay record -o "$f" "$@" 2>/tmp/rec.err &
	rec=$!
	until grep -q "capturing into" /tmp/rec.err; do
		kill -0 $rec 2>/dev/null || break
		i=$((i + 1))
		[ $i -gt 1200 ] && break
		sleep 0.1
	done
	info "record started at $(cut -d' ' -f1 /proc/uptime) s"
}

# record_stop: record stopped (SIGINT), its exit status and stderr as INFO lines
record_stop() {
	kill -INT $rec
	wait $rec
	info "record exit $?"
	sed 's/^/INFO record: /' /tmp/rec.err
}

# send_trace FILE: its size, then FILE in base64 between BEGIN-FRT and END-FRT
# (guest-lib.sh's vm_workload_trace reads it)
send_trace() {
	info "trace $(wc -c <"$1") bytes"
	echo BEGIN-FRT
	base64 "$1"
	echo END-FRT
}
