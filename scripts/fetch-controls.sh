#!/bin/sh
# Fetch Debian control binaries (negatives for the YARA rule tests) into tests/.cache/controls/<arch>/.
#
# For each of armhf arm64 mipsel: enable the foreign architecture, `apt-get download` busybox-static, libssl3,
# dropbear-bin and libc6, and unpack them with `dpkg-deb -x` into tests/.cache/controls/<arch>/root.
# Idempotent: a finished architecture is marked with a stamp file and skipped (fast when done).
# Usage: scripts/fetch-controls.sh [cache-dir]     (needs root for dpkg --add-architecture / apt-get update)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${1:-"$HERE/../tests/.cache/controls"}
ARCHES="armhf arm64 mipsel"
PACKAGES="busybox-static libssl3 dropbear-bin libc6"

pending=""
for arch in $ARCHES; do
    [ -f "$CACHE/$arch/.done" ] || pending="$pending $arch"
done
if [ -z "$pending" ]; then
    echo "controls: up to date in $CACHE"
    exit 0
fi

for arch in $pending; do
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        dpkg --add-architecture "$arch"
    fi
done
# A mirror mid-sync can fail one index (e.g. -security); the main suite is enough for these packages.
apt-get update -qq || echo "controls: apt-get update reported errors; continuing with the indexes available" >&2

for arch in $pending; do
    debs="$CACHE/$arch/debs"
    root="$CACHE/$arch/root"
    mkdir -p "$debs" "$root"
    for pkg in $PACKAGES; do
        if ! ls "$debs/${pkg}_"*"_$arch.deb" >/dev/null 2>&1; then
            (cd "$debs" && apt-get download -q "$pkg:$arch")
        fi
    done
    for deb in "$debs"/*.deb; do
        dpkg-deb -x "$deb" "$root"
    done
    touch "$CACHE/$arch/.done"
    echo "controls: $arch ready in $root"
done
