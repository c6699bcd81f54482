"""CI gates: `--fail-on` levels to exit codes, and `--baseline` (keep only what is new since an earlier report).

Levels: `none` never trips; `inconclusive` / `review` / `fail` refer to policy verdicts, each tripping on itself
and anything worse (`inconclusive` < `review` < `fail`);
`low` .. `critical` refer to finding severities (at or above). Exit codes are those of ARCHITECTURE.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from audit.fingerprints import claim_key, component_fingerprint, endpoint_fingerprint, finding_fingerprint
from audit.model import Report

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3
POLICY_LEVELS = ("inconclusive", "review", "fail")
SEVERITY_LEVELS = ("info", "low", "medium", "high", "critical")
FAIL_ON = ("none", *POLICY_LEVELS, *SEVERITY_LEVELS[1:])


@dataclass(frozen=True)
class GateResult:
    exit_code: int
    reasons: tuple[str, ...]  # what tripped the gate (empty when it passed)

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_OK


def gate(report: Report, fail_on: str) -> GateResult:
    """Exit code 1 when anything is at or above `fail_on`, else 0 (`ValueError` for an unknown level)."""
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown --fail-on level {fail_on!r}; choose from {', '.join(FAIL_ON)}")
    reasons: list[str] = []
    if fail_on in POLICY_LEVELS:
        tripping = POLICY_LEVELS[POLICY_LEVELS.index(fail_on):]
        reasons = [f"policy {p.policy}: {p.verdict}" for p in report.policies if p.verdict in tripping]
    elif fail_on != "none":
        floor = SEVERITY_LEVELS.index(fail_on)
        reasons = [
            f"finding {f.id}: {f.severity}"
            for f in report.findings
            if f.severity in SEVERITY_LEVELS and SEVERITY_LEVELS.index(f.severity) >= floor
        ]
    return GateResult(EXIT_FINDINGS if reasons else EXIT_OK, tuple(sorted(reasons)))


def _new(items: list[Any], key: Any, old_keys: set[str]) -> list[Any]:
    return [item for item in items if key(item) not in old_keys]


def apply_baseline(report: Report, baseline: Report) -> Report:
    """A copy of `report` holding only what `baseline` did not have (by fingerprint).

    Claims and hints by layer/entity, findings, endpoints and components by fingerprint, policies whose
    verdict changed. `run.baseline` records the baseline and how many records were left out.
    """
    name, old_name = report.image.get("name", ""), baseline.image.get("name", "")
    old_claims = {claim_key(c) for c in (*baseline.claims, *baseline.hints)}
    old_findings = {finding_fingerprint(f, old_name) for f in baseline.findings}
    old_endpoints = {endpoint_fingerprint(e) for e in baseline.endpoints}
    old_components = {component_fingerprint(c) for c in baseline.components}
    old_policies = {(p.policy, p.verdict) for p in baseline.policies}
    kept = replace(
        report,
        claims=_new(report.claims, claim_key, old_claims),
        hints=_new(report.hints, claim_key, old_claims),
        findings=_new(report.findings, lambda f: finding_fingerprint(f, name), old_findings),
        endpoints=_new(report.endpoints, endpoint_fingerprint, old_endpoints),
        components=_new(report.components, component_fingerprint, old_components),
        policies=[p for p in report.policies if (p.policy, p.verdict) not in old_policies],
        run=dict(report.run),
    )
    kept.run["baseline"] = {
        "image": old_name,
        "sha256": baseline.image.get("sha256"),
        "suppressed": _suppressed(report, kept),
    }
    return kept


def _suppressed(full: Report, kept: Report) -> Mapping[str, int]:
    return {
        section: len(getattr(full, section)) - len(getattr(kept, section))
        for section in ("claims", "hints", "findings", "endpoints", "components", "policies")
    }
