"""Xiongmai (XMeye) firmware: a plain ZIP (unblob opens it) of uImage-wrapped parts plus an `InstallDesc`
JSON descriptor. The provenance is in the names: the update file name encodes vendor, product type, SoC,
board, sensor, feature flags, version and build date
(`General_IPC_HI3516EV200_85H30AI_S38.Nat.dss.OnvifS.HIK_V5.00.R02.20231114_all.bin`), and `InstallDesc`
repeats hardware, vendor, device id and firmware version. No handler: these are pure parsers the containers
inspector applies to file names, ZIP member names and `InstallDesc` files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from audit.unpack.formats.base import Buffer, FormatError, FormatSpec, TableReader
from audit.unpack.formats.dahua import walk_zip_locals

NAME = re.compile(
    r"^(?P<vendor>[A-Za-z0-9]+)_(?P<product>[A-Za-z0-9]+)_(?P<soc>[A-Za-z]{1,4}\d{3,4}[A-Za-z0-9]*)"
    r"_(?P<board>[A-Za-z0-9\-]+)(?:_(?P<sensor>[A-Za-z0-9]+))?(?:\.(?P<features>[A-Za-z0-9.]+?))?"
    r"_(?P<version>V\d+\.\d+\.[A-Z]\d+)\.(?P<date>\d{8})(?:_(?P<variant>[A-Za-z0-9]+))?\.(?P<ext>bin|zip)$"
)
MAX_DESC = 64 * 1024
REFERENCES = (
    "https://github.com/OpenIPC/coupler",  # converts vendor (incl. Xiongmai) update packages to OpenIPC
)


@dataclass(frozen=True)
class XiongmaiName:
    """The fields a Xiongmai update file name encodes."""

    name: str
    vendor: str
    product: str
    soc: str
    board: str
    sensor: str | None
    features: list[str]
    version: str
    date: str
    variant: str | None


def parse_xm_name(name: str) -> XiongmaiName | None:
    """Fields of a Xiongmai-style firmware file name; None when the name does not follow the scheme."""
    base = name.rsplit("/", 1)[-1]
    m = NAME.match(base[:256])
    if m is None:
        return None
    feats = [f for f in (m.group("features") or "").split(".") if f][:32]
    return XiongmaiName(name=base, vendor=m.group("vendor"), product=m.group("product"), soc=m.group("soc"),
                        board=m.group("board"), sensor=m.group("sensor"), features=feats,
                        version=m.group("version"), date=m.group("date"), variant=m.group("variant"))


@dataclass(frozen=True)
class InstallDesc:
    """The fields of an `InstallDesc` descriptor that identify the device and the update."""

    hardware: str | None
    vendor: str | None
    dev_id: str | None
    firmware_version: str | None
    compatible_version: Any
    files: list[str]
    commands: list[str]


def parse_install_desc(raw: bytes) -> InstallDesc:
    """Parse an `InstallDesc` JSON descriptor (bounded); FormatError when it is not one."""
    if len(raw) > MAX_DESC:
        raise FormatError("too_large", f"InstallDesc larger than {MAX_DESC} bytes")
    try:
        doc = json.loads(raw.decode("utf-8", "replace"))
    except ValueError as exc:
        raise FormatError("bad_json", f"InstallDesc is not JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise FormatError("bad_json", "InstallDesc is not a JSON object")
    steps = doc.get("UpgradeCommand") if isinstance(doc.get("UpgradeCommand"), list) else []
    steps = [s for s in steps if isinstance(s, dict)][:64]

    def text(key: str) -> str | None:
        value = doc.get(key)
        return str(value)[:128] if value is not None else None

    return InstallDesc(hardware=text("Hardware"), vendor=text("Vendor"), dev_id=text("DevID"),
                       firmware_version=text("FirmwareVersion"), compatible_version=doc.get("CompatibleVersion"),
                       files=[str(s.get("FileName"))[:128] for s in steps if s.get("FileName")],
                       commands=sorted({str(s.get("Command"))[:32] for s in steps if s.get("Command")}))


@dataclass(frozen=True)
class XiongmaiZip:
    """A plain ZIP that carries an `InstallDesc` member: the Xiongmai update package layout."""

    members: list[str]
    named_parts: list[str]  # members that look like Xiongmai parts (`*-x.*.img`, `uImage*`, ...)


def parse_xm_zip(data: Buffer, size: int) -> XiongmaiZip | None:
    """Member names of a ZIP when it is a Xiongmai package (has `InstallDesc`), else None."""
    if TableReader(data).raw(0, 4) != b"PK\x03\x04":
        raise FormatError("bad_magic", "not a ZIP local header")
    walk = walk_zip_locals(data, size, (b"PK\x03\x04",))
    names = [m.name for m in walk.members]
    if "InstallDesc" not in names:
        return None
    parts = [n for n in names if re.match(r"^(u-?boot|uImage|[a-z]+-x\.[a-z0-9]+)(\.img|\.bin)?", n)]
    return XiongmaiZip(members=names[:256], named_parts=parts[:64])


SPEC = FormatSpec(
    name="xiongmai", title="Xiongmai ZIP + InstallDesc (name scheme)", magics=(), parse=None, doc=__doc__ or "",
    handler=None, status="facts-only (unblob's zip handler unpacks)", references=REFERENCES,
)
