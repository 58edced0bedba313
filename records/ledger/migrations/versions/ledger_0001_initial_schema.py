"""Initial schema: every table as of the first migration, and adoption of older ledgers.

A ledger made before migrations (by `metadata.create_all`) already has some of these tables:
they and their indexes are created only if missing, and `records.sidecar_sha256`, the one
column added to an existing table before migrations, is added where it is missing.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _adopt_pre_migration_ledger()
    op.create_table(
        "counters",
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council", "record_type"),
        if_not_exists=True,
    )
    op.create_table(
        "inventory_estimates",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_inventory_estimates_council", "inventory_estimates", ["council"])
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=255), nullable=False),
        sa.Column("source_path", sa.String(length=1024), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("error_class", sa.String(length=128), nullable=False),
        sa.Column("message", sa.String(length=2000), nullable=False),
        sa.Column("copy_path", sa.String(length=1024), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_path", "source_sha256", name="uq_quarantine_source"),
        if_not_exists=True,
    )
    _index("ix_quarantine_council", "quarantine", ["council"])
    op.create_table(
        "record_fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_record_fields_kind_value", "record_fields", ["kind", "value"])
    _index("ix_record_fields_source_sha256", "record_fields", ["source_sha256"])
    op.create_table(
        "record_pages",
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("blank", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("source_sha256", "number"),
        if_not_exists=True,
    )
    op.create_table(
        "records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=255), nullable=False),
        sa.Column("source_path", sa.String(length=1024), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("words", sa.Integer(), nullable=False),
        sa.Column("blank_pages", sa.Integer(), nullable=False),
        sa.Column("mean_confidence", sa.Float(), nullable=False),
        sa.Column("pdf_path", sa.String(length=1024), nullable=False),
        sa.Column("text_path", sa.String(length=1024), nullable=False),
        sa.Column("sidecar_path", sa.String(length=1024), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("engine", sa.String(length=128), nullable=False),
        sa.Column("languages", sa.String(length=64), nullable=False),
        sa.Column("pipeline_version", sa.String(length=32), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sidecar_sha256", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_sha256"),
        if_not_exists=True,
    )
    _index("ix_records_council", "records", ["council"])
    op.create_table(
        "review_labels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("record_type", sa.String(length=64), nullable=False),
        sa.Column("previous_type", sa.String(length=64), nullable=False),
        sa.Column("reviewed_by", sa.String(length=128), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        if_not_exists=True,
    )
    _index("ix_review_labels_source_sha256", "review_labels", ["source_sha256"])
    op.create_table(
        "seen_batches",
        sa.Column("council", sa.String(length=64), nullable=False),
        sa.Column("batch", sa.String(length=255), nullable=False),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("latest_mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("council", "batch"),
        if_not_exists=True,
    )


def downgrade() -> None:
    for table in (
        "seen_batches", "review_labels", "records", "record_pages", "record_fields", "quarantine",
        "inventory_estimates", "counters",
    ):
        op.drop_table(table)


def _index(name: str, table: str, columns: list[str]) -> None:
    op.create_index(name, table, columns, unique=False, if_not_exists=True)


def _adopt_pre_migration_ledger() -> None:
    """A `records` table from the first release lacks sidecar_sha256 (NULL for its records)."""
    if op.get_context().as_sql:  # `alembic upgrade --sql` writes a script for a new ledger
        return
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("records"):
        return
    if "sidecar_sha256" not in {column["name"] for column in inspector.get_columns("records")}:
        op.add_column("records", sa.Column("sidecar_sha256", sa.String(length=64), nullable=True))
