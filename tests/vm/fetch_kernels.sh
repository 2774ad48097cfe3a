#!/usr/bin/env bash
# tests/vm/fetch_kernels.sh - fetch the kernel matrix's kernels (kernels.list)
# into the cache, with apt from the Debian archive: for each label, a private
# apt state (the host's sources and pins are not touched) with that label's
# suites, its linux-image-amd64 resolved to the kernel package, and only the
# bzImage kept: CACHE/LABEL/vmlinuz, with CACHE/LABEL/release (uname -r) and
# CACHE/LABEL/version (the package version). A label already fetched is left
# as it is; delete its directory to fetch the archive's newest again.
#
# Usage: fetch_kernels.sh [CACHE]   (default: $FRAGREPLAY_VM_CACHE, else
#                                    ~/.cache/fragreplay-vm)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${FRAGREPLAY_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fragreplay-vm}}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

fetch() { # LABEL SUITE...
	local label=$1 d="$cache/$1" a="$cache/$1/apt" pkg bin deb member s
	shift
	[ -s "$d/vmlinuz" ] && return 0
	rm -rf "$d"
	mkdir -p "$a/lists/partial" "$a/archives/partial"
	: >"$a/status"
	for s in "$@"; do
		case $s in
		*-security) echo "deb [signed-by=$keyring] http://deb.debian.org/debian-security $s main" ;;
		*) echo "deb [signed-by=$keyring] http://deb.debian.org/debian $s main" ;;
		esac
	done >"$a/sources.list"
	local opts=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State::Lists=$a/lists" -o "Dir::State::status=$a/status"
		-o "Dir::Cache=$a" -o "Dir::Cache::archives=$a/archives"
		-o APT::Architecture=amd64 -o APT::Architectures=amd64 -o APT::Sandbox::User=root)
	apt-get "${opts[@]}" -qq update
	# linux-image-amd64 -> linux-image-VERSION-amd64 (-> linux-binary-... since 7.x)
	pkg=$(apt-cache "${opts[@]}" depends linux-image-amd64 |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
	[ -n "$pkg" ] || { echo "fetch_kernels: $label: no linux-image-amd64 in $*" >&2; return 1; }
	bin=$(apt-cache "${opts[@]}" depends "$pkg" |
		awk '$1 == "Depends:" && $2 ~ /^linux-binary-/ { print $2; exit }')
	(cd "$a/archives" && apt-get "${opts[@]}" -qq download "${bin:-$pkg}")
	deb=$(ls "$a"/archives/*.deb)
	member=$(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -E '/vmlinuz(-[^/]*)?$' | head -1)
	[ -n "$member" ] || { echo "fetch_kernels: $label: no vmlinuz in $deb" >&2; return 1; }
	dpkg-deb --fsys-tarfile "$deb" | tar -xO "$member" >"$d/vmlinuz.tmp"
	echo "${pkg#linux-image-}" >"$d/release"
	dpkg-deb -f "$deb" Version >"$d/version"
	mv "$d/vmlinuz.tmp" "$d/vmlinuz"
	rm -rf "$a"
	echo "fetch_kernels: $label: $pkg $(cat "$d/version") -> $d/vmlinuz"
}

grep -vE '^\s*(#|$)' "$here/kernels.list" | while read -r label suites; do
	# shellcheck disable=SC2086 # the suites are words
	fetch "$label" $suites
done
