"""The fleet store's tables (SQLAlchemy Core). Alembic migrations in `migrations/versions/` create them;
`tests/test_fleet_store.py` checks that the migrated database and these definitions agree.

Text columns hold firmware strings as they are; structured leftovers (evidence chains, notes, reasons, whole
endpoint and component records, the full report) are JSON text. The layout is documented in `docs/fleet.md`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

SHA = String(64)


def _run_fk() -> Column[int]:
    return Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False)


images = Table(
    "images", metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", SHA, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("size", BigInteger),
    Column("format", Text),
)

image_tags = Table(
    "image_tags", metadata,
    Column("image_id", Integer, ForeignKey("images.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(200), primary_key=True),
    Column("value", Text, nullable=False),
)

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True),
    Column("image_id", Integer, ForeignKey("images.id", ondelete="CASCADE")),  # NULL: input never hashed
    Column("image_name", Text, nullable=False),
    Column("source", Text),  # the path the batch was given
    Column("tool_name", String(64)),
    Column("tool_version", String(64), nullable=False),
    Column("rules_digest", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # complete | partial | failed
    Column("current", Boolean, nullable=False, default=False),  # the image's latest stored report
    Column("started", String(40)),
    Column("duration_s", Float),
    Column("stored_at", String(40), nullable=False),
    Column("error", Text),  # why a failed run failed
    Column("report", Text),  # the canonical report.json (compact), NULL for a failed run
    Index("ix_runs_image_current", "image_id", "current"),
    Index("ix_runs_resume", "tool_version", "rules_digest", "status"),
)

files = Table(
    "files", metadata,
    Column("sha256", SHA, primary_key=True),
    Column("size", BigInteger),
)

image_files = Table(
    "image_files", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("path", Text, nullable=False),
    Column("fs_path", Text),
    Column("kind", String(16), nullable=False),
    Column("size", BigInteger),
    Column("mode", Integer),
    Column("file_sha256", SHA, ForeignKey("files.sha256")),  # NULL for symlinks and special files
    Column("magic", Text),
    Column("mime", Text),
    Column("is_elf", Boolean),
    Column("arch", String(64)),
    Column("parent", Text),
    Column("handler", Text),
    Column("byte_offset", BigInteger),
    Column("link_target", Text),
    Column("extra", Text),  # JSON of keys the columns do not hold (path_raw, newer fields), else NULL
    Index("ix_image_files_sha", "file_sha256"),
    Index("ix_image_files_run", "run_id"),
)

claims = Table(
    "claims", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("hint", Boolean, nullable=False),
    Column("layer", String(32), nullable=False),
    Column("entity", Text, nullable=False),
    Column("detail", Text),
    Column("confidence", Float),
    Column("notes", Text),
    Column("extra", Text),
    Index("ix_claims_layer_entity", "layer", "entity"),
    Index("ix_claims_run", "run_id"),
)

findings = Table(
    "findings", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("finding_id", Text, nullable=False),
    Column("rule", Text),
    Column("category", String(64)),
    Column("severity", String(16)),
    Column("confidence", Float),
    Column("title", Text),
    Column("path", Text),
    Column("cwe", String(32)),
    Column("extra", Text),
    Index("ix_findings_run", "run_id"),
)


def _evidence_table(name: str, owner: str) -> Table:
    return Table(
        name, metadata,
        Column("id", Integer, primary_key=True),
        Column("owner_id", Integer, ForeignKey(f"{owner}.id", ondelete="CASCADE"), nullable=False),
        Column("seq", Integer, nullable=False),
        Column("kind", String(32)),
        Column("rule_id", Text),
        Column("path", Text),
        Column("sha256", SHA),
        Column("byte_offset", BigInteger),
        Column("matched", Text),
        Column("weight", String(16)),
        Column("chain", Text),
        Column("extra", Text),
        Index(f"ix_{name}_owner", "owner_id"),
    )


claim_evidence = _evidence_table("claim_evidence", "claims")
finding_evidence = _evidence_table("finding_evidence", "findings")

endpoints = Table(
    "endpoints", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("value", Text),
    Column("host", Text),
    Column("kind", String(32)),
    Column("owner", Text),
    Column("category", String(64)),
    Column("headline", Boolean),
    Column("data", Text, nullable=False),  # the whole endpoint record (occurrences included)
    Index("ix_endpoints_run", "run_id"),
)

components = Table(
    "components", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("name", Text),
    Column("version", Text),
    Column("data", Text, nullable=False),  # the whole component record
    Index("ix_components_run", "run_id"),
    Index("ix_components_name", "name"),
)

policy_verdicts = Table(
    "policy_verdicts", metadata,
    Column("id", Integer, primary_key=True),
    _run_fk(),
    Column("seq", Integer, nullable=False),
    Column("policy", Text, nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("reasons", Text),
    Column("undetermined", Text),
    Column("extra", Text),
    Index("ix_policy_verdicts_run", "run_id"),
)
