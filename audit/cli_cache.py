"""`fwaudit cache`: what the result cache holds (whole reports and per-file results), and emptying it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.cache import CacheError, ResultCache
from audit.cache import default_path as default_cache_path


def _path(cache_path: Path | None) -> Path:
    path = cache_path or default_cache_path()
    if path is None:
        raise click.UsageError("the cache is off (FWAUDIT_CACHE=off); give --cache FILE")
    return path


@click.group("cache")
def cache() -> None:
    """The content-addressed result cache `fwaudit scan` uses (see README, "Result cache")."""


@cache.command("info")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Cache file [default: $FWAUDIT_CACHE, else ~/.cache/fwaudit/results.sqlite].")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def info_cmd(cache_path: Path | None, as_json: bool) -> None:
    """Where the cache is, how many reports and per-file results it holds, and its size against the cap."""
    path = _path(cache_path)
    if not path.exists():
        stats = {"entries": 0, "file_entries": 0, "bytes": 0}
    else:
        try:
            stats = ResultCache(path).stats()
        except CacheError as exc:
            raise click.ClickException(str(exc)) from exc
    stats = {"path": str(path), **stats}
    if as_json:
        click.echo(json.dumps(stats, indent=2, sort_keys=True))
        return
    click.echo(f"{path}: {stats['entries']} reports, {stats['file_entries']} per-file results, "
               f"{stats['bytes'] / 2**20:.1f} MiB stored")


@cache.command("clear")
@click.option("--cache", "cache_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Cache file [default: $FWAUDIT_CACHE, else ~/.cache/fwaudit/results.sqlite].")
def clear_cmd(cache_path: Path | None) -> None:
    """Delete the cache file (the next audits start cold)."""
    path = _path(cache_path)
    removed = 0
    for suffix in ("", "-wal", "-shm"):
        part = Path(str(path) + suffix)
        if part.exists():
            part.unlink()
            removed += 1
    click.echo(f"{path}: {'removed' if removed else 'no cache there'}")
