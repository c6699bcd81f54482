"""Fleets: batch audits into a persistent store (SQLite or PostgreSQL), queries and a dashboard over it.

`batch` drives an executor (`executors`: a local process pool or a Dask cluster) whose workers run
`audit.pipeline.run` and return report dicts; the client writes them to the store (`store`, tables in `schema`,
Alembic migrations in `migrations/`); `query` and `dashboard` read it. Layout: docs/fleet.md.
"""
