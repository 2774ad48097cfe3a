#!/usr/bin/env bash
# tests/setup.sh - install the Debian packages fragreplay needs (when missing,
# as root), fetch the kernel matrix's Debian kernels (tests/vm, once, into
# ~/.cache/fragreplay-vm), then configure and build into build/. Used by the
# README's two commands and by .ci/run through tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential cmake pkg-config libzstd-dev libjansson-dev
      clang libclang-rt-14-dev libbpf-dev bpftool python3 python3-jsonschema xxd zstd linux-perf stress-ng
      qemu-system-x86 busybox-static cpio slurm-wlm parallel chromium)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	if ((EUID != 0)); then
		echo "tests/setup.sh: missing Debian packages: ${missing[*]}" >&2
		echo "tests/setup.sh: run as root, or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "tests/setup.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# the kernel matrix's guests (tests/vm/kernels.list): bzImages out of Debian's
# linux-image packages, fetched with apt; skipped where that cannot be done
if ((EUID == 0)) && [ "$(uname -m)" = x86_64 ]; then
	bash tests/vm/fetch_kernels.sh
fi

cmake -B build -S . >/dev/null
cmake --build build -j"$(nproc)"
