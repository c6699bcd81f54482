"""`fwaudit db`: manage the offline vulnerability database (import OSV records, download OSV and NVD feeds,
show what it holds and how old it is)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click

from audit.vulndb import VulnDbError, default_db_path, import_osv, info
from audit.vulndb_update import update

EXIT_FEED = 3  # `db update`: a feed could not be fetched or read; the store is unchanged


@click.group("db")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (default: $XDG_DATA_HOME/fwaudit/fwaudit.db, ~/.local/share/fwaudit/fwaudit.db).")
@click.pass_context
def db(ctx: click.Context, db_path: Path | None) -> None:
    """Offline vulnerability database (OSV records, NVD CVEs); scans never use the network."""
    ctx.obj = db_path or default_db_path()


@db.command("import-osv")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def import_osv_cmd(db_path: Path, path: Path) -> None:
    """Import OSV JSON records from PATH: one file, a directory of files, or a zip of them."""
    try:
        count = import_osv(path, db_path)
    except (VulnDbError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"imported {count} records into {db_path}")


@db.command("info")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_obj
def info_cmd(db_path: Path, as_json: bool) -> None:
    """Where the database is and how many records it holds."""
    data = info(db_path)
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    click.echo(f"database: {data['db']}")
    click.echo(f"status:   {data['status']}")
    click.echo(f"records:  {data['records']}")
    for src in data.get("sources", []):
        click.echo(f"source:   {src['path']} ({src['records']} records)")
    for feed in data.get("feeds", []):
        click.echo(f"feed:     {feed['name']}: {feed['records']} records, data of {feed['feed_date']}, "
                   f"fetched {feed['fetched']} from {feed['url']}")
    if "data_date" in data:
        click.echo(f"data age: {data['data_age_days']} days (oldest feed {data['data_date']})")


@db.command("update")
@click.option("--mirror", metavar="URL", help="Base URL of a mirror: <URL>/osv/<ECOSYSTEM>/all.zip and "
              "<URL>/nvd/cves/2.0?<NVD API query> instead of the public OSV bucket and NVD API.")
@click.option("--from-file", "files", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Read feeds from files instead (no network): OSV zip/JSON/folder, NVD CVE JSON 2.0. Repeatable.")
@click.option("--only", type=click.Choice(["osv", "nvd"]), default=None, help="Download one source only.")
@click.option("--db", "db_here", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (same as `fwaudit db --db`).")
@click.pass_obj
def update_cmd(db_path: Path, mirror: str | None, files: tuple[Path, ...], only: str | None,
               db_here: Path | None) -> None:
    """Download vulnerability records for the components fwaudit identifies (OSV bulk zips, NVD CVE API 2.0)
    and store them with each feed's date, in one transaction. Exit 3 when a feed fails (store unchanged).
    Set NVD_API_KEY for NVD's faster rate limit."""
    if files and (mirror or only):
        raise click.UsageError("--from-file reads local files only; it does not combine with --mirror or --only")
    target = db_here or db_path
    try:
        feeds = update(target, mirror, files, only, progress=lambda msg: click.echo(msg, err=True))
    except (VulnDbError, sqlite3.Error, OSError) as exc:
        click.echo(f"error: db update failed, {target} unchanged: {exc}", err=True)
        raise SystemExit(EXIT_FEED) from None
    for feed in feeds:
        removed = f", {feed['removed']} withdrawn records removed" if feed.get("removed") else ""
        date = feed["feed_date"] or "unknown date"
        click.echo(f"{feed['feed']}: {feed['records']} records (data of {date}){removed}")
    click.echo(f"updated {target}")


@db.command("import")
@click.argument("reports", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_target", metavar="FILE|URL", default=None,
              help="Fleet store to import into (SQLite file or URL; `--db` of `fwaudit batch/query`) "
                   "[default: $FWAUDIT_FLEET_DB, else fleet.sqlite].")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE", help="User tag for the imported images.")
def import_cmd(reports: tuple[Path, ...], store_target: str | None, tags: tuple[str, ...]) -> None:
    """Import saved report.json files into the fleet store (the group's --db is the vulnerability DB)."""
    from audit.cli_fleet import import_reports

    import_reports(reports, store_target, tags)
