"""Compiled YARA rules built at install time (`make setup`), so a run without a cache does not compile them.

Compiling the bundled rule set costs ~0.4 s of CPU per process. The result cache (audit/cache.py) keeps a
compiled copy, but a run without it (`--no-cache`, a first run on a CI worker) compiled the rules every time,
beside the unblob run it shares the cores with. `python -m audit.rules_prebuilt` (run by scripts/setup.sh)
writes `audit/.prebuilt/<engine>-<engine version>-<YARA rules digest>.bin` for each installed engine; a run
whose rules, engine and engine version match a file's name uses it once it has proved that it loads
(audit/scan.py), and any other run compiles as before. Editing a rule changes the digest, so a stale file is
never used; the files live outside `rules/`, whose digest every report carries.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from importlib import metadata
from pathlib import Path

PREBUILT_DIR = Path(__file__).with_name(".prebuilt")


def path_for(engine: str, digest: str, base: Path | None = None) -> Path | None:
    """Where the compiled rules of this engine (at its installed version) and rules digest live, or None when
    the engine is not installed."""
    try:
        version = metadata.version(engine)
    except metadata.PackageNotFoundError:
        return None
    return (base or PREBUILT_DIR) / f"{engine}-{version}-{digest}.bin"


def read(engine: str, digest: str, base: Path | None = None) -> bytes | None:
    """The stored compiled rules for (engine, digest), or None; the caller proves they load before use."""
    path = path_for(engine, digest, base)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def build(base: Path | None = None) -> list[Path]:
    """Compile the bundled rules with every installed engine and store them (atomically); older files go."""
    from audit.scan import ENGINES, compile_fresh, rules_digest

    base = base or PREBUILT_DIR
    digest, written = rules_digest(), []
    base.mkdir(parents=True, exist_ok=True)
    for engine in ENGINES:
        target = path_for(engine, digest, base)
        if target is None:
            continue
        blob = compile_fresh(engine=engine)
        fd, name = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=base)
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        Path(name).chmod(0o644)
        Path(name).replace(target)
        written.append(target)
    for old in base.glob("*.bin"):
        if old not in written:
            with contextlib.suppress(OSError):
                old.unlink()
    return written


def main() -> int:
    try:
        written = build()
    except Exception as exc:  # setup goes on: runs then compile the rules themselves
        print(f"compiled rules not stored ({type(exc).__name__}: {exc}); runs will compile them", file=sys.stderr)
        return 0
    for path in written:
        print(f"compiled rules: {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
