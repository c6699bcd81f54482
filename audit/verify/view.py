"""The verification block for people: an HTML section and Markdown lines (declared vs found, side by side).

Writers call these only when a report has a `verification` block, so reports without one render exactly as
before. Every string is escaped: vendor names come from hostile firmware and from the declaration itself.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

BADGES = {"confirmed": "pass", "contradicted": "fail", "unverifiable": "inconclusive"}  # CSS classes of the report
ROW_STYLE = ("<style>tr.v-contradicted td{background:var(--fail-bg)}tr.v-confirmed td:first-child"
             "{border-left:4px solid var(--pass)}tr.v-unverifiable td:first-child{border-left:4px solid #9aa3ad}"
             "</style>")
MAX_CITED = 6


def _esc(value: object) -> str:
    return escape(str(value), quote=True)


def cited_lines(result: dict[str, Any]) -> list[str]:
    """Each located piece of evidence of a result as `path @ 0xOFF rule: matched` (claims and components)."""
    lines = []
    for cited in result.get("evidence") or []:
        relation = f" [{cited['relation']}]" if cited.get("relation") else ""
        for ev in (cited.get("evidence") or cited.get("occurrences") or [])[:MAX_CITED]:
            offset = f" @ {ev['offset']:#x}" if isinstance(ev.get("offset"), int) else ""
            rule = ev.get("rule_id") or ev.get("source") or ""
            lines.append(f"{ev.get('path', '')}{offset} {rule}: {ev.get('matched', '')}{relation}")
    return lines


def _html_row(result: dict[str, Any]) -> str:
    status = str(result.get("status", ""))
    found = "<br>".join(_esc(f) for f in result.get("found") or []) or '<span class="muted">nothing</span>'
    notes = "".join(f'<div class="small muted">{_esc(n)}</div>' for n in result.get("notes") or [])
    cited = cited_lines(result)
    evidence = (f"<details><summary>evidence ({len(cited)})</summary><pre>{_esc(chr(10).join(cited))}</pre>"
                "</details>" if cited else "")
    return (f'<tr class="v-{_esc(status)}"><td><code>{_esc(result.get("id", ""))}</code><br>'
            f'{_esc(result.get("statement", ""))}</td><td>{_esc(result.get("declared", ""))}</td>'
            f"<td>{found}{notes}{evidence}</td>"
            f'<td><span class="badge {BADGES.get(status, "inconclusive")}">{_esc(status)}</span></td></tr>')


def html_section(block: dict[str, Any]) -> str:
    """`<section id="verification">`: summary counts, then one row per result."""
    declared = block.get("declared") or {}
    summary = block.get("summary") or {}
    counts = " · ".join(f'<span class="badge {BADGES.get(k, "inconclusive")}">{_esc(v)} {_esc(k)}</span>'
                        for k, v in summary.items())
    rows = "".join(_html_row(r) for r in block.get("results") or [])
    return (f'<section id="verification">{ROW_STYLE}<h2>Declared vs found</h2><p>{_esc(declared.get("file", ""))} '
            f'({_esc(declared.get("format", ""))}, sha256 <code>{_esc(str(declared.get("sha256", ""))[:16])}…</code>)'
            f" {counts}</p><table><tr><th>statement</th><th>declared</th><th>found</th><th>status</th></tr>"
            f"{rows}</table></section>")


ICONS = {"confirmed": "✅ confirmed", "contradicted": "❌ contradicted", "unverifiable": "❔ unverifiable"}


def markdown_lines(block: dict[str, Any], md: Callable[..., str], max_rows: int = 40) -> list[str]:
    """A `### Declared vs found` table; `md` is the Markdown writer's escaping function."""
    declared = block.get("declared") or {}
    summary = ", ".join(f"{v} {k}" for k, v in (block.get("summary") or {}).items())
    lines = ["", "### Declared vs found", "", f"{md(declared.get('file', ''))} ({md(declared.get('format', ''))}): "
             f"{md(summary)}", "", "| statement | declared | found | status |", "|---|---|---|---|"]
    results = block.get("results") or []
    for r in results[:max_rows]:
        found = "; ".join(r.get("found") or []) or "nothing"
        cited = cited_lines(r)
        where = f" — {cited[0]}" if cited else ""
        lines.append(f"| `{md(r.get('id', ''), 80)}` {md(r.get('statement', ''))} | {md(r.get('declared', ''))} | "
                     f"{md(found + where, 240)} | {ICONS.get(str(r.get('status')), md(r.get('status', '')))} |")
    if len(results) > max_rows:
        lines.append(f"\n… and {len(results) - max_rows} more in report.json")
    return lines
