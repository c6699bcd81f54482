"""Typed records that the pipeline stages exchange.

Every stage reads and writes only these records; `report.json` is their canonical serialisation
(`Report.to_dict`). Records are frozen: a stage that refines a result builds a new record.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from audit.names import escape_name

REPORT_SCHEMA = "fwaudit/report/v1"

Status = Literal["complete", "partial"]
Weight = Literal["strong", "medium", "weak"]
Severity = Literal["info", "low", "medium", "high", "critical"]
Verdict = Literal["pass", "inconclusive", "review", "fail"]

GiB = 1024**3
MiB = 1024**2
MIN_TOTAL_CAP = 16 * MiB
CAP_RATIO = 32  # default total-bytes cap per input byte: real firmware on the dev corpus peaks at ~12x (nested)
MIN_FILE_CAP = 64 * MiB
OMIT_IF_NONE = {"omit_if_none": True}  # field metadata: left out of report.json while None (keeps old reports equal)


@dataclass(frozen=True)
class AuditError:
    """A typed problem met during the audit. The run goes on; the report becomes `partial`.

    `kind` is a dotted, stable identifier (`unpack.cap.bytes`, `unpack.unsupported.squashfs`,
    `inspect.elf.parse`, ...) that tools can match on; `message` is for people.
    """

    kind: str
    stage: str
    message: str
    path: str | None = None
    detail: str | None = None
    severity: Literal["error", "warning"] = "error"


@dataclass(frozen=True)
class Chunk:
    """A piece of a container file that an unpack handler recognised (unblob's chunk)."""

    id: str
    container: str  # path in image of the file the chunk was carved from ("" = the image itself)
    handler: str
    start: int
    end: int
    is_encrypted: bool = False
    extract_dir: str | None = None  # path in image of the directory its content was extracted to


@dataclass(frozen=True)
class FileRecord:
    """One file (or symlink) found in the image, located by its chain of containers."""

    path: str  # path inside the image: relative, '/'-separated, stable across runs
    fs_path: str  # path inside the innermost extracted filesystem or archive ('/bin/busybox')
    kind: Literal["file", "symlink", "special"]
    size: int
    mode: int
    sha256: str | None = None  # None for symlinks and special files
    magic: str = ""
    mime: str = ""
    is_elf: bool = False
    arch: str | None = None  # ELF machine, class and byte order: 'arm-32-le', 'mips-32-be', ...
    parent: str | None = None  # path in image of the container this file came out of
    handler: str | None = None  # handler that carved the chunk this file came out of
    offset: int | None = None  # byte offset of that chunk inside `parent`
    link_target: str | None = None
    # raw bytes (hex) of a name that is not UTF-8; `path`/`link_target` then hold it escaped (audit/names.py)
    path_raw: str | None = field(default=None, metadata=OMIT_IF_NONE)
    link_target_raw: str | None = field(default=None, metadata=OMIT_IF_NONE)


@dataclass(frozen=True)
class Fact:
    """A structured, located fact about one unique file (ELF metadata, modinfo, a uImage header...)."""

    kind: str  # 'elf', 'elf.comment', 'kmod.modinfo', 'uimage', 'account', ...
    sha256: str
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    offset: int | None = None


@dataclass(frozen=True)
class StringMatch:
    """One string of a YARA rule matched in a file."""

    identifier: str  # '$x1'
    offset: int
    data: bytes  # matched bytes, bounded by the scanner


@dataclass(frozen=True)
class RuleMatch:
    """A YARA rule that matched one unique file."""

    rule: str
    category: str  # folder under rules/yara: soc, sdk, toolchain, odm, oem, cloud, component, suspicious
    meta: dict[str, Any]
    sha256: str
    path: str  # first path in image that holds these bytes
    strings: tuple[StringMatch, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One located observation backing a claim or a finding."""

    kind: str  # 'yara', 'fact', 'symbol', 'string', 'path', ...
    rule_id: str
    path: str
    sha256: str
    offset: int | None
    matched: str
    weight: Weight
    chain: tuple[str, ...] = ()  # image -> chunk at offset -> filesystem -> file


@dataclass(frozen=True)
class Claim:
    """A provenance statement for one layer: `(layer, entity, detail, confidence, evidence)`."""

    layer: str  # soc, sdk, toolchain, odm, oem, cloud, component
    entity: str
    confidence: float
    evidence: tuple[Evidence, ...]
    detail: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """A security-relevant observation with separate severity and confidence."""

    id: str
    rule: str
    category: str
    severity: Severity
    confidence: float
    title: str
    path: str
    evidence: tuple[Evidence, ...]
    cwe: str | None = None


@dataclass(frozen=True)
class PolicyResult:
    """One policy's verdict. `inconclusive`: nothing failed, but a layer the policy judges was not established
    (listed in `undetermined`), so the data cannot support `pass`: unknown is not compliant."""

    policy: str
    verdict: Verdict
    reasons: tuple[str, ...] = ()
    undetermined: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditConfig:
    """Everything a run depends on. Built once by the CLI (or a library caller) and never changed."""

    image: Path
    output_dir: Path = Path("reports")
    formats: tuple[str, ...] = ("json",)
    workdir: Path | None = None  # None: a temporary directory, removed unless `keep`
    keep: bool = False
    depth: int = 10
    max_bytes: int | None = None  # None: min(4 GiB, 32 x input size)
    max_files: int = 200_000
    max_file_size: int | None = None  # None: same as the total-bytes cap
    timeout: float = 600.0
    jobs: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    policy_files: tuple[Path, ...] = ()  # custom policies (--policy FILE), on top of rules/policies
    fail_on: str = "none"  # none|review|fail|low|medium|high|critical (see audit/gates.py)
    baseline: Path | None = None  # an earlier report.json: report only what is new
    engine: str = "yara-x"  # or "yara-python" for legacy rule packs
    threshold: float = 0.8  # claim confidence threshold; below it a claim is a hint
    vuln_db: Path | None = None  # offline vulnerability store; None: the default location (audit/vulndb.py)
    cache: Path | None = None  # result cache (audit/cache.py); None: no cache (the CLI passes the default)
    cache_cap: int = 512 * 1024 * 1024  # bytes of cached reports kept (least recently used go first)

    def effective_max_bytes(self, input_size: int) -> int:
        """The total-bytes cap: as given, else min(4 GiB, 32 x input) with a 16 MiB floor for tiny inputs."""
        if self.max_bytes is not None:
            return self.max_bytes
        return max(MIN_TOTAL_CAP, min(4 * GiB, CAP_RATIO * max(input_size, 1)))

    def effective_max_file_size(self, input_size: int) -> int:
        """RLIMIT_FSIZE for the extractor: as given, else the total cap with a 64 MiB floor.

        The limit applies to every file the extractor process writes, its own report included.
        """
        if self.max_file_size is not None:
            return self.max_file_size
        return max(MIN_FILE_CAP, self.effective_max_bytes(input_size))

    def public_dict(self) -> dict[str, Any]:
        """Config as recorded in `report.run.config` (paths as given, no machine-specific temp dirs)."""
        return {
            "depth": self.depth,
            "formats": list(self.formats),
            "jobs": self.jobs,
            "keep": self.keep,
            "max_bytes": self.max_bytes,
            "max_file_size": self.max_file_size,
            "max_files": self.max_files,
            "timeout": self.timeout,
            "policy_files": [p.name for p in self.policy_files],
            "fail_on": self.fail_on,
            "baseline": self.baseline.name if self.baseline else None,
            "engine": self.engine,
            "threshold": self.threshold,
        }


@dataclass
class Report:
    """The one result record; every output format is written from it."""

    tool: dict[str, Any]
    run: dict[str, Any]
    image: dict[str, Any]
    status: Status = "complete"
    errors: list[AuditError] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    hints: list[Claim] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    components: list[dict[str, Any]] = field(default_factory=list)
    policies: list[PolicyResult] = field(default_factory=list)
    vulnerabilities: dict[str, Any] = field(default_factory=lambda: {"status": "no-data", "matches": []})
    # declared vs found (`fwaudit verify`, audit/verify/); None: no declaration checked, key left out of report.json
    verification: dict[str, Any] | None = field(default=None, metadata=OMIT_IF_NONE)

    def add_error(self, error: AuditError) -> None:
        """Record a problem; an `error` (not a `warning`) makes the report partial."""
        self.errors.append(error)
        if error.severity == "error":
            self.status = "partial"

    def inventory_summary(self) -> dict[str, Any]:
        regular = [f for f in self.files if f.kind == "file"]
        by_type: dict[str, int] = {}
        for rec in regular:
            by_type[rec.mime or "unknown"] = by_type.get(rec.mime or "unknown", 0) + 1
        return {
            "files": len(regular),
            "symlinks": sum(1 for f in self.files if f.kind == "symlink"),
            "unique": len({f.sha256 for f in regular}),
            "bytes": sum(f.size for f in regular),
            "elf": sum(1 for f in regular if f.is_elf),
            "by_type": by_type,
        }

    def to_dict(self) -> dict[str, Any]:
        """Canonical form: every list sorted, so two runs on one image differ only in `run`."""
        return {name: member() for name, member in self.members().items()}

    def members(self) -> dict[str, Callable[[], Any]]:
        """The top-level members of `to_dict`, each built only when called (a writer can encode one at a time
        instead of holding the whole canonical form of a large report: audit/report/json_report.py)."""
        return {
            "schema": lambda: REPORT_SCHEMA,
            "tool": lambda: self.tool,
            "run": lambda: self.run,
            "image": lambda: self.image,
            "status": lambda: self.status,
            "errors": lambda: _sorted_dicts(self.errors),
            "chunks": lambda: _sorted_dicts(self.chunks),
            "files": lambda: _sorted_dicts(self.files),
            "inventory": self.inventory_summary,
            "facts": lambda: _sorted_dicts(self.facts),
            "provenance": lambda: {"claims": _sorted_dicts(self.claims), "hints": _sorted_dicts(self.hints)},
            "findings": lambda: _sorted_dicts(self.findings),
            "endpoints": lambda: _sorted_dicts(self.endpoints),
            "components": lambda: _sorted_dicts(self.components),
            "policies": lambda: _sorted_dicts(self.policies),
            "vulnerabilities": lambda: {**self.vulnerabilities,
                                        "matches": _sorted_dicts(self.vulnerabilities.get("matches", []))},
            **({"verification": lambda: to_jsonable(self.verification)} if self.verification is not None else {}),
        }


_FIELDS: dict[type, tuple[tuple[str, bool], ...]] = {}  # dataclass -> ((field name, omit if None), ...)


def _fields(cls: type) -> tuple[tuple[str, bool], ...] | None:
    """The fields of a dataclass type (looked up once per type), or None for any other type."""
    found = _FIELDS.get(cls)
    if found is None and dataclasses.is_dataclass(cls):
        found = _FIELDS[cls] = tuple((f.name, bool(f.metadata.get("omit_if_none")))
                                     for f in dataclasses.fields(cls))
    return found


_PLAIN = frozenset({int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """Dataclasses, tuples and paths to plain JSON types (dict keys sorted later by the writer). The common exact
    types (str, numbers, dict, list, tuple, dataclass) are tested first; a subclass takes the general path below
    with the same result. A report's facts hold lists of thousands of symbol names: those strings are taken
    inline, without a call each."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() else escape_name(value)  # a name that is not UTF-8 never reaches a writer
    if kind in _PLAIN:
        return value
    if kind is list or kind is tuple:
        return [v if type(v) is str and v.isascii() else to_jsonable(v) for v in value]
    if kind is dict:
        return {(k if type(k) is str and k.isascii() else escape_name(str(k))):
                (v if type(v) is str and v.isascii() else to_jsonable(v)) for k, v in value.items()}
    fields = _FIELDS.get(kind)
    if fields is not None:
        return {name: to_jsonable(getattr(value, name)) for name, omit in fields
                if not (omit and getattr(value, name) is None)}
    return _general(value)


def _general(value: Any) -> Any:
    """`to_jsonable` of anything but the exact common types: subclasses, sets, paths, bytes, new dataclasses."""
    if isinstance(value, str):
        return value if value.isascii() else escape_name(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    fields = None if isinstance(value, type) else _fields(type(value))
    if fields is not None:
        return {name: to_jsonable(getattr(value, name)) for name, omit in fields
                if not (omit and getattr(value, name) is None)}
    if isinstance(value, dict):
        return {escape_name(str(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [to_jsonable(v) for v in value]
        return sorted(items, key=_SortKey) if isinstance(value, set | frozenset) else items
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, bytes):
        return value.hex()
    return value


SORT_FIELDS = ("layer", "policy", "path", "id", "kind", "entity", "rule", "start")


class _SortKey:
    """Sort by the fields a reader scans for first, then by the whole record (total order): the order of the
    tuple `(*head, json.dumps(item, sort_keys=True))`, but the JSON text is only built for items whose heads
    tie (most records differ in their path or id, and dumping every record cost most of a report's render)."""

    __slots__ = ("full_text", "head", "item")

    def __init__(self, item: Any) -> None:
        self.item = item
        self.head = tuple(str(item.get(k, "")) for k in SORT_FIELDS) if isinstance(item, dict) else ()
        self.full_text: str | None = None

    def full(self) -> str:
        if self.full_text is None:
            import json

            self.full_text = json.dumps(self.item, sort_keys=True, default=str)
        return self.full_text

    def __lt__(self, other: _SortKey) -> bool:
        if len(self.head) == len(other.head) and self.head != other.head:
            return self.head < other.head
        return (*self.head, self.full()) < (*other.head, other.full())


def _sorted_dicts(items: list[Any]) -> list[Any]:
    return sorted((to_jsonable(i) for i in items), key=_SortKey)
