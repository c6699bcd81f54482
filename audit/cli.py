"""`fwaudit` command line: parse options into one AuditConfig, run the pipeline, render, exit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from audit import __version__
from audit.cache import default_path as default_cache_path
from audit.cli_cache import cache as cache_group
from audit.cli_db import db
from audit.diff import diff_reports, render_json, render_text
from audit.gates import EXIT_FAILED, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, FAIL_ON, apply_baseline, gate
from audit.load import ReportLoadError, load_report
from audit.model import AuditConfig, AuditError, Report
from audit.pipeline import InputError, run
from audit.policy import PolicyError, load_policies
from audit.progress import make_events
from audit.report import FORMATS, parse_formats, write_reports
from audit.summary import print_summary
from audit.unpack import EngineMissingError

__all__ = ["EXIT_FAILED", "EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "main"]
FAIL_ON_HELP = ("Exit 1 when anything is at or above this level: inconclusive/review/fail = policy verdicts, "
                "low..critical = finding severities.")


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
    text = text.strip().lower().removesuffix("b").removesuffix("i")
    factor = units.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in units else text
    try:
        value = int(float(number) * factor)
    except ValueError as exc:
        raise click.BadParameter(f"not a size: {text!r} (examples: 500M, 4G, 1048576)") from exc
    if value <= 0:
        raise click.BadParameter("must be positive")
    return value


class SizeType(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]  # click's signature
        return value if isinstance(value, int) else _size(str(value))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fwaudit")
def main() -> None:
    """fwaudit: who really built this firmware, and how we know."""


@main.command()
@click.argument("image", metavar="IMAGE|DIR", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Report folder [default: reports/<image name>].")
@click.option("-f", "--format", "formats", default="json", show_default=True,
              help=f"Comma-separated formats ({', '.join(FORMATS)}) or 'all'.")
@click.option("--workdir", type=click.Path(path_type=Path), default=None,
              help="Where to extract (kept). Default: a temporary folder, removed after the run.")
@click.option("--keep", is_flag=True, help="Keep the temporary work folder and print its path.")
@click.option("--depth", type=click.IntRange(1, 64), default=10, show_default=True,
              help="Maximum nesting depth of containers to unpack.")
@click.option("--max-bytes", type=SizeType(), default=None,
              help="Cap on total extracted bytes [default: min(4G, 32 x image size)].")
@click.option("--max-files", type=click.IntRange(1), default=200_000, show_default=True,
              help="Cap on the number of extracted files.")
@click.option("--max-file-size", type=SizeType(), default=None,
              help="Cap on any single extracted file [default: the total-bytes cap].")
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True,
              help="Wall-time cap for unpacking, in seconds.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: CPUs].")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary; errors only.")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for more).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="none", show_default=True, help=FAIL_ON_HELP)
@click.option("--baseline", type=click.Path(path_type=Path), default=None,
              help="An earlier report.json: report and gate only what is new since then.")
@click.option("--policy", "policy_files", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              multiple=True, help="Extra policy file (YAML, docs/policies.md); repeatable.")
@click.option("--cache", "cache_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Result cache file [default: $FWAUDIT_CACHE, else ~/.cache/fwaudit/results.sqlite].")
@click.option("--no-cache", is_flag=True, help="Neither reuse nor store a result (also FWAUDIT_CACHE=off).")
def scan(image: Path, output: Path | None, formats: str, workdir: Path | None, keep: bool, depth: int,
         max_bytes: int | None, max_files: int, max_file_size: int | None, timeout: float,
         jobs: int | None, quiet: bool, verbose: int, fail_on: str, baseline: Path | None,
         policy_files: tuple[Path, ...], cache_path: Path | None, no_cache: bool) -> None:
    """Audit firmware IMAGE (or DIR, an already-extracted firmware tree) and write its reports."""
    chosen = _formats_or_usage(formats)
    _check_policies(policy_files)
    old = _load_or_exit(baseline) if baseline else None
    err = Console(stderr=True)
    config = AuditConfig(
        image=image, output_dir=output or Path("reports") / (image.name or image.resolve().name),  # `scan .`
        formats=chosen, workdir=workdir,
        keep=keep, depth=depth, max_bytes=max_bytes, max_files=max_files, max_file_size=max_file_size,
        timeout=timeout, policy_files=policy_files, fail_on=fail_on, baseline=baseline,
        cache=None if no_cache else (cache_path or default_cache_path()),
        **({"jobs": jobs} if jobs else {}),
    )
    report = _run_or_exit(config, err, quiet, verbose)
    if old is not None:
        report = apply_baseline(report, old)
    _write_and_exit(report, config.output_dir, chosen, fail_on, quiet)


@main.command("report")
@click.argument("report_json", metavar="REPORT.json", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Folder for the rendered files [default: the folder of REPORT.json].")
@click.option("-f", "--format", "formats", default="html", show_default=True,
              help=f"Comma-separated formats ({', '.join(FORMATS)}) or 'all'.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="none", show_default=True, help=FAIL_ON_HELP)
@click.option("-q", "--quiet", is_flag=True, help="No summary; errors only.")
def report_cmd(report_json: Path, output: Path | None, formats: str, fail_on: str, quiet: bool) -> None:
    """Re-render a saved REPORT.json in other formats (no rescan)."""
    chosen = _formats_or_usage(formats)
    report = _load_or_exit(report_json)
    out_dir = output or report_json.parent
    if "json" in chosen and (out_dir / "report.json").resolve() == report_json.resolve():
        chosen = tuple(f for f in chosen if f != "json")  # never rewrite the input in place
    _write_and_exit(report, out_dir, chosen, fail_on, quiet)


@main.command("diff")
@click.argument("old", metavar="OLD.json", type=click.Path(path_type=Path))
@click.argument("new", metavar="NEW.json", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def diff_cmd(old: Path, new: Path, fmt: str) -> None:
    """Show added, removed and changed claims, findings, endpoints, components and files."""
    result = diff_reports(_load_or_exit(old), _load_or_exit(new))
    click.echo(render_json(result) if fmt == "json" else render_text(result), nl=False)
    sys.exit(EXIT_OK)


def _formats_or_usage(formats: str) -> tuple[str, ...]:
    try:
        return parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc


def _check_policies(policy_files: tuple[Path, ...]) -> None:
    try:
        load_policies(policy_files)
    except PolicyError as exc:
        raise click.BadParameter(str(exc), param_hint="--policy") from exc


def _load_or_exit(path: Path) -> Report:
    try:
        return load_report(path)
    except ReportLoadError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_FAILED)


def _write_and_exit(report: Report, out_dir: Path, formats: tuple[str, ...], fail_on: str, quiet: bool) -> None:
    """Write every format (one failing writer never costs the others), then exit: 3 on an internal failure,
    else the gate's 0 or 1. Exit 1 means only "a gate tripped", never "fwaudit broke"."""
    written, failed = _write_each(report, out_dir, formats)
    crashed = stage_crashes(report)
    try:
        result = gate(report, fail_on)
        if not quiet:
            print_summary(Console(), report, written)
            for reason in result.reasons[:10]:
                click.echo(f"  fail-on {fail_on}: {reason}")
    except Exception as exc:  # a summary bug must not pass for a tripped gate
        click.echo(f"error: internal failure after writing the reports: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_FAILED)
    if failed or crashed:
        for kind in crashed:
            click.echo(f"error: the {kind.split('.')[0]} stage failed ({kind}); the report is partial", err=True)
        sys.exit(EXIT_FAILED)
    sys.exit(result.exit_code)


def stage_crashes(report: Report) -> list[str]:
    """Kinds of errors that mean a whole stage was lost (`<stage>.crash`), not one file's problem."""
    return sorted({e.kind for e in report.errors if e.kind.count(".") == 1 and e.kind.endswith(".crash")})


def _write_each(report: Report, out_dir: Path, formats: tuple[str, ...]) -> tuple[list[Path], list[str]]:
    written: list[Path] = []
    failed: list[str] = []
    for name in formats:
        try:
            written += write_reports(report, out_dir, (name,))
        except OSError as exc:
            failed.append(name)
            click.echo(f"error: cannot write the {name} report to {out_dir}: {exc.strerror or exc}", err=True)
        except Exception as exc:  # a writer bug: report it, keep the other formats
            failed.append(name)
            click.echo(f"error: internal failure writing the {name} report: {type(exc).__name__}: {exc}", err=True)
    return written, failed


def _run_or_exit(config: AuditConfig, err: Console, quiet: bool, verbose: int) -> Report:
    try:
        with make_events(err, quiet=quiet, verbose=verbose) as events:
            return run(config, events)
    except (InputError, EngineMissingError) as exc:
        click.echo(f"error: {exc}", err=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
    except Exception as exc:  # an internal failure is exit 3 with a partial report, never a traceback and exit 1
        return failed_report(config, exc)
    sys.exit(EXIT_FAILED)


def failed_report(config: AuditConfig, exc: Exception) -> Report:
    """The report of a run that broke outside any stage: partial, holding the failure as `audit.crash`."""
    error = AuditError(kind="audit.crash", stage="audit",
                       message=f"the audit stopped on an internal failure: {type(exc).__name__}: {exc}")
    return Report(tool={"name": "fwaudit", "version": __version__}, run={"config": config.public_dict()},
                  image={"name": config.image.name}, status="partial", errors=[error])


main.add_command(db)
main.add_command(cache_group)
from audit.cli_fleet import batch_cmd, fleet_cmd, query_cmd  # noqa: E402  # fleet commands (issue 14), registered last

main.add_command(batch_cmd)
main.add_command(query_cmd)
main.add_command(fleet_cmd)
from audit.cli_verify import bundle_group, verify_cmd  # noqa: E402  # verify and bundle (issue 15), registered last

main.add_command(verify_cmd)
main.add_command(bundle_group)
from audit.cli_serve import serve_cmd  # noqa: E402  # web console (issue 16)

main.add_command(serve_cmd)

if __name__ == "__main__":
    main()
