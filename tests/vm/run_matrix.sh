#!/usr/bin/env bash
# tests/vm/run_matrix.sh - the kernel matrix: the same checks (checks.sh) on
# each Debian kernel of kernels.list, booted under qemu-system-x86_64 with TCG
# emulation, and on the host's own kernel, run natively (its image is not on
# the host, so it cannot be booted), then one table, kernel x check.
# ctest label "vm"; exit 77 = skipped (no qemu, no static busybox, a kernel
# image not fetched, not an x86-64 host), 1 = a check failed.
#
# Usage: run_matrix.sh FRAGREPLAY PROGCHECK OBJDIR [LABEL...]
#   OBJDIR holds collector.bpf.o and snapshot.bpf.o; LABELs pick kernels of
#   kernels.list ("host" is the host's kernel; "K+numa2" boots kernel K as a
#   two-node NUMA guest, VM_NUMA2 in guest-lib.sh); default: all, 6.12+numa2
#   after 6.12, then the host.
# Environment: FRAGREPLAY_VM_CACHE (default ~/.cache/fragreplay-vm), where
#   tests/setup.sh (fetch_kernels.sh) put the images.
#
# The guest: the Debian bzImage, an initramfs of busybox (static), fragreplay
# and progcheck with the shared libraries ldd names, the two BPF objects, and
# guest-init.sh as /init; 1 GiB, 2 vCPUs, no disk, no network. Its kernel log
# goes to the first serial port, checks.sh's report to the second.
set -u
here=$(cd "$(dirname "$0")" && pwd)
frag=${1:?usage: $0 FRAGREPLAY PROGCHECK OBJDIR [LABEL...]}
progcheck=${2:?usage: $0 FRAGREPLAY PROGCHECK OBJDIR [LABEL...]}
objdir=${3:?usage: $0 FRAGREPLAY PROGCHECK OBJDIR [LABEL...]}
shift 3
VM_TIMEOUT=${VM_TIMEOUT:-240} # seconds per guest, boot to power-off
CHECKS="boot load:collector load:snapshot record walk fit count:tracefs count:vmstat snapshot"

. "$here/../bpf/lib.sh"
. "$here/guest-lib.sh"

vm_require
if (($# == 0)); then
	# every kernel, Debian 13's again as a two-node NUMA guest, then the host
	set -- $(awk '!/^[[:space:]]*(#|$)/ { print $1 } $1 == "6.12" { print "6.12+numa2" }' \
		"$here/kernels.list") host
fi
missing=
for label; do
	[ "$label" = host ] || [ -s "$VM_CACHE/${label%+numa2}/vmlinuz" ] || missing="$missing $label"
done
[ -z "$missing" ] || skip "kernel images not fetched:$missing (in $VM_CACHE; tests/setup.sh runs tests/vm/fetch_kernels.sh)"

work=$(mktemp -d /var/tmp/frt-vm.XXXXXX)
# stopped early (ctest's timeout): stop the guests and the host's checks too
pids=
stop_all() {
	local f
	[ -n "$pids" ] && kill $pids 2>/dev/null # the run_* subshells, then what they wait for
	for f in "$work"/*.pid; do [ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
	wait
	rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 1' INT TERM

# the initramfs, shared by every guest
vm_initramfs "$work/initrd.cpio" "$here/guest-init.sh" "$here/guest-init-lib.sh" "$frag" "$progcheck" \
	"$objdir/collector.bpf.o" "$objdir/snapshot.bpf.o" "$here/checks.sh" ||
	{ echo "FAIL: building the initramfs"; exit 1; }

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f s", b - a }'; }

# run_guest LABEL: boot the label's kernel; its report in $work/LABEL.out
run_guest() {
	local t0=$EPOCHREALTIME rc
	local numa=
	[ "${1%+numa2}" != "$1" ] && numa=$VM_NUMA2
	vm_boot "${1%+numa2}" "$work/initrd.cpio" "$VM_TIMEOUT" "$work/$1.console" "$work/$1.out" \
		"$work/$1.pid" $numa
	rc=$?
	echo "INFO time guest $(since "$t0") (qemu exit $rc)" >>"$work/$1.out"
	if grep -q '^END' "$work/$1.out"; then
		echo "RESULT boot PASS $(cat "$VM_CACHE/${1%+numa2}/version")${numa:+, two NUMA nodes}, report complete" >>"$work/$1.out"
	else
		echo "RESULT boot FAIL no complete report ($( ((rc == 124)) && echo "timed out after ${VM_TIMEOUT} s" || echo "qemu exit $rc")); console ends: $(tail -c 300 "$work/$1.console" | tr '\n' ' ')" >>"$work/$1.out"
	fi
}

# the host's checks, natively, as root
run_host() {
	local t0=$EPOCHREALTIME
	if [ "$(id -u)" != 0 ]; then
		echo "RESULT boot SKIP not root: the host's kernel is checked natively, as root" >"$work/host.out"
		return
	fi
	mkdir "$work/hostw"
	sh "$here/checks.sh" "$frag" "$progcheck" "$objdir" "$work/hostw" >"$work/host.out" 2>&1 &
	echo $! >"$work/host.pid"
	wait $!
	echo "INFO time host $(since "$t0")" >>"$work/host.out"
	echo "RESULT boot PASS native (no image of this kernel to boot)" >>"$work/host.out"
}

# The guests all at once: a guest's time goes mostly to one vCPU's
# emulation (the verifier, a snapshot), so two cores take them side by side;
# the checks compare counts over marked windows, not speeds. The host's own
# checks run after them: its count:vmstat compares the whole host's
# pgalloc_* with the trace, and starting qemu processes beside it (forks,
# vmalloc'd stacks: alloc_pages_bulk fires no mm_page_alloc, see
# tests/bpf/test_crosscheck.sh) put pgalloc 1.5% ahead in one CI run.
t0=$EPOCHREALTIME
for label; do
	[ "$label" = host ] && continue
	run_guest "$label" &
	pids="$pids $!"
done
wait $pids
pids=
for label; do
	[ "$label" = host ] || continue
	run_host &
	pids=$!
	wait $pids
done
pids=
for label; do
	echo "== $label"
	grep -E '^(INFO|RESULT|PROG)' "$work/$label.out"
done
echo "== all kernels in $(since "$t0")"

# the table: a row per check, a column per kernel
echo
echo "== kernel matrix (PASS / FAIL / SKIP; '-' = not reported, a failure)"
fail=0
{
	printf '%-16s' check
	for label; do
		rel=$(awk '$1 == "INFO" && $2 == "kernel" { print $3; exit }' "$work/$label.out")
		[ -n "$rel" ] && [ "${label%+numa2}" != "$label" ] && rel="$rel+numa2"
		printf ' %-27s' "${rel:-$label}"
	done
	echo
	for c in $CHECKS; do
		printf '%-16s' "$c"
		for label; do
			s=$(awk -v c="$c" '$1 == "RESULT" && $2 == c { print $3; exit }' "$work/$label.out")
			printf ' %-27s' "${s:--}"
		done
		echo
	done
} | tee "$work/table"
for label; do
	grep -q '^RESULT boot SKIP' "$work/$label.out" && continue
	for c in $CHECKS; do
		grep -qE "^RESULT $c PASS" "$work/$label.out" || fail=$((fail + 1))
	done
done
echo "$fail failed"
[ $fail = 0 ]
