#!/usr/bin/env bash
# shape-guest.sh - record a trace on a host shape the samples do not have: a
# Debian kernel of the kernel matrix's cache (tests/vm/fetch_kernels.sh)
# booted under qemu TCG (tests/vm/guest-lib.sh) as one of these shapes:
#   movable  1.25 GiB, movablecore=256M: a ZONE_MOVABLE carved from the top
#            of DMA32, where the kernel puts GFP_HIGHUSER_MOVABLE pages first
#   hotplug  1 GiB, maxmem 2 GiB, a 256 MiB pc-dimm present at boot and left
#            offline (memhp_default_state=offline); the guest onlines its
#            memory blocks after record has started (HPMODE: online, into
#            ZONE_NORMAL, empty until then; or online_movable), so memory
#            joins mid-trace
#   smp8     1 GiB, 8 CPUs: numaload on each CPU at once (pcp lists per CPU)
# Inside, shape-guest-init.sh records numaload (numaload.c, built static
# here: 4 KiB anonymous pages, THP-advised anonymous memory, tmpfs page
# cache, small files, half of each given back), then compact_memory. The
# trace comes out base64 on the guest's second serial port.
#
# Usage: traces/workloads/shape-guest.sh FRAGREPLAY OUT.frt SHAPE [LABEL [ANON,THP,SHM,FILES [RECORD-OPT...]]]
#   SHAPE: movable, hotplug (HPMODE=online|online_movable in the environment,
#   default online; or offline: the DIMM goes online_movable at boot and
#   offline during the recording, memory leaving mid-trace; HPMEM and HPMAXMEM the boot memory and qemu's maxmem,
#   default 1G and 2G: with HPMEM=4G the guest has a ZONE_NORMAL above 4 GiB
#   at boot, which the DIMM widens) or smp8; LABEL: a kernel of tests/vm/kernels.list
#   (default 6.12); sizes in MiB and files per numaload run (default
#   32,32,32,30000; smp8 runs eight of them, give it less). Needs no root.
#   Exit 77 when qemu, a static busybox, cpio or the kernel image is missing.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
usage="usage: $0 FRAGREPLAY OUT.frt SHAPE [LABEL [ANON,THP,SHM,FILES [RECORD-OPT...]]]"
frag=${1:?$usage}
out=${2:?$usage}
shape=${3:?$usage}
label=${4:-6.12}
load=${5:-32,32,32,30000}
shift $(($# < 5 ? $# : 5))
recopts=$(IFS=,; echo "$*")
timeout=${VM_TIMEOUT:-900}
hpmode=${HPMODE:-online}

case $shape in
movable)
	qemu=(-m 1280M)
	append="movablecore=256M" ;;
hotplug)
	case $hpmode in online | online_movable) boot=offline ;; offline) boot=online_movable ;;
	*) echo "$0: HPMODE must be online, online_movable or offline" >&2; exit 2 ;; esac
	qemu=(-m "${HPMEM:-1G},slots=2,maxmem=${HPMAXMEM:-2G}" -object memory-backend-ram,id=h1,size=256M -device pc-dimm,id=d1,memdev=h1)
	append="memhp_default_state=$boot hpmode=$hpmode" ;;
smp8)
	qemu=(-m 1G -smp 8)
	append="" ;;
*)
	echo "$usage" >&2
	echo "$0: unknown SHAPE '$shape' (movable, hotplug, smp8)" >&2
	exit 2 ;;
esac

. "$here/../../tests/bpf/lib.sh"
. "$here/../../tests/vm/guest-lib.sh"
vm_workload_setup shape "$here/shape-guest-init.sh" "$label" "$frag"
work=$VM_WORK
t0=$EPOCHREALTIME
VM_APPEND="shape=$shape numaload=$load${recopts:+ numarec=$recopts}${append:+ $append}" vm_boot "$label" \
	"$work/initrd.cpio" "$timeout" "$work/console" "$work/out" "$work/qemu.pid" "${qemu[@]}"
vm_workload_trace "$out" $? "$t0" 1500
echo "wrote $out ($(wc -c <"$out") bytes)" >&2
