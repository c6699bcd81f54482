"""Vendor firmware containers: one module per format, all listed in `FORMATS` (no discovery magic).

Each entry is a `FormatSpec`: magic(s), a pure header parser, a DOC with references, and (where we unpack it
ourselves) an unblob Handler that `unblob_plugin.py` registers through unblob's `--plugins-path`, so the
containers are found wherever they sit in unblob's recursion (a .dav inside a zip, a DH-zip inside a tar).
The containers inspector (`audit/inspect/containers.py`) uses the same parsers to put header facts in
report.json.
"""

from __future__ import annotations

import functools
from pathlib import Path

from audit.unpack.formats import (
    ambarella,
    anjoy,
    bosch,
    dahua,
    hikvision,
    huawei,
    instar,
    reolink,
    tenvis,
    tplink,
    uimage,
    xiongmai,
    zimage,
    zte,
)
from audit.unpack.formats.base import FormatSpec

FORMATS: tuple[FormatSpec, ...] = (
    hikvision.SPEC,
    dahua.SPEC,
    xiongmai.SPEC,
    huawei.SPEC,
    zte.SPEC,
    tplink.SPEC,
    reolink.SPEC,
    bosch.SPEC,
    instar.BNEG_SPEC,
    instar.HD_SPEC,
    tenvis.SPEC,
    anjoy.SPEC,
    ambarella.SPEC,
    uimage.SPEC,
    zimage.SPEC,
)

PLUGIN = Path(__file__).with_name("unblob_plugin.py")  # given to `unblob --plugins-path`


@functools.cache
def _handler_classes() -> tuple[type, ...]:
    return tuple(spec.handler() for spec in FORMATS if spec.handler is not None)


def handlers() -> list[type]:
    """The unblob Handler classes of the formats we unpack ourselves, in registry order: defined once per
    process, so that every unblob run of a process (the zygote's forks) gets the very same classes, and with
    them the search database the zygote built for them (bin/unblob-zygote)."""
    return list(_handler_classes())


def matching(head: bytes) -> list[FormatSpec]:
    """Registry entries whose magic matches the start of a file (`head` = its first bytes)."""
    return [spec for spec in FORMATS if spec.parse is not None and spec.matches(head)]


__all__ = ["FORMATS", "PLUGIN", "FormatSpec", "handlers", "matching"]
