#!/bin/busybox sh
# tests/vm/guest-init.sh - PID 1 of a kernel-matrix guest (run_matrix.sh
# packs it as /init with busybox, fragreplay and its libraries, progcheck and
# the BPF objects into the initramfs). Mounts what recording needs, runs
# checks.sh with its report on the second serial port (the first is the
# kernel's console), and powers off.
. /frt/guest-init-lib.sh # busybox and the mounts recording needs
{
	echo "INFO guest up at $(cut -d' ' -f1 /proc/uptime) s"
	sh /frt/checks.sh /frt/fragreplay /frt/progcheck /frt /tmp
	echo "INFO guest done at $(cut -d' ' -f1 /proc/uptime) s"
	echo END
} >/dev/ttyS1 2>&1
poweroff -f
