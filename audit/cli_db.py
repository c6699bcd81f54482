"""`fwaudit db`: manage the offline vulnerability database (import OSV records, show what it holds)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from audit.vulndb import VulnDbError, default_db_path, import_osv, info


@click.group("db")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file (default: $XDG_DATA_HOME/fwaudit/fwaudit.db, ~/.local/share/fwaudit/fwaudit.db).")
@click.pass_context
def db(ctx: click.Context, db_path: Path | None) -> None:
    """Offline vulnerability database (OSV records); scans never use the network."""
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
