"""Initial fleet schema: images, tags, runs, files, image files, claims, findings (each with evidence),
endpoints, components, policy verdicts (docs/fleet.md).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SHA = sa.String(64)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _run() -> list[sa.Column]:
    return [sa.Column("run_id", sa.Integer(), sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
            sa.Column("seq", sa.Integer(), nullable=False)]


def _text(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Text(), nullable=True) for name in names]


def _evidence(name: str, owner: str) -> None:
    op.create_table(
        name, _id(),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey(f"{owner}.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32)), *_text("rule_id", "path"), sa.Column("sha256", SHA),
        sa.Column("byte_offset", sa.BigInteger()), *_text("matched"), sa.Column("weight", sa.String(16)),
        *_text("chain", "extra"),
    )
    op.create_index(f"ix_{name}_owner", name, ["owner_id"])


def upgrade() -> None:
    op.create_table("files", sa.Column("sha256", SHA, primary_key=True), sa.Column("size", sa.BigInteger()))
    op.create_table("images", _id(), sa.Column("sha256", SHA, nullable=False, unique=True),
                    sa.Column("name", sa.Text(), nullable=False), sa.Column("size", sa.BigInteger()),
                    *_text("format"))
    op.create_table("image_tags",
                    sa.Column("image_id", sa.Integer(), sa.ForeignKey("images.id", ondelete="CASCADE"),
                              primary_key=True),
                    sa.Column("name", sa.String(200), primary_key=True),
                    sa.Column("value", sa.Text(), nullable=False))
    op.create_table(
        "runs", _id(),
        sa.Column("image_id", sa.Integer(), sa.ForeignKey("images.id", ondelete="CASCADE")),
        sa.Column("image_name", sa.Text(), nullable=False), *_text("source"),
        sa.Column("tool_name", sa.String(64)),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("rules_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("started", sa.String(40)), sa.Column("duration_s", sa.Float()),
        sa.Column("stored_at", sa.String(40), nullable=False), *_text("error", "report"),
    )
    op.create_index("ix_runs_image_current", "runs", ["image_id", "current"])
    op.create_index("ix_runs_resume", "runs", ["tool_version", "rules_digest", "status"])
    op.create_table(
        "image_files", _id(), *_run(), sa.Column("path", sa.Text(), nullable=False), *_text("fs_path"),
        sa.Column("kind", sa.String(16), nullable=False), sa.Column("size", sa.BigInteger()),
        sa.Column("mode", sa.Integer()), sa.Column("file_sha256", SHA, sa.ForeignKey("files.sha256")),
        *_text("magic", "mime"), sa.Column("is_elf", sa.Boolean()), sa.Column("arch", sa.String(64)),
        *_text("parent", "handler"), sa.Column("byte_offset", sa.BigInteger()), *_text("link_target", "extra"),
    )
    op.create_index("ix_image_files_sha", "image_files", ["file_sha256"])
    op.create_index("ix_image_files_run", "image_files", ["run_id"])
    op.create_table(
        "claims", _id(), *_run(), sa.Column("hint", sa.Boolean(), nullable=False),
        sa.Column("layer", sa.String(32), nullable=False), sa.Column("entity", sa.Text(), nullable=False),
        *_text("detail"), sa.Column("confidence", sa.Float()), *_text("notes", "extra"),
    )
    op.create_index("ix_claims_layer_entity", "claims", ["layer", "entity"])
    op.create_index("ix_claims_run", "claims", ["run_id"])
    op.create_table(
        "findings", _id(), *_run(), sa.Column("finding_id", sa.Text(), nullable=False), *_text("rule"),
        sa.Column("category", sa.String(64)), sa.Column("severity", sa.String(16)),
        sa.Column("confidence", sa.Float()), *_text("title", "path"), sa.Column("cwe", sa.String(32)),
        *_text("extra"),
    )
    op.create_index("ix_findings_run", "findings", ["run_id"])
    _evidence("claim_evidence", "claims")
    _evidence("finding_evidence", "findings")
    op.create_table(
        "endpoints", _id(), *_run(), *_text("value", "host"), sa.Column("kind", sa.String(32)), *_text("owner"),
        sa.Column("category", sa.String(64)), sa.Column("headline", sa.Boolean()),
        sa.Column("data", sa.Text(), nullable=False),
    )
    op.create_index("ix_endpoints_run", "endpoints", ["run_id"])
    op.create_table("components", _id(), *_run(), *_text("name", "version"),
                    sa.Column("data", sa.Text(), nullable=False))
    op.create_index("ix_components_run", "components", ["run_id"])
    op.create_index("ix_components_name", "components", ["name"])
    op.create_table(
        "policy_verdicts", _id(), *_run(), sa.Column("policy", sa.Text(), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False), *_text("reasons", "undetermined", "extra"),
    )
    op.create_index("ix_policy_verdicts_run", "policy_verdicts", ["run_id"])


def downgrade() -> None:
    for table in ("policy_verdicts", "components", "endpoints", "finding_evidence", "claim_evidence", "findings",
                  "claims", "image_files", "runs", "image_tags", "images", "files"):
        op.drop_table(table)
