#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkman.sh FRAGREPLAY OUT.1 - fragreplay(1) from the binary's own --help texts
# (the top level's and each command's), so that the man page cannot drift
# from the code. Run by the build (CMakeLists.txt) and installed.
set -euo pipefail
fr=$1
out=$2
version=$("$fr" --version | awk '{print $2}')
# roff: a leading dot or quote, and backslashes, are escaped; text kept as is (.nf)
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }
cmds=$("$fr" --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}')
{
	echo ".TH FRAGREPLAY 1 \"\" \"fragreplay $version\" \"User Commands\""
	echo ".SH NAME"
	echo "fragreplay \\- record page-allocator traces and replay them through allocator policies"
	echo ".SH SYNOPSIS"
	echo ".B fragreplay"
	echo ".I command"
	echo "[options]"
	echo ".SH DESCRIPTION"
	echo ".nf"
	"$fr" --help | esc
	echo ".fi"
	for c in $cmds; do
		echo ".SH \"fragreplay $c\""
		echo ".nf"
		"$fr" "$c" --help | esc
		echo ".fi"
	done
	echo ".SH EXIT STATUS"
	echo "0 success, 1 failure (bad data, runtime error), 2 usage error."
	echo ".SH SEE ALSO"
	echo "README.md and traces/FORMAT.md in the source tree; perf(1), trace-cmd(1)."
} >"$out"
