"""What the human-facing views (HTML, Markdown) share: layer order and labels, overall verdict, sorting.

Presentation only: the verdicts themselves were decided by the policy stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audit.model import Claim, Finding, PolicyResult, Report

LAYERS = ("soc", "sdk", "toolchain", "odm", "oem", "cloud", "component")
LAYER_LABELS = {
    "soc": "SoC (chip)", "sdk": "SDK", "toolchain": "Toolchain", "odm": "ODM (firmware author)",
    "oem": "OEM (brand)", "cloud": "Cloud / P2P", "component": "Components",
}
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
VERDICT_ORDER = ("fail", "review", "inconclusive", "pass")


def overall_verdict(policies: Iterable[PolicyResult]) -> str:
    """The worst policy verdict (`pass` when there are none)."""
    verdicts = {p.verdict for p in policies}
    return next((v for v in VERDICT_ORDER if v in verdicts), "pass")


def sorted_claims(claims: Iterable[Claim]) -> list[Claim]:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    return sorted(claims, key=lambda c: (rank.get(c.layer, len(LAYERS)), -c.confidence, c.entity))


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    return sorted(findings, key=lambda f: (rank.get(f.severity, 9), -f.confidence, f.id))


def sorted_policies(policies: Iterable[PolicyResult]) -> list[PolicyResult]:
    rank = {v: i for i, v in enumerate(VERDICT_ORDER)}
    return sorted(policies, key=lambda p: (rank.get(p.verdict, 9), p.policy))


def endpoints_by_owner(endpoints: Iterable[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for ep in endpoints:
        groups.setdefault(str(ep.get("owner") or "unknown owner"), []).append(ep)
    return [(owner, sorted(items, key=lambda e: str(e.get("value", "")))) for owner, items in sorted(groups.items())]


def credential_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings about credentials (shown in their own section as well)."""
    keys = ("credential", "password", "account")
    return [f for f in findings if f.category.startswith("cred") or any(k in f.id.lower() for k in keys)]


def short_sha(report: Report) -> str:
    return str(report.image.get("sha256", ""))[:16]


def baseline_note(report: Report) -> str | None:
    """One sentence when the report was filtered against a baseline (`--baseline`)."""
    base = report.run.get("baseline") if isinstance(report.run, dict) else None
    if not base:
        return None
    hidden = sum(int(v) for v in (base.get("suppressed") or {}).values())
    return (f"Compared with baseline {base.get('image')} ({str(base.get('sha256', ''))[:12]}): only new items "
            f"are shown; {hidden} already present in the baseline were left out.")


def reason_message(reason: str) -> str:
    """'fail [rule]: message — claim ...: evidence ...' -> 'message' (the card shows verdict and evidence apart)."""
    head, sep, tail = reason.partition("]: ")
    text = tail if sep and head.split(" ", 1)[0] in VERDICT_ORDER else reason
    return text.split(" — ", 1)[0]
