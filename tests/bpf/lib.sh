# tests/bpf/lib.sh - shell helpers shared by the scripts that drive a real
# recorder (tests/bpf/*.sh, bench/bench_record.sh). Source it; it defines
# functions only.

# check WHAT STATUS: count a check that passed (STATUS 0) or print why it failed.
# Callers keep the counters: pass and fail.
check() {
	if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi
}

# skip WHY: this host cannot run the test (ctest's SKIP_RETURN_CODE).
skip() {
	echo "SKIP: $1"
	exit 77
}

# wait_for FILE PATTERN PID: until FILE has PATTERN (10 s at most, or PID exits).
# With fragreplay record's stderr and 'capture switched on': until capture runs.
wait_for() {
	for _ in $(seq 200); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# require_recorder FRAGREPLAY WORKDIR: skip (77) unless this host can record:
# root, BTF, tracefs (mounted if it is not), and a short probe recording that
# the kernel does not refuse for want of permission
require_recorder() {
	[ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] ||
		skip "needs root and /sys/kernel/btf/vmlinux"
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	if ! "$1" record -o "$2/probe.frt" -d 0.2 2>"$2/probe.err"; then
		grep -qiE 'not permitted|permission|refused' "$2/probe.err" &&
			skip "BPF not permitted: $(head -1 "$2/probe.err")"
	fi
}
