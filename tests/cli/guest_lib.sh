# tests/cli/guest_lib.sh - what the tests of the guest samples share
# (test_numa.sh, test_hotplug.sh, test_unplug.sh, test_movable.sh): a work
# directory, and every output their checks read, made the same way. Source
# it; it defines functions only. The Python side is guest_checks.py.

# guest_workdir NAME: W, a new directory removed on exit; python3 is needed
guest_workdir() {
	command -v python3 >/dev/null 2>&1 || { echo "$0: python3 is needed" >&2; exit 2; }
	W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-$1.XXXXXX") || exit 2
	trap 'rm -rf "$W"' EXIT
}

# guest_run DIR TRACE: info --json, dump, replay --json, validate --json and
# diff --json of TRACE into DIR (FR the binary); each command's exit status in
# DIR/CMD.rc, its stderr in DIR/CMD.err. A trace info or dump cannot read
# ends the test.
guest_run() {
	mkdir -p "$1"
	"$FR" info --json "$2" >"$1/info.json" 2>"$1/info.err" || { echo "FAIL: info: $(cat "$1/info.err")"; exit 1; }
	"$FR" dump "$2" >"$1/dump.txt" 2>"$1/dump.err" || { echo "FAIL: dump: $(cat "$1/dump.err")"; exit 1; }
	"$FR" replay "$2" --json "$1/replay.json" >"$1/replay.txt" 2>"$1/replay.err"
	echo "$?" >"$1/replay.rc"
	"$FR" validate "$2" --json "$1/validate.json" >"$1/validate.txt" 2>"$1/validate.err"
	echo "$?" >"$1/validate.rc"
	"$FR" diff --json "$1/diff.json" "$2" "$2" >/dev/null 2>"$1/diff.err"
	echo "$?" >"$1/diff.rc"
}
