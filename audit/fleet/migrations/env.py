"""Alembic environment for the fleet store: run on the connection `audit.fleet.store` passes in, never from an
ini file's URL (the store is opened programmatically; `alembic` on the command line is not needed)."""

from __future__ import annotations

from alembic import context

from audit.fleet.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the store runs migrations
    raise RuntimeError("the fleet store runs its migrations itself: open it with audit.fleet.store.open_store")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
