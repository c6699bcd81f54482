"""`fwaudit verify` (declared vs found) and `fwaudit bundle` (signed evidence bundles): parse, call, exit.

Exit codes as elsewhere (audit/gates.py): 0 ok, 1 the gate tripped (or a bundle failed verification),
2 unusable input (a malformed declaration or SBOM: nothing is written), 3 the audit failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from audit.gates import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from audit.model import AuditConfig, Report

__all__ = ["verify_cmd"]


def _is_report_json(path: Path) -> bool:
    """A saved fwaudit report.json, told by content (never by name)."""
    from audit.model import REPORT_SCHEMA

    if not path.is_file() or path.stat().st_size == 0:
        return False
    with path.open("rb") as handle:
        if handle.read(1) != b"{":
            return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("schema") == REPORT_SCHEMA
    except (ValueError, UnicodeDecodeError, AttributeError):
        return False


def _audit_or_exit(target: Path, output: Path, jobs: int | None, quiet: bool) -> Report:
    from rich.console import Console

    from audit.cli import _run_or_exit

    config = AuditConfig(image=target, output_dir=output, cache=None, **({"jobs": jobs} if jobs else {}))
    return _run_or_exit(config, Console(stderr=True), quiet, 0)


@click.command("verify")
@click.argument("target", metavar="IMAGE|REPORT.json", type=click.Path(path_type=Path, exists=True))
@click.option("--declared", "declared_path", required=True, type=click.Path(path_type=Path),
              help="Declaration (YAML, fwaudit/declaration/v1), CycloneDX 1.4-1.6 or SPDX 2.3 JSON SBOM.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Report folder [default: reports/<image name>; for a REPORT.json: <its folder>/verify].")
@click.option("-f", "--format", "formats", default="json", show_default=True,
              help="Comma-separated formats (json, sarif, html, markdown, cdx) or 'all'.")
@click.option("--fail-on", type=click.Choice(("none", "contradicted", "unverifiable")), default="none",
              show_default=True, help="Exit 1 when a statement is contradicted (or, with unverifiable, not confirmed).")
@click.option("-j", "--jobs", type=click.IntRange(1), default=None, help="Worker processes for the audit.")
@click.option("-q", "--quiet", is_flag=True, help="No summary; errors only.")
def verify_cmd(target: Path, declared_path: Path, output: Path | None, formats: str, fail_on: str,
               jobs: int | None, quiet: bool) -> None:
    """Check what a vendor declares against what the firmware IMAGE (or a saved REPORT.json) shows."""
    from audit.cli import _formats_or_usage, _load_or_exit, _write_each, stage_crashes
    from audit.knowledge import load_knowledge
    from audit.verify.check import verification_block, verification_gate
    from audit.verify.model import DeclarationError
    from audit.verify.read import load_declared

    chosen = _formats_or_usage(formats)
    kb = load_knowledge()
    try:
        declared = load_declared(declared_path, kb)  # before anything is audited or written
    except DeclarationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if _is_report_json(target):
        report, out_dir = _load_or_exit(target), output or target.parent / "verify"
    else:
        out_dir = output or Path("reports") / (target.name or target.resolve().name)
        report = _audit_or_exit(target, out_dir, jobs, quiet)
    report.verification = verification_block(report, declared, kb, declared_path)
    _, failed = _write_each(report, out_dir, chosen)
    tripped = verification_gate(report.verification, fail_on)
    if not quiet:
        _print_summary(report, out_dir, tripped, fail_on)
    if failed or stage_crashes(report):
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_FINDINGS if tripped else EXIT_OK)


def _print_summary(report: Report, out_dir: Path, tripped: list[str], fail_on: str) -> None:
    block = report.verification or {}
    counts = ", ".join(f"{v} {k}" for k, v in block.get("summary", {}).items())
    click.echo(f"verification of {report.image.get('name', '')} against {block['declared']['file']}: {counts}")
    for r in block.get("results", []):
        if r["status"] != "confirmed":
            click.echo(f"  {r['status']:<12} {r['id']}: {'; '.join(r.get('found') or []) or '-'}"[:300])
    for reason in tripped[:10]:
        click.echo(f"  fail-on {fail_on}: {reason}")
    click.echo(f"written to {out_dir}")
