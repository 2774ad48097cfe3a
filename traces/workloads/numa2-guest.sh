#!/usr/bin/env bash
# numa2-guest.sh - record a trace on a two-node NUMA machine: a Debian kernel
# of the kernel matrix's cache (tests/vm/fetch_kernels.sh) booted under qemu
# TCG with two NUMA nodes of 1 GiB, CPU n on node n (tests/vm/guest-lib.sh
# boots it). Inside, numa2-guest-init.sh records numaload (numaload.c, built
# static here) on node 0 and then on node 1, each bound there by CPU and
# set_mempolicy(MPOL_BIND): 4 KiB anonymous pages, THP-advised anonymous
# memory, tmpfs page cache, small files (slab), half of each given back;
# then compact_memory over both nodes. The trace comes out base64 on the
# guest's second serial port. A real capture of a real kernel, in a guest.
#
# Usage: traces/workloads/numa2-guest.sh FRAGREPLAY OUT.frt [LABEL [ANON,THP,SHM,FILES [RECORD-OPT...]]]
#   LABEL: a kernel of tests/vm/kernels.list (default 6.12); sizes in MiB and
#   files per node (default 32,32,32,60000); RECORD-OPTs are added to
#   `fragreplay record` in the guest (e.g. --snapshot-from kpageflags).
# Environment: NUMA2_SNAPDIRS=DIR also takes `fragreplay snapshot`
#   directories in the guest while capture runs, DIR/s1 soon after it starts
#   and DIR/s2 before it stops (for `fragreplay import` of a NUMA host). Needs no root: no host memory is
#   touched beyond qemu's 2 GiB guest. Exit 77 when qemu, a static busybox,
#   cpio or the kernel image is missing (as the matrix).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 FRAGREPLAY OUT.frt [LABEL [ANON,THP,SHM,FILES [RECORD-OPT...]]]"
frag=${1:?$usage}
out=${2:?$usage}
label=${3:-6.12}
load=${4:-32,32,32,60000}
shift $(($# < 4 ? $# : 4))
recopts=$(IFS=,; echo "$*")
timeout=${VM_TIMEOUT:-900}

. "$here/../../tests/bpf/lib.sh"
. "$here/../../tests/vm/guest-lib.sh"
vm_workload_setup numa2 "$here/numa2-guest-init.sh" "$label" "$frag"
work=$VM_WORK
t0=$EPOCHREALTIME
VM_APPEND="numaload=$load${recopts:+ numarec=$recopts}${NUMA2_SNAPDIRS:+ numasnap=1}" vm_boot "$label" "$work/initrd.cpio" \
	"$timeout" "$work/console" "$work/out" "$work/qemu.pid" $VM_NUMA2
vm_workload_trace "$out" $? "$t0" 600
if [ -n "${NUMA2_SNAPDIRS:-}" ]; then
	mkdir -p "$NUMA2_SNAPDIRS" &&
		sed -n '/^BEGIN-SNAPS/,/^END-SNAPS/p' "$work/out" | sed '1d;$d' | tr -d '\r' |
		base64 -d | tar -C "$NUMA2_SNAPDIRS" -xzf - ||
		{ echo "FAIL: the snapshot directories did not come out" >&2; exit 1; }
	echo "wrote $NUMA2_SNAPDIRS/s1 and s2" >&2
fi
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
