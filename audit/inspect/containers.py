"""Vendor firmware containers as facts: what the container header says (format, OEM code, language, device
class, product compatibility list, member table), plus Xiongmai's name scheme and `InstallDesc`.

The parsers are the ones the unblob handlers use (`audit/unpack/formats`): one parser, two users.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit.inspect.base import InspectError, Inspector, basename, make_fact, open_map
from audit.model import Fact, FileRecord
from audit.unpack.formats import FormatSpec, matching
from audit.unpack.formats.base import FormatError, Problem, header_facts
from audit.unpack.formats.xiongmai import MAX_DESC, parse_install_desc, parse_xm_name, parse_xm_zip

ZIP = b"PK\x03\x04"


class ContainersInspector(Inspector):
    NAME = "containers"
    DOC = ("Vendor container headers (Hikvision .dav, Dahua DH-zip, Huawei HWNP, ZTE, TP-Link, Reolink .pak, "
           "Bosch, INSTAR, Tenvis PK2, ANJOY, Ambarella) and Xiongmai names/InstallDesc as container.* facts.")
    APPLIES_TO = "files whose head matches a container magic, ZIPs, InstallDesc, Xiongmai-style file names"

    def applies(self, record: FileRecord, head: bytes) -> bool:
        name = basename(record)
        return (bool(matching(head)) or head[:4] == ZIP or name == "InstallDesc"
                or parse_xm_name(name) is not None)

    def inspect(self, path: Path, record: FileRecord) -> list[Fact]:
        facts: list[Fact] = []
        problems: list[Problem] = []
        name = parse_xm_name(basename(record))
        if name is not None:
            facts.append(make_fact(record, "container.xiongmai_name", _plain(name)))
        with open_map(path) as data:
            head = bytes(data[:4096])
            for spec in matching(head):
                fact, found = _container(spec, data, record)
                facts.append(fact)
                problems.extend(found)
            if head[:4] == ZIP:
                facts.extend(_xiongmai_zip(data, record))
            if basename(record) == "InstallDesc":
                facts.extend(_install_desc(bytes(data[: MAX_DESC + 1]), record, problems))
        if problems:
            detail = "; ".join(f"{p.what}: {p.message}" for p in problems[:8])
            raise InspectError(problems[0].what, detail, facts)
        return facts


def _container(spec: FormatSpec, data: Any, record: FileRecord) -> tuple[Fact, list[Problem]]:
    """The header fact of one container format, and its problems (a fact even when unreadable)."""
    assert spec.parse is not None
    try:
        header = spec.parse(data, len(data))
    except FormatError as exc:
        fact = {"parsed": False, "title": spec.title, "error": exc.what}
        return make_fact(record, f"container.{spec.name}", fact, 0), [Problem(exc.what, f"{spec.name}: {exc.message}")]
    fact = {"parsed": True, "title": spec.title, **header_facts(header)}
    return make_fact(record, f"container.{spec.name}", fact, 0), list(header.problems)


def _xiongmai_zip(data: Any, record: FileRecord) -> list[Fact]:
    try:
        package = parse_xm_zip(data, len(data))
    except FormatError:
        return []
    if package is None:
        return []
    facts = [make_fact(record, "container.xiongmai", _plain(package), 0)]
    for member in package.members:
        name = parse_xm_name(member)
        if name is not None:
            facts.append(make_fact(record, "container.xiongmai_name", _plain(name)))
    return facts


def _install_desc(raw: bytes, record: FileRecord, problems: list[Problem]) -> list[Fact]:
    try:
        desc = parse_install_desc(raw)
    except FormatError as exc:
        problems.append(Problem(exc.what, f"InstallDesc: {exc.message}"))
        return []
    return [make_fact(record, "container.xiongmai_installdesc", _plain(desc), 0)]


def _plain(value: Any) -> dict[str, Any]:
    from audit.model import to_jsonable

    return dict(to_jsonable(value))
