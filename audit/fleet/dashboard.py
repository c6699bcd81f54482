"""Fleet summary figures from the store: devices per vendor and layer, policy verdicts, worst findings, failures.

`fwaudit fleet` shows them for the whole store; `fwaudit batch` ends with the same figures for its own images.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, distinct, func, select

from audit.fleet import schema as s
from audit.fleet.records import dec

LAYERS = ("soc", "sdk", "odm", "oem", "cloud")
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}


@dataclass
class Summary:
    """What the dashboard shows; plain data (JSON-ready through `as_dict`)."""

    images: int = 0
    status: dict[str, int] = field(default_factory=dict)
    layers: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)  # entity, claims, hints
    policies: dict[str, dict[str, int]] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"images": self.images, "status": self.status, "policies": self.policies, "findings": self.findings,
                "failures": self.failures,
                "layers": {layer: [{"entity": e, "images": n, "hint_images": h} for e, n, h in rows]
                           for layer, rows in self.layers.items()}}


def _runs(shas: Collection[str] | None) -> Select[Any]:
    query = (select(s.runs.c.id).join(s.images, s.images.c.id == s.runs.c.image_id)
             .where(s.runs.c.current.is_(True)))
    return query.where(s.images.c.sha256.in_(sorted(shas))) if shas is not None else query


def summarise(conn: Connection, shas: Collection[str] | None = None, top: int = 10) -> Summary:
    """Figures over the current runs (of the images with these sha256s, when given)."""
    runs = _runs(shas)
    r, c, p = s.runs, s.claims, s.policy_verdicts
    out = Summary()
    out.status = dict(conn.execute(select(r.c.status, func.count()).where(r.c.id.in_(runs))
                                   .group_by(r.c.status)).all())
    out.images = sum(out.status.values())
    counts = conn.execute(select(c.c.layer, c.c.entity, c.c.hint, func.count(distinct(c.c.run_id)))
                          .where(c.c.run_id.in_(runs), c.c.layer.in_(LAYERS))
                          .group_by(c.c.layer, c.c.entity, c.c.hint)).all()
    for layer in LAYERS:
        per: dict[str, list[int]] = {}
        for lay, entity, hint, n in counts:
            if lay == layer:
                per.setdefault(dec(entity), [0, 0])[1 if hint else 0] += n
        out.layers[layer] = sorted(((e, a, b) for e, (a, b) in per.items()), key=lambda t: (-t[1], -t[2], t[0]))
    for policy, verdict, n in conn.execute(select(p.c.policy, p.c.verdict, func.count(distinct(p.c.run_id)))
                                           .where(p.c.run_id.in_(runs)).group_by(p.c.policy, p.c.verdict)):
        out.policies.setdefault(dec(policy), {})[verdict] = n
    out.findings = _worst_findings(conn, runs, top)
    out.failures = _failures(conn, shas)
    return out


def _worst_findings(conn: Connection, runs: Select[Any], top: int) -> list[dict[str, Any]]:
    f = s.findings
    rows = conn.execute(select(f.c.rule, f.c.severity, func.min(f.c.title), func.count(distinct(f.c.run_id)))
                        .where(f.c.run_id.in_(runs)).group_by(f.c.rule, f.c.severity)).all()
    ranked = sorted(rows, key=lambda t: (-SEVERITY_RANK.get(t[1] or "", -1), -t[3], t[0] or ""))
    return [{"rule": dec(rule), "severity": sev, "example": dec(title), "images": n}
            for rule, sev, title, n in ranked[:top]]


def _failures(conn: Connection, shas: Collection[str] | None) -> list[dict[str, str]]:
    """Latest failed run of each image that has no stored report (or of un-hashable inputs)."""
    r, i = s.runs, s.images
    has_report = select(r.c.image_id).where(r.c.current.is_(True), r.c.image_id.is_not(None))
    query = (select(r.c.image_name, r.c.source, r.c.error, i.c.sha256).outerjoin(i, i.c.id == r.c.image_id)
             .where(r.c.status == "failed", r.c.image_id.is_(None) | r.c.image_id.not_in(has_report))
             .order_by(r.c.id))
    if shas is not None:
        query = query.where(i.c.sha256.in_(sorted(shas)))
    latest: dict[str, dict[str, str]] = {}
    for name, source, error, sha in conn.execute(query):
        latest[sha or dec(source) or dec(name)] = {"image": dec(name), "source": dec(source) or "",
                                                   "sha256": sha or "", "error": dec(error) or ""}
    return list(latest.values())
