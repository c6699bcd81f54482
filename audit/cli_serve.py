"""`fwaudit serve`: parse options, check they are safe, run the console and API with uvicorn.

Exit codes: 2 for an unsafe or unusable setting (a non-loopback bind without a token, a bad token file or size,
a bad `--db`); 3 when the store cannot be opened.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from audit.gates import EXIT_FAILED, EXIT_OK, EXIT_USAGE


@click.command("serve")
@click.option("--db", "store_target", metavar="FILE|URL", required=True,
              help="Fleet store: a SQLite file or a URL (sqlite:///..., postgresql+psycopg://user@host/db).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; anything but loopback needs --auth-token-file.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--auth-token-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File whose first line is the API token (>= 16 characters); uploads need it.")
@click.option("--max-upload", default="512M", show_default=True, metavar="SIZE",
              help="Largest image accepted by upload (e.g. 64M, 2G).")
def serve_cmd(store_target: str, host: str, port: int, auth_token_file: Path | None, max_upload: str) -> None:
    """Web console and HTTP API over the fleet store (docs/serve.md)."""
    import uvicorn

    from audit.fleet.store import StoreError
    from audit.serve.app import create_app
    from audit.serve.settings import ServeSettings, SettingsError, parse_size, read_token

    try:
        token = read_token(auth_token_file) if auth_token_file else None
        settings = ServeSettings(db=store_target, host=host, port=port, token=token, max_upload=parse_size(max_upload))
        settings.check()
        app = create_app(settings)
    except SettingsError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except StoreError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE if exc.usage else EXIT_FAILED)
    click.echo(f"fwaudit console on http://{host}:{port}/ (API: /api/v1, uploads "
               f"{'on' if token else 'off: no --auth-token-file'}); Ctrl-C stops it", err=True)
    uvicorn.run(app, host=host, port=port, server_header=False, log_level="warning")
    sys.exit(EXIT_OK)
