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
