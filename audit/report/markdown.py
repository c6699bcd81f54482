"""Markdown summary (`summary.md`) sized for a pull-request comment or a CI step summary.

Everything from the firmware is escaped: table cells lose `|` and new lines, and `<`, `>`, `&`, backticks and
brackets become entities, so a hostile string cannot inject HTML or links into a rendered comment.
"""

from __future__ import annotations

from pathlib import Path

from audit.cite import cite_evidence
from audit.model import Claim, Report
from audit.report.output import write_atomic
from audit.report.rulemeta import entity_names
from audit.report.view import (
    LAYER_LABELS,
    baseline_note,
    overall_verdict,
    reason_message,
    short_sha,
    sorted_claims,
    sorted_findings,
    sorted_policies,
)
from audit.verify.view import markdown_lines

NAME = "markdown"
FILENAME = "summary.md"
ICONS = {"fail": "❌ fail", "review": "⚠️ review", "inconclusive": "❔ inconclusive", "pass": "✅ pass"}
MAX_ROWS = 25
MAX_CELL = 160
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "`": "\\`", "[": "\\[", "]": "\\]",
            "*": "\\*", "_": "\\_", "\\": "\\\\"}


def md(text: object, limit: int = MAX_CELL) -> str:
    """Safe inline Markdown text: one line, escaped, shortened to `limit` characters."""
    flat = " ".join(str(text).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return "".join(_ESCAPES.get(ch, ch) for ch in flat)


def _bar(confidence: float) -> str:
    filled = round(confidence * 10)
    return "█" * filled + "░" * (10 - filled)


def _claim_row(claim: Claim, names: dict[str, str]) -> str:
    ev = claim.evidence[0] if claim.evidence else None
    cited = md(cite_evidence(ev), 120) + (f" (+{len(claim.evidence) - 1})" if len(claim.evidence) > 1 else "")
    entity = f"**{md(names.get(claim.entity, claim.entity))}** ({md(claim.entity)})"
    return (f"| {LAYER_LABELS.get(claim.layer, md(claim.layer))} | {entity} | {md(claim.detail or '')} | "
            f"`{_bar(claim.confidence)}` {claim.confidence:.2f} | {cited if ev else ''} |")


def _header(report: Report) -> list[str]:
    verdict = overall_verdict(report.policies)
    inv = report.inventory_summary()
    lines = [
        f"## fwaudit: {md(report.image.get('name', ''))} — {ICONS[verdict]}",
        "",
        f"sha256 `{short_sha(report)}…` · status **{report.status}** · {inv['files']} files "
        f"({inv['elf']} ELF) · {len(report.findings)} findings · {len(report.errors)} errors",
    ]
    note = baseline_note(report)
    return [*lines, "", f"> {md(note, 400)}"] if note else lines


def _policies(report: Report) -> list[str]:
    if not report.policies:
        return []
    lines = ["", "### Policy verdicts", "", "| policy | verdict | main reason |", "|---|---|---|"]
    for p in sorted_policies(report.policies):
        main = reason_message(p.reasons[0]) if p.reasons else ""
        lines.append(f"| `{md(p.policy)}` | {ICONS.get(p.verdict, md(p.verdict))} | {md(main)} |")
    return lines


def _provenance(report: Report) -> list[str]:
    names = entity_names()
    lines = ["", "### Provenance", ""]
    if not report.claims:
        lines.append("No claim reached the confidence threshold.")
    else:
        lines += ["| layer | entity | detail | confidence | evidence |", "|---|---|---|---|---|"]
        lines += [_claim_row(c, names) for c in sorted_claims(report.claims)[:MAX_ROWS]]
    if report.hints:
        hints = ", ".join(f"{md(h.layer)}/{md(h.entity)} ({h.confidence:.2f})" for h in sorted_claims(report.hints))
        lines += ["", f"Hints (below threshold, never a verdict): {hints}"]
    return lines


def _findings(report: Report) -> list[str]:
    if not report.findings:
        return ["", "### Findings", "", "No findings."]
    lines = ["", f"### Findings ({len(report.findings)})", "", "| severity | finding | where |", "|---|---|---|"]
    for f in sorted_findings(report.findings)[:MAX_ROWS]:
        where = cite_evidence(f.evidence[0]) if f.evidence else f.path
        lines.append(f"| {md(f.severity)} | {md(f.title)} (`{md(f.id, 80)}`) | {md(where, 120)} |")
    if len(report.findings) > MAX_ROWS:
        lines.append(f"\n… and {len(report.findings) - MAX_ROWS} more in report.json")
    return lines


def _details(report: Report) -> list[str]:
    lines = []
    reasons = [p for p in sorted_policies(report.policies) if p.verdict != "pass"]
    if reasons:
        lines += ["", "<details><summary>Policy reasons</summary>", ""]
        for p in reasons:
            lines.append(f"**{md(p.policy)}** — {ICONS.get(p.verdict, '')}")
            lines += [f"- {md(r, 600)}" for r in p.reasons]
            lines.append("")
        lines.append("</details>")
    errors = [e for e in report.errors if e.severity == "error"]
    if errors:
        lines += ["", f"<details><summary>{len(errors)} audit errors (report is {report.status})</summary>", ""]
        lines += [f"- `{md(e.kind)}` {md(e.path or '')}: {md(e.message, 300)}" for e in errors[:MAX_ROWS]]
        lines += ["", "</details>"]
    return lines


def render(report: Report) -> str:
    lines = [*_header(report), *_policies(report), *_provenance(report), *_findings(report), *_details(report)]
    if report.verification:  # `fwaudit verify` only: reports without a declaration render as before
        lines += markdown_lines(report.verification, md)
    return "\n".join(lines) + "\n"


def write(report: Report, out_dir: Path) -> Path:
    return write_atomic(out_dir / FILENAME, render(report))
