# tests/vm/guest-lib.sh - the machinery that boots a Debian kernel of the
# cache under qemu TCG from a busybox initramfs: shared by the kernel matrix
# (run_matrix.sh) and the workload scripts that record inside a guest
# (traces/workloads/numa2-guest.sh). Source it after tests/bpf/lib.sh (for
# skip); it defines functions and VM_CACHE only.

VM_CACHE=${FRAGREPLAY_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fragreplay-vm}

# vm_require: skip (77) unless this host can boot the guests: x86-64,
# qemu-system-x86_64, a static busybox, cpio
vm_require() {
	[ "$(uname -m)" = x86_64 ] || skip "the guests run this host's x86-64 binaries"
	command -v qemu-system-x86_64 >/dev/null || skip "needs qemu-system-x86_64 (Debian qemu-system-x86)"
	local bb
	bb=$(command -v busybox) && ! ldd "$bb" >/dev/null 2>&1 ||
		skip "needs a static busybox (Debian busybox-static)"
	command -v cpio >/dev/null || skip "needs cpio"
}

# vm_initramfs OUT.cpio INIT FILE...: an initramfs of static busybox (/bin),
# INIT as /init, each FILE in /frt, and the shared libraries ldd names for
# the FILEs that are dynamic executables. Returns 1 when cpio fails.
vm_initramfs() {
	local out=$1 init=$2 root lib f
	shift 2
	root=$(mktemp -d "${out%/*}/root.XXXXXX")
	mkdir -p "$root"/{bin,frt,proc,sys,dev,tmp}
	cp "$(command -v busybox)" "$root/bin/busybox"
	cp "$@" "$root/frt/"
	cp "$init" "$root/init"
	chmod 755 "$root/init"
	for lib in $(for f; do ldd "$f" 2>/dev/null; done | grep -o '/[^ ]*' | sort -u); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

# VM_NUMA2: qemu's arguments for a two-node guest of 2 GiB, 1 GiB and CPU n
# on node n (both nodes' memory lies below 4 GiB: node 1 is a second DMA32)
VM_NUMA2="-m 2G -smp 2 -object memory-backend-ram,id=m0,size=1G -object memory-backend-ram,id=m1,size=1G -numa node,nodeid=0,cpus=0,memdev=m0 -numa node,nodeid=1,cpus=1,memdev=m1"

# vm_boot LABEL INITRD TIMEOUT CONSOLE OUT PIDFILE [QEMU-ARG...]: boot the
# cache's kernel LABEL with INITRD under TCG (one host thread), no disk, no
# network, its kernel log to the file CONSOLE (first serial port) and the
# second serial port to the file OUT; 2 vCPUs and 1 GiB unless QEMU-ARGs say
# otherwise (later -m/-smp win); VM_APPEND is added to the kernel command
# line. qemu's pid goes to PIDFILE (for a trap to
# stop it). Returns qemu's exit status, 124 after TIMEOUT seconds.
vm_boot() {
	local label=$1 initrd=$2 timeout=$3 console=$4 out=$5 pidfile=$6 rc
	shift 6
	timeout "$timeout" qemu-system-x86_64 -accel tcg,thread=single -cpu max -smp 2 -m 1G \
		-kernel "$VM_CACHE/$label/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 rdinit=/init panic=-1 mitigations=off loglevel=4${VM_APPEND:+ $VM_APPEND}" \
		-display none -monitor none -no-reboot \
		-serial "file:$console" -serial "file:$out" "$@" &
	echo $! >"$pidfile"
	wait $!
	rc=$?
	rm -f "$pidfile"
	return $rc
}

# vm_workload_setup NAME INIT LABEL FRAGREPLAY: what a workload script that
# records in a guest (traces/workloads/numa2-guest.sh, shape-guest.sh) needs
# before vm_boot: skip (77) unless this host can boot LABEL; VM_WORK, a work
# directory removed on exit (qemu stopped first); numaload built static and
# the initramfs VM_WORK/initrd.cpio with INIT as /init, FRAGREPLAY,
# numaload and guest-init-lib.sh. Needs tests/bpf/lib.sh sourced (skip).
vm_workload_setup() {
	local name=$1 init=$2 label=$3 frag=$4 here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	vm_require
	[ -s "$VM_CACHE/$label/vmlinuz" ] || skip "no kernel image $VM_CACHE/$label/vmlinuz (tests/vm/fetch_kernels.sh)"
	command -v base64 >/dev/null || skip "needs base64 (coreutils)"
	VM_WORK=$(mktemp -d "/var/tmp/frt-$name.XXXXXX")
	trap '[ -e "$VM_WORK/qemu.pid" ] && kill "$(cat "$VM_WORK/qemu.pid")" 2>/dev/null; rm -rf "$VM_WORK"' EXIT
	trap 'exit 1' INT TERM
	cc -O2 -Wall -static -o "$VM_WORK/numaload" "$here/../../traces/workloads/numaload.c" ||
		{ echo "FAIL: building numaload (static: needs libc6-dev)" >&2; exit 1; }
	cp "$frag" "$VM_WORK/fragreplay" # /frt/fragreplay in the guest, whatever its name here
	vm_initramfs "$VM_WORK/initrd.cpio" "$init" "$VM_WORK/fragreplay" "$VM_WORK/numaload" \
		"$here/guest-init-lib.sh" || { echo "FAIL: building the initramfs" >&2; exit 1; }
}

# vm_workload_trace OUT QEMU-RC T0 TAIL: after vm_boot into VM_WORK/out and
# VM_WORK/console: the guest's INFO lines to stderr, then its trace (base64
# between BEGIN-FRT and END-FRT, guest-init-lib.sh's send_trace) to OUT; a
# guest that recorded no complete trace fails, showing the last TAIL bytes of
# its console.
vm_workload_trace() {
	local out=$1 rc=$2 t0=$3 tail=$4
	grep -E '^(INFO|numaload)' "$VM_WORK/out" | tr -d '\r' >&2
	echo "INFO guest $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f s", b - a }') (qemu exit $rc)" >&2
	if ! grep -q '^END-FRT' "$VM_WORK/out" || ! grep -q '^INFO record exit 0' "$VM_WORK/out"; then
		echo "FAIL: the guest recorded no complete trace; its console ends:" >&2
		tail -c "$tail" "$VM_WORK/console" >&2
		exit 1
	fi
	sed -n '/^BEGIN-FRT/,/^END-FRT/p' "$VM_WORK/out" | sed '1d;$d' | tr -d '\r' | base64 -d >"$VM_WORK/trace.frt" ||
		{ echo "FAIL: the trace's base64 does not decode" >&2; exit 1; }
	mv "$VM_WORK/trace.frt" "$out"
}
