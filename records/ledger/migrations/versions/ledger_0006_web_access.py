"""The web review station: users with roles and council scope, sessions, sign-in attempts
(rate limiting), records sent back for re-scan; indexes for the review queue and the
forecast window.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('user_name', sa.String(length=128), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_user_client_at', ['user_name', 'client', 'at'], unique=False)

    op.create_table('rescan_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('council', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=64), nullable=False),
    sa.Column('requested_by', sa.String(length=128), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('rescan_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rescan_requests_council'), ['council'], unique=False)
        batch_op.create_index(batch_op.f('ix_rescan_requests_source_sha256'), ['source_sha256'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('council', sa.String(length=64), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('disabled', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('web_sessions',
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('user_name', sa.String(length=128), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('token_sha256')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_sessions_user_name'), ['user_name'], unique=False)

    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index('ix_records_archived_at', ['archived_at', 'council', 'record_type', 'pages'], unique=False)
        batch_op.create_index('ix_records_review_queue', ['needs_review', 'council', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index('ix_records_review_queue')
        batch_op.drop_index('ix_records_archived_at')

    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_sessions_user_name'))

    op.drop_table('web_sessions')
    op.drop_table('users')
    with op.batch_alter_table('rescan_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rescan_requests_source_sha256'))
        batch_op.drop_index(batch_op.f('ix_rescan_requests_council'))

    op.drop_table('rescan_requests')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_user_client_at')

    op.drop_table('login_attempts')
