#!/usr/bin/env bash
# Install the Debian packages tongban needs, when missing. As root: apt-get them.
# Not root (a laptop): say loudly what is missing and how to get it, then carry on.
set -euo pipefail
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "==> installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "!!! missing Debian packages: ${missing[*]}" >&2
  echo "!!! run: sudo apt-get update && sudo apt-get install ${missing[*]}" >&2
fi
