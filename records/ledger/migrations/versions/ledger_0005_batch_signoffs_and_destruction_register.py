"""Batch quality sign-offs and the register of records whose paper may be destroyed.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-05 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('batch_signoffs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=255), nullable=False),
    sa.Column('signed_by', sa.String(length=128), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('findings', sa.String(length=2000), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('record_set_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('batch_signoffs', schema=None) as batch_op:
        batch_op.create_index('ix_batch_signoffs_council_batch', ['council', 'batch'], unique=False)

    op.create_table('destruction_register',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=255), nullable=False),
    sa.Column('signoff_id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(length=64), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('first_page', sa.Integer(), nullable=True),
    sa.Column('last_page', sa.Integer(), nullable=True),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('sidecar_sha256', sa.String(length=64), nullable=False),
    sa.Column('retention', sa.String(length=255), nullable=False),
    sa.Column('disposal_date', sa.Date(), nullable=True),
    sa.Column('disposal_basis', sa.String(length=32), nullable=False),
    sa.Column('approved_by', sa.String(length=128), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('destruction_register', schema=None) as batch_op:
        batch_op.create_index('ix_destruction_register_council_batch', ['council', 'batch'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('destruction_register', schema=None) as batch_op:
        batch_op.drop_index('ix_destruction_register_council_batch')
    op.drop_table('destruction_register')
    with op.batch_alter_table('batch_signoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_signoffs_council_batch')
    op.drop_table('batch_signoffs')
