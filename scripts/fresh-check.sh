#!/usr/bin/env bash
# make fresh-check: prove the README's two commands on a really fresh Debian 12 root.
#
# Builds a minimal Debian 12 (bookworm) root with mmdebstrap (variant minbase, plus only `make`, needed to type
# the commands), copies a clean clone of HEAD into it (and ../shared beside it when present, as CI has it), and
# runs `make demo` then `make test` inside as root. Prints what got installed and how long each step took.
# Not part of CI: it downloads a Debian base system. Needs root, mmdebstrap and network access to Debian and PyPI.
# Usage: scripts/fresh-check.sh [--keep] [--mirror URL]   (FRESH_ROOT=/path to choose where the root is built)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
keep=0
mirror=http://deb.debian.org/debian
while (($#)); do
  case $1 in
    --keep) keep=1 ;;
    --mirror) mirror=$2; shift ;;
    *) echo "usage: $0 [--keep] [--mirror URL]" >&2; exit 2 ;;
  esac
  shift
done
[[ $(id -u) -eq 0 ]] || { echo "fresh-check must run as root (it builds and chroots into a Debian root)" >&2; exit 1; }
if ! command -v mmdebstrap >/dev/null; then
  echo "installing mmdebstrap (Debian package) on this machine"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
fi

root=${FRESH_ROOT:-$(mktemp -d /var/tmp/fwaudit-fresh.XXXXXX)}
log=$root.log
mounted=()
cleanup() {
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  if ((keep)); then echo "fresh root kept at $root"; else rm -rf --one-file-system "$root"; fi
}
trap cleanup EXIT

declare -a steps=()
step() {  # step NAME COMMAND...: run, time, and record
  local name=$1; shift
  local t0=$SECONDS
  echo "== $name"
  if "$@"; then
    steps+=("$(printf '%-34s %5ds  ok' "$name" $((SECONDS - t0)))")
  else
    local rc=$?
    steps+=("$(printf '%-34s %5ds  FAILED (exit %d)' "$name" $((SECONDS - t0)) "$rc")")
    report; exit "$rc"
  fi
}
report() {
  echo; echo "fresh-check summary (Debian 12 root at $root, log $log)"
  printf '  %s\n' "${steps[@]}"
}

build_root() {
  rm -rf "$root"; mkdir -p "$root"
  mmdebstrap --variant=minbase --include=make bookworm "$root" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main" >"$log" 2>&1
  # the machine's network trust settings (its CA bundle, for a TLS-inspecting proxy), not software: kept at its own
  # path, because installing Debian's ca-certificates inside rewrites /etc/ssl/certs/ca-certificates.crt
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/host-ca-bundle.crt"
    printf '[global]\ncert = /etc/host-ca-bundle.crt\n' >"$root/etc/pip.conf"
  fi
  cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  chroot "$root" dpkg-query -W -f='${Package}\n' | sort >"$root.before"
  echo "base system: $(wc -l <"$root.before") packages"
}

copy_clone() {
  mkdir -p "$root/work"
  git clone -q --no-hardlinks "$repo" "$root/work/main"
  if [[ -d $repo/../shared ]]; then cp -a "$repo/../shared" "$root/work/shared"; chmod -R a-w "$root/work/shared"; fi
}

mount_fs() {
  for fs in proc sys dev dev/pts dev/shm; do
    mkdir -p "$root/$fs"
    case $fs in
      proc) mount -t proc proc "$root/proc" ;;
      sys) mount --rbind /sys "$root/sys" ;;
      dev) mount --rbind /dev "$root/dev" ;;
      dev/pts | dev/shm) mountpoint -q "$root/$fs" || mount --bind "/$fs" "$root/$fs" ;;
    esac
    mounted+=("$root/$fs")
  done
}

inside() {  # run a command in the fresh root as root, with a clean environment
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI=true PIP_CERT=/etc/host-ca-bundle.crt /bin/bash -c "cd /work/main && $1"
}

step "mmdebstrap bookworm minbase" build_root
step "clean clone of HEAD" copy_clone
mount_fs
step "make demo" inside "make demo"
step "make test" inside "make test"
chroot "$root" dpkg-query -W -f='${Package}\n' | sort >"$root.after"
echo; echo "Debian packages installed by the project's own setup ($(comm -13 "$root.before" "$root.after" | wc -l)):"
comm -13 "$root.before" "$root.after" | tr '\n' ' ' | fold -s -w 110; echo
echo "reports written: $(find "$root/work/main/reports" -name report.json | wc -l) report.json files"
report
rm -f "$root.before" "$root.after"
