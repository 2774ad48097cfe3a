#!/usr/bin/env bash
# test_outputs.sh - outputs are safe to write as root where another user can
# plant links: record -o (with and without --force), import -o and snapshot
# DIR never write through a link, never into someone else's directory, and
# a failed import leaves an older output as it was (STYLE.md "Outputs");
# replay/validate --json likewise; and on a full disk (a small tmpfs) every
# writing command exits 1 and leaves older files whole.
# The directory is world-writable WITHOUT the sticky bit, so the kernel's
# fs.protected_symlinks does not step in: only fragreplay's own care does.
# Label "root" (runuser for the planting user; exit 77 without root).
#
# Usage: test_outputs.sh FRAGREPLAY DATA_DIR
set -u
frag=${1:?usage: $0 FRAGREPLAY DATA_DIR}
data=${2:?usage: $0 FRAGREPLAY DATA_DIR}
pass=0 fail=0
work=$(mktemp -d /var/tmp/frt-out.XXXXXX)
trap 'rm -rf "$work"' EXIT

. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root (and runuser) to plant links as another user"
chmod 0777 "$work"
plant() { runuser -u nobody -- "$@"; }
echo "victim" > "$work/victim"
chmod 0644 "$work/victim"
victim_ok() { [ "$(cat "$work/victim")" = victim ] && [ "$(stat -c %a "$work/victim")" = 644 ]; }
available() { ! "$frag" --help | grep -q "^  $1 .*(not in this build"; }

if available record; then
	# 1. record --force over a planted link: replaced by a new file, the target untouched
	plant ln -s "$work/victim" "$work/r.frt"
	"$frag" record --force -o "$work/r.frt" -d 0.2 2>"$work/r.err"
	check "record --force over a link exits 0 ($(tail -1 "$work/r.err"))" $?
	check "record --force left the link's target as it was" "$(victim_ok; echo $?)"
	check "record --force put a regular 0600 file of root's at the path" \
		"$([ ! -L "$work/r.frt" ] && [ -f "$work/r.frt" ] &&
		   [ "$(stat -c '%a %u' "$work/r.frt")" = '600 0' ]; echo $?)"
	check "nothing is left beside it" "$(! ls -A "$work" | grep -q '^\.r\.frt\.'; echo $?)"

	# 2. record without --force at a dangling link: refused, nothing created where it points
	plant ln -s "$work/created-by-root" "$work/d.frt"
	"$frag" record -o "$work/d.frt" -d 0.2 2>"$work/d.err"
	check "record at a dangling link exits 1 and says it exists" \
		"$([ $? = 1 ] && grep -q 'exists' "$work/d.err"; echo $?)"
	check "record created nothing through the link" "$([ ! -e "$work/created-by-root" ]; echo $?)"
fi

# 3. import -o over a planted link: replaced, the target untouched
plant ln -s "$work/victim" "$work/i.frt"
"$frag" import -o "$work/i.frt" "$data/import/perf-script.txt" >/dev/null 2>"$work/i.err"
rc=$?
check "import -o over a link without --force exits 1 and says it exists" \
	"$([ $rc = 1 ] && grep -q 'exists (--force replaces it)' "$work/i.err" && victim_ok; echo $?)"
"$frag" import --force -o "$work/i.frt" "$data/import/perf-script.txt" >/dev/null 2>"$work/i.err"
check "import --force -o over a link exits 0 ($(tail -1 "$work/i.err"))" $?
check "import left the link's target as it was" "$(victim_ok; echo $?)"
check "import put a regular file at the path" \
	"$([ ! -L "$work/i.frt" ] && "$frag" info "$work/i.frt" >/dev/null; echo $?)"

# 4. a failed import leaves the older output whole; output = input is refused
before=$(sha256sum < "$work/i.frt")
printf 'not a trace\n' > "$work/bad.txt"
"$frag" import --force -o "$work/i.frt" "$work/bad.txt" 2>/dev/null
check "a failed import exits 1" "$([ $? = 1 ]; echo $?)"
check "a failed import left the older output as it was" \
	"$([ "$(sha256sum < "$work/i.frt")" = "$before" ] &&
	   ! ls -A "$work" | grep -q '^\.i\.frt\.'; echo $?)"
cp "$data/import/perf-script.txt" "$work/in.txt"
"$frag" import -o "$work/in.txt" "$work/in.txt" 2>"$work/same.err"
check "import -o INPUT is a usage error that keeps the input" \
	"$([ $? = 2 ] && cmp -s "$work/in.txt" "$data/import/perf-script.txt"; echo $?)"

if available snapshot; then
	# 5. snapshot DIR: someone else's directory, a link, a non-empty one: refused
	plant mkdir "$work/theirs"
	"$frag" snapshot --no-kpageflags "$work/theirs" 2>"$work/s1.err"
	check "snapshot into another user's directory is refused" \
		"$([ $? = 1 ] && [ -z "$(ls -A "$work/theirs")" ]; echo $?)"
	plant ln -s "$work/theirs" "$work/linkdir"
	"$frag" snapshot --no-kpageflags "$work/linkdir" 2>"$work/s2.err"
	check "snapshot through a link to a directory is refused" \
		"$([ $? = 1 ] && [ -z "$(ls -A "$work/theirs")" ]; echo $?)"
	mkdir "$work/mine"
	ln -s "$work/victim" "$work/mine/zoneinfo"
	"$frag" snapshot --no-kpageflags "$work/mine" 2>"$work/s3.err"
	check "snapshot into a non-empty directory is refused, the link not followed" \
		"$([ $? = 1 ] && victim_ok; echo $?)"
	"$frag" snapshot "$work/new" > /dev/null 2>"$work/s4.err"
	check "snapshot into a new directory writes regular files ($(cat "$work/s4.err"))" \
		"$([ $? = 0 ] && [ -f "$work/new/zoneinfo" ] && [ ! -L "$work/new/zoneinfo" ] &&
		   [ -s "$work/new/kpageflags.zst" ]; echo $?)"
	# interrupted while kpageflags is copied (~1 s): no partial directory is left
	"$frag" snapshot "$work/int" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 1 50); do [ -e "$work/int/vmstat" ] && break; sleep 0.02; done
	kill -TERM $pid
	wait $pid
	rc=$?
	check "snapshot killed by SIGTERM leaves no partial directory (exit $rc)" \
		"$( { [ $rc = 143 ] && [ ! -e "$work/int" ]; } ||
		    { [ $rc = 0 ] && [ -s "$work/int/kpageflags.zst" ]; }; echo $?)"
	mkdir "$work/empty"
	"$frag" snapshot --no-kpageflags "$work/empty" > /dev/null 2>&1
	check "snapshot into an empty directory of the caller's works" "$([ $? = 0 ]; echo $?)"
fi

# 6. replay/validate --json over a planted link: replaced, never followed; = trace refused
sample=$(dirname "$0")/../../traces/samples/slab-pagecache-interleave.frt
for cmd in replay validate; do
	plant ln -sf "$work/victim" "$work/$cmd.json"
	"$frag" $cmd --json "$work/$cmd.json" "$sample" >/dev/null 2>"$work/j.err"
	rc=$?
	check "$cmd --json over a link without --force exits 1 and says it exists" \
		"$([ $rc = 1 ] && grep -q 'exists (--force replaces it)' "$work/j.err" && victim_ok; echo $?)"
	"$frag" $cmd --force --json "$work/$cmd.json" "$sample" >/dev/null 2>"$work/j.err"
	check "$cmd --force --json over a link exits 0 ($(tail -1 "$work/j.err"))" $?
	check "$cmd --json left the link's target as it was" "$(victim_ok; echo $?)"
	check "$cmd --json put a regular JSON file at the path" \
		"$([ ! -L "$work/$cmd.json" ] && python3 -m json.tool "$work/$cmd.json" >/dev/null; echo $?)"
done
cp "$sample" "$work/t.frt"
"$frag" replay --json "$work/t.frt" "$work/t.frt" >/dev/null 2>&1
check "replay --json TRACE is a usage error that keeps the trace" \
	"$([ $? = 2 ] && cmp -s "$work/t.frt" "$sample"; echo $?)"

# 7. a full disk (a 256 KiB tmpfs): every writing command exits 1, older files
# stay whole, nothing partial or temporary is left; stdout errors exit 1
mkdir "$work/full"
if mount -t tmpfs -o size=256k frt-full "$work/full" 2>/dev/null; then
	trap 'umount "$work/full" 2>/dev/null; rm -rf "$work"' EXIT
	echo '{"older": true}' > "$work/full/r.json"
	head -c 248k /dev/zero > "$work/full/filler" # one page left: an 8 KiB trace cannot fit
	"$frag" import -o "$work/full/i.frt" --start-snapshot "$data/import/snapdir-nokpf" \
		"$data/import/ftrace.txt" >/dev/null 2>"$work/f.err"
	rc=$?
	check "import onto a full disk exits 1 ($(tail -1 "$work/f.err"))" "$([ $rc = 1 ]; echo $?)"
	check "import onto a full disk leaves no file and no temporary" \
		"$([ ! -e "$work/full/i.frt" ] && ! ls -A "$work/full" | grep -q '^\.i\.frt\.'; echo $?)"
	"$frag" replay --force --json "$work/full/r.json" "$sample" >/dev/null 2>"$work/f.err"
	rc=$?
	check "replay --json onto a full disk exits 1 ($(tail -1 "$work/f.err"))" "$([ $rc = 1 ]; echo $?)"
	check "replay --json onto a full disk leaves the older JSON whole" \
		"$([ "$(cat "$work/full/r.json")" = '{"older": true}' ] &&
		   ! ls -A "$work/full" | grep -q '^\.r\.json\.'; echo $?)"
	"$frag" dump "$sample" > "$work/full/dump.txt" 2>"$work/f.err"
	check "dump to a full disk exits 1 and says so" \
		"$([ $? = 1 ] && grep -q 'No space left' "$work/f.err"; echo $?)"
	"$frag" info "$sample" > "$work/full/info.txt" 2>"$work/f.err"
	check "info to a full disk exits 1" "$([ $? = 1 ]; echo $?)"
	if available snapshot; then
		"$frag" snapshot --no-kpageflags "$work/full/snap" >/dev/null 2>"$work/f.err"
		rc=$?
		check "snapshot onto a full disk exits 1 ($(tail -1 "$work/f.err"))" "$([ $rc = 1 ]; echo $?)"
		check "snapshot onto a full disk leaves no partial directory" \
			"$([ ! -e "$work/full/snap" ]; echo $?)"
	fi
	umount "$work/full"
else
	echo "note: cannot mount a tmpfs here: the full-disk cases did not run"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
