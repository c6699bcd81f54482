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

__all__ = ["bundle_group", "verify_cmd"]


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


def _audit_or_exit(target: Path, output: Path, jobs: int | None, quiet: bool, workdir: Path | None) -> Report:
    from rich.console import Console

    from audit.cli import _run_or_exit

    config = AuditConfig(image=target, output_dir=output, cache=None, workdir=workdir,
                         **({"jobs": jobs} if jobs else {}))
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
@click.option("--workdir", type=click.Path(path_type=Path), default=None,
              help="Extract here and keep it (a later `fwaudit bundle` then includes the evidence files).")
@click.option("-q", "--quiet", is_flag=True, help="No summary; errors only.")
def verify_cmd(target: Path, declared_path: Path, output: Path | None, formats: str, fail_on: str,
               jobs: int | None, workdir: Path | None, quiet: bool) -> None:
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
        report = _audit_or_exit(target, out_dir, jobs, quiet, workdir)
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


class _BundleGroup(click.Group):
    """`fwaudit bundle REPORT_DIR ...` is `fwaudit bundle create REPORT_DIR ...`; `keygen`, `verify` as usual."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


@click.group("bundle", cls=_BundleGroup)
def bundle_group() -> None:
    """Signed evidence bundles: `bundle REPORT_DIR --key KEY -o case.bundle`, `bundle keygen`, `bundle verify`."""


@bundle_group.command("keygen")
@click.option("-o", "--output", "key_path", required=True, type=click.Path(path_type=Path),
              help="Private key file (Ed25519 PEM, mode 0600); the public key goes to KEY.pub.")
def keygen_cmd(key_path: Path) -> None:
    """Create an Ed25519 signing key pair."""
    from audit.bundle.keys import generate, key_id, load_public

    try:
        private, public = generate(key_path)
    except (FileExistsError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"private key {private} (0600), public key {public}, key id {key_id(load_public(public))}")


@bundle_group.command("create")
@click.argument("report_dir", metavar="REPORT_DIR", type=click.Path(path_type=Path, exists=True))
@click.option("--key", "key_path", required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--no-files", is_flag=True, help="Hashes of the evidence files only, never their bytes.")
def create_cmd(report_dir: Path, key_path: Path, output: Path, no_files: bool) -> None:
    """Write one signed archive: report, image digest, tool and rules, cited evidence, in-toto attestation."""
    from audit.bundle.create import create_bundle
    from audit.bundle.keys import KeyFileError, load_private
    from audit.load import ReportLoadError

    try:
        manifest = create_bundle(report_dir, load_private(key_path), output, no_files)
    except (KeyFileError, ReportLoadError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    included = sum(1 for e in manifest["evidence"] if e["included"])
    click.echo(f"{output}: image {manifest['image']['name']} sha256 {manifest['image']['sha256']}; "
               f"{len(manifest['evidence'])} evidence files cited, {included} included ({manifest['evidence_files']})")


@bundle_group.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--pub", "pub_path", required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
def verify_bundle_cmd(bundle: Path, pub_path: Path) -> None:
    """Check a bundle's signatures, every hash, and that its report re-renders identically (exit 1 if not)."""
    from audit.bundle.check import BundleError, verify_bundle
    from audit.bundle.keys import KeyFileError, load_public

    try:
        public = load_public(pub_path)
    except KeyFileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        manifest = verify_bundle(bundle, public)
    except BundleError as exc:
        click.echo(f"FAILED: {bundle}: {exc}", err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(f"OK: {bundle}: signature, hashes and report verified for image {manifest['image']['name']} "
               f"sha256 {manifest['image']['sha256']}")
