#!/usr/bin/env bash
# Idempotent setup: Debian packages (as root), then the .venv with fwaudit installed.
# Fast when already done: dpkg-query for packages, a stamp for the venv.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # extractors unblob calls
  p7zip-full e2fsprogs erofs-utils lz4 zstd lziprecover lzop partclone android-sdk-libsparse-utils unar
  squashfs-tools libmagic1
  # fsck.cramfs / mkfs.cramfs (Debian 12: util-linux; Debian 13 moved them to util-linux-extra)
  util-linux
  # building the samples
  u-boot-tools mtd-utils gcc-arm-linux-gnueabihf gcc-mipsel-linux-gnu gcc-aarch64-linux-gnu gcc-mips-linux-gnu
  # the cross compilers' C libraries and headers: only Recommends of gcc-*-cross, so named explicitly
  libc6-dev-armhf-cross libc6-dev-arm64-cross libc6-dev-mipsel-cross libc6-dev-mips-cross
  zip cpio
  # readelf (the tests compare build-ids and ABI notes with it); the cross binutils only ship prefixed tools
  binutils
  # second opinion on vendor header signatures (issue 7)
  binwalk
  # headless browser for the HTML report test
  chromium
  # WebDriver for the web console's browser test (selenium; tests/test_serve_browser.py)
  chromium-driver
  # the virtual environment
  python3-venv
  # the fleet store's PostgreSQL backend: the tests start a throwaway server from /usr/lib/postgresql/*/bin
  postgresql
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "fwaudit setup needs these Debian packages: ${missing[*]}" >&2
    echo "run as root:  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "then run 'make setup' again." >&2
    exit 1
  fi
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # a partial index refresh (a mirror mid-sync for one architecture) must not stop the install
  apt-get update -qq || echo "warning: apt-get update reported errors; installing from the indexes it has" >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
stamp=.venv/.fwaudit-setup
if [[ ! -x .venv/bin/python ]]; then
  "$PY" -m venv .venv
fi
if [[ ! -f $stamp || pyproject.toml -nt $stamp || scripts/setup.sh -nt $stamp ]]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev]'
  touch "$stamp"
fi
# byte-compile fwaudit's own modules: an editable install gets no .pyc from pip, and where
# PYTHONDONTWRITEBYTECODE is set every process would compile ~90 modules from source (~0.6 s per start)
.venv/bin/python -m compileall -q -j 0 audit >/dev/null
# compile the bundled YARA rules once (audit/rules_prebuilt.py): runs without a cache load them instead
.venv/bin/python -m audit.rules_prebuilt >/dev/null
echo "setup ok: $(.venv/bin/fwaudit --version)"
