"""`fwaudit` command line: parse options into one AuditConfig, run the pipeline, render, exit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from audit import __version__
from audit.model import AuditConfig, Report
from audit.pipeline import InputError, run
from audit.progress import make_events
from audit.report import FORMATS, parse_formats, write_reports
from audit.summary import print_summary
from audit.unpack import EngineMissingError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


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
@click.argument("image", type=click.Path(path_type=Path))
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
              help="Cap on total extracted bytes [default: min(4G, 64 x image size)].")
@click.option("--max-files", type=click.IntRange(1), default=200_000, show_default=True,
              help="Cap on the number of extracted files.")
@click.option("--max-file-size", type=SizeType(), default=None,
              help="Cap on any single extracted file [default: the total-bytes cap].")
@click.option("--timeout", type=click.FloatRange(1), default=600.0, show_default=True,
              help="Wall-time cap for unpacking, in seconds.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=None, help="Worker processes [default: CPUs].")
@click.option("-q", "--quiet", is_flag=True, help="No progress, no summary; errors only.")
@click.option("-v", "--verbose", count=True, help="More detail (repeat for more).")
def scan(image: Path, output: Path | None, formats: str, workdir: Path | None, keep: bool, depth: int,
         max_bytes: int | None, max_files: int, max_file_size: int | None, timeout: float,
         jobs: int | None, quiet: bool, verbose: int) -> None:
    """Audit firmware IMAGE and write its reports."""
    try:
        chosen = parse_formats(formats)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from exc
    err = Console(stderr=True)
    config = AuditConfig(
        image=image, output_dir=output or Path("reports") / image.name, formats=chosen, workdir=workdir,
        keep=keep, depth=depth, max_bytes=max_bytes, max_files=max_files, max_file_size=max_file_size,
        timeout=timeout, **({"jobs": jobs} if jobs else {}),
    )
    report = _run_or_exit(config, err, quiet, verbose)
    try:
        written = write_reports(report, config.output_dir, config.formats)
    except OSError as exc:
        click.echo(f"error: cannot write reports to {config.output_dir}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_FAILED)
    if not quiet:
        print_summary(Console(), report, written)
    sys.exit(EXIT_OK)


def _run_or_exit(config: AuditConfig, err: Console, quiet: bool, verbose: int) -> Report:
    try:
        with make_events(err, quiet=quiet, verbose=verbose) as events:
            return run(config, events)
    except (InputError, EngineMissingError) as exc:
        click.echo(f"error: {exc}", err=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
    sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
