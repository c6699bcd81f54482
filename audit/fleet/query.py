"""Fleet queries: which stored images match every filter given (AND), and why.

Each filter reads the images' current runs and answers `{run id: [what matched]}`; the answer is the
intersection. Every value is a bound parameter; globs become LIKE patterns with `*`/`?` as the only wildcards.
Component versions compare numerically by their dotted digits (`1.9 < 1.30`, `1.30 == 1.30.0`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, and_, distinct, func, select

from audit.fleet import schema as s
from audit.fleet.records import dec

OPERATORS: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    "<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "==": lambda a, b: a == b,
    "=": lambda a, b: a == b, "<": lambda a, b: a < b, ">": lambda a, b: a > b,
}
COMPONENT_RE = re.compile(r"^\s*([^<>=\s]+)\s*(?:(<=|>=|==|=|<|>)\s*(\S.*?))?\s*$")
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class QueryError(ValueError):
    """A filter that cannot be understood (a usage error)."""


@dataclass(frozen=True)
class ComponentSpec:
    """`busybox<1.30`: a component name, and optionally an operator and a dotted version."""

    name: str
    op: str | None = None
    version: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ComponentSpec:
        match = COMPONENT_RE.match(text)
        if not match:
            raise QueryError(f"--component {text!r}: expected NAME or NAME<op>VERSION, op one of < <= = >= >")
        name, op, version = match.groups()
        if op is None:
            return cls(name.lower())
        parsed = version_key(version)
        if not parsed:
            raise QueryError(f"--component {text!r}: {version!r} has no dotted number to compare")
        return cls(name.lower(), op, parsed)

    def accepts(self, version: str | None) -> bool:
        if self.op is None:
            return True
        found = version_key(version or "")
        return bool(found) and OPERATORS[self.op](_pad(found, len(self.version)), _pad(self.version, len(found)))


def version_key(text: str) -> tuple[int, ...]:
    """The first dotted run of digits in a version string: `V2.0.4.0 B050` -> (2, 0, 4, 0); none -> ()."""
    match = re.search(r"\d+(?:\.\d+)*", text)
    return tuple(int(part) for part in match.group(0).split(".")) if match else ()


def _pad(version: tuple[int, ...], width: int) -> tuple[int, ...]:
    return version + (0,) * max(0, width - len(version))


@dataclass(frozen=True)
class Filters:
    """What `fwaudit query` was asked; empty fields match everything."""

    layer: str | None = None
    entity: str | None = None
    hints: bool = False  # count hints (below the claim threshold) as well as claims
    endpoints: tuple[str, ...] = ()
    components: tuple[ComponentSpec, ...] = ()
    policies: tuple[tuple[str, str], ...] = ()
    sha256: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    similar: str | None = None  # an image sha256 in the store
    limit: int | None = None


@dataclass
class Row:
    """One matching image: its name, sha256 and what matched."""

    run_id: int
    image: str
    sha256: str
    status: str
    source: str | None
    matched: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    shared: int | None = None
    jaccard: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"image": self.image, "sha256": self.sha256, "status": self.status,
                               "source": self.source, "matched": self.matched, "tags": self.tags}
        if self.shared is not None:
            out |= {"shared_files": self.shared, "jaccard": self.jaccard}
        return out


Hits = dict[int, list[str]]


def current_runs() -> Select[Any]:
    return (select(s.runs.c.id).join(s.images, s.images.c.id == s.runs.c.image_id)
            .where(s.runs.c.current.is_(True)))


def glob_to_like(pattern: str) -> str:
    """`*.hik-connect.com` -> `%.hik-connect.com` with LIKE's own wildcards escaped (escape char `\\`)."""
    out = pattern.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return out.replace("*", "%").replace("?", "_")


def _collect(conn: Connection, query: Select[Any]) -> Hits:
    hits: Hits = {}
    for run_id, text in conn.execute(query):
        hits.setdefault(run_id, []).append(text)
    return hits


def claim_hits(conn: Connection, layer: str | None, entity: str | None, hints: bool) -> Hits:
    c = s.claims
    query = select(c.c.run_id, c.c.layer, c.c.entity, c.c.detail, c.c.confidence, c.c.hint).where(
        c.c.run_id.in_(current_runs()))
    if layer:
        query = query.where(c.c.layer == layer.lower())
    if entity:
        query = query.where(func.lower(c.c.entity) == entity.lower())
    if not hints:
        query = query.where(c.c.hint.is_(False))
    hits: Hits = {}
    for run_id, lay, ent, detail, conf, hint in conn.execute(query.order_by(c.c.run_id, c.c.seq)):
        label = f"{lay}/{dec(ent)}" + (f" {dec(detail)}" if detail else "") + f" ({conf:.2f}{', hint' if hint else ''})"
        hits.setdefault(run_id, []).append(label)
    return hits


def endpoint_hits(conn: Connection, pattern: str) -> Hits:
    e = s.endpoints
    like = glob_to_like(pattern)
    query = (select(e.c.run_id, e.c.value).where(e.c.run_id.in_(current_runs()))
             .where((func.lower(e.c.value).like(like, escape="\\")) | (func.lower(e.c.host).like(like, escape="\\")))
             .order_by(e.c.run_id, e.c.seq))
    return {run: [f"endpoint {dec(v)}" for v in values] for run, values in _collect(conn, query).items()}


def component_hits(conn: Connection, spec: ComponentSpec) -> Hits:
    c = s.components
    query = (select(c.c.run_id, c.c.name, c.c.version).where(c.c.run_id.in_(current_runs()))
             .where(func.lower(c.c.name) == spec.name).order_by(c.c.run_id, c.c.seq))
    hits: Hits = {}
    for run_id, name, version in conn.execute(query):
        if spec.accepts(dec(version)):
            hits.setdefault(run_id, []).append(f"{dec(name)} {dec(version) or '(no version)'}")
    return hits


def policy_hits(conn: Connection, policy: str, verdict: str) -> Hits:
    p = s.policy_verdicts
    query = (select(p.c.run_id, p.c.policy).where(p.c.run_id.in_(current_runs()))
             .where(p.c.policy == policy, p.c.verdict == verdict))
    return {run: [f"{name}={verdict}" for name in names] for run, names in _collect(conn, query).items()}


def file_hits(conn: Connection, sha256: str) -> Hits:
    f = s.image_files
    query = (select(f.c.run_id, f.c.path).where(f.c.run_id.in_(current_runs()))
             .where(f.c.file_sha256 == sha256.lower()).order_by(f.c.run_id, f.c.seq))
    return {run: [f"file {dec(p)}" for p in paths] for run, paths in _collect(conn, query).items()}


def tag_hits(conn: Connection, name: str, value: str) -> Hits:
    t = s.image_tags
    query = (select(s.runs.c.id, t.c.name).join(t, t.c.image_id == s.runs.c.image_id)
             .where(s.runs.c.current.is_(True), t.c.name == name, t.c.value == value))
    return {run: [f"tag {name}={value}"] for run, _names in _collect(conn, query).items()}


def similar_scores(conn: Connection, image_sha256: str) -> dict[int, tuple[int, float]]:
    """Other images' current runs sharing files with the image: `{run id: (shared files, Jaccard)}`."""
    f, r = s.image_files, s.runs
    target = conn.execute(current_runs().where(s.images.c.sha256 == image_sha256)).scalar()
    if target is None:
        raise QueryError(f"--similar {image_sha256}: no such image in the store")
    mine = select(f.c.file_sha256).where(f.c.run_id == target, f.c.file_sha256.is_not(None))
    size = conn.execute(select(func.count(distinct(f.c.file_sha256))).where(
        f.c.run_id == target, f.c.file_sha256.is_not(None))).scalar_one()
    shared = dict(conn.execute(
        select(f.c.run_id, func.count(distinct(f.c.file_sha256))).join(r, r.c.id == f.c.run_id)
        .where(and_(r.c.current.is_(True), r.c.id != target, f.c.file_sha256.in_(mine))).group_by(f.c.run_id)).all())
    if not shared:
        return {}
    totals = dict(conn.execute(
        select(f.c.run_id, func.count(distinct(f.c.file_sha256))).where(
            f.c.run_id.in_(list(shared)), f.c.file_sha256.is_not(None)).group_by(f.c.run_id)).all())
    return {run: (n, round(n / (size + totals[run] - n), 4)) for run, n in shared.items()}


def _filter_hits(conn: Connection, filters: Filters) -> list[Hits]:
    found: list[Hits] = []
    if filters.layer or filters.entity:
        found.append(claim_hits(conn, filters.layer, filters.entity, filters.hints))
    found += [endpoint_hits(conn, pattern) for pattern in filters.endpoints]
    found += [component_hits(conn, spec) for spec in filters.components]
    found += [policy_hits(conn, policy, verdict) for policy, verdict in filters.policies]
    found += [file_hits(conn, sha) for sha in filters.sha256]
    found += [tag_hits(conn, name, value) for name, value in filters.tags]
    return found


def run_query(conn: Connection, filters: Filters) -> list[Row]:
    """Images (current runs) matching every filter; ranked by similarity with `similar`, else by name."""
    found = _filter_hits(conn, filters)
    scores = similar_scores(conn, filters.similar) if filters.similar else None
    keys: set[int] | None = None
    for hits in found + ([{run: [] for run in scores}] if scores is not None else []):
        keys = set(hits) if keys is None else keys & set(hits)
    rows = _rows(conn, keys)
    for row in rows:
        row.matched = [text for hits in found for text in hits.get(row.run_id, [])]
        if scores is not None:
            row.shared, row.jaccard = scores[row.run_id]
    if scores is not None:
        rows.sort(key=lambda r: (-(r.jaccard or 0), -(r.shared or 0), r.image, r.sha256))
    return rows[: filters.limit] if filters.limit else rows


def _rows(conn: Connection, keys: set[int] | None) -> list[Row]:
    r, i = s.runs, s.images
    query = (select(r.c.id, r.c.image_name, i.c.sha256, r.c.status, r.c.source, i.c.id.label("image_id"))
             .join(i, i.c.id == r.c.image_id).where(r.c.current.is_(True)))
    if keys is not None:
        if not keys:
            return []
        query = query.where(r.c.id.in_(sorted(keys)))
    rows, by_image = [], {}
    for run_id, name, sha, status, source, image_id in conn.execute(query):
        row = Row(run_id, dec(name), sha, status, dec(source))
        rows.append(row)
        by_image[image_id] = row
    tags = select(s.image_tags).where(s.image_tags.c.image_id.in_(list(by_image)))
    for image_id, name, value in conn.execute(tags):
        by_image[image_id].tags[name] = dec(value)
    return sorted(rows, key=lambda row: (row.image, row.sha256))


def resolve_image(conn: Connection, given: str) -> str:
    """An image sha256 from `--similar`: a sha256, a path to an image file, or a stored image's name."""
    from pathlib import Path

    from audit.pipeline import sha256_file

    text = given.strip().lower()
    if SHA_RE.match(text):
        return text
    path = Path(given)
    if path.is_file():
        return sha256_file(path)
    names = conn.execute(select(s.images.c.sha256).where(s.images.c.name == given)).scalars().all()
    if len(names) == 1:
        return names[0]
    raise QueryError(f"--similar {given}: not a sha256, an image file or the name of one stored image"
                     + (f" ({len(names)} images have that name: give the sha256)" if names else ""))
