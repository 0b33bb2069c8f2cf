#!/usr/bin/env bash
# Installs the Debian 12 packages huizong needs, only those missing (apt-get; sudo if not root).
set -euo pipefail
PACKAGES=(build-essential cmake pkg-config libzmq3-dev libczmq-dev libprotobuf-c-dev
          protobuf-c-compiler liblmdb-dev check libsubunit-dev libsodium-dev libxlsxwriter-dev
          clang xlsx2csv libpoppler-glib-dev libzip-dev libxml2-dev libfreexl-dev libmicrohttpd-dev chromium curl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
