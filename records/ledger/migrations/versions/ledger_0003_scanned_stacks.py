"""Scanned stacks split into records: each record's source file, page range and cover-sheet
reference, and the source_files table of finished stacks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('source_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=255), nullable=False),
    sa.Column('source_path', sa.String(length=1024), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('separator_pages', sa.Integer(), nullable=False),
    sa.Column('blank_pages', sa.Integer(), nullable=False),
    sa.Column('settings_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_files_council'), ['council'], unique=False)

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_file_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('first_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_page', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reference', sa.String(length=255), nullable=True))
        batch_op.create_index(batch_op.f('ix_records_source_file_sha256'), ['source_file_sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_source_file_sha256'))
        batch_op.drop_column('reference')
        batch_op.drop_column('last_page')
        batch_op.drop_column('first_page')
        batch_op.drop_column('source_file_sha256')

    with op.batch_alter_table('source_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_files_council'))

    op.drop_table('source_files')
