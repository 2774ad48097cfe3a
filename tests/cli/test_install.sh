#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_install.sh BUILD_DIR - cmake --install into a temporary prefix puts the
# binary, fragreplay(1) (with a section for every command) and the bash
# completion (which completes commands, options and presets) in place.
set -u
build=${1:?usage: $0 BUILD_DIR}
W=$(mktemp -d "${TMPDIR:-/tmp}/fragreplay-install.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT
pass=0 fail=0
check() { if [ "$2" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }

cmake --install "$build" --prefix "$W" >/dev/null
check "cmake --install exits 0" $?
fr=$W/bin/fragreplay
check "the binary runs" "$("$fr" --version | grep -qx 'fragreplay [0-9.]*'; echo $?)"
man=$W/share/man/man1/fragreplay.1
check "the man page is installed" "$([ -s "$man" ]; echo $?)"
for c in $("$fr" --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
	check "the man page has a section for $c" "$(grep -q "^.SH \"fragreplay $c\"" "$man"; echo $?)"
done
if command -v groff >/dev/null; then
	check "the man page renders without warnings" \
		"$(groff -man -Tutf8 -ww -z "$man" 2>&1 | grep -q . && echo 1 || echo 0)"
fi
check "LICENSE is installed" "$(grep -q '^MIT License' "$W/share/doc/fragreplay/LICENSE"; echo $?)"
comp=$W/share/bash-completion/completions/fragreplay
# complete WORDS...: what the completion offers for the last word
complete_words() {
	(
		. "$comp"
		COMP_WORDS=("$fr" "$@")
		COMP_CWORD=$#
		_fragreplay "$fr" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf '%s\n' "${COMPREPLY[@]}"
	)
}
check "completion offers the commands" "$(complete_words im | grep -qx import; echo $?)"
check "completion offers a command's options" \
	"$(complete_words import --st | grep -qx -- --start-snapshot; echo $?)"
check "completion offers the presets after --variant" \
	"$(complete_words replay --variant def | grep -qx defrag_mode; echo $?)"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
