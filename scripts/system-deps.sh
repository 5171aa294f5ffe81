#!/usr/bin/env bash
# Installs the system packages the test suite needs (so that nothing is skipped): nginx for the
# reverse-proxy tests, systemd for `systemd-analyze verify` of the shipped unit,
# Debian's chromium for the browser tests, Virtuoso (the remote-store backend's tests) and curl
# (scripts/virtuoso.sh waits with it), a CJK font so that Chinese labels render in the
# browser (screenshots; the tests read text, not pixels) and mimalloc, the allocator `serve`
# preloads when it is installed (tests/test_allocator.py), and wrk, the README's benchmark client
# (tests/test_benchmark.py). Needs root and apt-get; otherwise
# says what is missing.
set -euo pipefail
packages=(chromium virtuoso-opensource-7-bin curl nginx systemd fonts-wqy-microhei libmimalloc2.0 wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "system-deps: please install as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
