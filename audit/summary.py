"""The short terminal summary printed after a scan."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from audit.model import Report


def print_summary(console: Console, report: Report, written: list[Path]) -> None:
    inv = report.inventory_summary()
    colour = "green" if report.status == "complete" else "yellow"
    console.print(f"[bold]{report.image['name']}[/]  sha256 {report.image['sha256'][:16]}…  "
                  f"status [{colour}]{report.status}[/]")
    console.print(f"  {inv['files']} files ({inv['unique']} unique, {inv['elf']} ELF), "
                  f"{inv['symlinks']} symlinks, {inv['bytes']:,} bytes, {len(report.chunks)} chunks")
    if report.claims:
        table = Table("layer", "entity", "detail", "confidence", title="provenance", title_justify="left")
        for claim in sorted(report.claims, key=lambda c: (c.layer, -c.confidence, c.entity)):
            table.add_row(claim.layer, claim.entity, claim.detail or "", f"{claim.confidence:.2f}")
        console.print(table)
    _print_findings(console, report)
    problems = [e for e in report.errors if e.severity == "error"]
    for error in sorted(problems, key=lambda e: (e.kind, e.path or ""))[:10]:
        console.print(f"  [yellow]{error.kind}[/] {error.path or ''}: {error.message}", highlight=False)
    if len(problems) > 10:
        console.print(f"  … and {len(problems) - 10} more errors in the report")
    for path in written:
        console.print(f"  wrote {path}")


SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")


def _print_findings(console: Console, report: Report) -> None:
    counts = {level: sum(1 for f in report.findings if f.severity == level) for level in SEVERITY_ORDER}
    shown = ", ".join(f"{n} {level}" for level, n in counts.items() if n) or "none"
    console.print(f"  findings: {shown}")
    calling_home = [e for e in report.endpoints if e.get("category") in ("vendor-cloud", "p2p-relay")]
    owners = sorted({str(e.get("owner")) for e in calling_home if e.get("owner")})
    console.print(f"  endpoints: {len(report.endpoints)} ({len(calling_home)} vendor-cloud/p2p"
                  f"{': ' + ', '.join(owners) if owners else ''}); components: {len(report.components)}")
    if report.policies:
        verdicts = ", ".join(f"{p.policy} {p.verdict}" for p in sorted(report.policies, key=lambda p: p.policy))
        console.print(f"  policies: {verdicts}", highlight=False)
        undetermined = sorted({layer for p in report.policies for layer in p.undetermined})
        if undetermined:
            console.print(f"  not determined (policies inconclusive): {', '.join(undetermined)}", highlight=False)
    vulns = report.vulnerabilities
    if vulns.get("status") == "no-data":
        console.print("  vulnerabilities: no data (fwaudit db update, or db update --from-file PATH offline)")
    else:
        dated = vulns.get("data_date")
        age = f"; data from {dated} ({vulns.get('data_age_days')} days old)" if dated else ""
        console.print(f"  vulnerabilities: {len(vulns.get('matches', []))} matches{age}", highlight=False)
