"""What the pages and the API read from the store: filtered, sorted, paginated image lists; stored reports.

Filters are `fwaudit query`'s (audit/fleet/query.py runs them); this module only turns request parameters into
its `Filters` and pages through the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from audit.fleet.query import SHA_RE, ComponentSpec, Filters, QueryError, Row, resolve_image, run_query
from audit.fleet.store import Store
from audit.load import ReportLoadError, report_from_dict
from audit.model import Report
from audit.report import cdx, html, json_report, markdown, sarif
from audit.serve.security import ApiError

VERDICTS = ("pass", "fail", "review", "inconclusive")
TAG_RE = re.compile(r"^([A-Za-z0-9_.-]{1,200})=(.*)$", re.DOTALL)
SORT_KEYS = ("image", "sha256", "status", "source")
MAX_PER_PAGE = 500
RENDERERS = {  # URL suffix -> (writer module, media type)
    "json": (json_report, "application/json"),
    "html": (html, "text/html; charset=utf-8"),
    "md": (markdown, "text/markdown; charset=utf-8"),
    "sarif": (sarif, "application/sarif+json"),
    "cdx": (cdx, "application/vnd.cyclonedx+json"),
}


@dataclass(frozen=True)
class ListParams:
    """The raw query parameters of an image list (API and console alike)."""

    layer: str | None = None
    entity: str | None = None
    hints: bool = False
    endpoint: tuple[str, ...] = ()
    component: tuple[str, ...] = ()
    policy: tuple[str, ...] = ()
    sha256: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    similar: str | None = None
    sort: str = "image"
    order: str = "asc"
    page: int = 1
    per_page: int = 50

    def filters(self) -> Filters:
        """`fwaudit query`'s filters; 422 with the reason for one that cannot be understood."""
        try:
            components = tuple(ComponentSpec.parse(c) for c in self.component)
        except QueryError as exc:
            raise ApiError(422, "invalid filter", str(exc)) from exc
        return Filters(layer=self.layer or None, entity=self.entity or None, hints=self.hints,
                       endpoints=tuple(e for e in self.endpoint if e), components=components,
                       policies=tuple(_policy(p) for p in self.policy if p),
                       sha256=tuple(check_sha(s, "sha256") for s in self.sha256 if s),
                       tags=tuple(_tag(t) for t in self.tag if t))

    def query_string(self, **change: Any) -> str:
        """This list's parameters as a query string (with some changed), for links."""
        from urllib.parse import urlencode

        values = {**self.__dict__, **change}
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if isinstance(value, tuple):
                pairs += [(key, v) for v in value]
            elif value not in (None, "", False) and ListParams.__dataclass_fields__[key].default != value:
                pairs.append((key, "1" if value is True else str(value)))
        return urlencode(pairs)


def check_sha(value: str, what: str = "sha256") -> str:
    text = value.strip().lower()
    if not SHA_RE.match(text):
        raise ApiError(422, "invalid sha256", f"{what}: expected 64 hex digits")
    return text


def _policy(value: str) -> tuple[str, str]:
    policy, _, verdict = value.partition("=")
    if not policy or verdict not in VERDICTS:
        raise ApiError(422, "invalid filter", f"policy {value!r}: expected POLICY=VERDICT, verdict one of "
                                              f"{', '.join(VERDICTS)}")
    return policy, verdict


def _tag(value: str) -> tuple[str, str]:
    match = TAG_RE.match(value)
    if not match:
        raise ApiError(422, "invalid filter", f"tag {value!r}: expected NAME=VALUE")
    return match.group(1), match.group(2)


@dataclass
class Page:
    rows: list[Row]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def list_images(store: Store, params: ListParams) -> Page:
    """The matching images, sorted and cut to one page."""
    if params.sort not in SORT_KEYS or params.order not in ("asc", "desc"):
        raise ApiError(422, "invalid parameter", f"sort: one of {', '.join(SORT_KEYS)}; order: asc or desc")
    if not 1 <= params.per_page <= MAX_PER_PAGE or params.page < 1:
        raise ApiError(422, "invalid parameter", f"page >= 1 and 1 <= per_page <= {MAX_PER_PAGE}")
    filters = params.filters()
    with store.read() as conn:
        try:
            if params.similar:
                filters = replace(filters, similar=resolve_image(conn, params.similar))
            rows = run_query(conn, filters)
        except QueryError as exc:
            raise ApiError(422, "invalid filter", str(exc)) from exc
    if not params.similar or params.sort != "image":
        rows.sort(key=lambda r: (str(getattr(r, params.sort) or ""), r.image, r.sha256),
                  reverse=params.order == "desc")
    start = (params.page - 1) * params.per_page
    return Page(rows[start:start + params.per_page], len(rows), params.page, params.per_page)


def stored_report(store: Store, sha256: str) -> Report:
    """The current report of an image (404 when the store has none)."""
    sha = check_sha(sha256)
    run_id = store.current_run(sha)
    if run_id is None:
        raise ApiError(404, "not found", f"no stored report for image {sha}")
    try:
        return report_from_dict(store.report(run_id), f"run {run_id}")
    except ReportLoadError as exc:
        raise ApiError(500, "stored report unreadable", str(exc)) from exc


def render(report: Report, fmt: str) -> tuple[str, str]:
    """The report in one format by the same writer `fwaudit report` uses: (text, media type)."""
    if fmt not in RENDERERS:
        raise ApiError(404, "not found", f"report format {fmt!r}: one of {', '.join(RENDERERS)}")
    module, media = RENDERERS[fmt]
    return module.render(report), media
