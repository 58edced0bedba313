"""Archival grade: each record's archive PDF format and the pages below its council's capture
standard; counters of records and pages needing re-scan, apart from the digitised ones.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archive_format', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rescan_pages', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rescan_reasons', sa.String(length=255), nullable=True))

    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rescan_records', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('rescan_pages', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('rescan_pages')
        batch_op.drop_column('rescan_records')

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_column('rescan_reasons')
        batch_op.drop_column('rescan_pages')
        batch_op.drop_column('archive_format')
