"""`fwaudit batch`, `fwaudit query`, `fwaudit fleet`: parse options, call `audit.fleet`, render, exit.

Exit codes follow ARCHITECTURE.md: 0 ran; 2 usage (bad filter, bad `--db` URL); 3 the store or the batch failed
(store unreachable, an image that could not be audited); 130 a batch stopped by SIGINT (what finished is stored).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from audit.gates import EXIT_FAILED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:  # the fleet modules (SQLAlchemy, Alembic, Dask) load only when a fleet command runs
    from audit.fleet.store import Store

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_STORE = "fleet.sqlite"
VERDICTS = ("pass", "fail", "review", "inconclusive")
TAG_RE = re.compile(r"^([A-Za-z0-9_.-]{1,200})=(.*)$", re.DOTALL)
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


def store_option(flag: str = "--db") -> Callable[[F], F]:
    """The fleet store option (`--db` on fleet commands, `--store` under `fwaudit db`)."""
    return click.option(flag, "store_target", metavar="FILE|URL", default=None,
                        help="Fleet store: a SQLite file or a URL (sqlite:///..., postgresql+psycopg://user@host/db) "
                             f"[default: $FWAUDIT_FLEET_DB, else {DEFAULT_STORE}].")


def parse_tags(values: tuple[str, ...]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for value in values:
        match = TAG_RE.match(value)
        if not match:
            raise click.BadParameter(f"{value!r}: expected NAME=VALUE (NAME: letters, digits, . _ -)",
                                     param_hint="--tag")
        tags[match.group(1)] = match.group(2)
    return tags


@contextmanager
def opened(target: str | None) -> Iterator[Store]:
    """The store, or a clear message and exit 2 (bad target) / 3 (cannot open or query)."""
    from audit.fleet.store import StoreError, open_store

    try:
        with open_store(target or os.environ.get("FWAUDIT_FLEET_DB") or DEFAULT_STORE) as store:
            yield store
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE if exc.usage else EXIT_FAILED)


def _policies(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    out = []
    for value in values:
        policy, _, verdict = value.partition("=")
        if not policy or verdict not in VERDICTS:
            raise click.BadParameter(f"{value!r}: expected POLICY=VERDICT, verdict one of {', '.join(VERDICTS)}",
                                     param_hint="--policy")
        out.append((policy, verdict))
    return tuple(out)


def _shas(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not SHA_RE.match(value.lower()):
            raise click.BadParameter(f"{value!r}: expected 64 hex digits", param_hint="--sha256")
    return tuple(v.lower() for v in values)


@click.command("query")
@store_option()
@click.option("--layer", help="Provenance layer: soc, sdk, toolchain, odm, oem, cloud, component.")
@click.option("--entity", help="Entity id (rules/vendors), e.g. hisilicon; with --layer: a claim of that layer.")
@click.option("--hints", is_flag=True, help="Count hints (below the claim threshold) as well as claims.")
@click.option("--endpoint", "endpoints", multiple=True, metavar="GLOB", help="Endpoint, e.g. '*.hik-connect.com'.")
@click.option("--component", "components", multiple=True, metavar="SPEC", help="e.g. busybox, 'busybox<1.30'.")
@click.option("--policy", "policies", multiple=True, metavar="POLICY=VERDICT", help="e.g. ndaa-889=fail.")
@click.option("--sha256", "shas", multiple=True, metavar="HEX", help="Images holding a file with this sha256.")
@click.option("--similar", metavar="IMAGE", help="Rank images by files shared with IMAGE (sha256, file or name).")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE", help="A user tag, e.g. site=berlin.")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most this many rows.")
@click.option("--format", "fmt", type=click.Choice(("table", "json", "csv")), default="table", show_default=True)
def query_cmd(store_target: str | None, layer: str | None, entity: str | None, hints: bool,
              endpoints: tuple[str, ...], components: tuple[str, ...], policies: tuple[str, ...],
              shas: tuple[str, ...], similar: str | None, tags: tuple[str, ...], limit: int | None,
              fmt: str) -> None:
    """Stored images matching every filter given (AND); each row names the image and its sha256."""
    from audit.fleet.query import ComponentSpec, Filters, QueryError, resolve_image, run_query
    from audit.fleet.render import print_rows, rows_csv, rows_json

    try:
        specs = tuple(ComponentSpec.parse(c) for c in components)
    except QueryError as exc:
        raise click.BadParameter(str(exc), param_hint="--component") from exc
    filters = Filters(layer=layer, entity=entity, hints=hints, endpoints=endpoints, components=specs,
                      policies=_policies(policies), sha256=_shas(shas), tags=tuple(parse_tags(tags).items()),
                      limit=limit)
    with opened(store_target) as store, store.read() as conn:
        try:
            if similar:
                filters = Filters(**{**filters.__dict__, "similar": resolve_image(conn, similar)})
            rows = run_query(conn, filters)
        except QueryError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    if fmt == "json":
        click.echo(rows_json(rows), nl=False)
    elif fmt == "csv":
        click.echo(rows_csv(rows), nl=False)
    else:
        print_rows(Console(), rows)
    sys.exit(EXIT_OK)


@click.command("fleet")
@store_option()
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Worst findings shown.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def fleet_cmd(store_target: str | None, top: int, as_json: bool) -> None:
    """Fleet dashboard: devices per SoC/SDK/ODM/OEM/cloud vendor, policy verdicts, worst findings, failures."""
    import json

    from audit.fleet.dashboard import summarise
    from audit.fleet.render import print_summary

    with opened(store_target) as store, store.read() as conn:
        summary = summarise(conn, top=top)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print_summary(Console(), summary, title=f"fleet {store.target}")
    sys.exit(EXIT_OK)


def import_reports(reports: tuple[Path, ...], store_target: str | None, tags: tuple[str, ...]) -> None:
    """`fwaudit db import`: every readable report is stored; exit 3 if any could not be (each one named)."""
    from audit.fleet.store import StoreError, import_report

    labels = parse_tags(tags)
    failed = 0
    with opened(store_target) as store:
        for path in reports:
            try:
                import_report(store, path, labels)
            except StoreError as exc:
                failed += 1
                click.echo(f"error: {exc}", err=True)
        click.echo(f"imported {len(reports) - failed} of {len(reports)} reports into {store.target}")
    sys.exit(EXIT_FAILED if failed else EXIT_OK)


@click.command("batch")
@click.argument("paths", nargs=-1, metavar="PATH...")
@store_option()
@click.option("-r", "--recursive", is_flag=True, help="Walk input directories recursively.")
@click.option("--glob", "patterns", multiple=True, metavar="PAT", help="Only file names matching PAT (repeatable).")
@click.option("--from-list", "lists", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A file listing inputs, one a line (same as @FILE).")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one report folder per image under this folder.")
@click.option("-f", "--format", "formats", default="json", show_default=True, help="Formats for -o folders.")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE", help="User tag on every image (repeatable).")
@click.option("--force", is_flag=True, help="Re-audit images already stored by this tool version and rules.")
@click.option("--executor", type=click.Choice(("local", "dask")), default="local", show_default=True,
              help="local: a process pool; dask: a Dask LocalCluster (or --scheduler).")
@click.option("--scheduler", metavar="tcp://HOST:8786", default=None, help="An existing Dask scheduler.")
@click.option("-j", "--workers", type=click.IntRange(1), default=None, help="Parallel audits [default: CPUs].")
@click.option("--send-bytes", is_flag=True, help="Send image bytes to the workers (no shared path needed).")
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True,
              help="Wall-time cap for unpacking one image, in seconds.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary; errors only.")
def batch_cmd(paths: tuple[str, ...], store_target: str | None, recursive: bool, patterns: tuple[str, ...],
              lists: tuple[Path, ...], output: Path | None, formats: str, tags: tuple[str, ...], force: bool,
              executor: str, scheduler: str | None, workers: int | None, send_bytes: bool, timeout: float,
              quiet: bool) -> None:
    """Audit every image in PATH... (files, directories, @LIST files) into the fleet store.

    Exit 0: all stored; 3: some image failed (stored as a failed run, retried next time) or the store failed;
    130: interrupted (what finished is stored; run again to resume)."""
    from audit.fleet.batch import EXIT_INTERRUPTED, BatchConfig, run_batch
    from audit.fleet.batch_ui import RichUi
    from audit.fleet.executors import ExecutorError, make_executor
    from audit.fleet.store import StoreError
    from audit.model import AuditConfig
    from audit.report import parse_formats

    inputs = paths + tuple(f"@{p}" for p in lists)
    if not inputs:
        raise click.UsageError("give at least one PATH (file, directory or @LIST)")
    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    jobs = workers or max(1, os.cpu_count() or 1)
    config = BatchConfig(inputs=inputs, audit=AuditConfig(image=Path(), jobs=1, timeout=timeout),
                         recursive=recursive, patterns=patterns, output_dir=output, formats=chosen,
                         tags=parse_tags(tags), force=force, send_bytes=send_bytes)
    err = Console(stderr=True)
    ui = RichUi(err, quiet)
    with opened(store_target) as store:
        try:
            result = run_batch(config, store, lambda: make_executor(executor, jobs, scheduler), ui)
        except (StoreError, ExecutorError) as exc:
            ui.stop()
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE if isinstance(exc, StoreError) and exc.usage else EXIT_FAILED)
        ui.stop()
        if not quiet:
            _batch_summary(store, result)
    if result.interrupted:
        sys.exit(EXIT_INTERRUPTED)
    if not result.shas and not result.total:
        click.echo("error: nothing to audit", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FAILED if result.failed else EXIT_OK)


def _batch_summary(store: Store, result: Any) -> None:
    from audit.fleet.dashboard import summarise
    from audit.fleet.render import print_summary, safe

    out = Console()
    with store.read() as conn:
        summary = summarise(conn, shas=result.shas)
    out.print(f"batch: {result.stored} audited and stored, {len(result.failed)} failed, "
              f"{result.resumed} already stored (skipped), {len(result.skipped)} inputs skipped"
              + (" [red]interrupted[/]" if result.interrupted else ""))
    for path, why in result.skipped:
        out.print(f"  skipped {safe(path)}: {safe(why)}")
    print_summary(out, summary, title="batch")
